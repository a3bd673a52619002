"""Who may see and change what, by role and org unit. Services call these; views never decide.

GB/T 2260 codes nest by prefix (province 2 digits, city 4, county 6), so a region's subtree is
every code that starts with its prefix.
"""

from typing import Any

from django.db.models import Q, QuerySet

from sunlight.core.errors import PermissionDenied
from sunlight.org.choices import Role
from sunlight.org.models import Department, Region

DEPARTMENT_ROLES = {Role.CLERK, Role.APPROVER}
REGION_ROLES = {Role.LEGAL, Role.SUPERVISOR, Role.ADMIN}


def region_prefix(region: Region | str) -> str:
    code = region if isinstance(region, str) else region.code
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def is_platform_admin(user: Any) -> bool:
    # getattr: Django's admin asks about the anonymous visitor of its sign-in page too.
    return bool(user.is_superuser or (getattr(user, "role", None) == Role.ADMIN and user.is_active))


def is_staff_user(user: Any) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and (user.role or user.is_superuser)
    )


def department_scope_q(user: Any, *, prefix: str = "") -> Q:
    """A Q over a model with a department FK (`prefix` names the path to it) limiting rows to
    the departments this user may see."""
    if user.is_superuser:
        return Q()
    if user.role in DEPARTMENT_ROLES:
        if user.department_id is None:
            return Q(pk__in=[])
        return Q(**{f"{prefix}department_id": user.department_id})
    if user.role in REGION_ROLES and user.region_id:
        return Q(**{f"{prefix}department__region__code__startswith": region_prefix(user.region_id)})
    return Q(pk__in=[])


def departments_visible_to(user: Any) -> QuerySet[Department]:
    if user.is_superuser:
        return Department.objects.all()
    if user.role in DEPARTMENT_ROLES:
        return Department.objects.filter(pk=user.department_id)
    if user.role in REGION_ROLES and user.region_id:
        return Department.objects.filter(region__code__startswith=region_prefix(user.region_id))
    return Department.objects.none()


def regions_managed_by(user: Any) -> QuerySet[Region]:
    if user.is_superuser:
        return Region.objects.all()
    if user.role == Role.ADMIN and user.region_id:
        return Region.objects.filter(code__startswith=region_prefix(user.region_id))
    return Region.objects.none()


def require_org_admin(user: Any, *, region_code: str | None = None) -> None:
    """Raise unless `user` administers org data (within `region_code`'s subtree if given).

    `user` None is the system itself (operator CLI, demo generator), which may do anything."""
    if user is None:
        return
    if not is_platform_admin(user):
        raise PermissionDenied("只有平台管理员可以维护组织机构和用户")
    if region_code is None or user.is_superuser:
        return
    if user.region_id is None or not region_code.startswith(region_prefix(user.region_id)):
        raise PermissionDenied("该区划不在您的管理范围内")
