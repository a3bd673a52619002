"""Working-day arithmetic against the real calendar (chinesecalendar's official 2004–2026 data):
holidays skipped, make-up workdays (调休) counted, counting from the day after the start, and
years without data counted on weekends and the statutory days off alone, and marked
provisional."""

import datetime as dt
import random

import chinese_calendar
import pytest
from chinese_calendar.constants import holidays as package_holidays
from chinese_calendar.constants import workdays as package_workdays

from sunlight.core.workdays import Deadline, WorkCalendar

D = dt.date.fromisoformat
NAMES = {"Spring Festival": "春节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节"}


def _calendar(years=range(2004, 2027)) -> WorkCalendar:
    wanted = set(years)
    return WorkCalendar.build(
        holidays={d: NAMES.get(n, n) for d, n in package_holidays.items() if d.year in wanted},
        workdays=[d for d in package_workdays if d.year in wanted],
        years=wanted,
        workday_names={d: NAMES.get(n, n) for d, n in package_workdays.items() if d.year in wanted},
    )


CALENDAR = _calendar()


def _walk(start: dt.date, count: int) -> dt.date:
    """The slow, obvious answer: step day by day asking chinesecalendar."""
    day = start
    while count > 0:
        day += dt.timedelta(days=1)
        count -= chinese_calendar.is_workday(day)
    return day


@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        ("2024-02-08", "2024-03-13"),  # 春节 2.10–17; make-up Sunday 2.18 counted
        ("2024-04-29", "2024-05-29"),  # 劳动节 5.1–5; make-up Saturday 5.11
        ("2024-09-13", "2024-10-17"),  # 中秋 9.15–17 and 国庆 10.1–7; make-up 9.14, 9.29, 10.12
        ("2024-09-30", "2024-11-01"),  # 国庆 2024
        ("2025-01-27", "2025-03-03"),  # 春节 1.28–2.4; make-up Saturday 2.8
        ("2025-04-30", "2025-06-03"),  # 劳动节 5.1–5 and 端午 5.31–6.2
        ("2025-09-30", "2025-11-04"),  # 国庆+中秋 10.1–8; make-up Saturday 10.11
        ("2026-02-13", "2026-03-19"),  # 春节 2.15–23; make-up Saturdays 2.14 and 2.28
        ("2026-04-30", "2026-06-01"),  # 劳动节 5.1–5; make-up Saturday 5.9
        ("2026-09-24", "2026-10-29"),  # 中秋 9.25–27 and 国庆 10.1–7; make-up 10.10
        ("2026-09-30", "2026-11-03"),  # 国庆 2026
    ],
)
def test_twenty_working_day_limit_starting_before_a_holiday(start, deadline):
    assert CALENDAR.add_workdays(D(start), 20) == Deadline(D(deadline), False)


def test_make_up_saturday_is_counted():
    assert CALENDAR.add_workdays(D("2026-10-09"), 1).day == D("2026-10-10")


def test_three_working_days_after_national_day_eve_ends_on_make_up_saturday():
    # 10.1–7 off, 10.8 and 10.9 worked, Saturday 10.10 is the make-up day.
    assert CALENDAR.add_workdays(D("2026-09-30"), 3).day == D("2026-10-10")


def test_counting_starts_the_next_day():
    assert CALENDAR.add_workdays(D("2026-03-09"), 1).day == D("2026-03-10")  # Monday → Tuesday


def test_start_on_a_holiday_counts_from_the_first_working_day_after_it():
    assert CALENDAR.add_workdays(D("2025-10-01"), 1).day == D("2025-10-09")


def test_start_on_a_weekend_counts_from_monday():
    assert CALENDAR.add_workdays(D("2026-03-07"), 1).day == D("2026-03-09")


def test_start_on_a_holiday_weekend_reaches_the_make_up_sunday():
    assert CALENDAR.add_workdays(D("2024-02-10"), 1).day == D("2024-02-18")


def test_zero_days_is_the_start_itself():
    assert CALENDAR.add_workdays(D("2026-10-03"), 0) == Deadline(D("2026-10-03"), False)


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="不能为负"):
        CALENDAR.add_workdays(D("2026-10-03"), -1)


def test_start_outside_the_covered_span_is_refused_in_chinese():
    with pytest.raises(ValueError, match="超出日历可计算的范围"):
        CALENDAR.add_workdays(D("1990-01-01"), 5)


def test_deadline_beyond_the_covered_span_is_refused():
    with pytest.raises(ValueError, match="超出日历可计算的范围"):
        CALENDAR.add_workdays(CALENDAR.last_day - dt.timedelta(days=3), 30)


def test_every_start_in_2024_to_2026_matches_a_day_by_day_walk():
    day = D("2024-01-01")
    while day.year < 2027:
        for count in (1, 7, 20):
            try:
                expected = _walk(day, count)
            except NotImplementedError:  # the walk reached 2027, which has no data
                continue
            assert CALENDAR.add_workdays(day, count).day == expected, (day, count)
        day += dt.timedelta(days=1)


def test_natural_days_count_weekends_and_holidays():
    assert CALENDAR.add_natural_days(D("2026-09-30"), 10) == Deadline(D("2026-10-10"), False)


def test_natural_days_cross_the_year_end():
    assert CALENDAR.add_natural_days(D("2026-12-25"), 10).day == D("2027-01-04")


def test_negative_natural_days_are_refused():
    with pytest.raises(ValueError):
        CALENDAR.add_natural_days(D("2026-12-25"), -1)


