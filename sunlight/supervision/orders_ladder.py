"""The three-colour ladder (三色督办): an order still waiting for its reply after the reply
deadline climbs one colour — blue → orange → red — with a new deadline counted in working days
from the day it climbs. A red order past its deadline stays red; the scan's `order_overdue`
rule raises the alert for it.

Set-based: one locked read of the orders due, one UPDATE per colour, one bulk insert of the
escalation rows, ONE audit entry for the run and one batch of notifications. Idempotent within
a day: the new deadlines lie after today, so a second run the same day finds nothing."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.core import clock
from sunlight.core.jobs import register_periodic
from sunlight.notifications.choices import Category
from sunlight.notifications.selectors import recipients_for_department, supervisors_for_region
from sunlight.notifications.services import Notice, notify_many
from sunlight.org.calendar_selectors import work_calendar
from sunlight.org.models import User
from sunlight.supervision.choices import OrderColour
from sunlight.supervision.models import OrderEscalation, SupervisionOrder
from sunlight.supervision.orders import NOTICE_LEVEL, order_link
from sunlight.supervision.orders_selectors import AWAITING_REPLY, OBJECT_TYPE

LADDER = {OrderColour.BLUE: OrderColour.ORANGE, OrderColour.ORANGE: OrderColour.RED}
# Working days a department gets to reply after its order climbs to each colour. No standard
# was found (DOMAIN.md: "ordered to finish by a date"); these are the defaults seen locally.
LADDER_DAYS = {OrderColour.ORANGE: 5, OrderColour.RED: 3}
RUN_OBJECT_TYPE = "supervision.order_ladder"  # the run's audit entry: object_id is the day
_CHUNK = 500  # ids per UPDATE, well inside every database's parameter limit


def orders_escalate(*, today: dt.date | None = None) -> int:
    """Climb every order waiting for a reply past its deadline one colour; returns how many.

    The revision is not bumped: climbing does not change what the department answers, so a
    reply form opened before the climb still goes through."""
    today = today or clock.today_local()
    calendar = work_calendar()
    new_due = {to: calendar.add_workdays(today, days).day for to, days in LADDER_DAYS.items()}
    now = clock.now()
    with transaction.atomic():
        # Locked (PostgreSQL), so two workers at once climb each order once; a reply that
        # commits first takes its order out of the set.
        due = list(
            SupervisionOrder.objects.select_for_update()
            .filter(state__in=AWAITING_REPLY, reply_due__lt=today, colour__in=list(LADDER))
            .filter(source_ref="")  # a pushed order climbs its issuer's ladder, not ours
            .order_by("pk")
            .values_list("pk", "number", "colour", "reply_due", "department_id", "region_code",
                         "issued_by_id", "subject")
        )  # fmt: skip
        if not due:
            return 0
        for from_colour, to_colour in LADDER.items():
            ids = [row[0] for row in due if row[2] == from_colour]
            for start in range(0, len(ids), _CHUNK):
                SupervisionOrder.objects.filter(pk__in=ids[start : start + _CHUNK]).update(
                    colour=to_colour, reply_due=new_due[to_colour]
                )
        OrderEscalation.objects.bulk_create(
            [
                OrderEscalation(
                    order_id=pk,
                    escalated_at=now,
                    from_colour=colour,
                    to_colour=LADDER[colour],
                    previous_due=previous,
                    new_due=new_due[LADDER[colour]],
                )
                for pk, _number, colour, previous, *_rest in due
            ]
        )
        climbed = [
            {
                "number": number,
                "from": colour,
                "to": LADDER[colour],
                "previous_due": previous.isoformat(),
                "new_due": new_due[LADDER[colour]].isoformat(),
            }
            for _pk, number, colour, previous, *_rest in due
        ]
        audit_record(
            actor=None,
            action="supervision.order.escalated",
            object_type=RUN_OBJECT_TYPE,
            object_id=today.isoformat(),
            data={"day": today.isoformat(), "orders": climbed},
        )
        notify_many(notices=_notices(due, new_due))
    return len(due)


def _notices(rows: list[tuple[Any, ...]], new_due: dict[str, dt.date]) -> list[Notice]:
    """The department's approvers and the issuer hear of every climb; at red, every supervisor
    of the region too."""
    approvers = {
        department: list(recipients_for_department(department))
        for department in {row[4] for row in rows}
    }
    regions = {row[5] for row in rows if LADDER[row[2]] == OrderColour.RED}
    supervisors = {region: list(supervisors_for_region(region)) for region in regions}
    issuers = User.objects.in_bulk({row[6] for row in rows})
    notices = []
    for _pk, number, colour, previous, department, region, issuer, subject in rows:
        to_colour = LADDER[colour]
        recipients: Iterable[User] = [
            *approvers[department],
            *([issuers[issuer]] if issuer in issuers else []),
            *(supervisors.get(region, []) if to_colour == OrderColour.RED else []),
        ]
        label = OrderColour(to_colour).label
        for user in {user.pk: user for user in recipients}.values():
            notices.append(
                Notice(
                    recipient=user,
                    subject=f"督办单 {number} 逾期未回复，已升级为{label}"[:200],
                    body=(
                        f"{subject}。原回复期限 {previous:%Y-%m-%d}，"
                        f"请于 {new_due[to_colour]:%Y-%m-%d} 前回复。"
                    ),
                    link=order_link(number),
                    category=Category.ORDER,
                    level=NOTICE_LEVEL[to_colour],
                    source_type=OBJECT_TYPE,
                    source_id=number,
                )
            )
    return notices


def register_jobs() -> None:
    """Called from the app's ready(): the worker climbs the ladder every ten minutes (cheap when
    nothing is due; the day's climbs happen on the first run after midnight)."""
    register_periodic(
        name="supervision.orders_escalate",
        run=orders_escalate,
        every_seconds=600,
        label="督办升级",
    )
