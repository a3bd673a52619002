"""Due periods of scheduled disclosure: pure date arithmetic."""

import datetime as dt

from sunlight.disclosure import schedule


def test_monthly_periods_run_from_the_month_of_the_start_to_the_month_of_today():
    periods = list(
        schedule.periods("monthly", starts_on=dt.date(2025, 11, 20), until=dt.date(2026, 2, 3))
    )
    assert periods == [
        (dt.date(2025, 11, 1), dt.date(2025, 11, 30)),
        (dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
    ]


def test_quarter_half_year_and_year_periods_and_their_labels():
    assert schedule.period_containing("quarterly", dt.date(2026, 5, 9)) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )
    assert schedule.period_containing("half_yearly", dt.date(2026, 7, 1)) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 12, 31),
    )
    assert schedule.period_containing("yearly", dt.date(2026, 7, 1))[1] == dt.date(2026, 12, 31)
    assert schedule.period_label("quarterly", dt.date(2026, 4, 1)) == "2026年第2季度"
    assert schedule.period_label("half_yearly", dt.date(2026, 7, 1)) == "2026年下半年"


def test_anytime_matters_have_no_periods():
    assert not schedule.is_scheduled("anytime")
    assert (
        list(schedule.periods("anytime", starts_on=dt.date(2026, 1, 1), until=dt.date(2026, 9, 1)))
        == []
    )