def test_workdays_between_counts_the_days_after_the_start_up_to_the_end():
    assert CALENDAR.workdays_between(D("2026-09-30"), D("2026-10-10")) == 3


def test_workdays_between_an_end_not_after_the_start_is_zero():
    assert CALENDAR.workdays_between(D("2026-10-10"), D("2026-10-10")) == 0
    assert CALENDAR.workdays_between(D("2026-10-10"), D("2026-09-01")) == 0


def test_workdays_between_undoes_add_workdays():
    rng = random.Random(7)
    for _ in range(2000):
        start = D("2024-01-01") + dt.timedelta(days=rng.randrange(1000))
        count = rng.randint(1, 60)
        assert CALENDAR.workdays_between(start, CALENDAR.add_workdays(start, count).day) == count


def test_explain_gives_every_day_with_its_reason():
    days = CALENDAR.explain(D("2026-09-30"), D("2026-10-10"))

    assert [d.day for d in days] == [D("2026-10-01") + dt.timedelta(n) for n in range(10)]
    assert [(d.counted, d.reason) for d in days[:7]] == [(False, "国庆节")] * 7
    assert [(d.counted, d.reason) for d in days[7:9]] == [(True, "工作日")] * 2
    assert (days[9].counted, days[9].reason, days[9].name) == (True, "调休上班", "国庆节")
    assert not any(d.provisional for d in days)


def test_explain_names_ordinary_weekends():
    days = CALENDAR.explain(D("2026-03-06"), D("2026-03-09"))
    assert [(d.counted, d.reason) for d in days] == [
        (False, "周末"),
        (False, "周末"),
        (True, "工作日"),
    ]


def test_deadline_reaching_an_unloaded_year_is_provisional():
    deadline = CALENDAR.add_workdays(D("2026-12-20"), 10)
    # 2027 has no data: New Year's Day (a Friday) is off by law, the rest is weekends.
    assert deadline == Deadline(D("2027-01-04"), True)


def test_deadline_ending_before_the_unloaded_year_is_firm():
    assert CALENDAR.add_workdays(D("2026-12-20"), 9) == Deadline(D("2026-12-31"), False)


def test_start_in_an_unloaded_year_is_provisional_even_for_zero_days():
    assert CALENDAR.add_workdays(D("2027-03-01"), 0).provisional
    assert CALENDAR.add_workdays(D("2027-03-01"), 5).provisional


def test_explain_marks_days_of_an_unloaded_year_provisional():
    days = CALENDAR.explain(D("2026-12-31"), D("2027-01-02"))
    assert [(d.counted, d.reason, d.provisional) for d in days] == [
        (False, "元旦", True),
        (False, "周末", True),
    ]


def test_a_gap_year_makes_deadlines_across_it_provisional():
    calendar = _calendar(years=[2024, 2026])
    assert calendar.add_workdays(D("2024-12-20"), 5) == Deadline(D("2024-12-27"), False)
    assert calendar.add_workdays(D("2024-12-20"), 60).provisional
    assert calendar.add_workdays(D("2025-12-20"), 20).provisional
    assert not calendar.add_workdays(D("2026-01-05"), 20).provisional


def test_loading_a_year_moves_its_deadlines():
    before = _calendar(years=range(2024, 2026))
    after = _calendar(years=range(2024, 2027))
    # Unloaded, 1 January is still off by law: Friday 2 January 2026.
    assert before.add_workdays(D("2025-12-31"), 1) == Deadline(D("2026-01-02"), True)
    # Sunday 4 January 2026 is a make-up workday.
    assert after.add_workdays(D("2025-12-31"), 1) == Deadline(D("2026-01-04"), False)


def test_empty_calendar_counts_weekends_only_and_is_provisional():
    calendar = WorkCalendar.build(holidays={}, workdays=[], years=[])
    deadline = calendar.add_workdays(calendar.first_day + dt.timedelta(days=400), 5)
    assert deadline.provisional


def test_bulk_forms_agree_with_add_workdays():
    rng = random.Random(11)
    starts = [D("2024-01-01") + dt.timedelta(days=rng.randrange(1096)) for _ in range(3000)]
    counts = [rng.randint(0, 60) for _ in starts]

    many = CALENDAR.add_workdays_many(starts, counts)

    assert many == [CALENDAR.add_workdays(s, n) for s, n in zip(starts, counts, strict=True)]
    for start, count, deadline in zip(starts, counts, many, strict=True):
        if count:
            ordinal, provisional = CALENDAR.add_workdays_ordinal(start.toordinal(), count)
            assert (dt.date.fromordinal(ordinal), provisional) == (
                deadline.day,
                deadline.provisional,
            )


def test_next_workday_on_or_after():
    assert CALENDAR.next_workday_on_or_after(D("2026-10-01")) == D("2026-10-08")
    assert CALENDAR.next_workday_on_or_after(D("2026-10-08")) == D("2026-10-08")
    assert CALENDAR.next_workday_on_or_after(D("2026-10-10")) == D("2026-10-10")  # make-up day
    assert CALENDAR.next_workday_on_or_after(D("2026-03-07")) == D("2026-03-09")


def test_is_workday_follows_holidays_and_make_up_days():
    assert not CALENDAR.is_workday(D("2026-10-05"))  # Monday, 国庆节
    assert CALENDAR.is_workday(D("2026-09-20"))  # Sunday, make-up
    assert CALENDAR.is_workday(D("2026-10-12"))
    assert not CALENDAR.is_workday(D("2026-10-11"))
