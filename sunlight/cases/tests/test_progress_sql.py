"""The lookup's written-out statements (progress_sql.py) read what the ORM reads: the same
case columns (converted the same way: aware datetimes, dates, booleans), the same related rows,
the same steps and pauses in the same order; columns they leave out stay deferred, never
defaulted."""

import datetime as dt

import pytest

from sunlight.cases import services
from sunlight.cases.choices import SpecialProcedure
from sunlight.cases.models import Case, CasePause, CaseStep
from sunlight.cases.progress_sql import CASE_FIELDS, case_by_number, steps_and_pauses
from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.org.calendar_services import calendar_seed_from_package

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def case():
    calendar_seed_from_package(actor=None)
    office = factories.office_with_power()
    with clock.frozen(T0):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
    with clock.frozen(T0 + dt.timedelta(days=1)):
        services.case_pause_start(
            actor=office.head,
            case=case,
            procedure=SpecialProcedure.EXPERT_REVIEW,
            reason="专家评审",
            limit_days=5,
        )
    with clock.frozen(T0 + dt.timedelta(days=2)):
        services.case_pause_end(actor=office.head, case=case)
        services.case_extend(actor=office.head, case=case, days=10, reason="内部原因")
    return case


def test_case_row_matches_the_orm(case):
    found = case_by_number(case.number)
    expected = Case.objects.select_related("power_version", "power_item", "department").get(
        pk=case.pk
    )
    for name in CASE_FIELDS:
        assert getattr(found, name) == getattr(expected, name), name
    assert found.received_at.tzinfo is not None and found.promised_deadline is not None
    assert found.power_version.full_name == expected.power_version.full_name
    assert found.power_item.code == expected.power_item.code
    assert found.department.phone == expected.department.phone


def test_columns_not_read_stay_deferred(case):
    found = case_by_number(case.number)
    assert "applicant_id_number" in found.get_deferred_fields()
    assert found.applicant_id_number == case.applicant_id_number  # read on demand, not ""


def test_unknown_number_is_none(case):
    assert case_by_number("B000000000") is None


def test_steps_and_pauses_match_the_orm(case):
    steps, pauses = steps_and_pauses(case.pk)
    assert steps == list(
        CaseStep.objects.filter(case=case, kind="user_task")
        .order_by("started_at", "id")
        .values_list("name", "state", "result", "started_at", "finished_at")
    )
    assert pauses == list(
        CasePause.objects.filter(case=case)
        .order_by("started_at", "id")
        .values_list(
            "kind", "procedure", "reason", "started_at", "ended_at", "limit_days", "extension_days"
        )
    )
    assert len(pauses) == 2 and pauses[0][3].tzinfo is not None


def test_the_case_comes_with_its_steps_and_pauses_in_one_statement(case, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = case_by_number(case.number)
    assert found.progress_history == steps_and_pauses(case.pk)
    steps, pauses = found.progress_history
    assert [p[0] for p in pauses] == ["special", "extension"] and len(steps) >= 1
