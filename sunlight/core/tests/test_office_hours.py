"""Hour limits count office hours on working days only."""

import datetime as dt

import chinese_calendar
import pytest

from sunlight.core.clock import SHANGHAI
from sunlight.core.office_hours import add_work_hours, parse_office_hours
from sunlight.core.workdays import WorkCalendar

PERIODS = parse_office_hours("09:00-12:00,13:30-17:30")


@pytest.fixture(scope="module")
def calendar():
    holidays = {d: n for d, n in chinese_calendar.holidays.items() if d.weekday() < 5}
    makeups = [d for d in chinese_calendar.workdays if d.weekday() >= 5]
    return WorkCalendar.build(holidays=holidays, workdays=makeups, years=range(2004, 2027))


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_hours_within_one_morning(calendar):
    due, provisional = add_work_hours(calendar, at(2026, 3, 2, 9, 0), 2, PERIODS)
    assert due == at(2026, 3, 2, 11, 0)
    assert not provisional


def test_the_lunch_break_does_not_count(calendar):
    due, _ = add_work_hours(calendar, at(2026, 3, 2, 11, 0), 2, PERIODS)
    assert due == at(2026, 3, 2, 14, 30)


def test_evenings_and_weekends_do_not_count(calendar):
    due, _ = add_work_hours(calendar, at(2026, 3, 6, 16, 30), 2, PERIODS)  # a Friday
    assert due == at(2026, 3, 9, 10, 0)


def test_national_day_holidays_are_skipped_and_the_makeup_saturday_counts(calendar):
    due, _ = add_work_hours(calendar, at(2026, 9, 30, 17, 0), 8, PERIODS)
    # 0.5 h on 9-30; Oct 1–7 off; Oct 8 gives 7 h; 0.5 h more on Oct 9.
    assert due == at(2026, 10, 9, 9, 30)


def test_a_start_outside_office_hours_begins_at_the_next_opening(calendar):
    due, _ = add_work_hours(calendar, at(2026, 3, 7, 20, 0), 1, PERIODS)  # Saturday evening
    assert due == at(2026, 3, 9, 10, 0)


def test_crossing_into_a_year_not_loaded_is_provisional(calendar):
    _, provisional = add_work_hours(calendar, at(2026, 12, 31, 16, 0), 8, PERIODS)
    assert provisional


@pytest.mark.parametrize("text", ["", "9-12", "12:00-09:00", "09:00-12:00,11:00-13:00"])
def test_malformed_office_hours_are_refused(text):
    with pytest.raises(ValueError):
        parse_office_hours(text)
