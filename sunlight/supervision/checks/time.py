"""Time rules on the working-day clock: a prompt before the promised deadline, yellow when a share
of the limit is used, red when past it — for cases (promised and statutory) and for steps.

Each rule's trip day is computed the same way live and in replay: the working-day ordinal table
turns "N working days after acceptance" into arithmetic. A case with its clock stopped (补正 or a
special procedure under way) does not trip while paused; its deadline moves when it resumes."""

import datetime as dt

from sunlight.supervision.checks import windows
from sunlight.supervision.checks.base import (
    CLOCK_PAUSES,
    OPEN_CASE_STATES,
    Context,
    Query,
    case_scope,
    in_list,
    in_period,
)

ORD = "supervision_workdayordinal"


def _share_percent(ctx: Context) -> int:
    return round(float(ctx.params.get("share", 0.8)) * 100)


def _case_clock(
    ctx: Context, deadline_column: str, select: str, *, with_ordinals: bool = True
) -> Query:
    """Accepted cases with the given deadline, joined to the ordinals of their acceptance day
    (oa) and deadline day (od) when the rule counts working days; live: open now, not paused."""
    sql = ctx.sql
    joins = ""
    if with_ordinals:
        joins = (
            f" JOIN {ORD} oa ON oa.day = {sql.local_date('c.accepted_at')}"
            f" JOIN {ORD} od ON od.day = c.{deadline_column}"
        )
    query = Query(
        f"SELECT {select} FROM cases_case c{joins}"
        f" WHERE c.accepted_at IS NOT NULL AND c.{deadline_column} IS NOT NULL"
    )
    if ctx.live:
        query.and_(f"c.state IN ({in_list(list(OPEN_CASE_STATES))})", *OPEN_CASE_STATES)
        query.and_(
            "NOT EXISTS (SELECT 1 FROM cases_casepause p WHERE p.case_id = c.id"
            f" AND p.ended_at IS NULL AND p.kind IN ({in_list(list(CLOCK_PAUSES))}))",
            *CLOCK_PAUSES,
        )
    return case_scope(query, ctx)


def _case_columns(ctx: Context, tripped_sql: str, detail_sql: str) -> str:
    return (
        f"{ctx.sql.concat_id('case', 'c.id')}, c.id, NULL, c.power_item_id, NULL,"
        f" c.department_id, c.region_code, {tripped_sql}, {detail_sql}"
    )


def _open_at(ctx: Context, moment_sql: str, query: Query) -> Query:
    """Replay: the case was still open when the rule would have tripped."""
    if not ctx.live:
        query.and_(f"(c.concluded_at IS NULL OR c.concluded_at > {moment_sql})")
        in_period(query, ctx, moment_sql)
    return query


def _red(ctx: Context, deadline_column: str, label: str) -> Query:
    sql = ctx.sql
    trip_day = sql.add_days(f"c.{deadline_column}", 1)
    tripped = sql.day_start(trip_day)
    detail = f"'{label} ' || c.{deadline_column} || ' 已过，仍未办结'"
    query = _case_clock(
        ctx, deadline_column, _case_columns(ctx, tripped, detail), with_ordinals=False
    )
    if ctx.live:
        query.and_(f"c.{deadline_column} < %s", ctx.today.isoformat())
    return _open_at(ctx, tripped, query)


def case_red(ctx: Context) -> Query:
    return _red(ctx, "promised_deadline", "承诺期限")


def statutory_red(ctx: Context) -> Query:
    return _red(ctx, "statutory_deadline", "法定期限")


def case_remind(ctx: Context) -> Query:
    """Trips on the working day `days` before the deadline (or at acceptance, if later)."""
    sql = ctx.sql
    days = int(ctx.params.get("days", 1))
    accepted_day = sql.local_date("c.accepted_at")
    trip_day = (
        f"(SELECT MAX(t.day) FROM {ORD} t WHERE t.ordinal = od.ordinal - {days}"
        f" AND t.is_workday = {sql.true()})"
    )
    trip_day = f"(CASE WHEN {trip_day} > {accepted_day} THEN {trip_day} ELSE {accepted_day} END)"
    tripped = sql.day_start(trip_day)
    detail = "'距承诺期限 ' || c.promised_deadline || ' 已不足 " + str(days) + " 个工作日'"
    query = _case_clock(ctx, "promised_deadline", _case_columns(ctx, tripped, detail))
    if ctx.live:
        # The days whose ordinal is within `days` of today's: an index range on the deadline.
        reach = windows.day_after_workdays(ctx.today, days)
        query.and_(
            "c.promised_deadline >= %s AND c.promised_deadline <= %s",
            ctx.today.isoformat(),
            reach.isoformat(),
        )
    else:
        query.and_(f"{trip_day} <= c.promised_deadline")
    return _open_at(ctx, tripped, query)


