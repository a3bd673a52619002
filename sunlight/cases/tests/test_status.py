"""`sunlight status --json` counts cases by state, joint applications and the open cases whose
deadline is still provisional."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from sunlight.cases import services
from sunlight.cases.choices import CaseState
from sunlight.cases.joint import joint_case_register, joint_item_create
from sunlight.cases.status import collect
from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.org.calendar_selectors import calendar_cache_clear
from sunlight.org.calendar_services import calendar_seed_from_package

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def test_an_empty_platform_reports_zero_for_every_state():
    counts = collect()

    assert counts["cases"] == counts["open_cases"] == counts["joint_cases"] == 0
    assert counts["provisional_deadlines"] == 0
    assert counts["cases_by_state"] == dict.fromkeys(CaseState.values, 0)


def test_cases_are_counted_by_state_with_open_ones_apart():
    with clock.frozen(MONDAY):
        office = factories.office_with_power()
        waiting = factories.register(office)
        accepted = factories.register(office)
        services.case_accept(actor=office.clerk, case=accepted)
        refused = factories.register(office)
        services.case_refuse(actor=office.clerk, case=refused, reason="不属于本机关职权范围")

    counts = collect()

    assert counts["cases"] == 3
    assert counts["open_cases"] == 2
    assert counts["cases_by_state"][CaseState.SUBMITTED] == 1
    assert counts["cases_by_state"][CaseState.IN_PROGRESS] == 1
    assert counts["cases_by_state"][CaseState.NOT_ACCEPTED] == 1
    assert waiting.state == CaseState.SUBMITTED


def test_a_joint_application_counts_once_however_many_parts_it_has():
    with clock.frozen(MONDAY):
        lead = factories.office_with_power(code="061")
        other = factories.office_with_power(code="062")
        joint = joint_item_create(
            actor=None, name="开办一件事", lead_department=lead.department,
            powers=[lead.item, other.item], limit_days=10,
        )  # fmt: skip
        request = services.CaseRequest(
            power_code=lead.code,
            applicant=factories.person(),
            materials=factories.all_materials(lead) + factories.all_materials(other),
        )
        joint_case_register(actor=lead.clerk, joint=joint, request=request)

    counts = collect()

    assert counts["joint_cases"] == 1
    assert counts["cases"] == 3


def test_only_open_cases_with_a_provisional_deadline_are_counted():
    # No calendar year is loaded: every deadline is computed on weekends alone.
    with clock.frozen(MONDAY):
        office = factories.office_with_power()
        for _ in range(2):
            services.case_accept(actor=office.clerk, case=factories.register(office))
    assert collect()["provisional_deadlines"] == 2

    calendar_seed_from_package(actor=None)
    calendar_cache_clear()
    with clock.frozen(MONDAY):
        services.case_accept(actor=office.clerk, case=factories.register(office))

    assert collect()["provisional_deadlines"] == 2


def test_status_json_carries_the_case_counts():
    out = io.StringIO()
    call_command("show_status", "--json", stdout=out)

    status = json.loads(out.getvalue())

    for key in ("cases", "open_cases", "cases_by_state", "joint_cases", "provisional_deadlines"):
        assert key in status
    assert set(status["cases_by_state"]) == set(CaseState.values)
