"""Joint approval at scale: the admin page lists the chosen powers and finds others by name,
code or department (submitted with the form, so nothing typed is lost) — never every power."""

import pytest
from django.urls import reverse

from sunlight.cases.joint import joint_item_create, joint_item_revision
from sunlight.cases.tests import factories
from sunlight.cases.tests.ui import client_of
from sunlight.org.tests import factories as org_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    planning = factories.office_with_power(code="051")
    housing = factories.office_with_power(code="052")
    fire = factories.office_with_power(code="053")
    joint = joint_item_create(
        actor=None, name="建设项目并联审批", lead_department=planning.department,
        powers=[planning.item, housing.item], limit_days=15,
    )  # fmt: skip
    admin = org_factories.user("admin", in_region=planning.department.region)
    return planning, housing, fire, joint, admin


def _post(joint, **overrides):
    data = {
        "name": joint.name,
        "lead_department": joint.lead_department_id,
        "powers": list(joint.powers.values_list("pk", flat=True)),
        "limit_days": str(joint.limit_days),
        "revision": joint_item_revision(joint),
    }
    return {**data, **overrides}


def _checkbox(pk):
    return f'name="powers" value="{pk}"'


def test_the_page_lists_only_the_chosen_powers(city):
    planning, housing, fire, joint, admin = city
    page = client_of(admin).get(reverse("joint:edit", args=[joint.pk])).content.decode()
    assert _checkbox(planning.item.pk) in page and _checkbox(housing.item.pk) in page
    assert _checkbox(fire.item.pk) not in page


def test_finding_by_department_lists_its_powers_and_keeps_what_was_typed(city):
    planning, housing, fire, joint, admin = city
    data = _post(joint, name="改过的名称", find="1", find_department=fire.department.pk)

    response = client_of(admin).post(reverse("joint:edit", args=[joint.pk]), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert _checkbox(fire.item.pk) in page
    assert "改过的名称" in page
    joint.refresh_from_db()
    assert joint.name == "建设项目并联审批"  # finding saves nothing


def test_finding_by_code_and_ticking_adds_the_power(city):
    planning, housing, fire, joint, admin = city
    client = client_of(admin)
    found = client.post(reverse("joint:edit", args=[joint.pk]), _post(joint, find="1",
                        find_text=fire.code)).content.decode()  # fmt: skip
    assert _checkbox(fire.item.pk) in found

    powers = [planning.item.pk, housing.item.pk, fire.item.pk]
    response = client.post(reverse("joint:edit", args=[joint.pk]), _post(joint, powers=powers))

    assert response.status_code == 302
    assert set(joint.powers.values_list("pk", flat=True)) == set(powers)


def test_a_search_that_matches_nothing_says_so(city):
    *_, joint, admin = city
    page = (
        client_of(admin)
        .post(
            reverse("joint:edit", args=[joint.pk]), _post(joint, find="1", find_text="不存在的事项")
        )
        .content.decode()
    )
    assert "没有找到" in page
