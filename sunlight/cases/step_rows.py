"""The statements a step transition runs, as plain SQL.

Completing a step is the engine's hot path (benchmarks/case_steps.py): reading the case under
lock, finishing the step and opening the next cost a few dozen microseconds each in SQL but
several hundred each when the ORM builds them. Table and column names come from the models'
metadata; the SQL is the same on SQLite and PostgreSQL except the row lock, which SQLite (one
writer at a time) does not need.
"""

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection

from sunlight.cases.choices import PauseKind, StepState
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
        f"  AND p.{quote('kind')} = %s AND p.{quote('ended_at')} IS NULL)"
        f" FROM {case} c LEFT JOIN {flow} f ON f.{quote('id')} = c.{flow_id}"
        f" WHERE c.{quote('id')} = %s{lock}"
    )


def lock_for_step(*, case_id: int, step_id: int) -> LockedCase:
    """Lock the case row (PostgreSQL) and read, in one query, what completing the step depends
    on. Call inside the transaction that completes it."""
    with connection.cursor() as cursor:
        cursor.execute(_lock_sql(connection.vendor), [step_id, PauseKind.SPECIAL, case_id])
        state, fields, stamp, step_state, paused = cursor.fetchone()
    if isinstance(fields, str):
        fields = json.loads(fields)
    return LockedCase(state, fields or {}, str(stamp), step_state, bool(paused))


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
    with connection.cursor() as cursor:
        cursor.execute(
            _finish_sql(connection.vendor),
            [state, db_datetime(now), handler_id, handler_name, result, opinion, step_id,
             StepState.OPEN],
        )  # fmt: skip
        return cursor.rowcount == 1


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


def insert_open_step(
    *,
    case_id: int,
    node: Any,
    now: Any,
    deadline: Any,
    provisional: bool,
    via: str,
    previous_id: int | None,
) -> None:
    """A new open step for a flow node (engine.GraphNode), as CaseStep.objects.create would."""
    with connection.cursor() as cursor:
        cursor.execute(
            _insert_sql(connection.vendor),
            [
                case_id,
                node.id,
                node.kind,
                node.name,
                node.role,
                node.org_unit,
                StepState.OPEN,
                db_datetime(now),
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
            ],
        )
