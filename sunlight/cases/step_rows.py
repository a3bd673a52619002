"""The statements a step transition runs, as plain SQL.

Completing a step is the engine's hot path (benchmarks/case_steps.py): reading the case under
lock, finishing the step and opening the next cost a few dozen microseconds each in SQL but
several hundred each when the ORM builds them. Table and column names come from the models'
metadata; the SQL is the same on SQLite and PostgreSQL except the row lock, which SQLite (one
writer at a time) does not need.

On PostgreSQL each statement is a round trip to the server, which costs more than the statement
itself, so `run` sends a list of statements as one query text (Django's psycopg cursor binds
parameters on the client, which allows several statements per execute), each prepared once per
connection; on SQLite, in-process, they run one after the other. A step completion is then:
BEGIN, one round trip reading the case under lock and the audit chain's head, one writing the
step rows and the audit entry, COMMIT — fewer round trips than the benchmark's raw floor.
"""

import hashlib
import json
import sqlite3
import weakref
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection

from sunlight.audit.services import chain_head_statements
from sunlight.cases.choices import CaseState, PauseKind, StepState
from sunlight.cases.models import Case, CasePause, CaseStep
from sunlight.core.bulk import db_datetime
from sunlight.flows.models import FlowVersion


@dataclass(frozen=True)
class LockedCase:
    state: str
    fields: dict[str, Any]
    flow_stamp: str  # the flow's updated_at as text: the engine's graph cache key
    step_state: str | None  # the step's state, read under the case's lock
    paused: bool  # a special procedure is running
    open_steps: int  # the case's open steps (the step itself included), read under the lock
    chain_head: tuple[int, str] | None  # the audit chain's last (id, entry_hash), under its lock


Statement = tuple[str, list[Any]]


def run(cursor: Any, statements: list[Statement]) -> list[tuple[int, list[Any] | None]]:
    """Run `statements` in order; for each, its row count and its rows (None if it returns
    none). On PostgreSQL they go in one round trip, as prepared statements; an error in one
    aborts the transaction as it would one by one."""
    db = cursor.db  # the connection itself: each `connection.x` goes through a proxy lookup
    vendor = db.vendor
    if vendor == "postgresql" and _binds_on_client(cursor):
        return _run_prepared(db, cursor, statements)
    if vendor == "sqlite" and not (db.queries_logged or db.execute_wrappers):
        return _run_sqlite(db, cursor.cursor, statements)
    results = []
    for sql, params in statements:
        cursor.execute(sql, params)
        results.append(_result(cursor))
    return results


def _run_sqlite(db: Any, raw: Any, statements: list[Statement]) -> list[tuple[int, Any]]:
    """SQLite: straight to the sqlite3 cursor, placeholders converted once per statement text.
    Django's cursor wrapper costs more than these statements (≈15 µs each against ≈10); it is
    skipped only when nothing listens to it (no query log, no execute wrapper), so DEBUG and
    CaptureQueriesContext still see every statement. Errors are translated as Django's would."""
    db.validate_no_broken_transaction()
    execute = sqlite3.Cursor.execute
    results = []
    with db.wrap_database_errors:
        for sql, params in statements:
            execute(raw, _qmark(sql), params)
            results.append(_result(raw))
    return results


@cache
def _qmark(sql: str) -> str:
    return sql.replace("%s", "?")


def _result(cursor: Any) -> tuple[int, list[Any] | None]:
    return cursor.rowcount, (cursor.fetchall() if cursor.description is not None else None)


def _binds_on_client(cursor: Any) -> bool:
    """Several statements per execute need client-side binding (Django's default for psycopg 3;
    OPTIONS server_side_binding=True turns it off)."""
    import psycopg

    return isinstance(cursor.cursor, psycopg.ClientCursor)


