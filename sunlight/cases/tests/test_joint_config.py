"""Configuring joint items (并联审批): editing, 停用 and 启用 through the pages and the services,
with the services' refusals (who may, what makes a valid item, a stale page, a second click),
and a 停用 item refusing new registrations while its cases go on."""

import json

import pytest
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.cases.choices import CaseState, StepState
from sunlight.cases.joint import (
    INACTIVE,
    joint_case_register,
    joint_item_create,
    joint_item_deactivate,
    joint_item_get_for_admin,
    joint_item_reactivate,
    joint_item_revision,
    joint_item_update,
)
from sunlight.cases.models import Case, JointItem
from sunlight.cases.services import CaseRequest, step_complete
from sunlight.cases.tests import factories
from sunlight.cases.tests.ui import client_of, messages_of
from sunlight.catalog import services as catalog_services
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.tests import factories as catalog_factories
from sunlight.core.errors import (
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.org.tests import factories as org_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices():
    planning = factories.office_with_power(code="051")
    housing = factories.office_with_power(code="052")
    fire = factories.office_with_power(code="053")
    joint = joint_item_create(
        actor=None,
        name="建设项目并联审批",
        lead_department=planning.department,
        powers=[planning.item, housing.item],
        limit_days=15,
    )
    return planning, housing, fire, joint


@pytest.fixture
def admin(offices):
    return org_factories.user("admin", in_region=offices[0].department.region)


def _edit_post(joint, **overrides):
    data = {
        "name": joint.name,
        "lead_department": joint.lead_department_id,
        "powers": list(joint.powers.values_list("pk", flat=True)),
        "limit_days": str(joint.limit_days),
        "revision": joint_item_revision(joint),
    }
    data.update(overrides)
    return data


def _update(actor, joint, **overrides):
    values = {
        "name": joint.name,
        "lead_department": joint.lead_department,
        "powers": list(joint.powers.all()),
        "limit_days": joint.limit_days,
    }
    values.update(overrides)
    return joint_item_update(actor=actor, joint=joint, **values)


def _request(*offices_):
    materials = [m for office in offices_ for m in factories.all_materials(office)]
    return CaseRequest(
        power_code=offices_[0].code, applicant=factories.person(), materials=materials
    )


def _suspend(office):
    catalog_services.power_item_transition(
        actor=None, item=office.item, action=TransitionAction.SUSPEND, reason="法规修订"
    )


# ---------------------------------------------------------------- the pages


def test_admin_sees_the_edit_page_with_the_items_values(offices, admin):
    planning, housing, _, joint = offices
    response = client_of(admin).get(reverse("joint:edit", args=[joint.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["name"].value() == "建设项目并联审批"
    assert set(form["powers"].value()) == {planning.item.pk, housing.item.pk}
    assert reverse("joint:deactivate", args=[joint.pk]) in response.content.decode()


def test_admin_edits_a_joint_item_through_the_page(offices, admin):
    planning, housing, fire, joint = offices
    data = _edit_post(
        joint,
        name="建设工程并联审批",
        powers=[planning.item.pk, housing.item.pk, fire.item.pk],
        limit_days="20",
    )
    response = client_of(admin).post(reverse("joint:edit", args=[joint.pk]), data)
    assert response.status_code == 302
    joint.refresh_from_db()
    assert (joint.name, joint.limit_days) == ("建设工程并联审批", 20)
    assert set(joint.powers.values_list("pk", flat=True)) == {
        planning.item.pk,
        housing.item.pk,
        fire.item.pk,
    }
    data = json.loads(AuditEntry.objects.get(action="cases.joint_item.updated").data)
    assert data["before"]["limit"] == 15 and data["after"]["limit"] == 20


def test_edit_page_shows_every_problem_and_changes_nothing(offices, admin):
    planning, _, _, joint = offices
    data = _edit_post(joint, powers=[planning.item.pk], limit_days="0")
    response = client_of(admin).post(reverse("joint:edit", args=[joint.pk]), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"powers", "limit_days"} <= set(errors)
    joint.refresh_from_db()
    assert (joint.name, joint.limit_days, joint.powers.count()) == ("建设项目并联审批", 15, 2)
    assert not AuditEntry.objects.filter(action="cases.joint_item.updated").exists()


def test_saving_a_page_shown_before_another_admins_change_is_refused(offices, admin):
    _, _, _, joint = offices
    stale = _edit_post(joint, limit_days="30")
    _update(None, joint, limit_days=25)
    response = client_of(admin).post(reverse("joint:edit", args=[joint.pk]), stale)
    assert response.status_code == 400
    assert "已被他人修改" in str(response.context["form"].non_field_errors())
    joint.refresh_from_db()
    assert joint.limit_days == 25


def test_admin_deactivates_through_the_page_and_the_list_marks_it(offices, admin):
    _, _, _, joint = offices
    client = client_of(admin)
    response = client.post(reverse("joint:deactivate", args=[joint.pk]), {"reason": "机构改革"})
    assert response.status_code == 302
    joint.refresh_from_db()
    assert not joint.active
    page = client.get(reverse("joint:list")).content.decode()
    assert "已停用" in page and reverse("joint:register", args=[joint.pk]) not in page
    entry = AuditEntry.objects.get(action="cases.joint_item.deactivated")
    assert json.loads(entry.data)["reason"] == "机构改革"


def test_second_click_on_deactivate_is_told_it_is_done_and_writes_nothing(offices, admin):
    _, _, _, joint = offices
    client = client_of(admin)
    client.post(reverse("joint:deactivate", args=[joint.pk]), {"reason": "机构改革"})
    entries = AuditEntry.objects.count()
    response = client.post(
        reverse("joint:deactivate", args=[joint.pk]), {"reason": "机构改革"}, follow=True
    )
    assert any("已停用" in m for m in messages_of(response))
    joint.refresh_from_db()
    assert not joint.active and AuditEntry.objects.count() == entries


def test_deactivation_without_a_reason_is_refused_on_the_page(offices, admin):
    _, _, _, joint = offices
    response = client_of(admin).post(reverse("joint:deactivate", args=[joint.pk]), {"reason": ""})
    assert response.status_code == 400
    assert response.context["active_form"].errors.get("reason")
    joint.refresh_from_db()
    assert joint.active


def test_admin_reactivates_through_the_page(offices, admin):
    _, _, _, joint = offices
    joint_item_deactivate(actor=None, joint=joint, reason="暂停")
    response = client_of(admin).post(
        reverse("joint:reactivate", args=[joint.pk]), {"reason": "恢复"}
    )
    assert response.status_code == 302
    joint.refresh_from_db()
    assert joint.active
    assert AuditEntry.objects.filter(action="cases.joint_item.reactivated").exists()


def test_clerk_cannot_open_the_edit_page_or_deactivate(offices):
    planning, _, _, joint = offices
    client = client_of(planning.clerk)
    assert client.get(reverse("joint:edit", args=[joint.pk])).status_code == 403
    response = client.post(reverse("joint:deactivate", args=[joint.pk]), {"reason": "越权"})
    assert response.status_code == 403
    joint.refresh_from_db()
    assert joint.active


def test_admin_of_another_region_gets_not_found(offices):
    _, _, _, joint = offices
    region = org_factories.region("330200", "宁波市")
    outsider = org_factories.user("admin", in_region=region)
    response = client_of(outsider).get(reverse("joint:edit", args=[joint.pk]))
    assert response.status_code == 404


# ---------------------------------------------------------------- the services


def test_non_admin_may_not_edit(offices):
    planning, _, _, joint = offices
    for actor in (planning.clerk, planning.head):
        with pytest.raises(PermissionDenied):
            _update(actor, joint, limit_days=30)
    joint.refresh_from_db()
    assert joint.limit_days == 15


def test_non_admin_may_not_deactivate(offices):
    planning, _, _, joint = offices
    with pytest.raises(PermissionDenied):
        joint_item_deactivate(actor=planning.head, joint=joint, reason="牵头部门决定")
    joint.refresh_from_db()
    assert joint.active


def test_an_item_of_fewer_than_two_powers_is_refused(offices):
    planning, _, _, joint = offices
    with pytest.raises(ValidationFailed, match="至少包含两项"):
        _update(None, joint, powers=[planning.item])
    assert joint.powers.count() == 2


def test_an_unpublished_power_is_refused_by_its_code(offices):
    planning, _, _, joint = offices
    draft = catalog_factories.item(department=planning.department)
    with pytest.raises(ValidationFailed, match=draft.code):
        _update(None, joint, powers=[*joint.powers.all(), draft])
    assert joint.powers.count() == 2


def test_a_limit_of_zero_days_is_refused(offices):
    _, _, _, joint = offices
    with pytest.raises(ValidationFailed, match="总体承诺时限"):
        _update(None, joint, limit_days=0)
    joint.refresh_from_db()
    assert joint.limit_days == 15


def test_every_problem_is_reported_at_once(offices):
    planning, _, _, joint = offices
    with pytest.raises(ValidationFailed) as refused:
        _update(None, joint, name="", powers=[planning.item], limit_days=-1)
    assert {p.field for p in refused.value.problems} == {"联办事项名称", "权力事项", "总体承诺时限"}


def test_saving_what_is_stored_changes_nothing(offices):
    _, _, _, joint = offices
    stale = joint_item_revision(joint)
    _update(None, joint, limit_days=20)
    entries = AuditEntry.objects.count()
    again = joint_item_update(
        actor=None,
        joint=joint,
        name=joint.name,
        lead_department=joint.lead_department,
        powers=list(joint.powers.all()),
        limit_days=20,
        revision=stale,  # the double click carries the page's old revision
    )
    assert again.limit_days == 20 and AuditEntry.objects.count() == entries


def test_a_stale_revision_is_refused(offices):
    _, _, _, joint = offices
    stale = joint_item_revision(joint)
    _update(None, joint, limit_days=20)
    with pytest.raises(InvalidTransition, match="已被他人修改"):
        joint_item_update(
            actor=None,
            joint=joint,
            name="另一个名称",
            lead_department=joint.lead_department,
            powers=list(joint.powers.all()),
            limit_days=20,
            revision=stale,
        )
    joint.refresh_from_db()
    assert joint.name == "建设项目并联审批"


def test_reactivating_with_a_suspended_power_is_refused(offices):
    _, housing, _, joint = offices
    joint_item_deactivate(actor=None, joint=joint, reason="调整")
    _suspend(housing)
    with pytest.raises(ValidationFailed, match=housing.code):
        joint_item_reactivate(actor=None, joint=joint, reason="恢复")
    joint.refresh_from_db()
    assert not joint.active


def test_reactivating_an_active_item_is_refused(offices):
    _, _, _, joint = offices
    with pytest.raises(InvalidTransition, match="已启用"):
        joint_item_reactivate(actor=None, joint=joint, reason="恢复")


# ---------------------------------------------------------------- registration after 停用


def test_a_deactivated_item_refuses_registration_and_writes_nothing(offices):
    planning, housing, _, joint = offices
    joint_item_deactivate(actor=None, joint=joint, reason="机构改革")
    cases, entries = Case.objects.count(), AuditEntry.objects.count()
    with pytest.raises(DomainError, match="已停用"):
        joint_case_register(actor=planning.clerk, joint=joint, request=_request(planning, housing))
    assert (Case.objects.count(), AuditEntry.objects.count()) == (cases, entries)


def test_deactivation_after_the_page_was_loaded_still_refuses(offices):
    planning, housing, _, joint = offices
    shown = JointItem.objects.get(pk=joint.pk)  # the window's copy, still active
    joint_item_deactivate(actor=None, joint=joint, reason="机构改革")
    with pytest.raises(DomainError, match="已停用"):
        joint_case_register(actor=planning.clerk, joint=shown, request=_request(planning, housing))
    assert not Case.objects.exists()


def test_the_register_page_of_a_deactivated_item_says_why(offices):
    planning, _, _, joint = offices
    joint_item_deactivate(actor=None, joint=joint, reason="机构改革")
    response = client_of(planning.clerk).get(
        reverse("joint:register", args=[joint.pk]), follow=True
    )
    assert INACTIVE in messages_of(response)


def test_joint_cases_already_registered_go_on_after_deactivation(offices):
    planning, housing, _, joint = offices
    parent = joint_case_register(
        actor=planning.clerk, joint=joint, request=_request(planning, housing)
    )
    joint_item_deactivate(actor=None, joint=joint, reason="机构改革")
    part = parent.joint_parts.get(department=housing.department)
    step = part.steps.get(state=StepState.OPEN)

    step_complete(actor=housing.head, step=step)

    part.refresh_from_db()
    assert part.state == CaseState.IN_PROGRESS
    assert part.steps.filter(state=StepState.DONE).count() == 2


def test_get_for_admin_hides_an_unknown_item(admin):
    with pytest.raises(NotFound):
        joint_item_get_for_admin(actor=admin, joint_id=999_999)
