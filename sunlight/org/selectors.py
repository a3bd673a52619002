"""Reads of the org structure for the people who manage it, scoped to what they administer.

Each selector checks `require_org_admin` first, and an object outside the admin's regions is
NotFound, like an object that does not exist.
"""

from typing import Any

from django.db.models import Q, QuerySet

from sunlight.core.errors import NotFound
from sunlight.org.models import Department, Region, Section, User
from sunlight.org.permissions import region_prefix, regions_managed_by, require_org_admin


def _region_q(actor: Any, field: str) -> Q:
    if actor.is_superuser:
        return Q()
    if not actor.region_id:
        return Q(pk__in=[])
    return Q(**{f"{field}__startswith": region_prefix(actor.region_id)})


def region_list_for_admin(*, actor: Any) -> QuerySet[Region]:
    require_org_admin(actor)
    return regions_managed_by(actor).select_related("parent").order_by("code")


def region_get_for_admin(*, actor: Any, code: str) -> Region:
    region = region_list_for_admin(actor=actor).filter(code=code).first()
    if region is None:
        raise NotFound("行政区划不存在或不在您的管理范围内")
    return region


def department_list_for_admin(
    *, actor: Any, region_code: str = "", query: str = ""
) -> QuerySet[Department]:
    require_org_admin(actor)
    departments = Department.objects.filter(_region_q(actor, "region__code")).select_related(
        "region"
    )
    if region_code:
        departments = departments.filter(region_id=region_code)
    query = query.strip()
    if query:
        departments = departments.filter(Q(name__icontains=query) | Q(code=query))
    return departments.order_by("region_id", "sort_order", "code")


def department_get_for_admin(*, actor: Any, department_id: int) -> Department:
    department = department_list_for_admin(actor=actor).filter(pk=department_id).first()
    if department is None:
        raise NotFound("部门不存在或不在您的管理范围内")
    return department


def section_list_for_admin(*, actor: Any) -> QuerySet[Section]:
    require_org_admin(actor)
    return (
        Section.objects.filter(_region_q(actor, "department__region__code"))
        .select_related("department")
        .order_by("department__region_id", "department__sort_order", "department__code", "code")
    )


def section_get_for_admin(*, actor: Any, section_id: int) -> Section:
    section = section_list_for_admin(actor=actor).filter(pk=section_id).first()
    if section is None:
        raise NotFound("科室不存在或不在您的管理范围内")
    return section


def sections_of(*, department: Department) -> QuerySet[Section]:
    """A department's sections (for whoever may already see the department)."""
    return Section.objects.filter(department=department).order_by("code")


def user_list_for_admin(*, actor: Any, query: str = "") -> QuerySet[User]:
    require_org_admin(actor)
    users = User.objects.filter(_region_q(actor, "region__code")).select_related(
        "region", "department", "section"
    )
    query = query.strip()
    if query:
        users = users.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    return users.order_by("username")


def user_get_for_admin(*, actor: Any, user_id: int) -> User:
    user = user_list_for_admin(actor=actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound("工作人员不存在或不在您的管理范围内")
    return user


def org_counts_for_admin(*, actor: Any) -> dict[str, int]:
    return {
        "regions": region_list_for_admin(actor=actor).count(),
        "departments": department_list_for_admin(actor=actor).count(),
        "sections": section_list_for_admin(actor=actor).count(),
        "users": user_list_for_admin(actor=actor).count(),
    }
