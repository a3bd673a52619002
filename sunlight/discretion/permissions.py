"""Who may see, maintain, review and use discretion benchmarks.

- The legal office (法制机构) and admins maintain the benchmarks of their region's subtree;
  the legal office reviews and publishes them.
- Supervisors see the published benchmarks of their region's subtree; department staff those
  of their own department's powers. Drafts and versions under review are the legal office's.
- A penalty decision is recorded by staff who may act on the case: its department's clerks and
  heads, or the legal office and admins of its region.

Not visible → NotFound (never Forbidden), as everywhere.
"""

from typing import Any

from sunlight.cases.permissions import require_case_visible
from sunlight.catalog.permissions import can_see_department
from sunlight.core.errors import NotFound, PermissionDenied
from sunlight.org.choices import Role
from sunlight.org.permissions import region_prefix

MAINTAINERS = {Role.LEGAL, Role.ADMIN}
REVIEWERS = {Role.LEGAL}
READERS_OF_PUBLISHED = {Role.SUPERVISOR, Role.CLERK, Role.APPROVER}
COMPARERS = {Role.LEGAL, Role.SUPERVISOR, Role.ADMIN}
DECIDERS = {Role.CLERK, Role.APPROVER, Role.LEGAL, Role.ADMIN}


def _system(user: Any) -> bool:
    return user is None or bool(user.is_superuser)


def region_in_scope(user: Any, region_code: str) -> bool:
    """The region lies in the user's region subtree (region roles only)."""
    if _system(user):
        return True
    if not user.is_active or user.role not in (Role.LEGAL, Role.SUPERVISOR, Role.ADMIN):
        return False
    return bool(user.region_id) and region_code.startswith(region_prefix(user.region_id))


def may_maintain(user: Any) -> bool:
    return _system(user) or (user.is_active and user.role in MAINTAINERS)


def may_review(user: Any) -> bool:
    return _system(user) or (user.is_active and user.role in REVIEWERS)


def sees_drafts(user: Any, benchmark: Any) -> bool:
    """Maintainers in scope see every version, not only the published ones."""
    return may_maintain(user) and region_in_scope(user, benchmark.region_id)


def can_see(user: Any, benchmark: Any) -> bool:
    if sees_drafts(user, benchmark):
        return True
    if benchmark.current_version_id is None:
        return False
    if user.role == Role.SUPERVISOR:
        return region_in_scope(user, benchmark.region_id)
    if user.role in (Role.CLERK, Role.APPROVER):
        return user.is_active and can_see_department(user, benchmark.power_item.department)
    return False


def require_visible(user: Any, benchmark: Any) -> None:
    if not can_see(user, benchmark):
        raise NotFound("裁量基准不存在或无权查看")


def require_maintainer(user: Any, benchmark: Any) -> None:
    require_visible(user, benchmark)
    if not may_maintain(user) or not region_in_scope(user, benchmark.region_id):
        raise PermissionDenied("只有法制机构或平台管理员可以编制裁量基准")


def require_reviewer(user: Any, benchmark: Any) -> None:
    require_visible(user, benchmark)
    if not may_review(user) or not region_in_scope(user, benchmark.region_id):
        raise PermissionDenied("只有法制机构可以审核发布裁量基准")


def require_may_create(user: Any, *, power_item: Any, region_code: str) -> None:
    if not can_see_department(user, power_item.department):
        raise NotFound("权力事项不存在或无权查看")
    if not may_maintain(user):
        raise PermissionDenied("只有法制机构或平台管理员可以编制裁量基准")
    if not region_in_scope(user, region_code):
        raise PermissionDenied("该区划不在您的管理范围内")


def require_may_compare(user: Any) -> None:
    if not _system(user) and user.role not in COMPARERS:
        raise PermissionDenied("跨区域比对供法制机构和纪检监察人员使用")


def may_decide(user: Any, case: Any) -> bool:
    """Whether `user`, who can see `case`, may record its discretion decision."""
    if _system(user):
        return True
    if not user.is_active or user.role not in DECIDERS:
        return False
    if user.role in (Role.CLERK, Role.APPROVER):
        return user.department_id == case.department_id
    return region_in_scope(user, case.region_code)


def require_may_decide(user: Any, case: Any) -> None:
    require_case_visible(user, case)  # NotFound for another department's case
    if not may_decide(user, case):
        raise PermissionDenied("只有本案承办部门人员或法制机构可以记录处罚裁量")


def require_may_import(user: Any, department: Any) -> None:
    """A bureau's whole table: the legal office or admins of the department's region."""
    if not can_see_department(user, department):
        raise NotFound("部门不存在或无权查看")
    if not may_maintain(user) or not region_in_scope(user, department.region_id):
        raise PermissionDenied("只有法制机构或平台管理员可以导入裁量基准表")
