"""A step reopened by a send-back gets its limit again, but never a deadline past the case's
promised deadline without saying so: it is cut to that day, marked, and audited."""

import datetime as dt
import json

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.cases import services
from sunlight.cases.choices import StepState
from sunlight.cases.deadlines import end_of_day
from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI

pytestmark = pytest.mark.django_db


def _at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@pytest.fixture
def office():
    return factories.office_with_power()


def _send_back_on(office, day: str):
    with clock.frozen(_at("2026-11-16")):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
    with clock.frozen(_at(day)):
        review = case.steps.get(name="审查", state=StepState.OPEN)
        services.step_complete(
            actor=office.head, step=review, fields={"site_inspection_required": False}
        )
        decision = case.steps.get(name="决定", state=StepState.OPEN)
        services.step_send_back(actor=office.head, step=decision, opinion="审查意见不完整")
    case.refresh_from_db()
    return case, case.steps.get(name="审查", state=StepState.OPEN)


def test_a_late_send_back_is_cut_to_the_case_deadline_and_says_so(office):
    case, reopened = _send_back_on(office, "2026-11-27")

    assert case.promised_deadline == dt.date(2026, 11, 30)
    assert reopened.deadline == end_of_day(case.promised_deadline)
    assert reopened.deadline_capped
    entry = AuditEntry.objects.filter(action="cases.step.sent_back").latest("id")
    assert "deadline_capped_to" in json.loads(entry.data)


def test_an_early_send_back_keeps_the_step_s_own_limit(office):
    case, reopened = _send_back_on(office, "2026-11-17")

    assert reopened.deadline < end_of_day(case.promised_deadline)
    assert not reopened.deadline_capped
