"""The workbench box (工作台) for feedback: a department's petitions to sign and answer and
its bad ratings to rectify; the hotline operator's desk. Contributed to org's workbench."""

from typing import Any

from sunlight.feedback.permissions import is_hotline
from sunlight.feedback.selectors import feedback_todo_counts
from sunlight.org.permissions import DEPARTMENT_ROLES, REGION_ROLES
from sunlight.org.workbench import Panel


def feedback_panel(user: Any) -> Panel | None:
    if is_hotline(user):
        return Panel("feedback/workbench_box.html", {"hotline": True})
    if user.role not in DEPARTMENT_ROLES and user.role not in REGION_ROLES:
        return None
    return Panel("feedback/workbench_box.html", {"counts": feedback_todo_counts(user=user)})
