"""The scan: every enabled rule's check run as set-based SQL, new hits raised as alerts, live
alerts whose condition has cleared resolved — in one transaction, safe to run twice at once.

Incremental: a scan looks at the cases changed since the last one (read from the audit chain,
which every case transition appends to) plus the passage of time — daily checks are re-run in
full on the first scan of a new day, step deadlines that passed since the last scan are looked at
by their index; a rule edited or switched on since is checked in full. A full scan (the first,
or asked for) checks every rule over everything."""

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from sunlight.audit.services import audit_record
from sunlight.core import clock
from sunlight.core.bulk import db_datetime
from sunlight.supervision.checks import (
    ALWAYS_FULL,
    CHECKS,
    DAILY,
    EVENT_STATES,
    NOT_CASES,
    Context,
    Query,
)
from sunlight.supervision.checks.base import HIT_COLUMNS, db_params, dialect
from sunlight.supervision.choices import LIVE_ALERT_STATES, AlertState
from sunlight.supervision.flow_index import flows_index_new
from sunlight.supervision.models import Rule, ScanRun, ScanState
from sunlight.supervision.notify import notify_new_alerts
from sunlight.supervision.rules import rule_params
from sunlight.supervision.workdays import ordinals_ensure

AUTO_RESOLVED = "条件已消除（扫描自动解除）"
RULE_OFF = "规则已停用（扫描自动解除）"
_LIVE = ", ".join(f"'{state}'" for state in LIVE_ALERT_STATES)


@dataclass(frozen=True)
class ScanResult:
    raised: int
    resolved: int
    elapsed_ms: int
    changed_cases: int
    full: bool
    rule_ms: dict[str, float] = field(default_factory=dict)  # time per rule, for tuning

    def as_json(self) -> dict[str, Any]:
        return {"raised": self.raised, "resolved": self.resolved, "elapsed_ms": self.elapsed_ms}


def _prepare_temp_tables(cursor: Any) -> None:
    moment = "TIMESTAMPTZ" if connection.vendor == "postgresql" else "DATETIME"
    if connection.vendor == "postgresql":
        # Compiling these short queries costs more than running them (0.4 s per query seen).
        cursor.execute("SET LOCAL jit = off")
    cursor.execute("CREATE TEMP TABLE IF NOT EXISTS sup_changed (case_id BIGINT PRIMARY KEY)")
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS sup_hits (subject VARCHAR(40), case_id BIGINT,"
        " step_id BIGINT, power_item_id BIGINT, order_id BIGINT, department_id BIGINT,"
        f" region_code VARCHAR(6), tripped_at {moment}, detail VARCHAR(300))"
    )
    cursor.execute("CREATE INDEX IF NOT EXISTS sup_hits_subject ON sup_hits (subject)")
    # sup_changed keeps the last scan's cases; sup_hits is emptied after each rule (and a scan
    # that fails rolls its rows back), so it starts empty.
    _empty(cursor, "sup_changed")


def _empty(cursor: Any, table: str, *, many: bool = True) -> None:
    # PostgreSQL: TRUNCATE after many rows, so a temporary table that once held a full scan's
    # hits does not stay bloated (autovacuum never visits temporary tables); after a few, a
    # DELETE, cheaper than TRUNCATE's new files (≈1 ms). SQLite truncates on DELETE anyway.
    verb = "TRUNCATE" if many and connection.vendor == "postgresql" else "DELETE FROM"
    cursor.execute(f"{verb} {table}")


def rule_version(rule: Rule) -> str:
    """What a scan remembers of a rule it has checked in full: a change of either part (an
    edit bumps the revision; switching on or off) has the next scan check it in full again."""
    return f"{rule.revision}:{int(rule.enabled)}"


def _collect_changes(cursor: Any, after_id: int, head_id: int) -> tuple[int, bool]:
    """Fill sup_changed with the cases whose audit entries are in (after_id, head_id]; also say
    whether deadlines were recomputed wholesale (a calendar change), which re-runs daily checks."""
    cursor.execute(
        "INSERT INTO sup_changed (case_id) SELECT DISTINCT c.id FROM audit_auditentry e"
        " JOIN cases_case c ON c.number = e.object_id"
        " WHERE e.id > %s AND e.id <= %s AND e.object_type = 'cases.case'",
        [after_id, head_id],
    )
    changed = max(cursor.rowcount, 0)
    if connection.vendor == "postgresql":
        cursor.execute("ANALYZE sup_changed")  # temporary tables get no statistics otherwise
    cursor.execute(
        "SELECT COUNT(*) FROM audit_auditentry WHERE id > %s AND id <= %s"
        " AND action = 'cases.deadlines.recomputed'",
        [after_id, head_id],
    )
    return changed, cursor.fetchone()[0] > 0


def _changed_states(cursor: Any) -> set[str]:
    """The states the changed cases are in now."""
    cursor.execute(
        "SELECT DISTINCT state FROM cases_case WHERE id IN (SELECT case_id FROM sup_changed)"
    )
    return {row[0] for row in cursor.fetchall()}


