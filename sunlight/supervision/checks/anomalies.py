"""Process, content, fee and risk rules: the signs of work done off the platform ("two tracks"),
steps against the flow, documents missing, refusals without reasons, fees without basis, a
suspended power still used, required fields left empty. Each trips at the moment of the event
(usually the conclusion), so a live scan and a replay see the same hits."""

from sunlight.core.text import sql_blank
from sunlight.supervision.checks.base import Context, Query, case_scope, in_list, in_period

CONCLUDED = "'concluded'"
REFUSED = "'not_accepted', 'concluded'"  # 不予受理, or a conclusion 不予许可


def _in_states(ctx: Context, states: str) -> str:
    """The case is in one of `states` (SQL list): the event rules judge a conclusion or a
    refusal. A full scan reads those cases by the state index (see Dialect.rare); an incremental
    one leaves the lead to its changed cases."""
    condition = f"c.state IN ({states})"
    return ctx.sql.rare(condition) if ctx.live and ctx.subset == "all" else condition


def _concluded(ctx: Context) -> str:
    return _in_states(ctx, CONCLUDED)


def _columns(ctx: Context, tripped_sql: str, detail_sql: str) -> str:
    return (
        f"{ctx.sql.concat_id('case', 'c.id')}, c.id, NULL, c.power_item_id, NULL,"
        f" c.department_id, c.region_code, {tripped_sql}, {detail_sql}"
    )


def _cases(
    ctx: Context, tripped_sql: str, detail_sql: str, where: str, *params, source: str = ""
) -> Query:
    """The cases meeting `where` (`source`: what they are read from, if not cases_case c alone)."""
    source = source or "cases_case c"
    query = Query(
        f"SELECT {_columns(ctx, tripped_sql, detail_sql)} FROM {source} WHERE {where}",
        list(params),
    )
    case_scope(query, ctx)
    if not ctx.live:
        in_period(query, ctx, tripped_sql)
    return query


def no_steps(ctx: Context) -> Query:
    return _cases(
        ctx, "c.concluded_at", "'已办结，但平台上没有任何办理环节'",
        # A joint application's own row has no steps: its parts do (each checked itself).
        f"{_concluded(ctx)} AND NOT (c.joint_item_id IS NOT NULL AND c.joint_parent_id IS NULL)"
        " AND NOT EXISTS (SELECT 1 FROM cases_casestep s WHERE s.case_id = c.id)",
    )  # fmt: skip


def too_fast(ctx: Context) -> Query:
    seconds = int(ctx.params.get("seconds", 120))
    span = ctx.sql.seconds_between("c.accepted_at", "c.concluded_at")
    return _cases(
        ctx, "c.concluded_at", f"'受理后 ' || CAST({span} AS INTEGER) || ' 秒即办结全部环节'",
        f"{_concluded(ctx)} AND c.accepted_at IS NOT NULL AND c.case_type <> '1' AND {span} < %s"
        " AND EXISTS (SELECT 1 FROM cases_casestep s WHERE s.case_id = c.id"
        " AND s.previous_id IS NOT NULL)",
        seconds,
    )  # fmt: skip


def entered_late(ctx: Context) -> Query:
    days = int(ctx.params.get("days", 3))
    since = str(ctx.params.get("since") or "")
    lag = ctx.sql.seconds_between("c.concluded_at", "c.entered_at")
    # A case of a declared, approved 补录 batch (cases.HistoryBatch) is late by design — but
    # not one pushed by a department's own system (source 'exchange'): its entered_at is when
    # it was typed into that system, and typing a case in after it was concluded is the sign.
    where = (
        f"{_concluded(ctx)} AND (c.history_batch_id IS NULL OR EXISTS (SELECT 1 FROM"
        " cases_historybatch hb WHERE hb.id = c.history_batch_id AND hb.source = 'exchange'))"
        f" AND {lag} > %s"
    )
    params: list = [days * 86400]
    if since:
        where += f" AND c.entered_at >= {ctx.sql.day_start('%s')}"
        params.append(since)
    return _cases(
        ctx, "c.entered_at", f"'办结 ' || CAST({lag} / 86400 AS INTEGER) || ' 天后才录入平台'",
        where, *params,
    )  # fmt: skip


