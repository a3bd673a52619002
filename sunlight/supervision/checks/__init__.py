"""The set-based queries behind the rules, one function per `Check`."""

from collections.abc import Callable

from sunlight.supervision.checks import anomalies, disclosure, double_publicity, feedback, time
from sunlight.supervision.checks.base import Context, Query
from sunlight.supervision.choices import Check

CHECKS: dict[str, Callable[[Context], Query]] = {
    Check.CASE_REMIND: time.case_remind,
    Check.CASE_YELLOW: time.case_yellow,
    Check.CASE_RED: time.case_red,
    Check.STATUTORY_RED: time.statutory_red,
    Check.STEP_YELLOW: time.step_yellow,
    Check.STEP_RED: time.step_red,
    Check.NO_STEPS: anomalies.no_steps,
    Check.TOO_FAST: anomalies.too_fast,
    Check.ENTERED_LATE: anomalies.entered_late,
    Check.OUT_OF_ORDER: anomalies.out_of_order,
    Check.DOCUMENTS_MISSING: anomalies.documents_missing,
    Check.REFUSAL_NO_REASON: anomalies.refusal_no_reason,
    Check.FEE_IRREGULAR: anomalies.fee_irregular,
    Check.DISCRETION_DEVIATION: anomalies.discretion_deviation,
    Check.POWER_NOT_IN_USE: anomalies.power_not_in_use,
    Check.FIELDS_EMPTY: anomalies.fields_empty,
    Check.POWER_IDLE: anomalies.power_idle,
    Check.ORDER_OVERDUE: anomalies.order_overdue,
    Check.FOLLOW_UP_OVERDUE: feedback.follow_up_overdue,
    Check.PETITION_OVERDUE: feedback.petition_overdue,
    Check.DOUBLE_PUBLICITY_OVERDUE: double_publicity.double_publicity_overdue,
    Check.DISCLOSURE_OVERDUE: disclosure.disclosure_overdue,
}

# Checks whose hits change with the passage of days: re-checked in full on a scan's first run
# of a new day (the rest only for what changed since the last scan).
DAILY = {
    Check.CASE_REMIND,
    Check.CASE_YELLOW,
    Check.CASE_RED,
    Check.STATUTORY_RED,
    Check.STEP_YELLOW,
    Check.POWER_IDLE,
}
# Checks over subjects that are not cases (powers, orders): their alerts have no case to match
# a scan's changed cases against.
NOT_CASES = {
    Check.POWER_IDLE,
    Check.ORDER_OVERDUE,
    Check.FOLLOW_UP_OVERDUE,
    Check.PETITION_OVERDUE,
}
# Checks that only ever hit cases in these states (their conclusion, or refusal, is the event
# they judge): an incremental scan skips them when no changed case is in one of these states —
# no alert of theirs can belong to a case in any other state, so none can clear either.
EVENT_STATES = {
    Check.NO_STEPS: {"concluded"},
    Check.TOO_FAST: {"concluded"},
    Check.ENTERED_LATE: {"concluded"},
    Check.DOCUMENTS_MISSING: {"concluded"},
    Check.REFUSAL_NO_REASON: {"concluded", "not_accepted"},
    Check.FEE_IRREGULAR: {"concluded"},
    Check.DISCRETION_DEVIATION: {"concluded"},
}
# Checked in full on every scan (supervision orders, follow-ups and petitions are few; their
# changes are not on the case index an incremental scan reads).
ALWAYS_FULL = {Check.ORDER_OVERDUE, Check.FOLLOW_UP_OVERDUE, Check.PETITION_OVERDUE}
# 双公示 entries change by publication, not by case transitions: checked in full each scan (it
# reads the pending entries past their due day by the (state, due_on) index).
ALWAYS_FULL.add(Check.DOUBLE_PUBLICITY_OVERDUE)
# Scheduled disclosure periods: not cases, few rows, changed by disclosure (not case events).
NOT_CASES.add(Check.DISCLOSURE_OVERDUE)
ALWAYS_FULL.add(Check.DISCLOSURE_OVERDUE)

__all__ = ["ALWAYS_FULL", "CHECKS", "DAILY", "EVENT_STATES", "NOT_CASES", "Context", "Query"]
