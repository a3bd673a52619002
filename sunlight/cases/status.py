"""Case counts for `sunlight status --json`."""

from typing import Any

from django.db.models import Count

from sunlight.cases.choices import OPEN_STATES, CaseState
from sunlight.cases.models import Case
from sunlight.core import clock


def collect() -> dict[str, Any]:
    counted = dict(Case.objects.order_by().values_list("state").annotate(n=Count("id")))
    by_state = {state: counted.get(state, 0) for state in CaseState.values}
    return {
        "cases": sum(counted.values()),
        "open_cases": sum(by_state[state] for state in OPEN_STATES),
        "cases_by_state": by_state,
        # A joint application is its parent case (the one the applicant sees), not its parts.
        "joint_cases": Case.objects.filter(
            joint_item__isnull=False, joint_parent__isnull=True
        ).count(),
        # Past cases brought in with a declared 补录 batch (told apart from late entry).
        "cases_from_declared_batches": Case.objects.filter(history_batch__isnull=False).count(),
        # Past the deadline promised to the applicant and still open (what the lights and the
        # demo's "a small minority overdue" are judged by).
        "overdue_open_cases": Case.objects.filter(
            state__in=OPEN_STATES, promised_deadline__lt=clock.today_local()
        ).count(),
        "provisional_deadlines": Case.objects.filter(
            state__in=OPEN_STATES, deadline_provisional=True
        ).count(),
    }