# ---------------------------------------------------------------- PostgreSQL: prepared, batched
#
# Planning the case's lock query costs PostgreSQL more than running it (≈0.2 ms against 0.05),
# so the hot statements are prepared once per connection (PREPARE is per session and survives
# a rolled-back transaction) and then sent as EXECUTE. The names prepared are remembered per
# psycopg connection; a session that lost them (DISCARD ALL) fails one call with "prepared
# statement … does not exist", which clears the memory so the next call prepares again. (A
# transaction-pooling proxy in front of PostgreSQL would lose them all the time: connect
# directly, as Django's persistent connections do.)


@dataclass(frozen=True)
class _Prepared:
    name: str
    prepare: str  # PREPARE name AS … with $1, $2 …
    execute: str  # EXECUTE name(%s, …)


_prepared: "weakref.WeakKeyDictionary[Any, set[str]]" = weakref.WeakKeyDictionary()


@cache
def _prepared_form(sql: str) -> _Prepared:
    name = "sunlight_" + hashlib.sha256(sql.encode()).hexdigest()[:20]
    parts = sql.split("%s")
    numbered = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], start=1))
    arguments = f"({', '.join(['%s'] * (len(parts) - 1))})" if len(parts) > 1 else ""
    return _Prepared(name, f"PREPARE {name} AS {numbered}", f"EXECUTE {name}{arguments}")


def _run_prepared(
    db: Any, cursor: Any, statements: list[Statement]
) -> list[tuple[int, list[Any] | None]]:
    known = _prepared.setdefault(db.connection, set())
    forms = [_prepared_form(sql) for sql, _ in statements]
    missing = {f.name: f for f in forms if f.name not in known}
    try:
        if missing:
            _prepare(cursor, list(missing.values()), known)
        cursor.execute(
            ";\n".join(f.execute for f in forms), [p for _, params in statements for p in params]
        )
    except Exception:
        # Perhaps the session lost them (the error arrives wrapped by Django): ask again next
        # time, which costs one round trip.
        known.clear()
        raise
    results = [_result(cursor)]
    while cursor.nextset():
        results.append(_result(cursor))
    return results


def _prepare(cursor: Any, forms: list[_Prepared], known: set[str]) -> None:
    """Prepare those of `forms` this session does not have yet (one round trip to ask, one to
    prepare, once per connection)."""
    cursor.execute(
        "SELECT name FROM pg_prepared_statements WHERE name = ANY(%s)", [[f.name for f in forms]]
    )
    present = {name for (name,) in cursor.fetchall()}
    needed = [f.prepare for f in forms if f.name not in present]
    if needed:
        cursor.execute(";\n".join(needed))
    known.update(f.name for f in forms)


def _columns(model: Any, *names: str) -> list[str]:
    quote = connection.ops.quote_name
    return [quote(model._meta.get_field(name).column) for name in names]


@cache
def _lock_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    case, step, pause, flow = (
        quote(m._meta.db_table) for m in (Case, CaseStep, CasePause, FlowVersion)
    )
    state, fields, flow_id = _columns(Case, "state", "fields", "flow")
    lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    return (
        f"SELECT c.{state}, c.{fields}, f.{quote('updated_at')},"  # noqa: S608 names from model metadata
        f" (SELECT s.{quote('state')} FROM {step} s WHERE s.{quote('id')} = %s"
        f"  AND s.{quote('case_id')} = c.{quote('id')}),"
        f" EXISTS (SELECT 1 FROM {pause} p WHERE p.{quote('case_id')} = c.{quote('id')}"
        f"  AND p.{quote('kind')} = %s AND p.{quote('ended_at')} IS NULL),"
        f" (SELECT COUNT(*) FROM {step} o WHERE o.{quote('case_id')} = c.{quote('id')}"
        f"  AND o.{quote('state')} = %s)"
        f" FROM {case} c LEFT JOIN {flow} f ON f.{quote('id')} = c.{flow_id}"
        f" WHERE c.{quote('id')} = %s{lock}"
    )


