"""The supervision rule disclosure-overdue: a period not disclosed by its due day raises an
alert the next morning, one disclosed on its due day does not, disclosing clears it, and a
replay finds the late ones, including those disclosed since."""

import datetime as dt

import pytest

from sunlight.core import clock
from sunlight.disclosure import services
from sunlight.disclosure.tests import factories
from sunlight.supervision.choices import AlertState
from sunlight.supervision.models import Alert, Rule
from sunlight.supervision.replay import replay_hits
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import at, enable_only

pytestmark = pytest.mark.django_db
RULE = "disclosure-overdue"


@pytest.fixture
def two_matters():
    """Two monthly matters from January 2026: January's periods are due on 10 February."""
    office = factories.office()
    with clock.frozen(at(2026, 1, 20)):
        budget = factories.matter(office, content="部门预算执行情况")
        hospitality = factories.matter(office, content="公务接待费支出", scope="internal")
    return office, budget, hospitality


def _live():
    return Alert.objects.filter(rule__code=RULE, state=AlertState.RAISED)


def test_a_period_past_its_due_day_trips_and_one_disclosed_on_the_due_day_does_not(two_matters):
    office, budget, hospitality = two_matters
    enable_only(RULE)
    with clock.frozen(at(2026, 2, 10, 16)):
        services.disclosure_publish(
            actor=office.clerk, matter_id=budget.pk, due_id=budget.dues.get().pk, body="1月"
        )
        scan_run(full=True)
        assert not _live().exists()
    with clock.frozen(at(2026, 2, 11, 9)):
        scan_run(full=True)
    (alert,) = _live()
    assert alert.subject == f"disclosure:{hospitality.dues.get().pk}"
    assert alert.department_id == office.department.pk
    assert "公务接待费支出" in alert.detail and "应于 2026-02-10 前公开" in alert.detail


def test_disclosing_late_clears_the_alert_and_marks_the_period_late(two_matters):
    office, budget, hospitality = two_matters
    enable_only(RULE)
    with clock.frozen(at(2026, 2, 11, 9)):
        scan_run(full=True)
    assert _live().count() == 2
    with clock.frozen(at(2026, 2, 12, 9)):
        services.disclosure_publish(
            actor=office.clerk, matter_id=budget.pk, due_id=budget.dues.get().pk, body="1月"
        )
        scan_run()
    assert [a.subject for a in _live()] == [f"disclosure:{hospitality.dues.get().pk}"]
    assert budget.dues.get().archived_late


def test_replay_finds_the_periods_that_were_late_including_those_disclosed_since(two_matters):
    office, budget, hospitality = two_matters
    with clock.frozen(at(2026, 2, 9)):
        services.disclosure_publish(
            actor=office.clerk, matter_id=budget.pk, due_id=budget.dues.get().pk, body="按时"
        )
    with clock.frozen(at(2026, 2, 16)):
        services.disclosure_publish(
            actor=office.clerk,
            matter_id=hospitality.pk,
            due_id=hospitality.dues.get().pk,
            body="晚了",
        )
        enable_only(RULE)
        rows = replay_hits(
            rule=Rule.objects.get(code=RULE),
            params={},
            since=dt.date(2026, 2, 1),
            until=dt.date(2026, 2, 15),
            department_ids=[],
            power_categories=[],
        )
    assert [row[0] for row in rows] == [f"disclosure:{hospitality.dues.get().pk}"]
