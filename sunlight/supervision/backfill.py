"""Backfill: the alerts the rules would have raised over a past period, had scans been running —
for a platform switching supervision on over cases it already holds (and for the demo city).
Each hit of a replay becomes an alert found when it tripped; an alert whose condition has since
cleared (the case concluded, the step was handled, yellow gave way to red) is closed at that
moment, as a scan would have closed it. Anomalies never clear by themselves."""

import datetime as dt
from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.cases.models import Case, CaseStep
from sunlight.core import clock
from sunlight.core.bulk import db_datetime, insert_many
from sunlight.supervision.checks.base import as_aware
from sunlight.supervision.choices import AlertState, Check
from sunlight.supervision.models import Alert, Rule
from sunlight.supervision.replay import replay_hits
from sunlight.supervision.rules import rule_params
from sunlight.supervision.scan import AUTO_RESOLVED

# Checks left to the live scan: their subjects (powers, orders) clear in ways a replay can't see.
LIVE_ONLY = {Check.POWER_IDLE, Check.ORDER_OVERDUE}


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=clock.SHANGHAI).astimezone(dt.UTC)


def _cleared(kind: str, case: Any, step: Any) -> dt.datetime | None:
    """When the condition stopped holding (None: it still holds, as far as the rows tell)."""
    moments: list[dt.datetime | None] = []
    if kind in (Check.CASE_RED, Check.STATUTORY_RED):
        moments = [case.concluded_at]
    elif kind in (Check.CASE_YELLOW, Check.CASE_REMIND):
        red = _day_start(case.promised_deadline + dt.timedelta(days=1))
        moments = [case.concluded_at, red]
    elif kind == Check.STEP_RED:
        moments = [step.finished_at]
    elif kind == Check.STEP_YELLOW:
        moments = [step.finished_at, step.deadline]
    present = [m for m in moments if m is not None]
    return min(present) if present else None


def alerts_backfill(*, since: dt.date, until: dt.date) -> int:
    """Write the alerts of every enabled rule for [since, until]; returns how many. Subjects
    that already have an alert of that rule are left alone."""
    rules = [r for r in Rule.objects.filter(enabled=True) if r.kind not in LIVE_ONLY]
    now = clock.now()
    rows: list[tuple[Any, ...]] = []
    with transaction.atomic():
        for rule in rules:
            hits = replay_hits(
                rule=rule, params=rule_params(rule), since=since, until=until,
                department_ids=list(rule.departments.values_list("pk", flat=True)),
                power_categories=list(rule.power_categories or []),
            )  # fmt: skip
            known = set(Alert.objects.filter(rule=rule).values_list("subject", flat=True))
            hits = [hit for hit in hits if hit[0] not in known]
            cases = Case.objects.in_bulk({hit[1] for hit in hits if hit[1]})
            steps = CaseStep.objects.in_bulk({hit[2] for hit in hits if hit[2]})
            for subject, case_id, step_id, power_id, order_id, dept, region, tripped, text in hits:
                tripped_at = as_aware(tripped)
                cleared = _cleared(rule.kind, cases.get(case_id), steps.get(step_id))
                closed = cleared if cleared is not None and cleared <= now else None
                rows.append((
                    rule.pk, rule.level, rule.category, subject, case_id, step_id, power_id,
                    order_id, dept, region,
                    AlertState.RESOLVED if closed else AlertState.RAISED,
                    tripped_at, tripped_at + dt.timedelta(minutes=1), text[:300],
                    closed, AUTO_RESOLVED if closed else "",
                ))  # fmt: skip
        insert_many(
            Alert,
            ["rule_id", "level", "category", "subject", "case_id", "step_id", "power_item_id",
             "order_id", "department_id", "region_code", "state", "tripped_at", "raised_at",
             "detail", "closed_at", "close_reason"],
            [tuple(_db(value) for value in row) for row in rows],
        )  # fmt: skip
        audit_record(
            actor=None,
            action="supervision.alerts.backfilled",
            object_type="supervision.scan",
            object_id="backfill",
            data={"since": since.isoformat(), "until": until.isoformat(), "alerts": len(rows)},
        )
    return len(rows)


def _db(value: Any) -> Any:
    return db_datetime(value) if isinstance(value, dt.datetime) else value
