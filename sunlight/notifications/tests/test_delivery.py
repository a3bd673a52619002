"""outbox_deliver: e-mail really reaches an SMTP server, SMS go through their backend, every
try is recorded, failures back off and finally give up, and one channel failing never stops
the other."""

import datetime as dt

import pytest
from django.core import mail

from sunlight.core import clock
from sunlight.notifications.choices import Channel, OutboxState
from sunlight.notifications.jobs import BACKOFF_MINUTES, backoff, outbox_deliver
from sunlight.notifications.models import DeliveryAttempt, OutboxMessage
from sunlight.notifications.services import notify_many
from sunlight.notifications.tests.helpers import channels, notice

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)


def _queued(head, **fields):
    with clock.frozen(T0):
        notify_many(notices=[notice(head, **fields)])


def test_email_reaches_a_real_smtp_server(head, smtp_server):
    _queued(head, subject="红灯报警：办件已超期", body="“食品经营许可”办件已超过法定期限。")

    with clock.frozen(T0):
        result = outbox_deliver()

    assert result["sent"] == 1
    [received] = smtp_server.messages
    assert received["To"] == "li@example.gov.cn"
    # Django folds an encoded subject onto a continuation line; readers drop the fold's space.
    assert received["Subject"].strip() == "[阳光政务] 红灯报警：办件已超期"
    assert "“食品经营许可”办件已超过法定期限。" in received.get_body().get_content()
    assert smtp_server.envelopes[0].rcpt_tos == ["li@example.gov.cn"]


def test_a_sent_message_is_marked_sent_with_its_attempt_recorded(head, smtp_server):
    _queued(head)

    with clock.frozen(T0 + dt.timedelta(seconds=30)):
        outbox_deliver()

    message = OutboxMessage.objects.get()
    assert message.state == OutboxState.SENT
    assert message.sent_at == T0 + dt.timedelta(seconds=30)
    assert message.attempts == 1
    assert [(d.ok, d.error) for d in message.deliveries.all()] == [(True, "")]


def test_a_sent_message_is_not_sent_again(head, smtp_server):
    _queued(head)

    with clock.frozen(T0):
        outbox_deliver()
        second = outbox_deliver()

    assert second["claimed"] == 0
    assert len(smtp_server.envelopes) == 1


def test_many_emails_share_one_smtp_connection(head, clerk, smtp_server):
    with clock.frozen(T0):
        notify_many(notices=[notice(head), notice(clerk), notice(head, subject="第二条")])
        outbox_deliver()

    assert len(smtp_server.envelopes) == 3
    assert len({e.mail_from for e in smtp_server.envelopes}) == 1
    assert OutboxMessage.objects.filter(state=OutboxState.SENT).count() == 3


def test_smtp_down_records_the_attempt_and_retries_later(head, smtp_down):
    _queued(head)

    with clock.frozen(T0):
        result = outbox_deliver()

    message = OutboxMessage.objects.get()
    assert result == {"claimed": 1, "sent": 0, "retrying": 1, "failed": 0}
    assert message.state == OutboxState.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at == T0 + dt.timedelta(minutes=1)
    assert "无法连接邮件服务器" in message.last_error
    [attempt] = message.deliveries.all()
    assert not attempt.ok and attempt.error == message.last_error


def test_smtp_down_does_not_stop_sms_of_the_same_run(head, smtp_down, sms_outbox):
    channels(head, email=True, sms=True)
    _queued(head, subject="黄灯预警")

    with clock.frozen(T0):
        outbox_deliver()

    states = dict(OutboxMessage.objects.values_list("channel", "state"))
    assert states == {Channel.EMAIL: OutboxState.PENDING, Channel.SMS: OutboxState.SENT}
    assert [m.to for m in sms_outbox] == ["13800000001"]
    assert sms_outbox[0].text.startswith("黄灯预警")


def test_a_broken_sms_backend_does_not_stop_email(head, settings):
    settings.SUNLIGHT_SMS_BACKEND = "sunlight.notifications.sms.nowhere.SmsBackend"
    channels(head, email=True, sms=True)
    _queued(head)

    with clock.frozen(T0):
        outbox_deliver()

    states = dict(OutboxMessage.objects.values_list("channel", "state"))
    assert states == {Channel.EMAIL: OutboxState.SENT, Channel.SMS: OutboxState.PENDING}
    assert len(mail.outbox) == 1
    assert "nowhere" in OutboxMessage.objects.get(channel=Channel.SMS).last_error


def test_a_message_is_not_retried_before_its_time(head, smtp_down):
    _queued(head)
    with clock.frozen(T0):
        outbox_deliver()

    with clock.frozen(T0 + dt.timedelta(seconds=59)):
        early = outbox_deliver()

    assert early["claimed"] == 0
    assert DeliveryAttempt.objects.count() == 1


def test_retries_back_off_and_then_succeed(head, smtp_down, settings):
    _queued(head)
    moment = T0
    for _ in range(3):
        with clock.frozen(moment):
            outbox_deliver()
        moment = OutboxMessage.objects.get().next_attempt_at

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with clock.frozen(moment):
        outbox_deliver()

    message = OutboxMessage.objects.get()
    assert moment == T0 + dt.timedelta(minutes=1 + 5 + 30)
    assert message.state == OutboxState.SENT
    assert [d.ok for d in message.deliveries.all()] == [False, False, False, True]


def test_after_max_attempts_a_message_is_failed_and_kept(head, smtp_down, settings):
    settings.SUNLIGHT_DELIVERY_MAX_ATTEMPTS = 3
    _queued(head)
    moment = T0
    for _ in range(3):
        with clock.frozen(moment):
            outbox_deliver()
        moment = OutboxMessage.objects.get().next_attempt_at

    with clock.frozen(moment + dt.timedelta(days=1)):
        later = outbox_deliver()

    message = OutboxMessage.objects.get()
    assert message.state == OutboxState.FAILED
    assert message.attempts == 3
    assert message.deliveries.count() == 3
    assert later["claimed"] == 0


def test_a_permanently_refused_sms_fails_at_once(head, sms_gateway):
    sms_gateway.statuses = [400]
    channels(head, email=False, sms=True)
    _queued(head)

    with clock.frozen(T0):
        result = outbox_deliver()

    assert result["failed"] == 1
    message = OutboxMessage.objects.get()
    assert message.state == OutboxState.FAILED
    assert "400" in message.last_error


def test_backoff_grows_and_then_stays():
    waits = [backoff(n) for n in range(1, 8)]

    assert [w.total_seconds() / 60 for w in waits] == [*BACKOFF_MINUTES, 360, 360]


def test_limit_caps_one_run(head, clerk):
    with clock.frozen(T0):
        notify_many(notices=[notice(head), notice(clerk), notice(head)])
        first = outbox_deliver(limit=2)
        second = outbox_deliver(limit=2)

    assert (first["sent"], second["sent"]) == (2, 1)
    assert len(mail.outbox) == 3


def test_email_of_the_file_backend_is_kept_on_disk(head, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "email"
    _queued(head, subject="演示邮件")

    with clock.frozen(T0):
        outbox_deliver()

    [written] = list((tmp_path / "email").iterdir())
    assert "li@example.gov.cn" in written.read_text()
    assert OutboxMessage.objects.get().state == OutboxState.SENT
