"""Backfilling the alerts scans would have raised over cases the platform already holds."""

import datetime as dt

import pytest

from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.supervision.backfill import alerts_backfill
from sunlight.supervision.choices import AlertState
from sunlight.supervision.models import Alert
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import (
    accepted_case,
    at,
    conclude,
    enable_only,
    finish_flow,
)

pytestmark = pytest.mark.django_db


def test_a_late_case_concluded_since_has_its_red_light_closed_when_it_concluded():
    office = factories.office_with_power(promised_limit=10)
    late_then_done = accepted_case(office, at(2026, 3, 2))
    still_late = accepted_case(office, at(2026, 3, 2))
    finish_flow(office, late_then_done, at(2026, 3, 20, 10))
    conclude(office, late_then_done, at(2026, 3, 20, 11))
    enable_only("case-red")
    with clock.frozen(at(2026, 4, 1)):
        written = alerts_backfill(since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31))
        rescan = scan_run()
    assert written == 2
    done = Alert.objects.get(case=late_then_done)
    assert done.state == AlertState.RESOLVED
    assert (done.tripped_at, done.closed_at) == (at(2026, 3, 17, 0, 0), at(2026, 3, 20, 11))
    assert Alert.objects.get(case=still_late).state == AlertState.RAISED
    assert rescan.raised == 0  # the live scan finds the open one already raised