def lock_for_step(*, cursor: Any, case_id: int, step_id: int) -> LockedCase:
    """Lock the case row (PostgreSQL) and read what completing the step depends on, then take
    the audit chain's lock and read its head — in that order, the order every service takes
    its locks in, and in one round trip. Call inside the transaction that completes it."""
    lock = (_lock_sql(connection.vendor), [step_id, PauseKind.SPECIAL, StepState.OPEN, case_id])
    results = run(cursor, [lock, *chain_head_statements()])
    state, fields, stamp, step_state, paused, open_steps = results[0][1][0]
    head_rows = results[-1][1]
    if isinstance(fields, str):
        fields = json.loads(fields)
    head = (head_rows[0][0], head_rows[0][1]) if head_rows else None
    return LockedCase(
        state, fields or {}, str(stamp), step_state, bool(paused), int(open_steps), head
    )


@cache
def _finish_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{c} = %s"
        for c in _columns(
            CaseStep, "state", "finished_at", "handler", "handler_name", "result", "opinion"
        )
    )
    return (
        f"UPDATE {quote(CaseStep._meta.db_table)} SET {assignments}"  # noqa: S608 names from model metadata
        f" WHERE {quote('id')} = %s AND {quote('state')} = %s"
    )


def finish_step(
    *,
    step_id: int,
    state: str,
    now: Any,
    handler_id: int | None,
    handler_name: str,
    result: str,
    opinion: str,
) -> bool:
    """Compare-and-swap: move the step from open to `state`; False if it was no longer open."""
    sql, params = finish_step_statement(
        step_id=step_id, state=state, stamp=db_datetime(now), handler_id=handler_id,
        handler_name=handler_name, result=result, opinion=opinion,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


def finish_step_statement(
    *,
    step_id: int,
    state: str,
    stamp: Any,
    handler_id: int | None,
    handler_name: str,
    result: str,
    opinion: str,
) -> Statement:
    """The compare-and-swap UPDATE moving the step from open to `state` (row count 1 if it
    moved); `stamp` is the finishing moment in database form (db_datetime)."""
    return _finish_sql(connection.vendor), [
        state, stamp, handler_id, handler_name, result, opinion, step_id, StepState.OPEN,
    ]  # fmt: skip


@cache
def _flow_end_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    return (
        f"UPDATE {quote(Case._meta.db_table)} SET {quote('state')} = %s,"  # noqa: S608 (names from model metadata)
        f" {quote('revision')} = {quote('revision')} + 1"
        f" WHERE {quote('id')} = %s AND {quote('state')} = %s"
    )


def flow_end_statement(*, case_id: int) -> Statement:
    """The compare-and-swap UPDATE moving a case whose flow has ended to 待办结 (row count 1 if
    it moved)."""
    return _flow_end_sql(connection.vendor), [
        CaseState.TO_CONCLUDE, case_id, CaseState.IN_PROGRESS,
    ]  # fmt: skip


_STEP_FIELDS = (
    "case",
    "node_id",
    "kind",
    "name",
    "role",
    "org_unit",
    "state",
    "started_at",
    "finished_at",
    "deadline",
    "deadline_provisional",
    "stops_clock",
    "handler",
    "handler_name",
    "result",
    "opinion",
    "via_edge",
    "previous",
)


@cache
def _insert_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    columns = _columns(CaseStep, *_STEP_FIELDS)
    return (
        f"INSERT INTO {quote(CaseStep._meta.db_table)} ({', '.join(columns)})"  # noqa: S608 names from model metadata
        f" VALUES ({', '.join(['%s'] * len(columns))})"
    )


def open_step_statement(
    *,
    case_id: int,
    node: Any,
    stamp: Any,
    deadline: Any,
    provisional: bool,
    via: str,
    previous_id: int | None,
) -> Statement:
    """The INSERT of a new open step; `stamp` is its start in database form (db_datetime)."""
    return _insert_sql(connection.vendor), [
        case_id,
        node.id,
        node.kind,
        node.name,
        node.role,
        node.org_unit,
        StepState.OPEN,
        stamp,
        None,
        None if deadline is None else db_datetime(deadline),
        provisional,
        node.stops_clock,
        None,
        "",
        "",
        "",
        via,
        previous_id,
    ]
