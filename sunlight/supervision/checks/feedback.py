"""Checks over the public's feedback (feedback app): a bad rating's follow-up not closed by its
deadline, a consultation or complaint not answered by its deadline. Like order_overdue, each
subject carries its own due date (working days counted when it was opened, on the calendar of
that day), so the check compares dates: it trips at the start of the day after the due date.

Read by table name: supervision never imports feedback (feedback calls supervision's order
service), and these tables are few rows, checked in full on every scan."""

from sunlight.supervision.checks.base import Context, Query, in_list, in_period


def follow_up_overdue(ctx: Context) -> Query:
    sql = ctx.sql
    tripped = sql.day_start(sql.add_days("f.due_date", 1))
    query = Query(
        f"SELECT {sql.concat_id('followup', 'f.id')}, f.case_id, NULL, NULL, NULL,"
        f" f.department_id, f.region_code, {tripped},"
        " '差评整改期限 ' || f.due_date || ' 已过，尚未整改办结'"
        " FROM feedback_followup f WHERE 1 = 1"
    )
    if ctx.department_ids:
        query.and_(f"f.department_id IN ({in_list(ctx.department_ids)})", *ctx.department_ids)
    if ctx.live:
        query.and_("f.state IN ('open', 'verified') AND f.due_date < %s", ctx.today.isoformat())
    else:
        # Not closed at the moment it came due.
        query.and_(f"(f.closed_at IS NULL OR f.closed_at >= {tripped})")
        in_period(query, ctx, tripped)
    return query


def petition_overdue(ctx: Context) -> Query:
    sql = ctx.sql
    tripped = sql.day_start(sql.add_days("p.due_date", 1))
    kinds = [k for k in ctx.params.get("kinds", []) if k in ("consultation", "complaint")]
    query = Query(
        f"SELECT {sql.concat_id('petition', 'p.id')}, p.case_id, NULL, NULL, NULL,"
        f" p.department_id, p.region_code, {tripped},"
        " CASE p.kind WHEN 'complaint' THEN '投诉 ' ELSE '咨询 ' END || p.number"
        " || ' 答复期限 ' || p.due_date || ' 已过，尚未答复'"
        " FROM feedback_petition p WHERE 1 = 1"
    )
    if kinds:
        query.and_(f"p.kind IN ({in_list(kinds)})", *kinds)
    if ctx.department_ids:
        query.and_(f"p.department_id IN ({in_list(ctx.department_ids)})", *ctx.department_ids)
    if ctx.live:
        query.and_(
            "p.state IN ('submitted', 'handling') AND p.due_date < %s", ctx.today.isoformat()
        )
    else:
        query.and_(f"(p.replied_at IS NULL OR p.replied_at >= {tripped})")
        in_period(query, ctx, tripped)
    return query
