"""notify_many: an in-app message per notice and an outbox row per channel the recipient has
on, written in one batch without talking to any server."""

import pytest
from django.db import transaction

from sunlight.core.errors import ValidationFailed
from sunlight.notifications.choices import Channel, OutboxState
from sunlight.notifications.models import Notification, OutboxMessage
from sunlight.notifications.services import notify, notify_many
from sunlight.notifications.tests.helpers import channels, notice
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


def test_notify_writes_an_in_app_message(head):
    notify(recipient=head, subject="督办：请于3日内答复", link="/staff/", category="order")

    message = Notification.objects.get(recipient=head)
    assert message.subject == "督办：请于3日内答复"
    assert message.category == "order"
    assert message.read_at is None


def test_email_is_on_by_default_and_sms_off(head):
    notify_many(notices=[notice(head)])

    rows = OutboxMessage.objects.filter(recipient=head)
    assert [(r.channel, r.address) for r in rows] == [(Channel.EMAIL, "li@example.gov.cn")]


def test_outbox_rows_follow_each_recipients_channels(head, clerk):
    channels(head, email=True, sms=True)
    channels(clerk, email=False, sms=False)

    notify_many(notices=[notice(head), notice(clerk)])

    assert sorted(OutboxMessage.objects.values_list("recipient_id", "channel", "address")) == [
        (head.pk, Channel.EMAIL, "li@example.gov.cn"),
        (head.pk, Channel.SMS, "13800000001"),
    ]
    assert Notification.objects.filter(recipient=clerk).count() == 1


def test_an_address_override_is_used_instead_of_the_one_on_record(head):
    channels(head, email=True, email_address="office@example.gov.cn")

    notify_many(notices=[notice(head)])

    assert OutboxMessage.objects.get(recipient=head).address == "office@example.gov.cn"


def test_no_outbox_row_without_an_address(department):
    no_mail = org.user("approver", department=department)  # no e-mail on record

    notify_many(notices=[notice(no_mail)])

    assert Notification.objects.filter(recipient=no_mail).count() == 1
    assert not OutboxMessage.objects.exists()


def test_outbox_rows_are_due_now_and_link_their_message(head):
    channels(head, email=True, sms=True)

    notify_many(notices=[notice(head, subject="红灯报警：办件已超期")])

    message = Notification.objects.get()
    for row in OutboxMessage.objects.all():
        assert row.state == OutboxState.PENDING
        assert row.attempts == 0
        assert row.next_attempt_at == row.created_at == message.created_at
        assert row.notification_id == message.pk


def test_email_text_carries_the_body_and_an_absolute_link(head, settings):
    settings.SUNLIGHT_SITE_URL = "https://sunlight.example.gov.cn"

    notify_many(notices=[notice(head, subject="红灯报警", link="/staff/cases/7/")])

    row = OutboxMessage.objects.get(channel=Channel.EMAIL)
    assert row.subject == "[阳光政务] 红灯报警"
    assert "窗口受理的办件将于明天到期" in row.body
    assert "https://sunlight.example.gov.cn/staff/cases/7/" in row.body


def test_sms_text_is_short(head):
    channels(head, email=False, sms=True)

    notify_many(notices=[notice(head, body="很长的说明。" * 100)])

    text = OutboxMessage.objects.get(channel=Channel.SMS).body
    assert text.startswith("办件即将超期：很长的说明。")
    assert len(text) <= 140


def test_inactive_recipients_are_skipped(head, clerk):
    head.is_active = False

    written = notify_many(notices=[notice(head), notice(clerk)])

    assert written == 1
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [clerk.pk]


def test_query_count_does_not_grow_with_notices(department, head, django_assert_max_num_queries):
    staff = [org.user("clerk", department=department, email=f"c{i}@x.cn") for i in range(30)]
    channels(head, email=True, sms=True)

    with django_assert_max_num_queries(6) as few:
        notify_many(notices=[notice(head), notice(staff[0])])
    with django_assert_max_num_queries(len(few.captured_queries)):
        notify_many(notices=[notice(user) for user in [head, *staff]])

    assert Notification.objects.count() == 33
    assert OutboxMessage.objects.count() == 35  # head: e-mail + SMS twice; 31 clerks' e-mail


def test_bad_notices_are_refused_with_every_problem_and_nothing_written(head):
    bad = [
        notice(head, subject=" "),
        notice(head, link="https://evil.example.com/"),
        notice(head, category="gossip", level="loud"),
    ]

    with pytest.raises(ValidationFailed) as refused:
        notify_many(notices=bad)

    problems = {(p.row, p.field) for p in refused.value.problems}
    assert problems == {(1, "标题"), (2, "链接"), (3, "类别"), (3, "级别")}
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_protocol_relative_links_are_refused(head):
    with pytest.raises(ValidationFailed):
        notify_many(notices=[notice(head, link="//evil.example.com/")])


def test_notices_roll_back_with_the_callers_transaction(head):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_many(notices=[notice(head)])
        raise RuntimeError("the scan failed")

    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_notify_never_talks_to_a_mail_server(head, smtp_down):
    # The mail server is down: writing the notice neither fails nor waits for it.
    notify_many(notices=[notice(head)])

    assert OutboxMessage.objects.get().state == OutboxState.PENDING
