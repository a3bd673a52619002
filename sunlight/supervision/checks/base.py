"""What every check shares: the context a scan or a replay gives it, and the few SQL pieces that
differ between SQLite and PostgreSQL. A check returns one SELECT producing hit rows with the
columns in HIT_COLUMNS; the scan inserts the new ones as alerts and resolves the ones gone."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

HIT_COLUMNS = (
    "subject",
    "case_id",
    "step_id",
    "power_item_id",
    "order_id",
    "department_id",
    "region_code",
    "tripped_at",
    "detail",
)

OPEN_CASE_STATES = ("in_progress", "to_conclude")  # accepted and not concluded: the clock runs
CLOCK_PAUSES = ("special", "correction", "publicity")


@dataclass(frozen=True)
class Dialect:
    vendor: str

    @property
    def postgres(self) -> bool:
        return self.vendor == "postgresql"

    def local_date(self, column: str) -> str:
        """The Asia/Shanghai date of a stored (UTC) moment."""
        if self.postgres:
            return f"(({column}) AT TIME ZONE 'Asia/Shanghai')::date"
        return f"date({column}, '+8 hours')"

    def day_start(self, date_sql: str) -> str:
        """The UTC moment an Asia/Shanghai day begins."""
        if self.postgres:
            return f"((({date_sql})::timestamp - interval '8 hours') AT TIME ZONE 'UTC')"
        return f"datetime({date_sql}, '-8 hours')"

    def add_days(self, date_sql: str, days: str | int) -> str:
        if self.postgres:
            return f"(({date_sql}) + ({days})::int)"
        return f"date({date_sql}, ({days}) || ' days')"

    def seconds_between(self, start: str, end: str) -> str:
        if self.postgres:
            return f"EXTRACT(EPOCH FROM (({end}) - ({start})))"
        return f"((julianday({end}) - julianday({start})) * 86400.0)"

    def concat_id(self, prefix: str, column: str) -> str:
        return f"('{prefix}:' || {column})"

    def in_changed(self, column: str) -> str:
        """`column` is one of the scan's changed cases. PostgreSQL is given the ids as an array,
        which it reads by index; with IN (subquery) it may prefer a scan of the whole table."""
        if self.postgres:
            return f"{column} = ANY(ARRAY(SELECT case_id FROM sup_changed))"
        return f"{column} IN (SELECT case_id FROM sup_changed)"

    def unindexed(self, column: str) -> str:
        """`column` in a form SQLite will not look up by index (its unary plus), so that a
        query's other condition leads; PostgreSQL, with statistics, chooses well by itself."""
        return column if self.postgres else f"+{column}"

    def rare(self, condition: str) -> str:
        """`condition`, marked for SQLite's planner as true of few rows. Built without STAT4, it
        knows how many distinct states a column holds but not how many rows each has, so it
        reads every case for `state = 'concluded'` even where none is; read by the state index,
        the same query costs the same where most cases are concluded (measured at 70 %)."""
        return condition if self.postgres else f"unlikely({condition})"

    def true(self) -> str:
        return "TRUE" if self.postgres else "1"

    def false(self) -> str:
        return "FALSE" if self.postgres else "0"


def db_params(params: list[Any]) -> list[Any]:
    """Query parameters as the backend stores them (aware datetimes to its own form)."""
    from sunlight.core.bulk import db_datetime

    return [db_datetime(p) if isinstance(p, dt.datetime) else p for p in params]


def as_aware(value: Any) -> dt.datetime:
    """A moment read back from a raw query (SQLite gives text, PostgreSQL an aware datetime)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def dialect() -> Dialect:
    return Dialect(connection.vendor)


@dataclass
class Context:
    """Where and when a check looks.

    mode "live": the state now (a scan); `subset` "all", or "changed" (cases listed in the
    temporary table sup_changed, plus, for checks that say so, a time window since the last scan).
    mode "replay": what would have tripped between `since` and `until` (dates), judged on the
    rows as they are now."""

    mode: str
    now: dt.datetime
    today: dt.date
    params: dict[str, Any]
    department_ids: list[int] = field(default_factory=list)
    power_categories: list[str] = field(default_factory=list)
    subset: str = "all"
    window_start: dt.datetime | None = None  # last scan's moment (changed subsets)
    since: dt.date | None = None
    until: dt.date | None = None
    sql: Dialect = field(default_factory=dialect)

    @property
    def live(self) -> bool:
        return self.mode == "live"


@dataclass
class Query:
    """A SELECT and its parameters, assembled piece by piece."""

    sql: str
    params: list[Any] = field(default_factory=list)

    def and_(self, condition: str, *params: Any) -> "Query":
        self.sql += f" AND {condition}"
        self.params.extend(params)
        return self


def in_list(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def case_scope(query: Query, ctx: Context, alias: str = "c") -> Query:
    """Restrict to the rule's departments and power categories, and to the scan's subset."""
    if ctx.department_ids:
        query.and_(f"{alias}.department_id IN ({in_list(ctx.department_ids)})", *ctx.department_ids)
    if ctx.power_categories:
        query.and_(
            f"{alias}.power_version_id IN (SELECT id FROM catalog_powerversion WHERE category IN"
            f" ({in_list(ctx.power_categories)}))",
            *ctx.power_categories,
        )
    if ctx.live and ctx.subset == "changed":
        query.and_(ctx.sql.in_changed(f"{alias}.id"))
    return query


def in_period(query: Query, ctx: Context, moment_sql: str) -> Query:
    """Replay: the hit's moment lies within the replayed period, and not after now."""
    assert ctx.since is not None and ctx.until is not None
    start = ctx.sql.day_start("%s")
    end = ctx.sql.day_start("%s")
    return query.and_(
        f"{moment_sql} >= {start} AND {moment_sql} < {end} AND {moment_sql} <= %s",
        ctx.since.isoformat(),
        (ctx.until + dt.timedelta(days=1)).isoformat(),
        ctx.now,
    )
