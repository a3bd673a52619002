"""Scheduled disclosure overdue: a period of a department's disclosure matter (每月/每季/半年/
每年一公开) not disclosed by its due day. The disclosure app schedules the periods and records
when each was disclosed; the alert clears when it is. Read by table name (supervision never
imports disclosure); few rows, checked in full on every scan. Trips at the start of the day
after the due day, live and in replay."""

from sunlight.supervision.checks.base import Context, Query, in_list, in_period


def disclosure_overdue(ctx: Context) -> Query:
    sql = ctx.sql
    tripped = sql.day_start(sql.add_days("d.due_on", 1))
    query = Query(
        f"SELECT {sql.concat_id('disclosure', 'd.id')}, NULL, NULL, NULL, NULL,"
        f" d.department_id, d.region_code, {tripped},"
        " '应公开未公开：' || m.content || '（' || d.period_start || ' 至 ' || d.period_end"
        " || '），应于 ' || d.due_on || ' 前公开'"
        " FROM disclosure_disclosuredue d JOIN disclosure_disclosurematter m ON m.id = d.matter_id"
        " WHERE 1 = 1"
    )
    if ctx.department_ids:
        query.and_(f"d.department_id IN ({in_list(ctx.department_ids)})", *ctx.department_ids)
    if ctx.live:
        query.and_("d.archived_at IS NULL AND d.due_on < %s", ctx.today.isoformat())
    else:
        query.and_(f"(d.archived_at IS NULL OR d.archived_at >= {tripped})")
        in_period(query, ctx, tripped)
    return query
