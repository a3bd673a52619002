"""双公示 overdue: a licence or penalty decision not published by the 7th working day after it
was taken (its entry still 待公示 past its due day). The publication app drafts an entry for
every such decision within minutes of the case's conclusion and sets its due day on the
working-day calendar, so the entries are the one place to look; the alert clears when the
department publishes. Trips at the start of the day after the due day, live and in replay."""

from sunlight.supervision.checks.base import Context, Query, in_list, in_period


def double_publicity_overdue(ctx: Context) -> Query:
    sql = ctx.sql
    tripped = sql.day_start(sql.add_days("e.due_on", 1))
    query = Query(
        f"SELECT {sql.concat_id('case', 'e.case_id')}, e.case_id, NULL, c.power_item_id, NULL,"
        f" e.department_id, e.region_code, {tripped},"
        " '双公示逾期未公示：' || e.matter || '，决定日期 ' || e.decided_on"
        " || '，应于 ' || e.due_on || ' 前公示'"
        " FROM publication_doublepublicityentry e JOIN cases_case c ON c.id = e.case_id"
        " WHERE e.corrects_id IS NULL"
    )
    if ctx.department_ids:
        query.and_(f"e.department_id IN ({in_list(ctx.department_ids)})", *ctx.department_ids)
    if ctx.power_categories:
        kinds = [{"01": "licence", "02": "penalty"}.get(c, "") for c in ctx.power_categories]
        query.and_(f"e.kind IN ({in_list(kinds)})", *kinds)
    if ctx.live:
        query.and_("e.state = 'pending' AND e.due_on < %s", ctx.today.isoformat())
    else:
        # Not yet published when its due day had passed (published late, or not at all).
        query.and_(f"(e.published_at IS NULL OR e.published_at >= {tripped})")
        in_period(query, ctx, tripped)
    return query