def out_of_order(ctx: Context) -> Query:
    """A handled step whose predecessor is not one the flow allows before it; trips when the
    first such step started. Read from the steps that have a predecessor (a case's first step
    has none), grouped by case: one pass over the steps, where a correlated look-up per case
    cost 0.6–0.9 s at a million open cases."""
    if ctx.live and ctx.subset == "changed":
        # The changed cases' steps lead; "has a predecessor" left to the join, so that no
        # planner reads it by the predecessor index instead.
        steps = ctx.sql.in_changed("s.case_id")
    else:
        steps = "s.previous_id IS NOT NULL"
    bad_steps = (
        "SELECT s.case_id, MIN(s.started_at) AS first_at FROM cases_casestep s"
        " JOIN cases_casestep p ON p.id = s.previous_id JOIN cases_case k ON k.id = s.case_id"
        f" WHERE {steps} AND k.flow_id IN (SELECT flow_id FROM supervision_flowindexed)"
        " AND NOT EXISTS (SELECT 1 FROM supervision_flowsteppair fp WHERE fp.flow_id = k.flow_id"
        " AND fp.from_node = p.node_id AND fp.to_node = s.node_id)"
        " GROUP BY s.case_id"
    )
    return _cases(
        ctx, "b.first_at", "'办理环节的先后与流程图不符'", "1 = 1",
        source=f"({bad_steps}) b JOIN cases_case c ON c.id = b.case_id",
    )  # fmt: skip


def documents_missing(ctx: Context) -> Query:
    missing = (
        "FROM cases_casestep s JOIN supervision_flowrequireddocument rd"
        " ON rd.flow_id = c.flow_id AND rd.node = s.node_id"
        " WHERE s.case_id = c.id AND s.state = 'done' AND NOT EXISTS (SELECT 1 FROM"
        " cases_casedocument d WHERE d.case_id = c.id AND d.name = rd.name)"
    )
    return _cases(
        ctx, "c.concluded_at", f"'办结时缺少文书：' || (SELECT MIN(rd.name) {missing})",
        f"{_concluded(ctx)} AND EXISTS (SELECT 1 {missing})",
    )  # fmt: skip


def refusal_no_reason(ctx: Context) -> Query:
    # "No reason" is the services' own test (core.text): spaces and invisible characters
    # (U+FEFF, U+200B …) are not a reason.
    no_reason = sql_blank("c.not_accepted_reason", ctx.sql.vendor)
    no_opinion = sql_blank("c.conclusion_opinion", ctx.sql.vendor)
    return _cases(
        ctx, "c.concluded_at", "'不予受理/不予许可未写明理由'",
        f"{_in_states(ctx, REFUSED)} AND ((c.state = 'not_accepted'"
        f" AND {no_reason}) OR (c.state = 'concluded'"
        f" AND c.decision IN ('refused', 'no_penalty') AND {no_opinion}))",
    )  # fmt: skip


def fee_irregular(ctx: Context) -> Query:
    max_fee = float(ctx.params.get("max_fee", 0) or 0)
    sql = ctx.sql
    over = " OR (%s > 0 AND c.fee_due > %s)"
    return _cases(
        ctx, "c.concluded_at", "'收费 ' || c.fee_due || ' 元：无收费依据或超过标准'",
        f"{_concluded(ctx)} AND c.fee_due > 0 AND EXISTS (SELECT 1 FROM catalog_powerversion v"
        f" WHERE v.id = c.power_version_id AND (v.charges_fee = {sql.false()}"
        f" OR TRIM(v.fee_basis) = ''{over}))",
        max_fee, max_fee,
    )  # fmt: skip


def discretion_deviation(ctx: Context) -> Query:
    """Penalty decisions outside the benchmark: by default those with no written reason, or a
    concluded amount that differs from the range the decision recorded; with `with_reason` 1,
    the reasoned deviations, for a supervisor to review the reason."""
    false = ctx.sql.false()
    amount_outside = (
        "(c.penalty_amount IS NOT NULL AND pd.suggested_max IS NOT NULL"
        " AND (c.penalty_amount > pd.suggested_max OR c.penalty_amount < pd.suggested_min))"
    )
    if int(ctx.params.get("with_reason", 0)):
        outside = (
            "FROM discretion_penaltydecision pd WHERE pd.case_id = c.id"
            f" AND TRIM(pd.deviation_reason) <> '' AND (pd.within_range = {false}"
            f" OR {amount_outside})"
        )
        detail = "'处罚超出裁量基准幅度，已写明偏离理由，请审阅'"
    else:
        outside = (
            "FROM discretion_penaltydecision pd WHERE pd.case_id = c.id"
            f" AND TRIM(pd.deviation_reason) = '' AND (pd.within_range = {false}"
            f" OR {amount_outside})"
        )
        detail = "'处罚超出裁量基准幅度且无书面理由'"
    return _cases(
        ctx,
        "c.concluded_at",
        detail,
        f"{_concluded(ctx)} AND EXISTS (SELECT 1 {outside})",
    )


