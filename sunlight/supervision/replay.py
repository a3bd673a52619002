"""Replay: what a rule — with thresholds not yet saved — would have raised over a past period,
judged by the same queries a scan runs (each rule trips on a day computed the same way live and
in replay). Nothing is written: the supervisor sees totals and samples before switching it on.

Pauses are judged by the case as it is now (its total paused days), so a replay over a case that
was paused at the time may differ by the days of that pause from what a scan then raised."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from sunlight.cases.models import Case
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, ValidationFailed
from sunlight.org.models import Department
from sunlight.supervision.checks import CHECKS, Context
from sunlight.supervision.checks.base import as_aware, db_params
from sunlight.supervision.flow_index import flows_index_new
from sunlight.supervision.models import Rule
from sunlight.supervision.rules import params_problems, require_rule_editor, rule_params
from sunlight.supervision.workdays import ordinals_ensure

MAX_ROWS = 200_000


@dataclass(frozen=True)
class ReplayHit:
    subject: str
    case_number: str | None
    department_name: str
    tripped_at: dt.datetime
    detail: str


@dataclass
class Replay:
    total: int = 0
    by_month: list[tuple[str, int]] = field(default_factory=list)
    by_department: list[tuple[str, int]] = field(default_factory=list)
    samples: list[ReplayHit] = field(default_factory=list)
    truncated: bool = False


def replay_hits(
    *, rule: Rule, params: dict[str, Any], since: dt.date, until: dt.date,
    department_ids: list[int], power_categories: list[str],
) -> list[tuple[Any, ...]]:  # fmt: skip
    """Raw hit rows (HIT_COLUMNS order) the rule would have produced in [since, until]."""
    if rule.kind not in CHECKS:
        return []  # reported by departments' systems, not found by a query: nothing to replay
    ctx = Context(
        mode="replay",
        now=clock.now(),
        today=clock.today_local(),
        params=params,
        department_ids=department_ids,
        power_categories=power_categories,
        since=since,
        until=until,
    )
    with transaction.atomic():
        ordinals_ensure(clock.today_local())
        flows_index_new()
    query = CHECKS[rule.kind](ctx)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")  # see scan._prepare_temp_tables
        cursor.execute(f"{query.sql} LIMIT {MAX_ROWS + 1}", db_params(query.params))
        return cursor.fetchall()


def rule_replay(
    *, actor: Any, rule: Rule, since: dt.date, until: dt.date, params: dict[str, Any] | None = None,
    department_ids: list[int] | None = None, power_categories: list[str] | None = None,
    limit: int = 200,
) -> Replay:  # fmt: skip
    require_rule_editor(actor)
    problems: list[FieldProblem] = []
    cleaned, problems = params_problems(rule.kind, rule_params(rule) if params is None else params)
    if since > until:
        problems.append(FieldProblem("回放期间", "开始日期不能晚于结束日期"))
    if (until - since).days > 731:
        problems.append(FieldProblem("回放期间", "回放期间最长两年"))
    if problems:
        raise ValidationFailed(problems)
    if department_ids is None:
        department_ids = sorted(rule.departments.values_list("pk", flat=True))
    if power_categories is None:
        power_categories = list(rule.power_categories or [])
    rows = replay_hits(
        rule=rule, params=cleaned, since=since, until=until,
        department_ids=department_ids, power_categories=power_categories,
    )  # fmt: skip
    result = Replay(truncated=len(rows) > MAX_ROWS)
    rows = rows[:MAX_ROWS]
    result.total = len(rows)
    names = dict(Department.objects.values_list("pk", "name"))
    months: Counter[str] = Counter()
    departments: Counter[str] = Counter()
    moments = []
    for row in rows:
        moment = as_aware(row[7])
        moments.append(moment)
        months[moment.astimezone(clock.SHANGHAI).strftime("%Y-%m")] += 1
        departments[names.get(row[5], "")] += 1
    result.by_month = sorted(months.items())
    result.by_department = departments.most_common()
    ordered = sorted(zip(moments, rows, strict=True), key=lambda pair: pair[0], reverse=True)
    sample_rows = ordered[:limit]
    numbers = dict(
        Case.objects.filter(pk__in=[r[1] for _, r in sample_rows if r[1]]).values_list(
            "pk", "number"
        )
    )
    result.samples = [
        ReplayHit(row[0], numbers.get(row[1]), names.get(row[5], ""), moment, row[8])
        for moment, row in sample_rows
    ]
    return result
