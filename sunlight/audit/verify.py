"""Recompute the audit chain from the stored rows and name the first entry that does not match.

Three checks, the earliest failure wins:
  * structure, in SQL: ids run 1..N without gaps, entry 1 follows the genesis hash, and every
    entry's prev_hash equals the entry_hash before it;
  * each entry's data hashes to its content_hash;
  * each entry's entry_hash equals SHA-256(prev_hash + "\\n" + header), the header rebuilt in SQL
    from the entry's own columns (see models.AuditEntry).
The row checks are independent per entry, so large chains are checked in id ranges by several
processes; Python only hashes bytes the database already assembled.
"""

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass
from multiprocessing import get_context

from django.db import connection, connections, transaction

from sunlight.audit.models import GENESIS_HASH

_HEADER = {
    "sqlite": (
        "CAST(prev_hash || char(10) || id || char(31) || strftime('%Y-%m-%d %H:%M:%f', occurred_at)"
        " || char(31) || COALESCE(actor_id, '') || char(31) || actor_name || char(31) || action"
        " || char(31) || object_type || char(31) || object_id || char(31) || content_hash AS BLOB),"
        " CAST(data AS BLOB)"
    ),
    "postgresql": (
        "convert_to(prev_hash || chr(10) || id::text || chr(31) || to_char(occurred_at AT TIME"
        " ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') || chr(31) || COALESCE(actor_id::text, '')"
        " || chr(31) || actor_name || chr(31) || action || chr(31) || object_type || chr(31)"
        " || object_id || chr(31) || content_hash, 'UTF8'), convert_to(data, 'UTF8')"
    ),
}
_ROWS = {
    vendor: f"SELECT {header}, content_hash || entry_hash FROM audit_auditentry"  # noqa: S608 constant SQL
    " WHERE id BETWEEN %s AND %s ORDER BY id"
    for vendor, header in _HEADER.items()
}
CHUNK = 20_000
RANGE = 100_000
PARALLEL_FROM = 200_000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def rows_sql() -> str:
    """The SELECT yielding (prev_hash + header bytes, data bytes, content_hash + entry_hash) for
    ids %s..%s. Few columns on purpose: fetching values costs more than hashing them."""
    return _ROWS[connection.vendor]


def audit_verify(
    *, progress: Callable[[int], None] | None = None, workers: int | None = None
) -> VerifyResult:
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id), COUNT(*) FROM audit_auditentry")
        low, high, total = cursor.fetchone()
    if not total:
        return VerifyResult(True, 0)
    failures = _start_failures(low)
    ranges = [(start, min(start + RANGE - 1, high)) for start in range(low, high + 1, RANGE)]
    failures += _row_failures(ranges, progress, workers, total)
    if not failures:
        return VerifyResult(True, total)
    bad_id, reason = min(failures)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM audit_auditentry WHERE id < %s", [bad_id])
        checked = cursor.fetchone()[0]
    return VerifyResult(False, checked, bad_id, reason)


