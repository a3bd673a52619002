"""A department's staff see and change only their own department's items; the answer to
anything else is not-found, never forbidden."""

import pytest

from sunlight.catalog import selectors, services
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.tests import factories as catalog_factories
from sunlight.core.errors import NotFound, PermissionDenied
from sunlight.org.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_departments():
    housing = factories.department(code="011", name="住房和城乡建设局")
    market = factories.department(code="012", name="市场监督管理局")
    return {
        "housing": housing,
        "market": market,
        "housing_clerk": factories.user("clerk", department=housing),
        "market_clerk": factories.user("clerk", department=market),
        "market_head": factories.user("approver", department=market),
        "housing_draft": catalog_factories.item(department=housing),
    }


def test_clerk_does_not_see_another_departments_drafts(two_departments):
    visible = selectors.power_items_for_user(user=two_departments["market_clerk"])
    assert two_departments["housing_draft"] not in visible


def test_clerk_gets_not_found_for_another_departments_item(two_departments):
    with pytest.raises(NotFound):
        selectors.power_item_get_for_user(
            user=two_departments["market_clerk"], item_id=two_departments["housing_draft"].pk
        )


def test_clerk_cannot_submit_another_departments_item(two_departments):
    item = two_departments["housing_draft"]
    with pytest.raises(NotFound):
        services.power_version_transition(
            actor=two_departments["market_clerk"],
            version=item.working_version,
            action=TransitionAction.SUBMIT,
        )


def test_head_cannot_sign_off_another_departments_item(two_departments):
    item = two_departments["housing_draft"]
    services.power_version_transition(
        actor=two_departments["housing_clerk"],
        version=item.working_version,
        action=TransitionAction.SUBMIT,
    )
    item.refresh_from_db()
    with pytest.raises(NotFound):
        services.power_version_transition(
            actor=two_departments["market_head"],
            version=item.working_version,
            action=TransitionAction.SIGN_OFF,
        )


def test_clerk_cannot_create_items_in_another_department(two_departments):
    with pytest.raises(NotFound):
        catalog_factories.item(
            department=two_departments["housing"], actor=two_departments["market_clerk"]
        )


def test_supervisor_sees_but_cannot_draft(two_departments):
    supervisor = factories.user("supervisor", in_region=two_departments["housing"].region)
    assert two_departments["housing_draft"] in selectors.power_items_for_user(user=supervisor)
    with pytest.raises(PermissionDenied):
        catalog_factories.item(department=two_departments["housing"], actor=supervisor)


def test_legal_officer_of_another_city_sees_nothing(two_departments):
    other_city = factories.region(code="330100", name="杭州市", parent_code="330000")
    outsider = factories.user("legal", in_region=other_city)
    assert not selectors.power_items_for_user(user=outsider).exists()
