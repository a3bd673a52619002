"""Across apps, as the platform is used: a case accepted at the window runs late, the scan turns
it red and tells the department head (in-app and e-mail, the mail server down at first), the
supervisor issues a 督办, the head replies, the supervisor accepts, the case concludes and the
red light turns green — every step on one verifiable audit chain."""

import datetime as dt

import pytest

from sunlight.audit.verify import audit_verify
from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.notifications.jobs import outbox_deliver
from sunlight.notifications.models import Notification, OutboxMessage
from sunlight.supervision import orders
from sunlight.supervision.choices import AlertState, OrderState
from sunlight.supervision.models import Alert
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import (
    accepted_case,
    at,
    conclude,
    enable_only,
    finish_flow,
    supervisor,
)

pytestmark = pytest.mark.django_db


def test_late_case_red_light_order_reply_acceptance_and_green_again(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    office = factories.office_with_power(promised_limit=10)
    office.head.email = "head@example.gov.cn"
    office.head.save(update_fields=["email"])
    boss = supervisor(in_region=office.department.region)
    case = accepted_case(office, at(2026, 3, 2))
    enable_only("case-red")

    # The day after the deadline: red, and the head is told, even with the mail server down.
    with clock.frozen(at(2026, 3, 17, 8)):
        assert scan_run().raised == 1
        outbox_deliver()
    alert = Alert.objects.get(case=case)
    assert Notification.objects.filter(recipient=office.head, category="alert").exists()
    mail = OutboxMessage.objects.get(recipient=office.head, channel="email")
    assert mail.state == "pending" and mail.attempts == 1  # kept for a retry, not lost

    # The supervisor orders the department to explain; the head replies; it is accepted.
    with clock.frozen(at(2026, 3, 17, 10)):
        order = orders.order_issue(
            actor=boss, department=office.department, subject="办件超期",
            suggestion="请说明超期原因并于期限内办结", reply_due=dt.date(2026, 3, 20),
            alert=alert,
        )  # fmt: skip
    with clock.frozen(at(2026, 3, 18, 10)):
        orders.order_reply(
            actor=office.head, order=order, explanation="现场核查排期延误",
            measures="已加派人员，今日办结",
        )  # fmt: skip
    order.refresh_from_db()
    with clock.frozen(at(2026, 3, 18, 15)):
        orders.order_accept(
            actor=boss, order=order, truthful=True, objective=True, opinion="情况属实，同意"
        )
    finish_flow(office, case, at(2026, 3, 18, 16))
    conclude(office, case, at(2026, 3, 18, 17))
    with clock.frozen(at(2026, 3, 18, 17, 1)):
        assert scan_run().resolved == 1

    alert.refresh_from_db()
    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED and order.case == case
    assert alert.state == AlertState.RESOLVED and alert.tripped_at == at(2026, 3, 17, 0, 0)
    assert audit_verify().ok
