"""Who may do what with 公示. The public objects through the public form (no sign-in); the
case's own department starts the notice and answers objections; the legal office and platform
admins of the region set which powers need 批前公示."""

from typing import Any

from sunlight.cases.permissions import require_case_visible
from sunlight.catalog.permissions import can_see_department
from sunlight.core.errors import NotFound, PermissionDenied
from sunlight.org.choices import Role


def require_case_handler(user: Any, case: Any) -> None:
    """The case's department (clerks and heads); None is the system (demo, jobs)."""
    require_case_visible(user, case)
    if user is None or user.is_superuser:
        return
    if user.role not in (Role.CLERK, Role.APPROVER) or user.department_id != case.department_id:
        raise PermissionDenied("只有本部门经办人员可以办理批前公示和答复异议")


def require_requirement_editor(user: Any, version: Any) -> None:
    if not can_see_department(user, version.item.department):
        raise NotFound("权力事项不存在或无权查看")
    if user is None or user.is_superuser:
        return
    if user.role not in (Role.LEGAL, Role.ADMIN):
        raise PermissionDenied("只有法制机构或平台管理员可以设置批前公示要求")