def rule_context(
    rule: Rule, *, now: dt.datetime, subset: str = "all", window_start: Any = None
) -> Context:
    """Where and when a live scan runs `rule`'s check (its parameters and scope, now)."""
    return Context(
        mode="live",
        now=now,
        today=now.astimezone(clock.SHANGHAI).date(),
        params=rule_params(rule),
        department_ids=sorted(d.pk for d in rule.departments.all()),
        power_categories=list(rule.power_categories or []),
        subset=subset,
        window_start=window_start,
    )


def _apply_rule(
    cursor: Any, rule: Rule, ctx: Context, run: ScanRun, now: dt.datetime, *, may_clear: bool
) -> tuple[int, int]:
    """Raise the rule's new hits; resolve its live alerts no longer hit (unless `may_clear`
    says the scan's subset holds none of them)."""
    query: Query = CHECKS[rule.kind](ctx)
    cursor.execute(
        f"INSERT INTO sup_hits ({', '.join(HIT_COLUMNS)}) {query.sql}", db_params(query.params)
    )
    hits = max(cursor.rowcount, 0)
    moment = db_datetime(now)
    resolved = _resolve_cleared(cursor, rule, ctx, moment) if may_clear else 0
    resolved += _resolve_passed_steps(cursor, rule, ctx, moment)
    raised = _raise_hits(cursor, rule, run, moment) if hits else 0
    _empty(cursor, "sup_hits", many=hits > 10_000)
    return raised, resolved


def _raise_hits(cursor: Any, rule: Rule, run: ScanRun, moment: Any) -> int:
    """New alerts for the hits with no live alert of this rule (nor one a person closed).
    The known ones are struck from the hits first: an INSERT whose own anti-join reads the
    table it fills would re-read every row it has just written (quadratic on PostgreSQL)."""
    cursor.execute(
        "DELETE FROM sup_hits WHERE EXISTS (SELECT 1 FROM supervision_alert a"
        " WHERE a.rule_id = %s AND a.subject = sup_hits.subject"
        f" AND (a.state IN ({_LIVE}, 'cancelled') OR (a.state = 'resolved'"
        " AND a.closed_by_id IS NOT NULL)))",
        [rule.pk],
    )
    cursor.execute(
        "INSERT INTO supervision_alert (rule_id, level, category, subject, case_id, step_id,"
        " power_item_id, order_id, department_id, region_code, state, tripped_at, raised_at,"
        " detail, close_reason, scan_id)"
        " SELECT %s, %s, %s, h.subject, h.case_id, h.step_id, h.power_item_id, h.order_id,"
        " h.department_id, h.region_code, %s, h.tripped_at, %s, h.detail, '', %s"
        " FROM sup_hits h",
        [rule.pk, rule.level, rule.category, AlertState.RAISED, moment, run.pk],
    )
    raised = max(cursor.rowcount, 0)
    if connection.vendor == "postgresql" and raised > 5000:
        # Many rows in one transaction: the planner's idea of the table must catch up, or the
        # next rule's anti-join may be planned for the empty table it remembers.
        cursor.execute("ANALYZE supervision_alert")
    return raised


def _resolve_cleared(cursor: Any, rule: Rule, ctx: Context, moment: Any) -> int:
    """Resolve the live alerts of this rule, within the scan's subset, no longer hit."""
    subset = ""
    if ctx.subset == "changed" and rule.kind in NOT_CASES:
        # Idle powers: only those a changed case belongs to.
        subset = (
            " AND power_item_id IN (SELECT power_item_id FROM cases_case WHERE id IN"
            " (SELECT case_id FROM sup_changed))"
        )
    elif ctx.subset == "changed":
        # A light clears when its case changes — or, for a step's yellow light, when the step's
        # deadline passes (its red light takes over), read below by the deadline's index.
        subset = f" AND {ctx.sql.in_changed('case_id')}"
    # Changed cases lead (the case index), not every live alert of the rule; an idle power's
    # alerts are few and found by the rule's index.
    by_case = ctx.subset == "changed" and rule.kind not in NOT_CASES
    rule_id, state = (ctx.sql.unindexed(c) if by_case else c for c in ("rule_id", "state"))
    update = (
        "UPDATE supervision_alert SET state = %s, closed_at = %s, close_reason = %s"
        f" WHERE {rule_id} = %s AND {state} IN ({_LIVE})"
    )
    cleared = (
        " AND NOT EXISTS (SELECT 1 FROM sup_hits h WHERE h.subject = supervision_alert.subject)"
    )
    params: list[Any] = [AlertState.RESOLVED, moment, AUTO_RESOLVED, rule.pk]
    cursor.execute(update + subset + cleared, params)
    return max(cursor.rowcount, 0)


