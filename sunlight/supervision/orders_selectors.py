"""Reads of supervision orders (督办): who sees which, the list filters, the workbench to-dos, an
order's timeline and the alert or case an issue form starts from.

Supervisors and admins see the orders of their region's subtree; a department's clerks and
approvers see their own department's; nobody else sees any. An order a user may not see is
NotFound, never PermissionDenied, so other departments' order numbers don't leak."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from sunlight.audit.selectors import audit_entries_for
from sunlight.cases.models import Case
from sunlight.cases.selectors import case_get_for_user
from sunlight.core import clock
from sunlight.core.errors import NotFound
from sunlight.org.choices import Role
from sunlight.org.models import Department
from sunlight.org.permissions import DEPARTMENT_ROLES, department_scope_q, departments_visible_to
from sunlight.supervision.choices import OrderColour, OrderState
from sunlight.supervision.models import (
    Alert,
    OrderAttachment,
    OrderEscalation,
    OrderReply,
    OrderReview,
    SupervisionOrder,
)

# Orders waiting for the department: escalation and overdue apply only to these.
AWAITING_REPLY = (OrderState.ISSUED, OrderState.RETURNED)
ORDER_ROLES = {Role.SUPERVISOR, Role.ADMIN}
OBJECT_TYPE = "supervision.order"  # audit entries of orders: object_id is the order number


def may_supervise(user: Any) -> bool:
    """Supervisors and admins (and superusers) issue, accept, return and withdraw orders."""
    return bool(user.is_superuser or (user.is_active and user.role in ORDER_ROLES))


def order_scope_q(user: Any) -> Q:
    if user.is_superuser:
        return Q()
    if user.role in ORDER_ROLES or user.role in DEPARTMENT_ROLES:
        return department_scope_q(user)
    return Q(pk__in=[])


def order_list_for_user(
    *,
    user: Any,
    state: str = "",
    colour: str = "",
    department_id: int | None = None,
    overdue: bool = False,
    today: dt.date | None = None,
) -> QuerySet[SupervisionOrder]:
    """The orders `user` may see, newest first, filtered."""
    rows = SupervisionOrder.objects.filter(order_scope_q(user))
    if state:
        rows = rows.filter(state=state)
    if colour:
        rows = rows.filter(colour=colour)
    if department_id:
        rows = rows.filter(department_id=department_id)
    if overdue:
        rows = rows.filter(overdue_q(today))
    return rows.select_related("department", "issued_by", "case", "alert")


def overdue_q(today: dt.date | None = None) -> Q:
    """Waiting for the department's reply past the reply deadline."""
    today = today or clock.today_local()
    return Q(state__in=AWAITING_REPLY, reply_due__lt=today)


def order_is_overdue(order: SupervisionOrder, today: dt.date | None = None) -> bool:
    today = today or clock.today_local()
    return order.state in AWAITING_REPLY and order.reply_due < today


def order_get_for_user(*, user: Any, number: str) -> SupervisionOrder:
    order = (
        SupervisionOrder.objects.filter(order_scope_q(user), number=number)
        .select_related("department", "issued_by", "case", "alert__rule")
        .first()
    )
    if order is None:
        raise NotFound("督办单不存在或无权查看")
    return order


def orders_todo_for_user(user: Any) -> QuerySet[SupervisionOrder]:
    """The workbench's to-dos: for an approver, the department's orders waiting for a reply
    (earliest deadline first); for a supervisor or admin, replies waiting for review."""
    if user.role == Role.APPROVER and user.department_id:
        rows = SupervisionOrder.objects.filter(
            department_id=user.department_id, state__in=AWAITING_REPLY
        ).order_by("reply_due", "issued_at", "id")
    elif may_supervise(user):
        rows = SupervisionOrder.objects.filter(
            order_scope_q(user), state=OrderState.REPLIED
        ).order_by("reply_due", "issued_at", "id")
    else:
        return SupervisionOrder.objects.none()
    return rows.select_related("department")


def order_departments_for_issue(user: Any) -> QuerySet[Department]:
    """Departments a supervisor may send an order to."""
    if not may_supervise(user):
        return Department.objects.none()
    return departments_visible_to(user).select_related("region").order_by("region_id", "code")


