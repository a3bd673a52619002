"""`sunlight supervise scan --json`, `sunlight status --json` and the worker's job."""

import io
import json

import pytest
from django.core.management import call_command

from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.core.jobs import JobRunner
from sunlight.supervision.choices import AlertState
from sunlight.supervision.models import Alert, Rule
from sunlight.supervision.tests.fixtures import accepted_case, at, enable_only

pytestmark = pytest.mark.django_db


def _json(*args: str) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_scan_command_prints_raised_resolved_and_elapsed_then_nothing_the_second_time():
    office = factories.office_with_power(promised_limit=10)
    accepted_case(office, at(2026, 3, 2))
    enable_only("case-red", "case-yellow")
    with clock.frozen(at(2026, 3, 20)):
        first = _json("supervise_scan", "--json")
        second = _json("supervise_scan", "--json")
    assert set(first) == {"raised", "resolved", "elapsed_ms"}
    assert first["raised"] == 1 and isinstance(first["elapsed_ms"], int)
    assert (second["raised"], second["resolved"]) == (0, 0)


def test_scan_command_installs_the_default_rules_switched_off_on_first_use():
    with clock.frozen(at(2026, 3, 20)):
        result = _json("supervise_scan", "--json")
    assert result["raised"] == 0
    assert Rule.objects.count() >= 18 and not Rule.objects.filter(enabled=True).exists()


def test_status_reports_open_alerts_by_level_orders_and_rules_enabled():
    office = factories.office_with_power(promised_limit=10)
    accepted_case(office, at(2026, 3, 2))
    enable_only("case-red", "case-yellow", "step-red")
    with clock.frozen(at(2026, 3, 20)):
        _json("supervise_scan", "--json")
    status = _json("show_status", "--json")
    assert status["alerts_open"] == {"remind": 0, "yellow": 0, "red": 2}
    assert status["orders_open"] == 0
    assert status["rules_enabled"] == 3


def test_the_worker_runs_the_scan_job():
    office = factories.office_with_power(promised_limit=10)
    accepted_case(office, at(2026, 3, 2))
    enable_only("case-red")
    with clock.frozen(at(2026, 3, 20)):
        results = JobRunner().run_due(only={"supervision.scan"})
    assert results["supervision.scan"]["raised"] == 1
    assert Alert.objects.get().state == AlertState.RAISED
