"""The supervision rule for 双公示: an entry still pending after its due day raises an alert, one
published on its due day does not, publishing clears the alert, and a replay finds the same."""

import datetime as dt

import pytest

from sunlight.cases.tests import factories as case_factories
from sunlight.core import clock
from sunlight.publication import services
from sunlight.publication.models import DoublePublicityEntry
from sunlight.publication.tests import factories
from sunlight.supervision.choices import AlertState
from sunlight.supervision.models import Alert, Rule
from sunlight.supervision.replay import replay_hits
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import at, enable_only

pytestmark = pytest.mark.django_db
RULE = "double-publicity-overdue"


@pytest.fixture
def two_decisions():
    """Two licences granted on Monday 2 March 2026 (due Wednesday 11 March)."""
    office = case_factories.office_with_power(code="041", category="01")
    with clock.frozen(at(2026, 3, 2)):
        cases = [factories.concluded(office) for _ in range(2)]
        services.double_publicity_collect()
    entries = [DoublePublicityEntry.objects.get(case=case) for case in cases]
    assert {e.due_on for e in entries} == {dt.date(2026, 3, 11)}
    return office, entries


def _live_alerts():
    return Alert.objects.filter(rule__code=RULE, state=AlertState.RAISED)


def test_pending_past_the_due_day_trips_and_publishing_on_the_due_day_does_not(two_decisions):
    office, (published, forgotten) = two_decisions
    enable_only(RULE)
    with clock.frozen(at(2026, 3, 11, 16)):
        services.double_publicity_publish(
            actor=office.clerk, entry_id=published.pk, decision_number="清许1号"
        )
        scan_run(full=True)
        assert not _live_alerts().exists()  # the due day itself is still in time

    with clock.frozen(at(2026, 3, 12, 9)):
        scan_run(full=True)

    (alert,) = _live_alerts()
    assert alert.case_id == forgotten.case_id
    assert "应于 2026-03-11 前公示" in alert.detail


def test_publishing_late_clears_the_alert_and_records_the_lateness(two_decisions):
    office, (still_pending, forgotten) = two_decisions
    enable_only(RULE)
    with clock.frozen(at(2026, 3, 12, 9)):
        scan_run(full=True)
    with clock.frozen(at(2026, 3, 13, 9)):
        entry = services.double_publicity_publish(
            actor=office.clerk, entry_id=forgotten.pk, decision_number="清许2号"
        )
        scan_run()

    assert entry.published_late
    assert [a.case_id for a in _live_alerts()] == [still_pending.case_id]
    (resolved,) = Alert.objects.filter(rule__code=RULE, state=AlertState.RESOLVED)
    assert resolved.case_id == forgotten.case_id


def test_replay_finds_the_late_ones_including_those_published_since(two_decisions):
    office, (on_time, late) = two_decisions
    with clock.frozen(at(2026, 3, 10)):
        services.double_publicity_publish(
            actor=office.clerk, entry_id=on_time.pk, decision_number="清许1号"
        )
    with clock.frozen(at(2026, 3, 16)):
        services.double_publicity_publish(
            actor=office.clerk, entry_id=late.pk, decision_number="清许2号"
        )
        enable_only(RULE)
        rows = replay_hits(
            rule=Rule.objects.get(code=RULE),
            params={},
            since=dt.date(2026, 3, 1),
            until=dt.date(2026, 3, 15),
            department_ids=[],
            power_categories=[],
        )

    assert [row[1] for row in rows] == [late.case_id]
