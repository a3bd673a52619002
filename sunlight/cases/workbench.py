"""The workbench's 今日工作 panel: the signed-in person's own queue, first on their home page."""

from typing import Any

from sunlight.cases.queue import case_queues_for_user
from sunlight.org.choices import Role
from sunlight.org.workbench import Panel

_HANDLING_ROLES = {Role.CLERK, Role.APPROVER, Role.LEGAL}


def case_queue_panel(user: Any) -> Panel | None:
    """Staff who handle case steps get their queue; supervisors and admins do not handle
    steps (their boxes are the supervision centre's)."""
    if user.role not in _HANDLING_ROLES:
        return None
    return Panel("cases/workbench_queue.html", {"queues": case_queues_for_user(user=user)})
