"""Working-day arithmetic as the law counts it (Asia/Shanghai calendar dates).

A WorkCalendar holds the exceptions to the week — weekday holidays (法定节假日) and weekend
make-up workdays (调休) — and the years whose official data is loaded. A year not loaded is
counted with the statutory days off of 全国年节及纪念日放假办法 (statutory_holidays: 元旦, 春节,
清明, 劳动节, 端午, 中秋, 国庆, lunar dates computed) besides its weekends; only its 调休 is
unknown, and every answer that depends on such a year says `provisional`.

Counting starts the day after the start date (行政许可法: 期限从次日起算). Lookups are O(1):
each date in the covered span has a precomputed running count of working days, and every
possible answer is a prebuilt (immutable) Deadline, so adding N working days is a few list
lookups with no date or object construction — over a million deadlines a second on one core.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sunlight.core import clock
from sunlight.core.statutory_holidays import statutory_holidays

StatutoryDays = Callable[[int], Mapping[dt.date, str]]

_SPAN_BEFORE = 3  # years before the first loaded year that are still covered by the arrays
_SPAN_AFTER = 6  # years after the last known year (weekends only, provisional)
WORKDAY_REASON = "工作日"
WEEKEND_REASON = "周末"
MAKEUP_REASON = "调休上班"


@dataclass(frozen=True, slots=True)
class DayReason:
    day: dt.date
    counted: bool
    reason: str  # 工作日 / 周末 / holiday name / 调休上班
    name: str = ""  # the festival a holiday or make-up day belongs to, when known
    provisional: bool = False  # the day's year has no official data: weekends alone


@dataclass(frozen=True, slots=True)
class Deadline:
    day: dt.date
    provisional: bool


class WorkCalendar:
    """Exceptions to the week plus the loaded years, with precomputed lookup arrays.

    Immutable once built: build a new one when the calendar tables change."""

    __slots__ = (
        "holidays",
        "workdays",
        "workday_names",
        "years",
        "_first",
        "_first_ordinal",
        "_counts",
        "_ordinals",
        "_firm",
        "_provisional",
        "_firm_until",
    )

    def __init__(
        self,
        holidays: Mapping[dt.date, str],
        workdays: Iterable[dt.date],
        years: Iterable[int],
        workday_names: Mapping[dt.date, str] | None = None,
        statutory: StatutoryDays | None = statutory_holidays,
    ) -> None:
        holidays = dict(holidays)  # date → holiday name
        self.workdays: frozenset[dt.date] = frozenset(workdays)  # weekend days worked (调休)
        self.workday_names: Mapping[dt.date, str] = dict(workday_names or {})
        self.years: frozenset[int] = frozenset(years)  # years with official data loaded
        known = self.years | {day.year for day in holidays} | {d.year for d in self.workdays}
        low = min(self.years or known or {clock.today_local().year}) - _SPAN_BEFORE
        high = max(known | {low}) + _SPAN_AFTER
        if statutory is not None:
            # A year without its official arrangement still has the statutory days off; days an
            # admin entered for such a year (a partial year) come first.
            for year in range(low, high + 1):
                if year in self.years:
                    continue
                for day, name in statutory(year).items():
                    if day.year not in self.years and day not in self.workdays:
                        holidays.setdefault(day, name)
        self.holidays: Mapping[dt.date, str] = holidays
        self._first = dt.date(low, 1, 1)
        self._first_ordinal = self._first.toordinal()
        self._build_arrays(dt.date(high, 12, 31).toordinal())

    def _build_arrays(self, last_ordinal: int) -> None:
        counts: list[int] = []  # counts[i] = working days in [_first, _first + i]
        ordinals: list[int] = []  # ordinal of the k-th working day (k from 0)
        running = 0
        for ordinal in range(self._first_ordinal, last_ordinal + 1):
            if self.is_workday(dt.date.fromordinal(ordinal)):
                ordinals.append(ordinal)
                running += 1
            counts.append(running)
        self._counts = counts
        self._ordinals = ordinals
        days = [dt.date.fromordinal(ordinal) for ordinal in ordinals]
        self._firm = [Deadline(day, False) for day in days]
        self._provisional = [Deadline(day, True) for day in days]
        # A deadline is firm when every year from the start's to the deadline's is loaded:
        # for a start in year y that means it falls before the first unloaded year >= y.
        # _firm_until[i] is the last firm working-day index for a start at offset i.
        first_year, last_year = self._first.year, dt.date.fromordinal(last_ordinal).year
        limit_of_year: dict[int, int] = {}
        unloaded = last_year + 1
        for year in range(last_year, first_year - 1, -1):
            if year not in self.years:
                unloaded = year
            if unloaded > last_year:
                limit_of_year[year] = len(ordinals) - 1
            else:
                offset = dt.date(unloaded, 1, 1).toordinal() - self._first_ordinal
                limit_of_year[year] = (counts[offset - 1] if offset else 0) - 1
        self._firm_until = [
            limit_of_year[dt.date.fromordinal(self._first_ordinal + offset).year]
            for offset in range(len(counts))
        ]

    @classmethod
    def build(
        cls,
        *,
        holidays: Mapping[dt.date, str],
        workdays: Iterable[dt.date],
        years: Iterable[int],
        workday_names: Mapping[dt.date, str] | None = None,
        statutory: StatutoryDays | None = statutory_holidays,
    ) -> "WorkCalendar":
        return cls(holidays, workdays, years, workday_names, statutory)

    # ------------------------------------------------------------------ single days

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def is_loaded(self, day: dt.date) -> bool:
        return day.year in self.years

    @property
    def first_day(self) -> dt.date:
        return self._first

    @property
    def last_day(self) -> dt.date:
        return dt.date.fromordinal(self._first_ordinal + len(self._counts) - 1)

    def _index(self, day: dt.date) -> int:
        offset = day.toordinal() - self._first_ordinal
        if not 0 <= offset < len(self._counts):
            raise ValueError(
                f"{day.isoformat()} 超出日历可计算的范围"
                f"（{self._first.isoformat()} 至 {self.last_day.isoformat()}）"
            )
        return offset

    def reason(self, day: dt.date) -> DayReason:
        """Whether `day` counts as a working day, and why."""
        provisional = day.year not in self.years
        if day in self.workdays:
            return DayReason(day, True, MAKEUP_REASON, self.workday_names.get(day, ""), provisional)
        name = self.holidays.get(day)
        if name is not None:
            return DayReason(day, False, name, name, provisional)
        if day.weekday() >= 5:
            return DayReason(day, False, WEEKEND_REASON, "", provisional)
        return DayReason(day, True, WORKDAY_REASON, "", provisional)

    # ------------------------------------------------------------------ arithmetic

    def add_workdays(self, start: dt.date, count: int) -> Deadline:
        """The date `count` working days after `start`, counting from the next day.

        `count` 0 is `start` itself. Provisional when any year from the start's to the
        deadline's has no official data."""
        offset = start.toordinal() - self._first_ordinal
        if count > 0 and offset >= 0:
            try:
                k = self._counts[offset] + count - 1
                if k <= self._firm_until[offset]:
                    return self._firm[k]
                return self._provisional[k]
            except IndexError:
                pass
        return self._add_workdays_checked(start, count)

    def _add_workdays_checked(self, start: dt.date, count: int) -> Deadline:
        if count < 0:
            raise ValueError("工作日数不能为负")
        offset = self._index(start)
        if count == 0:
            return Deadline(start, not self.is_loaded(start))
        k = self._counts[offset] + count - 1
        if k >= len(self._ordinals):
            raise ValueError(f"期限超出日历可计算的范围（{self.last_day.isoformat()}之后）")
        return self._firm[k] if k <= self._firm_until[offset] else self._provisional[k]

    def add_workdays_ordinal(self, start_ordinal: int, count: int) -> tuple[int, bool]:
        """Bulk callers' form: proleptic ordinals in and out, (deadline ordinal, provisional).

        `count` must be at least 1 and the result inside the covered span."""
        offset = start_ordinal - self._first_ordinal
        if count < 1 or offset < 0:
            raise ValueError("工作日数至少为1，且起算日须在日历范围内")
        k = self._counts[offset] + count - 1
        return self._ordinals[k], k > self._firm_until[offset]

    def add_workdays_many(self, starts: Sequence[dt.date], counts: Sequence[int]) -> list[Deadline]:
        """`add_workdays` over pairs, for scans that recompute many deadlines at once."""
        first, running, firm_until = self._first_ordinal, self._counts, self._firm_until
        firm, provisional = self._firm, self._provisional
        result: list[Deadline] = []
        append = result.append
        for start, count in zip(starts, counts, strict=True):
            offset = start.toordinal() - first
            if count > 0 and offset >= 0:
                try:
                    k = running[offset] + count - 1
                    append(firm[k] if k <= firm_until[offset] else provisional[k])
                    continue
                except IndexError:
                    pass
            append(self._add_workdays_checked(start, count))
        return result

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many of a limit have been used by `end`."""
        if end <= start:
            return 0
        return self._counts[self._index(end)] - self._counts[self._index(start)]

    def add_natural_days(self, start: dt.date, count: int) -> Deadline:
        """`count` calendar days (自然日) after `start`: weekends and holidays count too."""
        if count < 0:
            raise ValueError("自然日数不能为负")
        return Deadline(start + dt.timedelta(days=count), False)

    def explain(self, start: dt.date, end: dt.date) -> list[DayReason]:
        """Every day in (start, end] with whether it counted and why."""
        first = start.toordinal() + 1
        return [self.reason(dt.date.fromordinal(o)) for o in range(first, end.toordinal() + 1)]

    def next_workday_on_or_after(self, day: dt.date) -> dt.date:
        offset = self._index(day)
        before = self._counts[offset - 1] if offset else 0  # working days strictly before
        if before >= len(self._ordinals):
            raise ValueError(f"{day.isoformat()} 之后已超出日历可计算的范围")
        return dt.date.fromordinal(self._ordinals[before])
