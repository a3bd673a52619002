"""Deadlines as the law counts them: 工作日 limits on the working-day calendar from the day after
the start, 自然日 on calendar days, hours on the clock; pauses (补正, special procedures) added
back, extensions added on. Dates are Asia/Shanghai dates; a limit ends at the end of its day."""

import datetime as dt
import math
from dataclasses import dataclass

from sunlight.catalog.choices import LimitUnit
from sunlight.core.clock import SHANGHAI
from sunlight.core.office_hours import add_work_hours, configured_periods
from sunlight.core.workdays import WorkCalendar


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI).astimezone(dt.UTC)


@dataclass(frozen=True)
class DueDate:
    day: dt.date | None
    provisional: bool

    @property
    def moment(self) -> dt.datetime | None:
        return end_of_day(self.day) if self.day is not None else None


def add_limit(
    calendar: WorkCalendar, *, start: dt.date, limit: float | None, unit: str, extra_days: int = 0
) -> DueDate:
    """The last day of a limit that starts counting the day after `start`."""
    if limit is None:
        return DueDate(None, False)
    days = math.ceil(limit) + extra_days
    if unit == LimitUnit.WORKING_DAY:
        deadline = calendar.add_workdays(start, days)
        return DueDate(deadline.day, deadline.provisional)
    if unit == LimitUnit.NATURAL_DAY:
        return DueDate(start + dt.timedelta(days=days), False)
    if unit == LimitUnit.MONTH:
        month = start.month - 1 + math.ceil(limit)
        year, month = start.year + month // 12, month % 12 + 1
        day = min(start.day, _days_in_month(year, month))
        return DueDate(dt.date(year, month, day) + dt.timedelta(days=extra_days), False)
    # Hours and minutes are counted in office hours from the start moment: see case_due().
    return DueDate(None, False)


def case_due(
    calendar: WorkCalendar,
    *,
    accepted: dt.datetime,
    limit: float | None,
    unit: str,
    extra_days: int = 0,
) -> DueDate:
    """A case's deadline day for any limit unit; hour limits count office hours from the
    moment of acceptance (paused or extended days add a working day's office hours each)."""
    if limit is not None and unit in (LimitUnit.HOUR, LimitUnit.MINUTE):
        hours = limit if unit == LimitUnit.HOUR else limit / 60
        day_hours = office_day_hours()
        moment, provisional = add_work_hours(calendar, accepted, hours + extra_days * day_hours)
        return DueDate(local_date(moment), provisional)
    return add_limit(
        calendar, start=local_date(accepted), limit=limit, unit=unit, extra_days=extra_days
    )


def office_day_hours() -> float:
    return sum(
        (dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, begin)).seconds
        / 3600
        for begin, end in configured_periods()
    )


def step_due(
    calendar: WorkCalendar, *, started: dt.datetime, limit: float | None, unit: str
) -> tuple[dt.datetime | None, bool]:
    """A step's deadline moment and whether it is provisional."""
    if limit is None:
        return None, False
    if unit in (LimitUnit.HOUR, LimitUnit.MINUTE):
        hours = limit if unit == LimitUnit.HOUR else limit / 60
        return add_work_hours(calendar, started, hours)
    due = add_limit(calendar, start=local_date(started), limit=limit, unit=unit)
    return due.moment, due.provisional


def paused_days(calendar: WorkCalendar, *, unit: str, start: dt.datetime, end: dt.datetime) -> int:
    """How many days of a limit a pause from `start` to `end` gives back."""
    first, last = local_date(start), local_date(end)
    if unit == LimitUnit.WORKING_DAY:
        return calendar.workdays_between(first, last)
    return max((last - first).days, 0)


def _days_in_month(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day
