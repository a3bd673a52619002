"""Marking read, channel settings and an admin's "retry now": permission, every problem at
once, compare-and-swap, audit entries."""

import datetime as dt

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.core import clock
from sunlight.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from sunlight.notifications.choices import Channel, OutboxState
from sunlight.notifications.jobs import outbox_claim, outbox_deliver
from sunlight.notifications.models import ChannelSetting, Notification, OutboxMessage
from sunlight.notifications.selectors import channels_for_user
from sunlight.notifications.services import (
    ChannelChoice,
    channel_settings_save,
    notification_mark_all_read,
    notification_mark_read,
    notify_many,
    outbox_retry,
)
from sunlight.notifications.tests.helpers import notice
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)


# ---------------------------------------------------------------- reading


def test_mark_read_sets_read_at_on_own_messages(head):
    notify_many(notices=[notice(head), notice(head)])
    first, second = Notification.objects.order_by("pk")

    with clock.frozen(T0):
        changed = notification_mark_read(actor=head, notification_ids=[first.pk])

    assert changed == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at == T0
    assert second.read_at is None


def test_marking_read_twice_keeps_the_first_time(head):
    notify_many(notices=[notice(head)])
    message = Notification.objects.get()
    with clock.frozen(T0):
        notification_mark_read(actor=head, notification_ids=[message.pk])

    with clock.frozen(T0 + dt.timedelta(hours=1)):
        changed = notification_mark_read(actor=head, notification_ids=[message.pk])

    message.refresh_from_db()
    assert changed == 0 and message.read_at == T0


def test_someone_elses_message_is_not_found_and_nothing_changes(head, clerk):
    notify_many(notices=[notice(head), notice(clerk)])
    mine, theirs = (Notification.objects.get(recipient=u) for u in (clerk, head))

    with pytest.raises(NotFound):
        notification_mark_read(actor=clerk, notification_ids=[mine.pk, theirs.pk])

    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_mark_all_read_touches_only_my_messages(head, clerk):
    notify_many(notices=[notice(head), notice(head), notice(clerk)])

    assert notification_mark_all_read(actor=head) == 2
    assert Notification.objects.get(recipient=clerk).read_at is None


# ---------------------------------------------------------------- channel settings


def test_channel_settings_are_saved_and_audited(head):
    channel_settings_save(
        actor=head,
        user=head,
        choices=[ChannelChoice("email", False), ChannelChoice("sms", True, "13912345678")],
    )

    resolved = {c.channel: (c.enabled, c.address) for c in channels_for_user(user=head)}
    assert resolved == {"email": (False, "li@example.gov.cn"), "sms": (True, "13912345678")}
    entry = AuditEntry.objects.get(action="notifications.channel_setting.updated")
    assert entry.object_id == str(head.pk)
    assert "139****5678" in entry.data and "13912345678" not in entry.data


def test_saving_again_updates_the_same_rows(head):
    for enabled in (True, False):
        channel_settings_save(actor=head, user=head, choices=[ChannelChoice("sms", enabled)])

    assert ChannelSetting.objects.filter(user=head).count() == 1
    assert ChannelSetting.objects.get(user=head).enabled is False


def test_bad_channel_settings_report_every_problem_and_change_nothing(department):
    nobody = org.user("clerk", department=department, phone="0571-87654321")

    with pytest.raises(ValidationFailed) as refused:
        channel_settings_save(
            actor=nobody,
            user=nobody,
            choices=[
                ChannelChoice("email", True, "not-an-address"),
                ChannelChoice("sms", True),  # landline on record: no SMS there
                ChannelChoice("fax", True, "123"),
            ],
        )

    fields = [p.field for p in refused.value.problems]
    assert fields == ["电子邮件", "短信", "渠道"]
    assert not ChannelSetting.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="notifications.").exists()


def test_a_channel_on_without_any_address_is_refused(department):
    nobody = org.user("clerk", department=department)

    with pytest.raises(ValidationFailed) as refused:
        channel_settings_save(actor=nobody, user=nobody, choices=[ChannelChoice("email", True)])

    assert "没有接收地址" in refused.value.message


def test_nobody_changes_another_persons_channels(head, admin):
    with pytest.raises(PermissionDenied):
        channel_settings_save(actor=admin, user=head, choices=[ChannelChoice("email", False)])

    assert not ChannelSetting.objects.exists()


# ---------------------------------------------------------------- retry


@pytest.fixture
def failed(head, smtp_down, settings):
    settings.SUNLIGHT_DELIVERY_MAX_ATTEMPTS = 1
    with clock.frozen(T0):
        notify_many(notices=[notice(head)])
        outbox_deliver()
    message = OutboxMessage.objects.get()
    assert message.state == OutboxState.FAILED
    return message


def test_retry_queues_a_failed_message_for_the_next_run(failed, admin, settings):
    with clock.frozen(T0 + dt.timedelta(hours=2)):
        assert outbox_retry(actor=admin, message_ids=[failed.pk]) == 1

    failed.refresh_from_db()
    assert failed.state == OutboxState.PENDING
    assert failed.attempts == 0
    assert failed.next_attempt_at == T0 + dt.timedelta(hours=2)
    assert AuditEntry.objects.filter(
        action="notifications.outbox.retried", object_id=str(failed.pk)
    ).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with clock.frozen(T0 + dt.timedelta(hours=2)):
        outbox_deliver()
    failed.refresh_from_db()
    assert failed.state == OutboxState.SENT
    assert failed.deliveries.count() == 2


def test_only_admins_retry(failed, head):
    with pytest.raises(PermissionDenied):
        outbox_retry(actor=head, message_ids=[failed.pk])


def test_an_admin_of_another_region_does_not_find_the_message(failed):
    other = org.user("admin", in_region=org.region("339000", "别的市"))

    with pytest.raises(NotFound):
        outbox_retry(actor=other, message_ids=[failed.pk])

    failed.refresh_from_db()
    assert failed.state == OutboxState.FAILED


def test_a_sent_message_cannot_be_retried(head, admin):
    with clock.frozen(T0):
        notify_many(notices=[notice(head)])
        outbox_deliver()

    with pytest.raises(InvalidTransition):
        outbox_retry(actor=admin, message_ids=[OutboxMessage.objects.get().pk])


def test_a_message_being_sent_right_now_is_not_retried(head, admin):
    with clock.frozen(T0):
        notify_many(notices=[notice(head)])
        _, [claimed] = outbox_claim(limit=10)

        with pytest.raises(InvalidTransition, match="正在发送"):
            outbox_retry(actor=admin, message_ids=[claimed.pk])

    claimed.refresh_from_db()
    assert claimed.claim_token and claimed.next_attempt_at > T0
    assert claimed.channel == Channel.EMAIL