def _resolve_passed_steps(cursor: Any, rule: Rule, ctx: Context, moment: Any) -> int:
    """Incremental scans: a step's yellow light whose deadline passed since the last scan is
    resolved (its red light takes over), the steps found by the deadline's index."""
    if not (ctx.subset == "changed" and rule.kind == "step_yellow" and ctx.window_start):
        return 0
    passed = (
        "SELECT {} FROM cases_casestep WHERE state = 'open' AND deadline > %s AND deadline <= %s"
    )
    rule_id, state = ctx.sql.unindexed("rule_id"), ctx.sql.unindexed("state")  # the steps lead
    cursor.execute(
        "UPDATE supervision_alert SET state = %s, closed_at = %s, close_reason = %s"
        f" WHERE {rule_id} = %s AND {state} IN ({_LIVE})"
        f" AND case_id IN ({passed.format('case_id')}) AND step_id IN ({passed.format('id')})",
        [
            AlertState.RESOLVED, moment, AUTO_RESOLVED, rule.pk,
            *db_params([ctx.window_start, ctx.now] * 2),
        ],
    )  # fmt: skip
    return max(cursor.rowcount, 0)


def _rules_alerting_changed(cursor: Any) -> set[int]:
    """The rules with a live alert on one of the changed cases: only theirs can clear."""
    sql = dialect()
    cursor.execute(
        f"SELECT DISTINCT rule_id FROM supervision_alert WHERE {sql.in_changed('case_id')}"
        f" AND {sql.unindexed('state')} IN ({_LIVE})"
    )
    return {row[0] for row in cursor.fetchall()}


def scan_run(*, full: bool = False, trigger: str = "command") -> ScanResult:
    """Run every enabled rule; returns what was raised and resolved."""
    started = time.perf_counter()
    now = clock.now()
    today = now.astimezone(clock.SHANGHAI).date()
    raised = resolved = changed = 0
    timings: dict[str, float] = {}
    with transaction.atomic():
        state, _ = ScanState.objects.select_for_update().get_or_create(name="default")
        ordinals_ensure(today)
        flows_index_new()
        rules = list(Rule.objects.order_by("pk").prefetch_related("departments"))
        full = full or state.last_scan_at is None
        versions = {str(rule.pk): rule_version(rule) for rule in rules}
        # Rules switched on or edited since the last scan are checked in full; the others stay
        # incremental (a change to one rule does not re-check every case against all of them).
        edited = {
            rule.pk
            for rule in rules
            if state.rule_versions.get(str(rule.pk)) != versions[str(rule.pk)]
        }
        new_day = state.last_day != today
        run = ScanRun.objects.create(started_at=now, full=full, trigger=trigger)
        with connection.cursor() as cursor:
            _prepare_temp_tables(cursor)
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM audit_auditentry")
            head = cursor.fetchone()[0]
            changed, recomputed = _collect_changes(cursor, state.last_audit_id, head)
            changed_states = _changed_states(cursor) if changed else set()
            alerting = _rules_alerting_changed(cursor) if changed else set()
            for rule in rules:
                if not rule.enabled or rule.kind not in CHECKS:
                    continue  # off, or raised when reported (supervision/reported.py)
                daily_full = rule.kind in DAILY and (new_day or recomputed)
                in_full = full or rule.pk in edited or daily_full or rule.kind in ALWAYS_FULL
                subset = "all" if in_full else "changed"
                ctx = rule_context(
                    rule,
                    now=now,
                    subset=subset,
                    window_start=(
                        state.last_scan_at
                        if subset == "changed" and rule.kind in ("step_red", "step_yellow")
                        else None
                    ),
                )
                if (
                    subset == "changed"
                    and ctx.window_start is None
                    and not (
                        changed and changed_states & EVENT_STATES.get(rule.kind, changed_states)
                    )
                ):
                    continue  # nothing changed that this rule could see
                rule_started = time.perf_counter()
                may_clear = subset == "all" or rule.kind in NOT_CASES or rule.pk in alerting
                rule_raised, rule_resolved = _apply_rule(
                    cursor, rule, ctx, run, now, may_clear=may_clear
                )
                timings[rule.code] = round((time.perf_counter() - rule_started) * 1000, 1)
                raised += rule_raised
                resolved += rule_resolved
            if full or edited:
                resolved += _resolve_switched_off(cursor, rules, now)
        elapsed = round((time.perf_counter() - started) * 1000)
        ScanRun.objects.filter(pk=run.pk).update(
            elapsed_ms=elapsed, changed_cases=changed, raised=raised, resolved=resolved
        )
        ScanState.objects.filter(pk=state.pk).update(
            last_audit_id=head, last_scan_at=now, last_day=today, rule_versions=versions
        )
        if raised or resolved:
            audit_record(
                actor=None,
                action="supervision.scan.completed",
                object_type="supervision.scan",
                object_id=run.pk,
                data={"raised": raised, "resolved": resolved, "full": full, "trigger": trigger},
            )
            if raised:
                notify_new_alerts(run_id=run.pk)
    return ScanResult(raised, resolved, elapsed, changed, full, timings)


def _resolve_switched_off(cursor: Any, rules: list[Rule], now: dt.datetime) -> int:
    off = [rule.pk for rule in rules if not rule.enabled]
    if not off:
        return 0
    cursor.execute(
        "UPDATE supervision_alert SET state = %s, closed_at = %s, close_reason = %s"
        f" WHERE state IN ({_LIVE}) AND rule_id IN ({', '.join(['%s'] * len(off))})",
        [AlertState.RESOLVED, db_datetime(now), RULE_OFF, *off],
    )
    return max(cursor.rowcount, 0)
