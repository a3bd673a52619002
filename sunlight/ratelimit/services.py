"""Rate limits (频率限制) as a small service any public page can use.

A `Limit` says how many attempts one key (a client address, a case number, a phone number) may
make in a fixed time window. `ratelimit_attempt` counts the attempt first and then answers
whether it is allowed: every attempt counts, successful or not, so parallel guesses cannot slip
between a check and a count. Counters live in the database (one INSERT … ON CONFLICT … RETURNING
per key, the same SQL on SQLite and PostgreSQL), so every worker and a restarted server see the
same counts; a window that has passed starts again from zero, so nobody is locked out for ever.

Call it outside any transaction that may roll back: a rolled-back count is a free attempt.

Where the limit is against wrong guesses (a case number + query code, a hotline pair), the
caller may count only the misses: `ratelimit_check` reads the counters (one SELECT, no write),
a refused check answers before anything is judged, and `ratelimit_attempts` counts a miss after
it. A rightful lookup is then a pure read. Parallel guesses can slip between the read and the
count, but only as many as the server answers at once (workers × threads), never as many as a
guesser sends: requests waiting in the queue read the counts the earlier ones wrote.
"""

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from sunlight.core import clock
from sunlight.core.sqlite_writers import writer_turn
from sunlight.ratelimit.models import RateBucket

_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Limit:
    """At most `attempts` per key in each `window`; `scope` names the counter (≤ 40 chars)."""

    scope: str
    attempts: int
    window: dt.timedelta


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int  # attempts in the current window, this one included
    retry_after: dt.timedelta  # until the window ends (zero when allowed)

    @property
    def retry_minutes(self) -> int:
        """Whole minutes to wait, at least 1 (for messages)."""
        return max(1, -(-int(self.retry_after.total_seconds()) // 60))


def key_digest(scope: str, key: str) -> str:
    """A keyed digest: the table never holds an address, a case number or a phone number."""
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"{scope}\n{key}".encode(), hashlib.sha256).hexdigest()


def window_of(limit: Limit, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The fixed window holding `now`: (start, end)."""
    seconds = max(1, int(limit.window.total_seconds()))
    elapsed = int((now - _EPOCH).total_seconds())
    start = _EPOCH + dt.timedelta(seconds=elapsed - elapsed % seconds)
    return start, start + dt.timedelta(seconds=seconds)


_INSERT = "INSERT INTO ratelimit_ratebucket (scope, key_digest, window_start, count, expires_at) "
_ROW = "(%s, %s, %s, 1, %s)"
_ON_CONFLICT = (
    " ON CONFLICT (scope, key_digest, window_start)"
    " DO UPDATE SET count = ratelimit_ratebucket.count + 1"
    " RETURNING scope, key_digest, count"
)


@contextmanager
def _counting() -> Iterator[None]:
    """How a count is written when no transaction of the caller's is open. PostgreSQL: in its
    own transaction that does not wait for the log to reach the disk (synchronous_commit off:
    a crash may forget the last fraction of a second of counts — a few free guesses — while
    waiting for that flush on every public lookup cost more than the lookup itself). SQLite:
    writers take turns on a kernel lock (core.sqlite_writers). Inside a caller's transaction
    neither: its commit and its durability are the caller's."""
    if connection.in_atomic_block:
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield
    else:
        with writer_turn():
            yield


def ratelimit_attempt(*, limit: Limit, key: str) -> Verdict:
    """Count one attempt of `key` under `limit` and say whether it is within the limit."""
    return ratelimit_attempts(checks=[(limit, key)])


def ratelimit_attempts(*, checks: Sequence[tuple[Limit, str]]) -> Verdict:
    """Count one attempt under each (limit, key) — one statement, one write however many —
    and answer the strictest: refused when any is over, with the longest wait among those
    refusing."""
    if not checks:
        return Verdict(True, 0, dt.timedelta(0))
    now = clock.now()
    rows, params = [], []
    windows = {}
    for limit, key in checks:
        start, end = window_of(limit, now)
        digest = key_digest(limit.scope, key)
        windows[(limit.scope, digest)] = (limit, end)
        rows.append(_ROW)
        params += [limit.scope, digest, _db(start), _db(end)]
    with _counting(), connection.cursor() as cursor:
        cursor.execute(_INSERT + "VALUES " + ", ".join(rows) + _ON_CONFLICT, params)
        counted = cursor.fetchall()
    verdicts = []
    for scope, digest, count in counted:
        limit, end = windows[(scope, digest)]
        allowed = count <= limit.attempts
        verdicts.append(Verdict(allowed, count, dt.timedelta(0) if allowed else end - now))
    refused = [v for v in verdicts if not v.allowed]
    if refused:
        return max(refused, key=lambda v: v.retry_after)
    return Verdict(True, max(v.count for v in verdicts), dt.timedelta(0))


def ratelimit_peek(*, limit: Limit, key: str) -> Verdict:
    """Whether one more attempt would be allowed, without counting one."""
    now = clock.now()
    start, end = window_of(limit, now)
    count = (
        RateBucket.objects.filter(
            scope=limit.scope, key_digest=key_digest(limit.scope, key), window_start=start
        )
        .values_list("count", flat=True)
        .first()
        or 0
    )
    allowed = count < limit.attempts
    return Verdict(allowed, count, dt.timedelta(0) if allowed else end - now)


def ratelimit_check(*, checks: Sequence[tuple[Limit, str]]) -> Verdict:
    """Whether one more attempt under each (limit, key) would be allowed, without counting one
    — one SELECT however many — answering the strictest, as `ratelimit_attempts` does."""
    if not checks:
        return Verdict(True, 0, dt.timedelta(0))
    now = clock.now()
    wanted, params = {}, []
    for limit, key in checks:
        start, end = window_of(limit, now)
        digest = key_digest(limit.scope, key)
        wanted[(limit.scope, digest)] = (limit, end)
        params += [limit.scope, digest, _db(start)]
    condition = " OR ".join(
        ["(scope = %s AND key_digest = %s AND window_start = %s)"] * len(checks)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT scope, key_digest, count FROM ratelimit_ratebucket WHERE {condition}",  # noqa: S608 (placeholders only)
            params,
        )
        counted = {(scope, digest): count for scope, digest, count in cursor.fetchall()}
    verdicts = []
    for (scope, digest), (limit, end) in wanted.items():
        count = counted.get((scope, digest), 0)
        allowed = count < limit.attempts
        verdicts.append(Verdict(allowed, count, dt.timedelta(0) if allowed else end - now))
    refused = [v for v in verdicts if not v.allowed]
    if refused:
        return max(refused, key=lambda v: v.retry_after)
    return Verdict(True, max(v.count for v in verdicts), dt.timedelta(0))


def ratelimit_purge() -> int:
    """Delete counters whose window has passed (a periodic job); returns how many."""
    deleted, _ = RateBucket.objects.filter(expires_at__lt=clock.now()).delete()
    return deleted


def _db(value: object) -> object:
    """Datetimes as the database backend stores them (naive UTC on SQLite)."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value
