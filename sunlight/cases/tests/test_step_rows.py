"""The step transition's plain-SQL path (step_rows): the same rows whichever way its statements
travel — through Django's cursor when queries are being logged, straight to the driver
otherwise — and, on PostgreSQL, prepared statements a session has lost are prepared again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sunlight.audit.models import AuditEntry
from sunlight.audit.verify import audit_verify
from sunlight.cases import services
from sunlight.cases.choices import CaseState, StepState
from sunlight.cases.models import CaseStep
from sunlight.cases.tests import factories
from sunlight.flows.steps import StepRow

pytestmark = pytest.mark.django_db

LICENCE = [
    StepRow("1", "受理", "clerk", 1),
    StepRow("2", "审查", "approver", 5),
    StepRow("3", "送达", "clerk", 1),
]


def _accepted(office):
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    return case


def _open_step(case):
    return CaseStep.objects.select_related("case", "case__department").get(
        case=case, state=StepState.OPEN, kind="user_task"
    )


def _trace(case):
    """What a run left behind, without ids and moments."""
    case.refresh_from_db()
    steps = case.steps.order_by("id").values_list(
        "node_id", "state", "result", "opinion", "handler_name", "via_edge", "deadline_provisional"
    )
    actions = AuditEntry.objects.filter(object_id=case.number).values_list("action", "data")
    return case.state, list(steps), [(a, d) for a, d in actions]


def _run_flow(office, case):
    services.step_complete(actor=office.head, step=_open_step(case), opinion="同意")
    services.step_complete(actor=office.clerk, step=_open_step(case), opinion="已送达")


def test_steps_write_the_same_rows_whether_or_not_queries_are_logged():
    # given two accepted cases of the same power
    office = factories.office_with_power(steps=LICENCE)
    logged, quiet = _accepted(office), _accepted(office)

    # when one runs its flow with queries captured and the other without
    with CaptureQueriesContext(connection) as captured:
        _run_flow(office, logged)
    _run_flow(office, quiet)

    # then both end waiting for conclusion with the same steps and audit entries
    state, steps, audit = _trace(logged)
    assert state == CaseState.TO_CONCLUDE
    assert (state, steps, audit) == _trace(quiet)
    assert any("cases_casestep" in q["sql"] for q in captured.captured_queries)
    assert audit_verify().ok


def test_a_session_that_lost_its_prepared_statements_prepares_them_again():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    # given a step completed (its statements prepared in this session), then a session reset
    office = factories.office_with_power(steps=LICENCE)
    first, second = _accepted(office), _accepted(office)
    services.step_complete(actor=office.head, step=_open_step(first))
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    step = _open_step(second)

    # when the next step is completed (one call fails, leaving nothing changed) and retried
    with pytest.raises(Exception, match="does not exist"):
        services.step_complete(actor=office.head, step=step)
    assert _open_step(second).pk == step.pk
    services.step_complete(actor=office.head, step=_open_step(second))

    # then the retry went through
    second.refresh_from_db()
    assert _open_step(second).name == "送达"
    assert audit_verify().ok
