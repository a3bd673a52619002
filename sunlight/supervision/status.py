"""Supervision counts for `sunlight status --json`."""

from typing import Any

from django.db.models import Count

from sunlight.supervision.choices import LIVE_ALERT_STATES, OPEN_ORDER_STATES, Level
from sunlight.supervision.models import Alert, Rule, SupervisionOrder


def collect() -> dict[str, Any]:
    live = dict(
        Alert.objects.filter(state__in=LIVE_ALERT_STATES)
        .order_by()
        .values_list("level")
        .annotate(n=Count("id"))
    )
    return {
        "alerts_open": {level: live.get(level, 0) for level in Level.values},
        "orders_open": SupervisionOrder.objects.filter(state__in=OPEN_ORDER_STATES).count(),
        "rules_enabled": Rule.objects.filter(enabled=True).count(),
    }
