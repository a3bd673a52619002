"""Deadlines as the law counts them: 工作日 limits on the working-day calendar from the day after
the start, 自然日 on calendar days, hours on the clock; pauses (补正, special procedures) added
back, extensions added on. Dates are Asia/Shanghai dates; a limit ends at the end of its day."""

import datetime as dt
import math
from dataclasses import dataclass

from sunlight.catalog.choices import LimitUnit
from sunlight.core.clock import SHANGHAI
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
    # Hours and minutes: counted on the clock from the start (office hours are not modelled).
    return DueDate(None, False)


def step_due(
    calendar: WorkCalendar, *, started: dt.datetime, limit: float | None, unit: str
) -> tuple[dt.datetime | None, bool]:
    """A step's deadline moment and whether it is provisional."""
    if limit is None:
        return None, False
    if unit == LimitUnit.HOUR:
        return started + dt.timedelta(hours=limit), False
    if unit == LimitUnit.MINUTE:
        return started + dt.timedelta(minutes=limit), False
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
