"""Working-day arithmetic as the law counts it (Asia/Shanghai calendar dates).

A WorkCalendar holds the exceptions to the week — weekday holidays (法定节假日) and weekend
make-up workdays (调休) — and the years whose official data is loaded. Days of years not loaded
are counted on weekends alone and every answer that depends on them says `provisional`.

Counting starts the day after the start date (行政许可法: 期限从次日起算). Lookups are O(1):
each date in the covered span has a precomputed running count of working days, so adding N
working days is two array lookups, not a walk through the days.
"""

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_SPAN_BEFORE = 3  # years before the first loaded year that are still covered by the arrays
_SPAN_AFTER = 6  # years after the last loaded year (weekends only, provisional)


@dataclass(frozen=True)
class DayReason:
    day: dt.date
    counted: bool
    reason: str  # 工作日 / 周末 / holiday name / 调休上班


@dataclass(frozen=True)
class Deadline:
    day: dt.date
    provisional: bool


@dataclass
class WorkCalendar:
    holidays: Mapping[dt.date, str]  # date → holiday name (weekday holidays matter)
    workdays: frozenset[dt.date]  # weekend dates that are working days (调休上班)
    years: frozenset[int]  # years with official data loaded
    _first: dt.date = field(init=False)
    _counts: list[int] = field(init=False)  # _counts[i] = working days in [_first, _first + i]
    _ordinals: list[int] = field(init=False)  # ordinal of the k-th working day (k from 0)

    def __post_init__(self) -> None:
        low = min(self.years, default=dt.date.today().year) - _SPAN_BEFORE  # noqa: DTZ011
        high = max(self.years, default=low) + _SPAN_AFTER
        self._first = dt.date(low, 1, 1)
        last = dt.date(high, 12, 31)
        counts, ordinals, running = [], [], 0
        day = self._first
        one = dt.timedelta(days=1)
        while day <= last:
            if self.is_workday(day):
                ordinals.append(day.toordinal())
                running += 1
            counts.append(running)
            day += one
        self._counts = counts
        self._ordinals = ordinals

    @classmethod
    def build(
        cls,
        *,
        holidays: Mapping[dt.date, str],
        workdays: Iterable[dt.date],
        years: Iterable[int],
    ) -> "WorkCalendar":
        return cls(holidays=dict(holidays), workdays=frozenset(workdays), years=frozenset(years))

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def is_loaded(self, day: dt.date) -> bool:
        return day.year in self.years

    def _index(self, day: dt.date) -> int:
        offset = day.toordinal() - self._first.toordinal()
        if not 0 <= offset < len(self._counts):
            raise ValueError(f"{day} 超出日历可计算的范围（{self._first.year}年起）")
        return offset

    def add_workdays(self, start: dt.date, count: int) -> Deadline:
        """The date `count` working days after `start`, counting from the next day."""
        if count < 0:
            raise ValueError("工作日数不能为负")
        if count == 0:
            return Deadline(start, not self.is_loaded(start))
        target = self._counts[self._index(start)] + count
        if target > len(self._ordinals):
            raise ValueError("期限超出日历可计算的范围")
        day = dt.date.fromordinal(self._ordinals[target - 1])
        provisional = any(year not in self.years for year in range(start.year, day.year + 1))
        return Deadline(day, provisional)

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many of a limit have been used by `end`."""
        if end <= start:
            return 0
        return self._counts[self._index(end)] - self._counts[self._index(start)]

    def add_natural_days(self, start: dt.date, count: int) -> Deadline:
        day = start + dt.timedelta(days=count)
        return Deadline(day, False)

    def explain(self, start: dt.date, end: dt.date) -> list[DayReason]:
        """Every day in (start, end] with whether it counted and why."""
        reasons = []
        day = start + dt.timedelta(days=1)
        while day <= end:
            if day in self.workdays:
                reasons.append(DayReason(day, True, "调休上班"))
            elif day in self.holidays:
                reasons.append(DayReason(day, False, self.holidays[day]))
            elif day.weekday() >= 5:
                reasons.append(DayReason(day, False, "周末"))
            else:
                reasons.append(DayReason(day, True, "工作日"))
            day += dt.timedelta(days=1)
        return reasons

    def next_workday_on_or_after(self, day: dt.date) -> dt.date:
        index = bisect_right(self._ordinals, day.toordinal() - 1)
        return dt.date.fromordinal(self._ordinals[index])
