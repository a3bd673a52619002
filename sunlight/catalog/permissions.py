"""Catalog permissions: who may see an item, draft it, sign it off, review, publish, suspend.

Seeing is by department scope (org.permissions); a user who cannot see an item gets NotFound,
never Forbidden, so item codes of other departments don't leak.
"""

from typing import Any

from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.models import PowerItem
from sunlight.core.errors import NotFound, PermissionDenied
from sunlight.org.choices import Role
from sunlight.org.models import Department
from sunlight.org.permissions import region_prefix


def can_see_department(user: Any, department: Department) -> bool:
    if user is None or user.is_superuser:
        return True
    if not user.is_active:
        return False
    if user.role in (Role.CLERK, Role.APPROVER):
        return user.department_id == department.pk
    if user.role in (Role.LEGAL, Role.SUPERVISOR, Role.ADMIN) and user.region_id:
        return department.region_id.startswith(region_prefix(user.region_id))
    return False


def require_visible(user: Any, department: Department) -> None:
    if not can_see_department(user, department):
        raise NotFound("权力事项不存在或无权查看")


def require_can_draft(user: Any, department: Department) -> None:
    """Clerks and heads of the department draft its items; admins may act for it."""
    require_visible(user, department)
    if user is None or user.is_superuser:
        return
    if user.role not in (Role.CLERK, Role.APPROVER, Role.ADMIN):
        raise PermissionDenied("只有本部门经办人员或负责人可以编制权力事项")


# Which roles may take each lifecycle action (besides the system and superusers).
ACTION_ROLES: dict[str, set[str]] = {
    TransitionAction.SUBMIT: {Role.CLERK, Role.APPROVER, Role.ADMIN},
    TransitionAction.SIGN_OFF: {Role.APPROVER},
    TransitionAction.DEPT_RETURN: {Role.APPROVER},
    TransitionAction.LEGAL_APPROVE: {Role.LEGAL},
    TransitionAction.LEGAL_RETURN: {Role.LEGAL},
    TransitionAction.PUBLISH: {Role.LEGAL, Role.ADMIN},
    TransitionAction.SUSPEND: {Role.APPROVER, Role.LEGAL, Role.ADMIN},
    TransitionAction.RESUME: {Role.APPROVER, Role.LEGAL, Role.ADMIN},
    TransitionAction.REVOKE: {Role.APPROVER, Role.LEGAL, Role.ADMIN},
}


def may_take(user: Any, action: str) -> bool:
    if user is None or user.is_superuser:
        return True
    return user.role in ACTION_ROLES.get(action, set())


def require_may_take(user: Any, item: PowerItem, action: str) -> None:
    require_visible(user, item.department)
    if not may_take(user, action):
        label = TransitionAction(action).label
        raise PermissionDenied(f"您的角色不能对权力事项执行“{label}”")
