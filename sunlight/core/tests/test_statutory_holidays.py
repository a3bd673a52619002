"""A provisional year's statutory days off (全国年节及纪念日放假办法), checked against the official
arrangements chinesecalendar carries for 2008-2026, and the 2025 rule's 13 days for 2027."""

import datetime as dt

import pytest
from chinese_calendar.constants import holidays as official_holidays

from sunlight.core.statutory_holidays import RULE_2014, RULE_2025, rule_for, statutory_holidays
from sunlight.core.workdays import Deadline, WorkCalendar

D = dt.date.fromisoformat


@pytest.mark.parametrize("year", range(2008, 2027))
def test_every_statutory_weekday_was_off_in_the_official_arrangement(year):
    days = statutory_holidays(year)
    missing = [day for day in days if day.weekday() < 5 and day not in official_holidays]
    assert missing == []


def test_2025_rule_gives_thirteen_days():
    days = statutory_holidays(2027)
    assert len(days) == 13
    assert days[D("2027-01-01")] == "元旦"
    # 春节 2027 is 6 February: 除夕 and 初一 to 初三.
    assert [d for d, n in days.items() if n == "春节"] == [
        D("2027-02-05"), D("2027-02-06"), D("2027-02-07"), D("2027-02-08"),
    ]  # fmt: skip
    assert days[D("2027-04-05")] == "清明节"
    assert days[D("2027-05-01")] == days[D("2027-05-02")] == "劳动节"
    assert days[D("2027-06-09")] == "端午节"
    assert days[D("2027-09-15")] == "中秋节"
    assert [d for d, n in days.items() if n == "国庆节"] == [
        D("2027-10-01"), D("2027-10-02"), D("2027-10-03"),
    ]  # fmt: skip


def test_before_2025_spring_festival_had_three_days_and_labour_day_one():
    days = statutory_holidays(2024)
    assert len(days) == 11
    assert sum(1 for name in days.values() if name == "春节") == 3
    assert D("2024-05-02") not in days
    assert rule_for(2024) == RULE_2014 and rule_for(2027) == RULE_2025


def test_a_provisional_year_counts_its_statutory_days_off_but_not_its_make_up_days():
    calendar = WorkCalendar.build(holidays={}, workdays=[], years=[2026])
    # 2027 is not loaded: 1 January (a Friday) is off, so 3 working days after 30 December
    # 2026 end on Tuesday 5 January 2027 — provisional until 2027's notice is loaded.
    assert calendar.add_workdays(D("2026-12-30"), 3) == Deadline(D("2027-01-05"), True)
    reason = calendar.reason(D("2027-02-08"))  # 初三, a Monday
    assert (reason.counted, reason.reason, reason.provisional) == (False, "春节", True)


def test_days_entered_for_an_unloaded_year_win_over_the_rule():
    calendar = WorkCalendar.build(
        holidays={}, workdays=[D("2027-02-06")], years=[2026]
    )  # an admin's partial 2027: Saturday 6 February worked
    assert calendar.is_workday(D("2027-02-06"))
    assert not calendar.is_workday(D("2027-02-05"))


def test_loaded_years_use_their_own_data_only():
    calendar = WorkCalendar.build(holidays={}, workdays=[], years=[2027])
    assert calendar.is_workday(D("2027-01-01"))  # the loaded data (here: none) decides
