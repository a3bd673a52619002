"""Joint approval pages: the list of joint items, registering one joint application at the lead
department's window, and platform admins configuring a joint item."""

import pytest
from django.urls import reverse

from sunlight.cases.choices import CaseState, StepState
from sunlight.cases.joint import joint_item_create
from sunlight.cases.models import Case, JointItem
from sunlight.cases.services import step_complete
from sunlight.cases.tests import factories
from sunlight.cases.tests.ui import applicant_post, client_of, detail_url
from sunlight.flows.steps import Branch, StepRow
from sunlight.org.tests import factories as org_factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def offices():
    planning = factories.office_with_power(code="051")
    housing = factories.office_with_power(code="052")
    joint = joint_item_create(
        actor=None,
        name="建设项目并联审批",
        lead_department=planning.department,
        powers=[planning.item, housing.item],
        limit_days=15,
    )
    return planning, housing, joint


# Housing's review branches on the area, planning's (LICENCE_STEPS) on a site inspection.
AREA_STEPS = [
    StepRow("1", "受理", "clerk", 1),
    StepRow(
        "2",
        "审查",
        "approver",
        5,
        branches=[
            Branch("大型项目", "3", "area > 1000"),
            Branch("一般项目", "4", "", is_default=True),
        ],
    ),
    StepRow("3", "专家评审", "approver", 5),
    StepRow("4", "决定", "approver", 2),
]


@pytest.fixture
def routed():
    planning = factories.office_with_power(code="061")
    housing = factories.office_with_power(code="062", steps=AREA_STEPS, promised_limit=13)
    joint = joint_item_create(
        actor=None,
        name="建设工程施工许可并联审批",
        lead_department=planning.department,
        powers=[planning.item, housing.item],
        limit_days=20,
    )
    return planning, housing, joint


def _register_url(joint):
    return reverse("joint:register", args=[joint.pk])


def _materials_post(*offices_):
    data = {}
    for office in offices_:
        prefix = f"p{office.item.pk}"
        for index, _ in enumerate(office.item.current_version.materials.all()):
            data[f"{prefix}-m{index}_original"] = "on"
            data[f"{prefix}-m{index}_copy"] = "on"
    return data


def test_list_shows_the_joint_item_with_the_register_link_for_the_lead_clerk(offices):
    planning, housing, joint = offices
    page = client_of(planning.clerk).get(reverse("joint:list")).content.decode()
    assert "建设项目并联审批" in page and _register_url(joint) in page


def test_list_shows_the_joint_item_to_a_part_department_without_the_register_link(offices):
    planning, housing, joint = offices
    page = client_of(housing.clerk).get(reverse("joint:list")).content.decode()
    assert "建设项目并联审批" in page and _register_url(joint) not in page


def test_lead_clerk_registers_a_joint_application_and_every_part_is_accepted(offices):
    planning, housing, joint = offices
    data = applicant_post() | _materials_post(planning, housing)
    response = client_of(planning.clerk).post(_register_url(joint), data)
    parent = Case.objects.get(joint_parent__isnull=True, joint_item=joint)
    assert response.status_code == 302 and response["Location"] == detail_url(parent)
    parts = list(parent.joint_parts.all())
    assert {p.department_id for p in parts} == {planning.department.pk, housing.department.pk}
    assert all(p.state == CaseState.IN_PROGRESS and p.accepted_at for p in parts)


def test_clerk_of_a_part_department_cannot_open_the_registration_page(offices):
    planning, housing, joint = offices
    response = client_of(housing.clerk).get(_register_url(joint))
    assert response.status_code in (403, 404)


def test_bad_applicant_id_is_shown_with_the_input_kept_and_nothing_written(offices):
    planning, housing, joint = offices
    data = applicant_post(id_number="330102199001011230", name="李四")
    data |= _materials_post(planning, housing)
    response = client_of(planning.clerk).post(_register_url(joint), data)
    assert response.status_code == 400
    assert response.context["applicant"].errors.get("id_number")
    page = response.content.decode()
    assert "330102199001011230" in page and "李四" in page
    assert not Case.objects.exists()


def test_missing_mandatory_materials_refuse_the_whole_application(offices):
    planning, housing, joint = offices
    response = client_of(planning.clerk).post(_register_url(joint), applicant_post())
    assert response.status_code == 400
    assert "必要材料未收齐" in " ".join(response.context["general"])
    assert not Case.objects.exists()


def test_admin_creates_a_joint_item(offices):
    planning, housing, _ = offices
    admin = org_factories.user("admin", in_region=planning.department.region)
    response = client_of(admin).post(
        reverse("joint:create"),
        {
            "name": "开办企业一件事",
            "lead_department": planning.department.pk,
            "powers": [planning.item.pk, housing.item.pk],
            "limit_days": "10",
        },
    )
    assert response.status_code == 302
    created = JointItem.objects.get(name="开办企业一件事")
    assert set(created.powers.values_list("pk", flat=True)) == {planning.item.pk, housing.item.pk}


def test_admin_creating_a_joint_item_of_one_power_sees_the_problem(offices):
    planning, _, _ = offices
    admin = org_factories.user("admin", in_region=planning.department.region)
    response = client_of(admin).post(
        reverse("joint:create"),
        {
            "name": "单项",
            "lead_department": planning.department.pk,
            "powers": [planning.item.pk],
            "limit_days": "10",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors.get("powers")
    assert not JointItem.objects.filter(name="单项").exists()


def test_non_admin_cannot_create_a_joint_item(offices):
    planning, housing, _ = offices
    client = client_of(planning.clerk)
    assert client.get(reverse("joint:create")).status_code == 403
    response = client.post(
        reverse("joint:create"),
        {
            "name": "越权",
            "lead_department": planning.department.pk,
            "powers": [planning.item.pk, housing.item.pk],
            "limit_days": "10",
        },
    )
    assert response.status_code == 403
    assert not JointItem.objects.filter(name="越权").exists()


def test_registration_page_asks_for_the_case_fields_every_parts_flow_reads(routed):
    planning, housing, joint = routed
    response = client_of(planning.clerk).get(_register_url(joint))
    body = response.content.decode()
    assert 'name="fields-site_inspection_required"' in body
    assert 'name="fields-area"' in body
    assert f"用于{housing.department.name}的办理流程" in body


def test_joint_case_fields_route_each_parts_gateway(routed):
    planning, housing, joint = routed
    data = applicant_post() | _materials_post(planning, housing) | {"fields-area": "2000"}
    response = client_of(planning.clerk).post(_register_url(joint), data)
    assert response.status_code == 302
    parent = Case.objects.get(joint_parent__isnull=True, joint_item=joint)
    assert parent.fields == {"site_inspection_required": False, "area": 2000}
    reached = {}
    for office in (planning, housing):
        part = parent.joint_parts.get(department=office.department)
        step_complete(actor=office.head, step=part.steps.get(state=StepState.OPEN))
        reached[office.code] = part.steps.get(state=StepState.OPEN).name
    # No site inspection asked for: planning goes straight to its decision; a large project
    # sends housing's review to the experts.
    assert reached == {planning.code: "决定", housing.code: "专家评审"}


def test_a_bad_case_field_value_is_shown_beside_it_and_nothing_written(routed):
    planning, housing, joint = routed
    data = applicant_post() | _materials_post(planning, housing) | {"fields-area": "很大"}
    response = client_of(planning.clerk).post(_register_url(joint), data)
    assert response.status_code == 400
    assert response.context["fields"].errors.get("area")
    assert not Case.objects.exists()
