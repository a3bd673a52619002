"""The 消息 pages: each person sees only their own messages, marks them read, sets their
channels; admins see the outbox and retry; every form needs its CSRF token."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.core import clock
from sunlight.notifications.choices import OutboxState
from sunlight.notifications.jobs import outbox_deliver
from sunlight.notifications.models import ChannelSetting, Notification, OutboxMessage
from sunlight.notifications.services import notification_mark_read, notify_many
from sunlight.notifications.tests.helpers import notice

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)


def _signed_in(client, user):
    client.force_login(user)
    return client


def test_a_user_sees_only_their_own_notifications(client, head, clerk):
    notify_many(
        notices=[notice(head, subject="给科长的督办"), notice(clerk, subject="给窗口的提醒")]
    )

    page = _signed_in(client, clerk).get(reverse("notifications:inbox")).content.decode()

    assert "给窗口的提醒" in page
    assert "给科长的督办" not in page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("notifications:inbox"))

    assert response.status_code == 302
    assert reverse("staff:login") in response["Location"]


def test_the_header_shows_the_unread_count(client, head):
    notify_many(notices=[notice(head), notice(head)])

    # Any staff page has the header; this one belongs to this app.
    page = _signed_in(client, head).get(reverse("notifications:settings")).content.decode()

    assert 'aria-label="消息（2 条未读）"' in page


def test_unread_filter_hides_read_messages(client, head):
    notify_many(notices=[notice(head, subject="已读的"), notice(head, subject="未读的")])
    read = Notification.objects.get(subject="已读的")
    notification_mark_read(actor=head, notification_ids=[read.pk])

    page = _signed_in(client, head).get(reverse("notifications:inbox") + "?unread=1")

    assert "未读的" in page.content.decode() and "已读的" not in page.content.decode()


def test_marking_ticked_messages_read(client, head):
    notify_many(notices=[notice(head), notice(head)])
    first, second = Notification.objects.order_by("pk")

    response = _signed_in(client, head).post(
        reverse("notifications:mark_read"), {"ids": [first.pk]}
    )

    assert response.status_code == 302
    assert Notification.objects.get(pk=first.pk).read_at is not None
    assert Notification.objects.get(pk=second.pk).read_at is None


def test_marking_someone_elses_message_is_not_found(client, head, clerk):
    notify_many(notices=[notice(head)])

    response = _signed_in(client, clerk).post(
        reverse("notifications:mark_read"), {"ids": [Notification.objects.get().pk]}
    )

    assert response.status_code == 404
    assert Notification.objects.get().read_at is None


def test_mark_all_read(client, head):
    notify_many(notices=[notice(head), notice(head)])

    _signed_in(client, head).post(reverse("notifications:mark_all_read"))

    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_opening_a_message_marks_it_read_and_follows_its_link(client, head):
    notify_many(notices=[notice(head, link="/staff/cases/")])
    message = Notification.objects.get()

    response = _signed_in(client, head).post(reverse("notifications:open", args=[message.pk]))

    assert response["Location"] == "/staff/cases/"
    message.refresh_from_db()
    assert message.read_at is not None


def test_marking_read_by_get_is_refused(client, head):
    notify_many(notices=[notice(head)])

    response = _signed_in(client, head).get(reverse("notifications:mark_all_read"))

    assert response.status_code == 405
    assert Notification.objects.get().read_at is None


def test_forms_without_a_csrf_token_are_refused(head):
    notify_many(notices=[notice(head)])
    client = Client(enforce_csrf_checks=True)
    client.force_login(head)

    for name, data in (
        ("notifications:mark_all_read", {}),
        ("notifications:settings", {"email_enabled": "on"}),
    ):
        assert client.post(reverse(name), data).status_code == 403
    assert Notification.objects.get().read_at is None
    assert not ChannelSetting.objects.exists()


def test_every_form_on_the_inbox_carries_a_csrf_token(client, head):
    notify_many(notices=[notice(head)])

    page = _signed_in(client, head).get(reverse("notifications:inbox")).content.decode()

    assert page.count("<form") == page.count("csrfmiddlewaretoken")


def test_settings_page_saves_channels(client, head):
    response = _signed_in(client, head).post(
        reverse("notifications:settings"),
        {"email_enabled": "on", "email_address": "", "sms_enabled": "on", "sms_address": ""},
    )

    assert response.status_code == 302
    assert dict(ChannelSetting.objects.values_list("channel", "enabled")) == {
        "email": True,
        "sms": True,
    }


def test_settings_page_shows_problems_on_their_fields(client, head):
    response = _signed_in(client, head).post(
        reverse("notifications:settings"),
        {"email_enabled": "on", "email_address": "nonsense", "sms_address": "12"},
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["email_address"] == ["电子邮件地址格式不正确"]
    assert form.errors["sms_address"] == ["短信只能发往11位手机号码"]
    assert not ChannelSetting.objects.exists()


def test_outbox_page_is_for_admins_only(client, head):
    response = _signed_in(client, head).get(reverse("notifications:outbox"))

    assert response.status_code == 403


@pytest.fixture
def failed(head, smtp_down, settings):
    settings.SUNLIGHT_DELIVERY_MAX_ATTEMPTS = 1
    with clock.frozen(T0):
        notify_many(notices=[notice(head, subject="发不出去的邮件")])
        outbox_deliver()
    return OutboxMessage.objects.get()


def test_outbox_page_lists_failed_messages_with_their_error(client, admin, failed):
    page = _signed_in(client, admin).get(reverse("notifications:outbox")).content.decode()

    assert "发不出去的邮件" in page
    assert "无法连接邮件服务器" in page


def test_outbox_message_page_shows_its_delivery_record(client, admin, failed):
    response = _signed_in(client, admin).get(
        reverse("notifications:outbox_message", args=[failed.pk])
    )

    assert response.status_code == 200
    assert "投递记录" in response.content.decode()
    assert list(response.context["message"].deliveries.all()) == list(failed.deliveries.all())


def test_retry_now_from_the_outbox_page(client, admin, failed):
    response = _signed_in(client, admin).post(
        reverse("notifications:outbox_retry"), {"ids": [failed.pk]}
    )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == OutboxState.PENDING
