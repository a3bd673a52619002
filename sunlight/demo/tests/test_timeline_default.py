"""The demo's default day is one that is over: nothing in a city built now happens later than
the real clock the running demo goes on from."""

import datetime as dt

import pytest

from sunlight.core import clock
from sunlight.demo import timeline


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.SHANGHAI)


def test_a_city_built_during_a_working_day_stands_as_of_the_day_before():
    with clock.frozen(_at(dt.date(2026, 12, 8), 0, 56)):  # a Tuesday, just after midnight
        assert timeline.default_day() == dt.date(2026, 12, 7)
    with clock.frozen(_at(dt.date(2026, 12, 8), 17)):
        assert timeline.default_day() == dt.date(2026, 12, 7)


def test_after_the_day_s_last_moment_the_day_itself_is_over():
    with clock.frozen(_at(dt.date(2026, 12, 8), 23, 45)):
        assert timeline.default_day() == dt.date(2026, 12, 8)


def test_a_monday_morning_city_stands_as_of_friday():
    with clock.frozen(_at(dt.date(2026, 12, 7), 9)):
        assert timeline.default_day() == dt.date(2026, 12, 4)


@pytest.mark.django_db
def test_every_moment_of_the_default_day_is_past():
    moment = _at(dt.date(2026, 12, 8), 10)
    with clock.frozen(moment):
        day = timeline.default_day()
        try:
            timeline.pin(day)
            latest = max(
                timeline.now(),
                timeline.recorded_at(),
                timeline.reports_at(),
                timeline.discretion_built_at(),
            )
            assert latest < moment
        finally:
            timeline.pin(None)
