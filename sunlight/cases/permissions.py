"""Who may see a case and act on its steps. Seeing follows the department scope of the power
library; acting on a step needs the step's role. Not visible → NotFound, never Forbidden."""

from typing import Any

from sunlight.catalog.permissions import can_see_department
from sunlight.core.errors import NotFound, PermissionDenied
from sunlight.org.choices import Role


def require_case_visible(user: Any, case: Any) -> None:
    if can_see_department(user, case.department):
        return
    # Joint approval: every department taking part sees the other parts copied (抄送).
    if any(can_see_department(user, department) for department in _joint_departments(case)):
        return
    raise NotFound("办件不存在或无权查看")


def _joint_departments(case: Any) -> list[Any]:
    from sunlight.cases.models import Case

    parent_id = case.joint_parent_id or (case.pk if case.case_type == "3" else None)
    if parent_id is None:
        return []
    related = Case.objects.filter(joint_parent_id=parent_id).select_related("department")
    parent = Case.objects.select_related("department").filter(pk=parent_id).first()
    departments = [c.department for c in related]
    return departments + ([parent.department] if parent else [])


def require_window(user: Any, department: Any) -> None:
    """Registering and accepting applications: the department's clerks (and heads)."""
    if not can_see_department(user, department):
        raise NotFound("部门不存在或无权办理")
    if user is None or user.is_superuser:
        return
    if user.role not in (Role.CLERK, Role.APPROVER):
        raise PermissionDenied("只有本部门窗口人员可以登记和受理办件")


def require_step_actor(user: Any, step: Any) -> None:
    require_case_visible(user, step.case)
    if user is None or user.is_superuser:
        return
    if step.role and user.role != step.role:
        labels = dict(Role.choices)
        raise PermissionDenied(f"“{step.name}”环节由{labels.get(step.role, step.role)}办理")
    if step.role in (Role.CLERK, Role.APPROVER) and user.department_id != step.case.department_id:
        raise PermissionDenied("只有本部门人员可以办理该环节")


def require_department_head(user: Any, case: Any) -> None:
    require_case_visible(user, case)
    if user is None or user.is_superuser:
        return
    if user.role != Role.APPROVER or user.department_id != case.department_id:
        raise PermissionDenied("须由本部门负责人批准")
