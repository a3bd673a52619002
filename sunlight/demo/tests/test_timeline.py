"""The demo lives today: built relative to its as-of day, any day (2027 too, whose holidays are
not announced yet), with overdue cases a small minority of the open ones — and kept so by the
daily work of the running demo."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from sunlight.audit.models import AuditEntry
from sunlight.audit.verify import audit_verify
from sunlight.cases.choices import OPEN_STATES, CaseState
from sunlight.cases.models import Case
from sunlight.core import clock
from sunlight.demo import live, timeline
from sunlight.demo.tests.helpers import seed

pytestmark = pytest.mark.django_db


def _open_and_overdue(day: dt.date) -> tuple[int, int]:
    open_cases = Case.objects.filter(state__in=OPEN_STATES)
    return open_cases.count(), open_cases.filter(promised_deadline__lt=day).count()


def _status() -> dict:
    out = io.StringIO()
    call_command("show_status", json=True, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def rollback():
    """Each built city is rolled back, so two cities can be built in one test."""
    outer = transaction.atomic()
    outer.__enter__()
    try:
        yield
    finally:
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
        timeline.pin(None)


def test_a_sunday_dates_the_city_on_the_friday_before():
    assert timeline.last_workday_on_or_before(dt.date(2026, 11, 22)) == dt.date(2026, 11, 20)
    # 2027 is not in chinesecalendar yet: weekends alone.
    assert timeline.last_workday_on_or_before(dt.date(2027, 3, 14)) == dt.date(2027, 3, 12)


def test_every_moment_follows_the_pinned_day():
    timeline.pin(dt.date(2027, 3, 16))
    try:
        assert timeline.now() == dt.datetime(2027, 3, 16, 16, tzinfo=clock.SHANGHAI)
        assert timeline.recorded_at() > timeline.now()
        assert timeline.org_setup_at() < timeline.catalog_start() < timeline.joint_since()
        assert timeline.catalog_start().date().weekday() < 5
    finally:
        timeline.pin(None)


@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 20), dt.date(2027, 3, 16)])
def test_the_city_is_built_on_its_day_with_few_cases_overdue(rollback, as_of):
    later = dt.datetime.combine(as_of + dt.timedelta(days=30), dt.time(9), tzinfo=clock.SHANGHAI)
    with clock.frozen(later):  # the day the command runs does not matter once --as-of is given
        output = seed(as_of=as_of)

    open_cases, overdue = _open_and_overdue(as_of)
    assert f"补录于 {as_of:%Y-%m-%d}" in output
    assert not Case.objects.filter(received_at__gt=timeline.now()).exists()
    assert open_cases >= 100
    assert 0 < overdue <= open_cases / 10
    # A clerk's first page is a mix: due today, due in the next days, and a few overdue.
    assert Case.objects.filter(state__in=OPEN_STATES, promised_deadline=as_of).exists()
    assert Case.objects.filter(state__in=OPEN_STATES, promised_deadline__gt=as_of).exists()
    with clock.frozen(timeline.now()):
        assert _status()["overdue_open_cases"] == overdue


def test_a_second_run_keeps_the_city_s_own_day(rollback):
    seed(as_of=dt.date(2026, 11, 20))

    output = seed(as_of=dt.date(2026, 12, 1))

    assert "已按 2026-11-20 生成" in output
    assert timeline.day() == dt.date(2026, 11, 20)


def test_a_malformed_as_of_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("seed_demo", as_of="20-11-2026", stdout=io.StringIO())


def test_the_running_demo_does_the_day_s_work_and_keeps_few_overdue(rollback):
    seed(as_of=dt.date(2026, 11, 20))
    monday = dt.date(2026, 11, 23)
    before = Case.objects.filter(state=CaseState.CONCLUDED).count()

    with clock.frozen(dt.datetime.combine(monday, dt.time(9, 30), tzinfo=clock.SHANGHAI)):
        while any((live.demo_city_advance(limit=500) or {}).values()):
            pass
        open_cases, overdue = _open_and_overdue(monday)
        assert _status()["overdue_open_cases"] == overdue

    assert Case.objects.filter(state=CaseState.CONCLUDED).count() > before
    assert overdue <= open_cases / 10
    # Each case concluded is followed by a new application for the same power.
    registered = Case.objects.filter(received_at__date__gte=monday - dt.timedelta(days=1))
    assert registered.exists()
    assert audit_verify().ok


def test_the_running_demo_does_nothing_outside_office_hours(rollback):
    seed(as_of=dt.date(2026, 11, 20))
    monday = dt.date(2026, 11, 23)
    audited = AuditEntry.objects.count()

    for moment in (dt.time(4, 26), dt.time(18, 30)):
        with clock.frozen(dt.datetime.combine(monday, moment, tzinfo=clock.SHANGHAI)):
            assert live.demo_city_advance(limit=500) == {}

    assert AuditEntry.objects.count() == audited


def test_the_daily_work_waits_for_a_complete_demo_city():
    assert live.demo_city_advance() is None
