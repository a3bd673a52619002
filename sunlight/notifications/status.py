"""Notification counts for `sunlight status --json`."""

from typing import Any

from django.db.models import Count

from sunlight.notifications.choices import OutboxState
from sunlight.notifications.models import Notification, OutboxMessage


def collect() -> dict[str, Any]:
    by_state = dict(OutboxMessage.objects.order_by().values_list("state").annotate(n=Count("id")))
    return {
        "notifications_unread": Notification.objects.filter(read_at__isnull=True).count(),
        "outbox_pending": by_state.get(OutboxState.PENDING, 0),
        "outbox_failed": by_state.get(OutboxState.FAILED, 0),
        # Notices to applicants (cases.notices) handed to the gateway or mail server.
        "applicant_notices_sent": OutboxMessage.objects.filter(
            source_type="cases.case", state=OutboxState.SENT
        ).count(),
    }
