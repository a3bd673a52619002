"""The workbench's supervision-order box (督办待回复 / 督办待审核), contributed to org's workbench
as a panel (org.workbench)."""

from typing import Any

from sunlight.core import clock
from sunlight.org.choices import Role
from sunlight.org.workbench import Panel
from sunlight.supervision.orders_selectors import (
    may_supervise,
    order_is_overdue,
    orders_todo_for_user,
)

SHOWN = 8


def orders_todo_panel(user: Any) -> Panel | None:
    """Approvers: their department's orders waiting for a reply. Supervisors and admins:
    replies waiting for their review. Nobody else gets the box."""
    approver = user.role == Role.APPROVER
    if not approver and not may_supervise(user):
        return None
    rows = orders_todo_for_user(user)
    total = rows.count()
    shown = list(rows[:SHOWN])
    today = clock.today_local()
    for order in shown:
        order.overdue = order_is_overdue(order, today)
    return Panel(
        "supervision/order_todo_box.html",
        {
            "title": "督办待回复" if approver else "督办待审核",
            "orders": shown,
            "total": total,
            "approver": approver,
        },
    )
