"""The portal home's numbers: last month's ratings (satisfied share) and petitions."""

import datetime as dt

import pytest

from sunlight.core import clock
from sunlight.feedback.ratings import rating_submit
from sunlight.feedback.selectors import portal_summary
from sunlight.feedback.tests.world import RATED, consultation, world

pytestmark = pytest.mark.django_db


def test_last_month_s_numbers():
    w = world()
    with clock.frozen(RATED):
        rating_submit(case=w.done, stage="accepted", level="1")
        rating_submit(case=w.case, stage="accepted", level="5")
    consultation(w)
    summary = portal_summary(today=dt.date(2026, 4, 10))
    assert (summary.month, summary.ratings, summary.satisfied) == (dt.date(2026, 3, 1), 2, 1)
    assert summary.satisfied_percent == "50.0%"
    assert (summary.consultations, summary.complaints, summary.due) == (1, 0, 1)
    assert summary.in_time_percent == "0.0%"
    assert portal_summary(today=dt.date(2026, 6, 1)).satisfied_percent == "暂无数据"
