"""Appending to the audit chain. Every service write calls `audit_record` inside its own
transaction, so the change and its record commit or roll back together."""

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection

from sunlight.audit import actions
from sunlight.audit.models import GENESIS_HASH, AuditEntry
from sunlight.core import clock
from sunlight.core.bulk import db_datetime, insert_many

# Arbitrary constant naming the audit chain's PostgreSQL advisory lock.
_PG_CHAIN_LOCK = 0x5A1_1A7
SEPARATOR = "\x1f"


@dataclass(frozen=True)
class AuditRecord:
    action: str
    object_type: str
    object_id: str | int
    data: dict[str, Any]
    actor_id: int | None = None
    actor_name: str = ""


def canonical_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def format_time(moment: dt.datetime) -> str:
    """UTC, millisecond precision: the form both SQLite and PostgreSQL can reproduce in SQL."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%d %H:%M:%S.") + f"{utc.microsecond // 1000:03d}"


def header_of(
    *,
    seq: int,
    time_text: str,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    content_hash: str,
) -> str:
    parts = [
        str(seq),
        time_text,
        "" if actor_id is None else str(actor_id),
        actor_name,
        action,
        object_type,
        object_id,
        content_hash,
    ]
    return SEPARATOR.join(parts)


def chain_hash(prev_hash: str, header: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{header}".encode()).hexdigest()


_HEAD_SQL = "SELECT id, entry_hash FROM audit_auditentry ORDER BY id DESC LIMIT 1"
_FIELDS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "data",
    "content_hash",
    "prev_hash",
    "entry_hash",
)


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK])
    # SQLite: transactions are BEGIN IMMEDIATE (settings), so writers are already serial.


def chain_head_statements() -> list[tuple[str, list[Any]]]:
    """The statements that take the chain's lock (PostgreSQL) and read its head, the head last.

    For a hot path sending several statements in one round trip (cases.step_rows): run them in
    the caller's transaction after its own row locks (the order every service takes locks in),
    then pass the head row to `audit_append_statement`. PostgreSQL gives each statement of a
    batch its own snapshot, so the head is read after the lock is held."""
    statements: list[tuple[str, list[Any]]] = []
    if connection.vendor == "postgresql":
        statements.append(("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK]))
    statements.append((_HEAD_SQL, []))
    return statements


def audit_append_statement(
    *, head: Sequence[Any] | None, record: AuditRecord
) -> tuple[str, list[Any]]:
    """The INSERT appending `record` after `head` (the row chain_head_statements() read in this
    transaction, under the chain's lock), for the caller to send with its own writes."""
    _check([record])
    moment, (row,) = _chain_rows(head, [record])
    row[1] = db_datetime(moment)
    return _insert_one_sql(connection.vendor), row


def audit_record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: str | int,
    data: dict[str, Any],
) -> AuditEntry:
    """Append one entry; `actor` is a user or None for the system."""
    record = AuditRecord(
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=data,
        actor_id=getattr(actor, "pk", None),
        actor_name=actor_label(actor),
    )
    _check([record])
    row = _append([record])[0]
    return AuditEntry(**dict(zip(_FIELDS, row, strict=True)))


def audit_record_many(*, records: Sequence[AuditRecord]) -> int:
    """Append several entries in order, in one insert (bulk imports and the demo use this);
    returns how many. No model instance is built: the callers write thousands and read none."""
    _check(records)
    return len(_append(records)) if records else 0


def _append(records: Sequence[AuditRecord]) -> list[list[Any]]:
    """Insert the entries (checked); their rows (values in _FIELDS order, time as datetime)."""
    _lock_chain()
    # The chain head, read with plain SQL: this runs in every service write.
    with connection.cursor() as cursor:
        cursor.execute(_HEAD_SQL)
        head = cursor.fetchone()
    moment, rows = _chain_rows(head, records)
    stamp = db_datetime(moment)
    stored = [[*row[:1], stamp, *row[2:]] for row in rows]
    if len(stored) == 1:
        with connection.cursor() as cursor:
            cursor.execute(_insert_one_sql(connection.vendor), stored[0])
    elif connection.vendor == "postgresql":
        _copy_rows(stored)
    else:
        insert_many(AuditEntry, _FIELDS, stored)
    return rows


def _copy_rows(rows: Sequence[Sequence[Any]]) -> None:
    """Entries in bulk on PostgreSQL by COPY (its executemany sends one INSERT per row). The
    values are the ones hashed, as they are: COPY stores the text exactly, and the triggers
    refuse only UPDATE, DELETE and TRUNCATE."""
    quote = connection.ops.quote_name
    meta = AuditEntry._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in _FIELDS)
    sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _check(records: Sequence[AuditRecord]) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("audit entries must be written inside the service's transaction")
    for record in records:
        if not actions.is_registered(record.action):
            raise ValueError(f"unregistered audit action {record.action!r}")


def _chain_rows(
    head: Sequence[Any] | None, records: Sequence[AuditRecord]
) -> tuple[dt.datetime, list[list[Any]]]:
    """The moment, and the rows (values in _FIELDS order, the moment as a datetime) of the
    entries following `head` (id, entry_hash; None for an empty chain), hashed."""
    seq, prev_hash = (head[0], head[1]) if head else (0, GENESIS_HASH)
    moment = clock.now()
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    time_text = format_time(moment)
    rows = []
    for record in records:
        seq += 1
        data_text = canonical_json(record.data)
        content_hash = hashlib.sha256(data_text.encode()).hexdigest()
        object_id = str(record.object_id)
        header = header_of(
            seq=seq,
            time_text=time_text,
            actor_id=record.actor_id,
            actor_name=record.actor_name,
            action=record.action,
            object_type=record.object_type,
            object_id=object_id,
            content_hash=content_hash,
        )
        entry_hash = chain_hash(prev_hash, header)
        rows.append(
            [seq, moment, record.actor_id, record.actor_name, record.action, record.object_type,
             object_id, data_text, content_hash, prev_hash, entry_hash]
        )  # fmt: skip
        prev_hash = entry_hash
    return moment, rows


@cache
def _insert_one_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    meta = AuditEntry._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in _FIELDS)
    return (
        f"INSERT INTO {quote(meta.db_table)} ({columns})"  # noqa: S608 (names from model metadata)
        f" VALUES ({', '.join(['%s'] * len(_FIELDS))})"
    )


def actor_label(actor: Any) -> str:
    if actor is None:
        return "系统"
    full_name = getattr(actor, "full_name", "") or ""
    username = getattr(actor, "username", "") or ""
    return f"{full_name}({username})" if full_name else username
