"""The centre's reads: live counts by department and power, trends, scope, provisional
deadlines — over alerts raised by a real scan."""

import datetime as dt

import pytest

from sunlight.core import clock
from sunlight.supervision.alerts import alert_resolve
from sunlight.supervision.models import Alert
from sunlight.supervision.selectors import alert_trend, live_counts, provisional_deadlines
from sunlight.supervision.tests.centre_world import build_world
from sunlight.supervision.tests.fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_live_counts_add_up_by_level_department_and_power(world):
    # Given a scan that lit one red, two yellow and one prompt (one yellow in department B)
    # When the region's supervisor opens the centre
    counts = live_counts(user=world.supervisor)
    # Then the totals and each department's and power's row match
    assert (counts.red, counts.yellow, counts.remind) == (1, 2, 1)
    rows = {r.name: (r.red, r.yellow, r.remind) for r in counts.by_department}
    assert rows == {"测试局041": (1, 1, 1), "测试局042": (0, 1, 0)}
    assert [r.name for r in counts.by_department] == ["测试局041", "测试局042"]  # reds first
    assert [(r.key, r.red, r.yellow, r.remind) for r in counts.by_power] == [
        (world.office_a.code, 1, 1, 1),
        (world.office_b.code, 0, 1, 0),
    ]


def test_live_counts_of_an_approver_cover_only_their_department(world):
    counts = live_counts(user=world.office_b.head)
    assert (counts.red, counts.yellow, counts.remind) == (0, 1, 0)
    assert [r.name for r in counts.by_department] == ["测试局042"]


def test_live_counts_of_another_regions_supervisor_are_empty(world):
    counts = live_counts(user=world.far_supervisor)
    assert counts.total == 0
    assert counts.by_department == []


def test_live_counts_take_three_queries_whatever_the_number_of_departments(
    world, django_assert_num_queries
):
    with django_assert_num_queries(3):
        live_counts(user=world.supervisor)


def test_resolved_alerts_leave_the_live_counts(world):
    red = Alert.objects.get(level="red")
    with clock.frozen(at(2026, 3, 18)):
        alert_resolve(actor=world.supervisor, alert=red, reason="已督促办结")
    assert live_counts(user=world.supervisor).red == 0


def test_daily_trend_counts_raised_by_level_and_live_at_each_days_end(world):
    # Given the four alerts raised on 03-17 and the red one resolved on 03-18
    red = Alert.objects.get(level="red")
    with clock.frozen(at(2026, 3, 18, 15)):
        alert_resolve(actor=world.supervisor, alert=red, reason="已督促办结")
    # When the trend of the last 7 days is read on 03-20
    with clock.frozen(at(2026, 3, 20)):
        trend = alert_trend(user=world.supervisor, days=7)
    # Then one bucket per day ending today, the raised counts on 03-17 and the live line
    by_day = {b.start: b for b in trend.buckets}
    assert [b.start for b in trend.buckets][0] == dt.date(2026, 3, 14)
    assert [b.start for b in trend.buckets][-1] == dt.date(2026, 3, 20)
    day = by_day[dt.date(2026, 3, 17)]
    assert (day.red, day.yellow, day.remind) == (1, 2, 1)
    assert [b.live_at_end for b in trend.buckets] == [0, 0, 0, 4, 3, 3, 3]
    assert trend.raised == 4


def test_monthly_trend_puts_the_alerts_in_their_month(world):
    with clock.frozen(at(2026, 4, 20)):
        trend = alert_trend(user=world.supervisor, months=3)
    assert [b.label for b in trend.buckets] == ["2026-02", "2026-03", "2026-04"]
    assert [b.raised for b in trend.buckets] == [0, 4, 0]
    assert [b.live_at_end for b in trend.buckets] == [0, 4, 4]


def test_trend_takes_three_queries(world, django_assert_num_queries):
    with clock.frozen(at(2026, 3, 20)), django_assert_num_queries(3):
        alert_trend(user=world.supervisor, days=30)


def test_trend_of_an_approver_counts_only_their_department(world):
    with clock.frozen(at(2026, 3, 20)):
        trend = alert_trend(user=world.office_b.head, days=7)
    assert trend.raised == 1


def test_provisional_deadlines_count_open_cases_in_scope(world):
    # No calendar is loaded in the test database, so every deadline is provisional
    assert provisional_deadlines(user=world.supervisor).count == 4
    assert provisional_deadlines(user=world.office_b.head).count == 2
    assert provisional_deadlines(user=world.far_supervisor).count == 0
