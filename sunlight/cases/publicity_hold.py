"""批前公示 as the case's clock sees it: the case waits (公示中) while the public may object, and
the days of the window are given back to its limits, like a special procedure's. Only the
publicity app calls these (it owns the window, the notice and the objections); the end comes
from its periodic job when the window closes — the clock, not a person remembering."""

from typing import Any

from django.db import transaction

from sunlight.cases.choices import CaseState, PauseKind
from sunlight.cases.models import Case, CasePause
from sunlight.cases.services import _audit, _close_pauses, _move_case, _user, recompute_deadlines
from sunlight.core import clock
from sunlight.core.errors import InvalidTransition


def case_publicity_hold(*, actor: Any, case: Case, reason: str, window_days: int) -> CasePause:
    """办理中 → 公示中 with a pause of kind 批前公示 (caller checked permission and holds the
    transaction with its notice)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case_publicity_hold runs inside the caller's transaction")
    if case.state != CaseState.IN_PROGRESS:
        raise InvalidTransition(
            f"办件当前为“{case.get_state_display()}”，只有办理中的办件可以启动批前公示"
        )
    now = clock.now()
    _move_case(case, {CaseState.IN_PROGRESS}, CaseState.PUBLICITY)
    pause = CasePause.objects.create(
        case=case,
        kind=PauseKind.PUBLICITY,
        reason=reason,
        started_at=now,
        limit_days=window_days,
        requested_by=_user(actor),
    )
    _audit(actor, "cases.case.publicity_started", case, {"window_days": window_days})
    return pause


def case_publicity_release(*, actor: Any, case: Case) -> Case:
    """公示中 → 办理中 when the window has closed: the pause ends, its days are given back and
    the deadlines recomputed (caller holds the transaction)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case_publicity_release runs inside the caller's transaction")
    now = clock.now()
    _move_case(case, {CaseState.PUBLICITY}, CaseState.IN_PROGRESS)
    _close_pauses(case, now)
    recompute_deadlines(case)
    _audit(actor, "cases.case.publicity_ended", case, {"paused_workdays": case.paused_workdays})
    return case
