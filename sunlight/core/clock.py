"""The one place that reads "now". Tests replace it with `frozen`; nothing else calls
datetime.now() or timezone.now()."""

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """Aware UTC datetime."""
    if _frozen is not None:
        return _frozen
    return dt.datetime.now(dt.UTC)


def today_local() -> dt.date:
    """Today's date in Asia/Shanghai, the calendar the law counts days in."""
    return now().astimezone(SHANGHAI).date()


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    if at.tzinfo is None:
        raise ValueError("frozen() needs an aware datetime")
    global _frozen
    previous = _frozen
    _frozen = at.astimezone(dt.UTC)
    try:
        yield
    finally:
        _frozen = previous
