"""Periodic and follow-up work for cases, as plain functions (a worker or command calls them)."""

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.cases import engine
from sunlight.cases.choices import OPEN_STATES, StepState
from sunlight.cases.deadlines import step_due
from sunlight.cases.models import Case, CaseStep
from sunlight.cases.services import calendar, recompute_deadlines


def deadlines_recompute_provisional() -> int:
    """Deadlines computed on weekends alone because their year was not loaded: recompute them
    with the calendar as it is now. Runs after every calendar change; returns how many changed."""
    cal = calendar()
    changed = []
    with transaction.atomic():
        cases = Case.objects.filter(
            state__in=OPEN_STATES, deadline_provisional=True, accepted_at__isnull=False
        ).select_related("power_version")
        for case in cases:
            before = (case.statutory_deadline, case.promised_deadline, case.deadline_provisional)
            recompute_deadlines(case)
            after = (case.statutory_deadline, case.promised_deadline, case.deadline_provisional)
            if after != before:
                changed.append(case.number)
        steps = CaseStep.objects.filter(state=StepState.OPEN, deadline_provisional=True)
        for step in steps.select_related("case"):
            node = engine.load_graph(step.case.flow_id).nodes.get(step.node_id)
            if node is None:
                continue
            deadline, provisional = step_due(
                cal, started=step.started_at, limit=node.limit, unit=node.limit_unit
            )
            CaseStep.objects.filter(pk=step.pk).update(
                deadline=deadline, deadline_provisional=provisional
            )
        if changed:
            audit_record(
                actor=None,
                action="cases.deadlines.recomputed",
                object_type="cases.case",
                object_id="*",
                data={"cases": changed},
            )
    return len(changed)
