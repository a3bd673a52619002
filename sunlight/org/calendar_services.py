"""Writes to the working-day calendar: seeding from chinesecalendar and the admins' edits.

Each write checks that the actor is a platform admin (None is the system: CLI, demo), changes
the tables and appends its audit entry in one transaction, then drops the cached WorkCalendar
so the next deadline is computed with the new data.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from sunlight.org.calendar_selectors import calendar_cache_clear
from sunlight.org.models import (
    CalendarDay,
    CalendarKind,
    CalendarSource,
    CalendarYear,
    CalendarYearStatus,
)
from sunlight.org.permissions import require_org_admin

FIRST_YEAR, LAST_YEAR = 2000, 2099  # years an admin may edit; the package starts in 2004
_NAME_MAX, _NOTE_MAX = 30, 200
_WEEKDAYS = "一二三四五六日"

# chinesecalendar's English holiday names → the names on the State Council's notices.
PACKAGE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


@dataclass(frozen=True)
class CalendarSeedResult:
    years: list[int]  # years newly marked loaded
    days: int  # CalendarDay rows inserted


def _require_calendar_admin(actor: Any) -> None:
    try:
        require_org_admin(actor)
    except PermissionDenied as exc:
        raise PermissionDenied("只有平台管理员可以维护节假日日历") from exc


_CHANGE_LISTENERS: list[Callable[[], object]] = []


def calendar_on_change(listener: Callable[[], object]) -> None:
    """Register follow-up work to run after any calendar change commits (the cases app
    recomputes provisional deadlines). Org cannot import cases; cases registers itself here."""
    if listener not in _CHANGE_LISTENERS:
        _CHANGE_LISTENERS.append(listener)


def _changed() -> None:
    # Drop now (this process's next read sees its own write) and again once committed (a
    # read between the two may have cached the old rows).
    calendar_cache_clear()
    transaction.on_commit(calendar_cache_clear)
    for listener in _CHANGE_LISTENERS:
        transaction.on_commit(listener)


def describe_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（星期{_WEEKDAYS[day.weekday()]}）"


def package_name(english: str) -> str:
    """The Chinese name of a chinesecalendar holiday (its own Chinese label when we have none)."""
    if english in PACKAGE_NAMES:
        return PACKAGE_NAMES[english]
    from chinese_calendar.constants import Holiday

    for holiday in Holiday:
        if holiday.value == english:
            return str(holiday.chinese)[:_NAME_MAX]
    return english[:_NAME_MAX]


def package_years() -> range:
    """The years chinesecalendar has official data for (it raises for any other)."""
    from chinese_calendar.constants import holidays

    return range(min(holidays).year, max(holidays).year + 1)


def calendar_seed_from_package(*, actor: Any) -> CalendarSeedResult:
    """Load every year chinesecalendar knows that is not loaded yet. Idempotent: a loaded year
    is the admins' from then on (their corrections are never overwritten); in a year being
    entered by hand the admin's days win and the package fills the rest."""
    _require_calendar_admin(actor)
    from chinese_calendar.constants import holidays, workdays

    now = clock.now()
    with transaction.atomic():
        loaded = set(
            CalendarYear.objects.filter(status=CalendarYearStatus.LOADED).values_list(
                "year", flat=True
            )
        )
        years = [year for year in package_years() if year not in loaded]
        if not years:
            return CalendarSeedResult(years=[], days=0)
        wanted = set(years)
        existing = set(
            CalendarDay.objects.filter(date__year__in=years).values_list("date", flat=True)
        )
        rows = [
            CalendarDay(
                date=day,
                kind=kind,
                name=package_name(name),
                source=CalendarSource.PACKAGE,
                updated_at=now,
                updated_by=None,
            )
            for kind, source in ((CalendarKind.HOLIDAY, holidays), (CalendarKind.WORKDAY, workdays))
            for day, name in sorted(source.items())
            if day.year in wanted and day not in existing
        ]
        CalendarDay.objects.bulk_create(rows)
        partial = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
        CalendarYear.objects.filter(year__in=partial).update(
            status=CalendarYearStatus.LOADED,
            source=CalendarSource.PACKAGE,
            loaded_at=now,
            updated_at=now,
            updated_by=None,
        )
        CalendarYear.objects.bulk_create(
            CalendarYear(
                year=year,
                status=CalendarYearStatus.LOADED,
                source=CalendarSource.PACKAGE,
                loaded_at=now,
                updated_at=now,
            )
            for year in years
            if year not in partial
        )
        audit_record(
            actor=actor,
            action="org.calendar.seeded",
            object_type="org.calendar",
            object_id="chinesecalendar",
            data={
                "years": years,
                "days": len(rows),
                "package": f"chinesecalendar {metadata.version('chinesecalendar')}",
            },
        )
        _changed()
    return CalendarSeedResult(years=years, days=len(rows))


def _year_problems(year: int, label: str) -> list[FieldProblem]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return [FieldProblem(label, f"只能维护{FIRST_YEAR}至{LAST_YEAR}年的日历")]
    return []


