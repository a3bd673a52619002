"""The SMS backends, modelled on Django's mail backends: one result per message, in order."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from sunlight.core import clock
from sunlight.notifications import sms
from sunlight.notifications.choices import OutboxState
from sunlight.notifications.jobs import outbox_deliver
from sunlight.notifications.models import OutboxMessage
from sunlight.notifications.services import notify_many
from sunlight.notifications.sms import SmsMessage
from sunlight.notifications.tests.helpers import channels, free_port, notice

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)
TEXTS = [
    SmsMessage("13800000001", "黄灯预警：办件临近期限", "1"),
    SmsMessage("13900000002", "督办", "2"),
]


def test_get_connection_builds_the_configured_backend(settings):
    settings.SUNLIGHT_SMS_BACKEND = "sunlight.notifications.sms.console.SmsBackend"

    assert type(sms.get_connection()).__module__ == "sunlight.notifications.sms.console"


def test_locmem_keeps_messages_in_the_outbox(sms_outbox):
    with sms.get_connection("sunlight.notifications.sms.locmem.SmsBackend") as connection:
        results = connection.send_messages(TEXTS)

    assert [r.ok for r in results] == [True, True]
    assert sms_outbox == TEXTS


def test_console_prints_each_message():
    stream = io.StringIO()
    backend = sms.get_connection("sunlight.notifications.sms.console.SmsBackend", stream=stream)

    results = backend.send_messages(TEXTS)

    assert all(r.ok for r in results)
    assert "13800000001" in stream.getvalue() and "黄灯预警：办件临近期限" in stream.getvalue()


def test_file_backend_appends_json_lines_per_day(tmp_path):
    backend = sms.get_connection("sunlight.notifications.sms.file.SmsBackend", file_path=tmp_path)

    with clock.frozen(T0):
        backend.send_messages(TEXTS[:1])
        backend.send_messages(TEXTS[1:])

    lines = (tmp_path / "2026-03-02.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["to"] for line in lines] == ["13800000001", "13900000002"]
    assert json.loads(lines[0])["text"] == "黄灯预警：办件临近期限"


def test_file_backend_reports_a_write_failure(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    backend = sms.get_connection("sunlight.notifications.sms.file.SmsBackend", file_path=blocker)

    results = backend.send_messages(TEXTS)

    assert [r.ok for r in results] == [False, False]
    assert "写入短信文件失败" in results[0].error


def test_http_backend_posts_json_to_the_gateway(sms_gateway):
    with sms.get_connection() as connection:
        results = connection.send_messages(TEXTS)

    assert [r.gateway_id for r in results] == ["gw-1", "gw-2"]
    first = sms_gateway.requests[0]
    assert first["json"] == {
        "to": "13800000001",
        "text": "黄灯预警：办件临近期限",
        "reference": "1",
    }
    assert first["headers"]["Authorization"] == "Bearer test-token"


def test_http_backend_answers_each_message_on_its_own(sms_gateway):
    sms_gateway.statuses = [500, 200]

    results = sms.get_connection().send_messages(TEXTS)

    assert [(r.ok, r.permanent) for r in results] == [(False, False), (True, False)]
    assert "500" in results[0].error


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (429, False), (503, False)])
def test_http_backend_tells_permanent_refusals_from_passing_trouble(sms_gateway, status, permanent):
    sms_gateway.statuses = [status]

    [result] = sms.get_connection().send_messages(TEXTS[:1])

    assert not result.ok and result.permanent is permanent


def test_http_backend_reports_an_unreachable_gateway():
    backend = sms.get_connection(
        "sunlight.notifications.sms.http.SmsBackend",
        url=f"http://127.0.0.1:{free_port()}/sms",
        timeout=2,
    )

    [result] = backend.send_messages(TEXTS[:1])

    assert not result.ok and not result.permanent
    assert "无法连接短信网关" in result.error


def test_http_backend_refuses_a_non_web_url():
    with pytest.raises(ImproperlyConfigured):
        sms.get_connection("sunlight.notifications.sms.http.SmsBackend", url="file:///etc/passwd")


@pytest.mark.django_db
def test_a_gateway_error_is_retried_at_the_next_run(head, sms_gateway):
    sms_gateway.statuses = [500]
    channels(head, email=False, sms=True)
    with clock.frozen(T0):
        notify_many(notices=[notice(head)])
        outbox_deliver()
    message = OutboxMessage.objects.get()
    assert message.state == OutboxState.PENDING

    with clock.frozen(message.next_attempt_at):
        outbox_deliver()

    message.refresh_from_db()
    assert message.state == OutboxState.SENT
    assert [d.ok for d in message.deliveries.all()] == [False, True]
    assert [r["json"]["reference"] for r in sms_gateway.requests] == [str(message.pk)] * 2