def power_not_in_use(ctx: Context) -> Query:
    """Cases received after their power was suspended or revoked: read from those powers, then
    their cases by (power, received) — not by looking every case's power up."""
    return _cases(
        ctx, "c.received_at", "'事项已暂停或取消后仍登记办件'",
        "pi.status IN ('suspended', 'revoked') AND c.received_at > pi.status_changed_at",
        source="catalog_poweritem pi JOIN cases_case c ON c.power_item_id = pi.id",
    )  # fmt: skip


def fields_empty(ctx: Context) -> Query:
    from sunlight.supervision.rules import CASE_FIELD_COLUMNS

    columns = [c for c in ctx.params.get("fields", ["applicant_phone"]) if c in CASE_FIELD_COLUMNS]
    if not columns:
        columns = ["applicant_phone"]
    empty = " OR ".join(f"TRIM(c.{column}) = ''" for column in columns)
    names = "、".join(CASE_FIELD_COLUMNS[column] for column in columns)
    return _cases(ctx, "c.received_at", f"'必填信息为空（{names}）'", f"({empty})")


def power_idle(ctx: Context) -> Query:
    """An in-use power with no case for `days` days: trips at the start of the day `days` days
    after the day of its last case (or of its publication, if it never had one)."""
    sql = ctx.sql
    days = int(ctx.params.get("days", 365))
    last = (
        "COALESCE((SELECT MAX(k.received_at) FROM cases_case k WHERE k.power_item_id = pi.id),"
        " pi.status_changed_at)"
    )
    tripped = sql.day_start(sql.add_days(sql.local_date(last), days + 1))
    query = Query(
        f"SELECT {sql.concat_id('power', 'pi.id')}, NULL, NULL, pi.id, NULL, pi.department_id,"
        f" d.region_id, {tripped}, '在用事项已连续 {days} 天无办件，建议评估后挂起'"
        " FROM catalog_poweritem pi JOIN org_department d ON d.id = pi.department_id"
        " WHERE pi.status = 'published'"
    )
    if ctx.department_ids:
        query.and_(f"pi.department_id IN ({in_list(ctx.department_ids)})", *ctx.department_ids)
    if ctx.live and ctx.subset == "changed":
        query.and_(
            "pi.id IN (SELECT power_item_id FROM cases_case WHERE id IN"
            " (SELECT case_id FROM sup_changed))"
        )
    if ctx.live:
        query.and_(f"{tripped} <= %s", ctx.now)
    else:
        in_period(query, ctx, tripped)
    return query


def order_overdue(ctx: Context) -> Query:
    sql = ctx.sql
    tripped = sql.day_start(sql.add_days("o.reply_due", 1))
    query = Query(
        f"SELECT {sql.concat_id('order', 'o.id')}, o.case_id, NULL, NULL, o.id, o.department_id,"
        f" o.region_code, {tripped},"
        " '督办单 ' || o.number || ' 回复期限 ' || o.reply_due || ' 已过'"
        " FROM supervision_supervisionorder o WHERE 1 = 1"
    )
    if ctx.department_ids:
        query.and_(f"o.department_id IN ({in_list(ctx.department_ids)})", *ctx.department_ids)
    if ctx.live:
        query.and_("o.state IN ('issued', 'returned') AND o.reply_due < %s", ctx.today.isoformat())
    else:
        # Unanswered at the moment it came due: no reply before then.
        query.and_(
            "NOT EXISTS (SELECT 1 FROM supervision_orderreply r WHERE r.order_id = o.id"
            f" AND r.replied_at < {tripped})"
        )
        in_period(query, ctx, tripped)
    return query