def case_yellow(ctx: Context) -> Query:
    """Trips on the first working day on which the used share of the limit reaches `share`:
    used = workdays since acceptance − paused; limit = workdays to the deadline − paused."""
    sql = ctx.sql
    pct = _share_percent(ctx)
    total = "(od.ordinal - oa.ordinal - c.paused_workdays)"
    need = f"(oa.ordinal + c.paused_workdays + ({pct} * {total} + 99) / 100)"
    trip_day = (
        f"(SELECT MIN(t.day) FROM {ORD} t WHERE t.ordinal = {need} AND t.is_workday = {sql.true()})"
    )
    tripped = sql.day_start(trip_day)
    # '%%' is a literal percent sign once the driver has put the parameters in.
    detail = f"'承诺时限已用 {pct}%% 以上，期限 ' || c.promised_deadline"
    query = _case_clock(ctx, "promised_deadline", _case_columns(ctx, tripped, detail))
    query.and_(f"{total} > 0")
    if ctx.live:
        query.and_(
            f"100 * ((SELECT ordinal FROM {ORD} WHERE day = %s) - oa.ordinal - c.paused_workdays)"
            f" >= {pct} * {total}",
            ctx.today.isoformat(),
        )
        if ctx.subset == "changed":  # a few cases: the deadline bound is all they need
            return query.and_("c.promised_deadline >= %s", ctx.today.isoformat())
        reach = windows.yellow_reach(ctx.today, pct / 100, windows.case_limit_bound())
        # Two index ranges read as one (an OR of the deadline's and the extension's index).
        query.and_(
            "((c.promised_deadline >= %s AND c.promised_deadline <= %s)"
            " OR (c.extension_days > 0 AND c.promised_deadline >= %s))",
            ctx.today.isoformat(),
            reach.isoformat(),
            ctx.today.isoformat(),
        )
    else:
        query.and_(f"{trip_day} <= c.promised_deadline")
    return _open_at(ctx, tripped, query)


def _step_clock(ctx: Context, select: str, *, with_ordinals: bool) -> Query:
    sql = ctx.sql
    joins = ""
    if with_ordinals:
        joins = (
            f" JOIN {ORD} oa ON oa.day = {sql.local_date('s.started_at')}"
            f" JOIN {ORD} od ON od.day = {sql.local_date('s.deadline')}"
        )
    query = Query(
        f"SELECT {select} FROM cases_casestep s JOIN cases_case c ON c.id = s.case_id{joins}"
        " WHERE s.deadline IS NOT NULL AND s.kind = 'user_task'"
    )
    if ctx.live:
        query.and_("s.state = 'open'")
        query.and_(
            "NOT EXISTS (SELECT 1 FROM cases_casepause p WHERE p.case_id = c.id"
            f" AND p.ended_at IS NULL AND p.kind IN ({in_list(list(CLOCK_PAUSES))}))",
            *CLOCK_PAUSES,
        )
    if ctx.window_start is not None:
        # The steps of changed cases, and the steps whose deadline passed since the last scan.
        case_scope(query, Context(**{**ctx.__dict__, "subset": "all"}))
        # An OR of two index lookups (the step's case, its state and deadline), which both
        # databases read as a union of the two index ranges.
        return query.and_(
            f"({ctx.sql.in_changed('s.case_id')}"
            " OR (s.state = 'open' AND s.deadline > %s AND s.deadline <= %s))",
            ctx.window_start,
            ctx.now,
        )
    return case_scope(query, ctx)


def _step_columns(ctx: Context, tripped_sql: str, detail_sql: str) -> str:
    return (
        f"{ctx.sql.concat_id('step', 's.id')}, c.id, s.id, c.power_item_id, NULL,"
        f" c.department_id, c.region_code, {tripped_sql}, {detail_sql}"
    )


def _step_open_at(ctx: Context, moment_sql: str, query: Query) -> Query:
    if not ctx.live:
        query.and_(f"(s.finished_at IS NULL OR s.finished_at > {moment_sql})")
        in_period(query, ctx, moment_sql)
    return query


def step_red(ctx: Context) -> Query:
    detail = "'环节“' || s.name || '”超过时限仍未办理'"
    query = _step_clock(ctx, _step_columns(ctx, "s.deadline", detail), with_ordinals=False)
    if ctx.live:
        query.and_("s.deadline < %s", ctx.now)
    return _step_open_at(ctx, "s.deadline", query)


def step_yellow(ctx: Context) -> Query:
    sql = ctx.sql
    pct = _share_percent(ctx)
    total = "(od.ordinal - oa.ordinal)"
    need = f"(oa.ordinal + ({pct} * {total} + 99) / 100)"
    trip_day = (
        f"(SELECT MIN(t.day) FROM {ORD} t WHERE t.ordinal = {need} AND t.is_workday = {sql.true()})"
    )
    tripped = sql.day_start(trip_day)
    detail = f"'环节“' || s.name || '”时限已用 {pct}%% 以上'"
    query = _step_clock(ctx, _step_columns(ctx, tripped, detail), with_ordinals=True)
    query.and_(f"{total} > 0")
    if ctx.live:
        query.and_(
            f"100 * ((SELECT ordinal FROM {ORD} WHERE day = %s) - oa.ordinal) >= {pct} * {total}",
            ctx.today.isoformat(),
        )
        if ctx.subset == "changed":
            return query.and_("s.deadline >= %s", ctx.now)
        reach = windows.yellow_reach(ctx.today, pct / 100, windows.step_limit_bound())
        query.and_(
            f"s.deadline >= %s AND s.deadline < {sql.day_start('%s')}",
            ctx.now,
            (reach + dt.timedelta(days=1)).isoformat(),
        )
    else:
        query.and_(f"{tripped} <= s.deadline")
    return _step_open_at(ctx, tripped, query)
