"""Who handles ratings' follow-ups and petitions: the staff of the department concerned
(窗口/经办人员 and 部门负责人); supervisors and admins of the region see them, and supervisors
turn upheld complaints into 督办 orders; the 12345 hotline operators look cases up and register
petitions for callers."""

from typing import Any

from django.db.models import Q

from sunlight.org.choices import Role
from sunlight.org.permissions import DEPARTMENT_ROLES, department_scope_q

HOTLINE_ROLE = "hotline"


def is_hotline(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == HOTLINE_ROLE)


def may_handle(user: Any, department_id: int) -> bool:
    """A department's own staff act on its follow-ups and petitions."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.role in DEPARTMENT_ROLES and user.department_id == department_id


def may_supervise(user: Any) -> bool:
    return bool(
        user and user.is_active and (user.is_superuser or user.role in (Role.SUPERVISOR,
                                                                        Role.ADMIN))
    )  # fmt: skip


def feedback_scope_q(user: Any, *, petitions: bool = False) -> Q:
    """Rows (with a department) this user may read: a department's own, a region's for
    legal/supervisor/admin; a hotline operator only the petitions they registered."""
    if is_hotline(user):
        return Q(registered_by=user) if petitions else Q(pk__in=[])
    return department_scope_q(user)
