import datetime as dt

import pytest

from sunlight.core import clock
from sunlight.core.status import collect_status
from sunlight.notifications.jobs import outbox_deliver
from sunlight.notifications.services import notification_mark_all_read, notify_many
from sunlight.notifications.tests.helpers import channels, notice

pytestmark = pytest.mark.django_db


def test_status_counts_unread_pending_and_failed(head, clerk, smtp_down, settings):
    settings.SUNLIGHT_DELIVERY_MAX_ATTEMPTS = 1
    channels(clerk, email=False)
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)
    with clock.frozen(at):
        notify_many(notices=[notice(head)])
        outbox_deliver()  # the mail server is down: failed at once (one try allowed)
        notify_many(notices=[notice(head), notice(clerk), notice(clerk)])
    notification_mark_all_read(actor=clerk)

    status = collect_status()

    assert status["notifications_unread"] == 2
    assert status["outbox_pending"] == 1
    assert status["outbox_failed"] == 1
