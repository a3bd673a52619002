"""Recompute the audit chain from the stored rows and name the first entry that does not match.

The header is rebuilt in SQL (so Python only hashes), streamed in chunks, and each entry is
checked three ways: its data against its content hash, its prev_hash against the previous
entry, its entry_hash against SHA-256(prev_hash + header).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from sunlight.audit.models import GENESIS_HASH

_SQLITE_SELECT = (
    "SELECT id, id || char(31) || strftime('%Y-%m-%d %H:%M:%f', occurred_at) || char(31)"
    " || COALESCE(actor_id, '') || char(31) || actor_name || char(31) || action || char(31)"
    " || object_type || char(31) || object_id || char(31) || content_hash,"
    " data, content_hash, prev_hash, entry_hash FROM audit_auditentry ORDER BY id"
)
_POSTGRES_SELECT = (
    "SELECT id, id::text || chr(31) || to_char(occurred_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD HH24:MI:SS.MS') || chr(31) || COALESCE(actor_id::text, '') || chr(31)"
    " || actor_name || chr(31) || action || chr(31) || object_type || chr(31) || object_id"
    " || chr(31) || content_hash, data, content_hash, prev_hash, entry_hash"
    " FROM audit_auditentry ORDER BY id"
)
CHUNK = 20_000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def audit_verify(*, progress: Callable[[int], None] | None = None) -> VerifyResult:
    sql = _POSTGRES_SELECT if connection.vendor == "postgresql" else _SQLITE_SELECT
    sha256 = hashlib.sha256
    expected_prev = GENESIS_HASH
    expected_id = 1
    checked = 0
    with transaction.atomic():
        # On PostgreSQL a chunked cursor is server-side, so a million rows never sit in memory.
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(sql)
            while rows := cursor.fetchmany(CHUNK):
                for entry_id, header, data, content_hash, prev_hash, entry_hash in rows:
                    if entry_id != expected_id:
                        return VerifyResult(
                            False, checked, entry_id, f"序号不连续：缺少第{expected_id}条"
                        )
                    if sha256(data.encode()).hexdigest() != content_hash:
                        return VerifyResult(False, checked, entry_id, "内容与内容哈希不符")
                    if prev_hash != expected_prev:
                        return VerifyResult(False, checked, entry_id, "前一条哈希与链不符")
                    if sha256(f"{prev_hash}\n{header}".encode()).hexdigest() != entry_hash:
                        return VerifyResult(False, checked, entry_id, "本条哈希与记录字段不符")
                    expected_prev = entry_hash
                    expected_id += 1
                    checked += 1
                if progress is not None:
                    progress(len(rows))
        finally:
            cursor.close()
    return VerifyResult(True, checked)
