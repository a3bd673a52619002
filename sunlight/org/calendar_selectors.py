"""Reads of the working-day calendar: the cached WorkCalendar every deadline is computed with,
the admin's warning about a missing year, and the admin page's lists.

The WorkCalendar is built from CalendarDay/CalendarYear once and kept in-process. Its version
(row counts, highest id, latest update) is compared with the tables at most once a second, so
another process's change is seen within a second; calendar services also drop the cache when
they write and again on commit. Inside a transaction the version is checked on every call:
the transaction may see rows other processes don't (its own writes, or a test's rollback).
"""

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet

from sunlight.core import clock
from sunlight.core.workdays import WorkCalendar
from sunlight.org.models import CalendarDay, CalendarKind, CalendarYear, CalendarYearStatus
from sunlight.org.permissions import require_org_admin

_CHECK_EVERY = 1.0  # seconds between version checks outside a transaction


@dataclass(frozen=True)
class _Cached:
    calendar: WorkCalendar
    version: tuple[Any, ...]
    checked: float


_cache: _Cached | None = None


def calendar_cache_clear() -> None:
    """Forget the cached calendar; the next work_calendar() rebuilds it from the tables."""
    global _cache
    _cache = None


def _version() -> tuple[Any, ...]:
    days = CalendarDay.objects.aggregate(n=Count("id"), last=Max("id"), at=Max("updated_at"))
    years = CalendarYear.objects.aggregate(
        n=Count("id"),
        at=Max("updated_at"),
        loaded=Count("id", filter=Q(status=CalendarYearStatus.LOADED)),
    )
    return (days["n"], days["last"], days["at"], years["n"], years["at"], years["loaded"])


def _build() -> WorkCalendar:
    holidays: dict[dt.date, str] = {}
    workdays: dict[dt.date, str] = {}
    for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        if kind == CalendarKind.HOLIDAY:
            holidays[day] = name or "节假日"
        else:
            workdays[day] = name
    years = CalendarYear.objects.filter(status=CalendarYearStatus.LOADED).values_list(
        "year", flat=True
    )
    return WorkCalendar.build(
        holidays=holidays, workdays=workdays, years=years, workday_names=workdays
    )


def work_calendar() -> WorkCalendar:
    """The calendar deadlines are computed with. Immutable: a caller computing many deadlines
    holds it (each call here costs a few microseconds, mostly Django's connection lookup)."""
    global _cache
    cached = _cache
    now = time.monotonic()
    in_transaction = connection.in_atomic_block
    if cached is not None and not in_transaction and now - cached.checked < _CHECK_EVERY:
        return cached.calendar
    version = _version()
    if cached is not None and cached.version == version:
        _cache = _Cached(cached.calendar, version, now)
        return cached.calendar
    calendar = _build()
    _cache = _Cached(calendar, version, now)
    return calendar


def calendar_years() -> list[int]:
    """Years whose official holiday arrangement is loaded (for `sunlight status`)."""
    return sorted(work_calendar().years)


def calendar_warning(today: dt.date | None = None) -> str | None:
    """A warning for admins when this year, or from November on next year, has no official
    data: deadlines reaching into it are computed on weekends alone and marked provisional."""
    today = today or clock.today_local()
    loaded = work_calendar().years
    if today.year not in loaded:
        return (
            f"{today.year}年节假日安排尚未录入：涉及{today.year}年的期限按周末推算并标记为"
            "“暂定”，请尽快录入（或运行 sunlight calendar seed 从数据包载入）"
        )
    following = today.year + 1
    if today.month >= 11 and following not in loaded:
        return (
            f"{following}年节假日安排尚未录入：涉及{following}年的期限按周末推算并标记为"
            "“暂定”，请在国务院公布后录入"
        )
    return None


# ------------------------------------------------------------------ admin page


@dataclass(frozen=True)
class CalendarYearRow:
    year: int
    status: str  # a CalendarYearStatus value, or "" when the year has no row yet
    status_label: str
    holidays: int
    workdays: int
    note: str


def calendar_year_rows_for_admin(*, actor: Any, around: int) -> list[CalendarYearRow]:
    """Every year with a row or any day, plus `around` and the year after it."""
    require_org_admin(actor)
    counts: dict[int, dict[str, int]] = {}
    # order_by() drops the model ordering, which would otherwise split the groups by date.
    rows = CalendarDay.objects.order_by().values_list("date__year", "kind").annotate(n=Count("id"))
    for year, kind, n in rows:
        counts.setdefault(year, {})[kind] = n
    records = {record.year: record for record in CalendarYear.objects.all()}
    result = []
    for year in sorted(set(counts) | set(records) | {around, around + 1}, reverse=True):
        record = records.get(year)
        result.append(
            CalendarYearRow(
                year=year,
                status=record.status if record else "",
                status_label=record.get_status_display() if record else "未录入",
                holidays=counts.get(year, {}).get(CalendarKind.HOLIDAY, 0),
                workdays=counts.get(year, {}).get(CalendarKind.WORKDAY, 0),
                note=record.note if record else "",
            )
        )
    return result


def calendar_days_for_admin(*, actor: Any, year: int) -> QuerySet[CalendarDay]:
    require_org_admin(actor)
    return CalendarDay.objects.filter(date__year=year).select_related("updated_by").order_by("date")


def calendar_year_get_for_admin(*, actor: Any, year: int) -> CalendarYear | None:
    require_org_admin(actor)
    return CalendarYear.objects.filter(year=year).first()
