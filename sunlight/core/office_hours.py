"""Hour limits count working hours: time inside office hours on working days only.

No national standard fixes office hours; the default below is common in city halls and is a
setting (SUNLIGHT_OFFICE_HOURS, e.g. "09:00-12:00,13:30-17:30")."""

import datetime as dt
from functools import lru_cache

from sunlight.core.clock import SHANGHAI
from sunlight.core.workdays import WorkCalendar

DEFAULT_OFFICE_HOURS = "09:00-12:00,13:30-17:30"
Periods = tuple[tuple[dt.time, dt.time], ...]


@lru_cache(maxsize=8)
def parse_office_hours(text: str) -> Periods:
    """'09:00-12:00,13:30-17:30' → ((9:00, 12:00), (13:30, 17:30)); ValueError when malformed."""
    periods = []
    for part in (text or "").split(","):
        start_text, _, end_text = part.strip().partition("-")
        start, end = dt.time.fromisoformat(start_text), dt.time.fromisoformat(end_text)
        if end <= start or (periods and start < periods[-1][1]):
            raise ValueError(f"办公时间“{text}”应为按时间先后排列、互不重叠的时段")
        periods.append((start, end))
    if not periods:
        raise ValueError("办公时间不能为空")
    return tuple(periods)


def configured_periods() -> Periods:
    from django.conf import settings

    return parse_office_hours(getattr(settings, "SUNLIGHT_OFFICE_HOURS", DEFAULT_OFFICE_HOURS))


def add_work_hours(
    calendar: WorkCalendar, start: dt.datetime, hours: float, periods: Periods | None = None
) -> tuple[dt.datetime, bool]:
    """The moment `hours` of office time after `start` (aware), and whether it is provisional
    (it passes through a year whose holidays are not loaded)."""
    periods = periods or configured_periods()
    remaining = dt.timedelta(hours=hours)
    local = start.astimezone(SHANGHAI)
    day, provisional = local.date(), False
    for _ in range(3660):  # ten years of days: a limit is never longer
        if calendar.is_workday(day):
            provisional = provisional or not calendar.is_loaded(day)
            for begin, end in periods:
                period_start = dt.datetime.combine(day, begin, tzinfo=SHANGHAI)
                period_end = dt.datetime.combine(day, end, tzinfo=SHANGHAI)
                opening = max(period_start, local)
                if opening >= period_end:
                    continue
                available = period_end - opening
                if remaining <= available:
                    return (opening + remaining).astimezone(dt.UTC), provisional
                remaining -= available
        day += dt.timedelta(days=1)
    raise ValueError("小时时限过长，超出可计算范围")
