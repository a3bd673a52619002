"""Appending to the audit chain. Every service write calls `audit_record` inside its own
transaction, so the change and its record commit or roll back together."""

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
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


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK])
    # SQLite: transactions are BEGIN IMMEDIATE (settings), so writers are already serial.


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
    return audit_record_many(records=[record])[0]


def audit_record_many(*, records: Sequence[AuditRecord]) -> list[AuditEntry]:
    """Append several entries in order, in one insert (bulk imports and the demo use this)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit entries must be written inside the service's transaction")
    for record in records:
        if not actions.is_registered(record.action):
            raise ValueError(f"unregistered audit action {record.action!r}")
    if not records:
        return []
    _lock_chain()
    # The chain head, read with plain SQL: this runs in every service write.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, entry_hash FROM audit_auditentry ORDER BY id DESC LIMIT 1")
        last = cursor.fetchone()
    seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS_HASH)
    moment = clock.now()
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    time_text = format_time(moment)
    entries = []
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
        entries.append(
            AuditEntry(
                id=seq,
                occurred_at=moment,
                actor_id=record.actor_id,
                actor_name=record.actor_name,
                action=record.action,
                object_type=record.object_type,
                object_id=object_id,
                data=data_text,
                content_hash=content_hash,
                prev_hash=prev_hash,
                entry_hash=entry_hash,
            )
        )
        prev_hash = entry_hash
    stamp = db_datetime(moment)
    insert_many(
        AuditEntry,
        [
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
        ],
        (
            (
                e.id,
                stamp,
                e.actor_id,
                e.actor_name,
                e.action,
                e.object_type,
                e.object_id,
                e.data,
                e.content_hash,
                e.prev_hash,
                e.entry_hash,
            )
            for e in entries
        ),
    )
    return entries


def actor_label(actor: Any) -> str:
    if actor is None:
        return "系统"
    full_name = getattr(actor, "full_name", "") or ""
    username = getattr(actor, "username", "") or ""
    return f"{full_name}({username})" if full_name else username
