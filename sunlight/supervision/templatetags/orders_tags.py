"""`{% orders_todo_box %}`: the workbench's supervision-order box. A template tag so that the
workbench (org) needs no import of supervision, which sits above it."""

from typing import Any

from django import template

from sunlight.core import clock
from sunlight.org.choices import Role
from sunlight.supervision.orders_selectors import (
    may_supervise,
    order_is_overdue,
    orders_todo_for_user,
)

register = template.Library()
SHOWN = 8


@register.inclusion_tag("supervision/order_todo_box.html", takes_context=True)
def orders_todo_box(context: Any) -> dict[str, Any]:
    """Approvers: their department's orders waiting for a reply (督办待回复). Supervisors and
    admins: replies waiting for their review (督办待审核). Nobody else sees the box."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    approver = user.role == Role.APPROVER
    if not approver and not may_supervise(user):
        return {"show": False}
    rows = orders_todo_for_user(user)
    total = rows.count()
    shown = list(rows[:SHOWN])
    today = clock.today_local()
    for order in shown:
        order.overdue = order_is_overdue(order, today)
    return {
        "show": True,
        "title": "督办待回复" if approver else "督办待审核",
        "orders": shown,
        "total": total,
        "approver": approver,
    }
