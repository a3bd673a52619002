"""The three-colour ladder: blue → orange → red on missed reply deadlines, new deadlines in
working days, escalation rows, one audit entry per run, notifications, idempotence."""

import datetime as dt

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.core import clock, jobs
from sunlight.notifications.models import Notification
from sunlight.org.tests import factories as org_factories
from sunlight.supervision import orders
from sunlight.supervision.choices import OrderColour, OrderState
from sunlight.supervision.models import OrderEscalation
from sunlight.supervision.orders_ladder import orders_escalate, register_jobs
from sunlight.supervision.tests.fixtures import at
from sunlight.supervision.tests.orders_world import REPLY_DUE, fresh, issue, reply, world

pytestmark = pytest.mark.django_db

# The blue order is due 2026-03-24 (Tuesday); the day after, it is overdue.
BLUE_MISSED = dt.date(2026, 3, 25)
ORANGE_DUE = dt.date(2026, 4, 1)  # five working days after 03-25
RED_DAY = dt.date(2026, 4, 2)
RED_DUE = dt.date(2026, 4, 7)  # three working days after 04-02


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def w():
    return world()


def _escalate(day: dt.date) -> int:
    with clock.frozen(dt.datetime.combine(day, dt.time(0, 10), tzinfo=clock.SHANGHAI)):
        return orders_escalate()


def test_blue_order_is_not_escalated_on_its_due_day(w):
    issue(w)
    assert _escalate(REPLY_DUE) == 0


def test_blue_past_due_climbs_to_orange_with_a_new_due_and_an_escalation_row(w):
    order = issue(w)
    assert _escalate(BLUE_MISSED) == 1
    order = fresh(order)
    assert (order.colour, order.reply_due, order.state) == ("orange", ORANGE_DUE, "issued")
    (row,) = OrderEscalation.objects.filter(order=order)
    assert (row.from_colour, row.to_colour) == ("blue", "orange")
    assert (row.previous_due, row.new_due) == (REPLY_DUE, ORANGE_DUE)


def test_orange_past_due_climbs_to_red(w):
    order = issue(w)
    _escalate(BLUE_MISSED)
    assert _escalate(RED_DAY) == 1
    order = fresh(order)
    assert (order.colour, order.reply_due) == (OrderColour.RED, RED_DUE)
    assert OrderEscalation.objects.filter(order=order).count() == 2


def test_red_past_due_stays_red(w):
    order = issue(w)
    _escalate(BLUE_MISSED)
    _escalate(RED_DAY)
    assert _escalate(RED_DUE + dt.timedelta(days=3)) == 0
    assert fresh(order).colour == OrderColour.RED
    assert OrderEscalation.objects.filter(order=order).count() == 2


def test_urgent_order_past_due_climbs_from_orange_to_red(w):
    order = issue(w, urgent=True)
    _escalate(BLUE_MISSED)
    assert fresh(order).colour == OrderColour.RED


def test_ladder_is_idempotent_within_a_day(w):
    issue(w)
    assert _escalate(BLUE_MISSED) == 1
    assert _escalate(BLUE_MISSED) == 0
    assert OrderEscalation.objects.count() == 1


def test_replied_and_closed_orders_do_not_climb(w):
    replied = issue(w)
    reply(w, replied, moment=at(2026, 3, 20))
    withdrawn = issue(w)
    with clock.frozen(at(2026, 3, 20)):
        orders.order_withdraw(actor=w.supervisor, order=withdrawn, reason="误发。")
    assert _escalate(BLUE_MISSED) == 0
    assert fresh(replied).colour == fresh(withdrawn).colour == OrderColour.BLUE


def test_returned_order_past_due_climbs(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 20))
    with clock.frozen(at(2026, 3, 23)):
        orders.order_return(actor=w.supervisor, order=fresh(order), opinion="请补充。")
    assert _escalate(BLUE_MISSED) == 1
    assert fresh(order).colour == OrderColour.ORANGE


def test_a_run_writes_one_audit_entry_listing_every_climb(w):
    first, second = issue(w), issue(w)
    _escalate(BLUE_MISSED)
    (entry,) = AuditEntry.objects.filter(action="supervision.order.escalated")
    assert entry.object_id == BLUE_MISSED.isoformat()
    for order in (first, second):
        assert order.number in entry.data


def test_a_reply_form_opened_before_the_climb_still_goes_through(w):
    # Given the head's page loaded while the order was blue
    order = issue(w)
    seen = fresh(order)
    _escalate(BLUE_MISSED)
    # When the reply is sent after the climb, then it is accepted (the climb changed nothing
    # the department answers)
    reply(w, seen, moment=at(2026, 3, 25, 10))
    assert fresh(order).state == OrderState.REPLIED


def test_orange_climb_notifies_approvers_and_the_issuer(w):
    order = issue(w)
    _escalate(BLUE_MISSED)
    recipients = set(
        Notification.objects.filter(
            source_id=order.number, subject__contains="橙色督办"
        ).values_list("recipient", flat=True)
    )
    assert recipients == {w.head.pk, w.supervisor.pk}


def test_red_climb_also_notifies_every_supervisor_of_the_region(w):
    order = issue(w)
    colleague = org_factories.user("supervisor", in_region=w.department.region)
    _escalate(BLUE_MISSED)
    _escalate(RED_DAY)
    notices = Notification.objects.filter(source_id=order.number, subject__contains="红色督办")
    assert set(notices.values_list("recipient", flat=True)) == {
        w.head.pk,
        w.supervisor.pk,
        colleague.pk,
    }
    assert {n.level for n in notices} == {"urgent"}


def test_register_jobs_registers_the_periodic_escalation():
    register_jobs()
    job = next(j for j in jobs.registered_jobs() if j.name == "supervision.orders_escalate")
    assert (job.every_seconds, job.label, job.run) == (600, "督办升级", orders_escalate)
