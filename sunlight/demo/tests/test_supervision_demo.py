"""The demo city's supervision: rules on, a history of alerts, the planted anomalies found."""

import pytest

from sunlight.cases.history_context import Anomaly
from sunlight.supervision.choices import AlertState, Check
from sunlight.supervision.models import Alert, Rule

pytestmark = pytest.mark.django_db


def test_every_default_rule_is_switched_on(seeded):
    assert "电子监察" in seeded
    assert not Rule.objects.filter(enabled=False).exists()


def test_every_planted_anomaly_is_found(seeded):
    found = set(Alert.objects.values_list("rule__kind", flat=True))
    expected = {
        Anomaly.NO_STEPS: Check.NO_STEPS,
        Anomaly.TOO_FAST: Check.TOO_FAST,
        Anomaly.DOCUMENT_MISSING: Check.DOCUMENTS_MISSING,
        Anomaly.OUT_OF_ORDER: Check.OUT_OF_ORDER,
    }
    assert set(expected) == set(Anomaly.values)
    assert set(expected.values()) <= found
    assert Check.DISCRETION_DEVIATION in found  # the discretion step's planted decisions


def test_history_holds_lights_that_turned_green_and_lights_still_on(seeded):
    states = set(Alert.objects.values_list("state", flat=True))
    assert {AlertState.RESOLVED, AlertState.RAISED, AlertState.ACKNOWLEDGED} <= states
    resolved = Alert.objects.filter(state=AlertState.RESOLVED, closed_at__isnull=False)
    wrong = [
        (a.rule.code, a.tripped_at, a.closed_at, a.close_reason)
        for a in resolved.select_related("rule")
        if a.closed_at < a.tripped_at
    ]
    assert wrong == []