def alert_get_for_order(*, user: Any, alert_id: int) -> Alert:
    """An alert the issue form starts from, if the user may see it."""
    alert = (
        Alert.objects.filter(department_scope_q(user), pk=alert_id)
        .select_related("department", "case", "rule")
        .first()
    )
    if alert is None:
        raise NotFound("预警不存在或无权查看")
    return alert


def case_get_for_order(*, user: Any, number: str) -> Case:
    """A case the issue form starts from, if the user may see it."""
    return case_get_for_user(user=user, number=number)


def order_attachment_get(*, user: Any, number: str, attachment_id: int) -> OrderAttachment:
    order = order_get_for_user(user=user, number=number)
    attachment = OrderAttachment.objects.filter(pk=attachment_id, reply__order=order).first()
    if attachment is None:
        raise NotFound("附件不存在")
    return attachment


# ---------------------------------------------------------------- timeline


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str  # issued / replied / accepted / returned / escalated / withdrawn
    title: str
    who: str = ""
    text: list[tuple[str, str]] = field(default_factory=list)  # (label, text) paragraphs
    attachments: list[OrderAttachment] = field(default_factory=list)
    order: int = 0  # tie-break for entries at the same moment


def order_timeline(order: SupervisionOrder) -> list[TimelineEntry]:
    """Issue, replies (with attachments), reviews, escalations and withdrawal, oldest first."""
    escalations = list(OrderEscalation.objects.filter(order=order))
    first_colour = escalations[0].from_colour if escalations else order.colour
    entries = [
        TimelineEntry(
            order.issued_at,
            "issued",
            f"发出{_colour_label(first_colour)}单",
            order.issued_by.display_name,
            [("督办事由", order.subject), ("督办意见", order.suggestion)],
        )
    ]
    replies = OrderReply.objects.filter(order=order).select_related("replied_by")
    attachments: dict[int, list[OrderAttachment]] = {}
    for attachment in OrderAttachment.objects.filter(reply__order=order).order_by("id"):
        attachments.setdefault(attachment.reply_id, []).append(attachment)
    for number, reply in enumerate(replies, start=1):
        text = [("情况说明", reply.explanation)]
        if reply.measures:
            text.append(("整改措施", reply.measures))
        entries.append(
            TimelineEntry(
                reply.replied_at,
                "replied",
                f"部门回复（第{number}次）",
                reply.replied_by.display_name,
                text,
                attachments.get(reply.pk, []),
                1,
            )
        )
    for review in OrderReview.objects.filter(order=order).select_related("reviewed_by"):
        if review.accepted:
            marks = f"回复属实：{_yes_no(review.truthful)}；回复客观：{_yes_no(review.objective)}"
            text = [("审核结论", marks), ("督办结论", review.opinion)]
            kind, title = "accepted", "审核通过，督办办结"
        else:
            text = [("退回意见", review.opinion)]
            kind, title = "returned", "退回重新回复"
        entries.append(
            TimelineEntry(review.reviewed_at, kind, title, review.reviewed_by.display_name, text,
                          order=2)
        )  # fmt: skip
    for step in escalations:
        text = [
            ("升级", f"{_colour_label(step.from_colour)} → {_colour_label(step.to_colour)}"),
            (
                "回复期限",
                f"{step.previous_due:%Y-%m-%d} 逾期未回复，新期限 {step.new_due:%Y-%m-%d}",
            ),
        ]
        entries.append(
            TimelineEntry(step.escalated_at, "escalated", f"升级为{_colour_label(step.to_colour)}",
                          "系统", text, order=3)
        )  # fmt: skip
    if order.state == OrderState.WITHDRAWN and order.closed_at:
        # The order keeps no "withdrawn by": the audit entry names who did it.
        entry = (
            audit_entries_for(object_type=OBJECT_TYPE, object_id=order.number)
            .filter(action="supervision.order.withdrawn")
            .last()
        )
        entries.append(
            TimelineEntry(order.closed_at, "withdrawn", "撤回督办单",
                          entry.actor_name if entry else "", [("撤回理由", order.conclusion)],
                          order=4)
        )  # fmt: skip
    entries.sort(key=lambda entry: (entry.at, entry.order))
    return entries


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else ("是" if value else "否")


def _colour_label(value: str) -> str:
    return OrderColour(value).label