def _start_failures(low: int) -> list[tuple[int, str]]:
    failures = []
    if low != 1:
        failures.append((low, "序号不连续：第1条起的记录缺失"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT prev_hash FROM audit_auditentry WHERE id = %s", [low])
        if low == 1 and cursor.fetchone()[0] != GENESIS_HASH:
            failures.append((1, "第一条记录的前一条哈希不是创世值"))
    return failures


def _link_failures(low: int, high: int) -> list[tuple[int, str]]:
    """Within ids low..high (each compared with the entry before it, which may lie just below
    the range): a missing predecessor, or a prev_hash that is not the predecessor's hash."""
    failures = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(a.id) FROM audit_auditentry a WHERE a.id BETWEEN %s AND %s AND NOT EXISTS"
            " (SELECT 1 FROM audit_auditentry b WHERE b.id = a.id - 1)",
            [max(low, 2), high],
        )
        gap = cursor.fetchone()[0]
        if gap is not None:
            failures.append((gap, f"序号不连续：第{gap}条之前有记录缺失"))
        cursor.execute(
            "SELECT MIN(a.id) FROM audit_auditentry a JOIN audit_auditentry b ON b.id = a.id - 1"
            " WHERE a.id BETWEEN %s AND %s AND a.prev_hash <> b.entry_hash",
            [low, high],
        )
        broken = cursor.fetchone()[0]
        if broken is not None:
            failures.append((broken, "前一条哈希与链不符"))
    return failures


def _row_failures(
    ranges: list[tuple[int, int]],
    progress: Callable[[int], None] | None,
    workers: int | None,
    total: int,
) -> list[tuple[int, str]]:
    workers = workers or min(os.cpu_count() or 1, 4)
    parallel = (
        workers > 1
        and total >= PARALLEL_FROM
        and not connection.in_atomic_block
        and not _in_memory()
    )
    failures = []
    if not parallel:
        for low, high in ranges:
            checked, found = _verify_range(low, high)
            if progress is not None:
                progress(checked)
            if found:
                failures += found
                break
        return failures
    # Children must open their own connections: close ours before forking.
    connections.close_all()
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
        futures = [pool.submit(_verify_range, low, high) for low, high in ranges]
        for future in as_completed(futures):
            checked, found = future.result()
            if progress is not None:
                progress(checked)
            failures += found
    return failures


def _in_memory() -> bool:
    name = str(connection.settings_dict.get("NAME") or "")
    return connection.vendor == "sqlite" and (name in ("", ":memory:") or "mode=memory" in name)


def _verify_range(low: int, high: int) -> tuple[int, list[tuple[int, str]]]:
    """Check links, content and entry hashes of ids low..high: (rows checked, failures).

    Links are checked from the fetched bytes themselves: each header starts with the entry's
    prev_hash, which must equal the previous entry's hash (the one before `low` read once)."""
    sha256 = hashlib.sha256
    checked = 0
    failure_at = None
    expected = _hash_before(low).encode()
    # PostgreSQL: a chunked cursor is server-side (a range never sits in memory whole) and needs
    # a transaction. SQLite: no transaction — ours begin IMMEDIATE, which would serialise readers.
    reading = transaction.atomic() if connection.vendor == "postgresql" else nullcontext()
    with reading:
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(rows_sql(), [low, high])
            while failure_at is None and (rows := cursor.fetchmany(CHUNK)):
                for header, data, hashes in rows:
                    if (
                        header[:64] != expected
                        or sha256(data).hexdigest() + sha256(header).hexdigest() != hashes
                    ):
                        failure_at = checked
                        break
                    expected = hashes[64:].encode()
                    checked += 1
        finally:
            cursor.close()
    if failure_at is not None:
        return checked, [_describe_failure(low, high, failure_at)]
    if checked != high - low + 1:
        return checked, _link_failures(low, high)  # fewer rows than ids: find the gap
    return checked, []


def _hash_before(low: int) -> str:
    if low <= 1:
        return GENESIS_HASH
    with connection.cursor() as cursor:
        cursor.execute("SELECT entry_hash FROM audit_auditentry WHERE id = %s", [low - 1])
        row = cursor.fetchone()
    return row[0] if row else ""


def _describe_failure(low: int, high: int, offset: int) -> tuple[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, data, content_hash, prev_hash FROM audit_auditentry"
            " WHERE id BETWEEN %s AND %s ORDER BY id LIMIT 1 OFFSET %s",
            [low, high, offset],
        )
        entry_id, data, content_hash, prev_hash = cursor.fetchone()
        cursor.execute("SELECT entry_hash FROM audit_auditentry WHERE id = %s", [entry_id - 1])
        before = cursor.fetchone()
    if entry_id > 1 and before is None:
        return entry_id, f"序号不连续：第{entry_id}条之前有记录缺失"
    if prev_hash != (before[0] if before else GENESIS_HASH):
        return entry_id, "前一条哈希与链不符"
    if hashlib.sha256(data.encode()).hexdigest() != content_hash:
        return entry_id, "内容与内容哈希不符"
    return entry_id, "本条哈希与记录字段不符"