def _day_problems(day: dt.date, kind: str, name: str) -> list[FieldProblem]:
    problems = _year_problems(day.year, "日期")
    if kind not in CalendarKind.values:
        problems.append(FieldProblem("类型", f"未知类型“{kind}”，应为放假或调休上班"))
    elif kind == CalendarKind.WORKDAY and day.weekday() < 5:
        problems.append(
            FieldProblem("日期", f"{describe_day(day)}本来就是工作日，不能设为调休上班")
        )
    if kind == CalendarKind.HOLIDAY and not name:
        problems.append(FieldProblem("节日", "放假日须填写节日名称，如“国庆节”"))
    if len(name) > _NAME_MAX:
        problems.append(FieldProblem("节日", f"不能超过{_NAME_MAX}个字"))
    return problems


def _touch_year(*, actor: Any, year: int, now: dt.datetime) -> None:
    """A day entered for a year without a row starts that year as 录入中 (partial)."""
    if not CalendarYear.objects.filter(year=year).exists():
        CalendarYear.objects.create(
            year=year,
            status=CalendarYearStatus.PARTIAL,
            source=CalendarSource.ADMIN,
            updated_at=now,
            updated_by=actor,
        )


def calendar_day_set(*, actor: Any, day: dt.date, kind: str, name: str) -> CalendarDay:
    """Make `day` a holiday (放假) or a weekend make-up workday (调休上班), replacing what was
    there. Setting what is already there changes nothing and records nothing."""
    _require_calendar_admin(actor)
    name = (name or "").strip()
    problems = _day_problems(day, kind, name)
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    with transaction.atomic():
        record = CalendarDay.objects.select_for_update().filter(date=day).first()
        before = None
        if record is not None:
            if record.kind == kind and record.name == name:
                return record
            before = {"kind": record.kind, "name": record.name, "source": record.source}
            record.kind, record.name = kind, name
            record.source, record.updated_at, record.updated_by = CalendarSource.ADMIN, now, actor
            record.save(update_fields=["kind", "name", "source", "updated_at", "updated_by"])
        else:
            record = CalendarDay.objects.create(
                date=day,
                kind=kind,
                name=name,
                source=CalendarSource.ADMIN,
                updated_at=now,
                updated_by=actor,
            )
        _touch_year(actor=actor, year=day.year, now=now)
        audit_record(
            actor=actor,
            action="org.calendar_day.saved",
            object_type="org.calendar_day",
            object_id=day.isoformat(),
            data={"date": day.isoformat(), "kind": kind, "name": name, "before": before},
        )
        _changed()
    return record


def calendar_day_clear(*, actor: Any, day: dt.date) -> None:
    """Make `day` follow the week again (a weekday works, a weekend rests)."""
    _require_calendar_admin(actor)
    with transaction.atomic():
        record = CalendarDay.objects.select_for_update().filter(date=day).first()
        if record is None:
            raise NotFound(f"{describe_day(day)}没有放假或调休设置")
        before = {"kind": record.kind, "name": record.name, "source": record.source}
        record.delete()
        audit_record(
            actor=actor,
            action="org.calendar_day.cleared",
            object_type="org.calendar_day",
            object_id=day.isoformat(),
            data={"date": day.isoformat(), "before": before},
        )
        _changed()


def calendar_year_mark_loaded(*, actor: Any, year: int, note: str = "") -> CalendarYear:
    """Declare `year`'s official arrangement complete: deadlines reaching into it stop being
    provisional and are computed with its holidays and make-up days."""
    _require_calendar_admin(actor)
    note = (note or "").strip()
    problems = _year_problems(year, "年份")
    if len(note) > _NOTE_MAX:
        problems.append(FieldProblem("说明", f"不能超过{_NOTE_MAX}个字"))
    if (
        not problems
        and not CalendarDay.objects.filter(date__year=year, kind=CalendarKind.HOLIDAY).exists()
    ):
        problems.append(
            FieldProblem("年份", f"{year}年还没有录入任何放假日期，请先录入再标记为已录入")
        )
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    with transaction.atomic():
        record = CalendarYear.objects.select_for_update().filter(year=year).first()
        before = None if record is None else {"status": record.status, "note": record.note}
        if record is None:
            record = CalendarYear(year=year)
        elif record.status == CalendarYearStatus.LOADED and record.note == note:
            return record
        if record.status != CalendarYearStatus.LOADED:
            record.status, record.source, record.loaded_at = (
                CalendarYearStatus.LOADED,
                CalendarSource.ADMIN,
                now,
            )
        record.note = note
        record.updated_at, record.updated_by = now, actor
        record.save()
        audit_record(
            actor=actor,
            action="org.calendar_year.loaded",
            object_type="org.calendar_year",
            object_id=year,
            data={"year": year, "note": note, "before": before},
        )
        _changed()
    return record


# The notice-file loader (calendar_files) writes through the same checks and change hooks.
require_calendar_admin = _require_calendar_admin
calendar_day_problems = _day_problems
calendar_changed = _changed
