"""Who may do what with disclosures. Services call these; views never decide."""

from typing import Any

from sunlight.catalog.permissions import can_see_department
from sunlight.org.choices import Role
from sunlight.org.models import Department
from sunlight.org.permissions import is_staff_user, region_prefix

DISCLOSERS = (Role.CLERK, Role.APPROVER)
# The office that 复核s stage forms and reviews region-level announcements: 纪检监察 and the
# platform's administrators (政务公开办) of the region.
OFFICE_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def _over_region(user: Any, department: Department) -> bool:
    return bool(user.region_id) and department.region_id.startswith(region_prefix(user.region_id))


def can_disclose(user: Any, department: Department) -> bool:
    """Publish or correct the department's disclosures: its own staff, or its region's admin."""
    if user is None or user.is_superuser:
        return True
    if not is_staff_user(user):
        return False
    if user.role in DISCLOSERS:
        return user.department_id == department.pk
    return user.role == Role.ADMIN and _over_region(user, department)


def can_register_matter(user: Any, department: Department) -> bool:
    if user is None or user.is_superuser:
        return True
    if not is_staff_user(user):
        return False
    if user.role == Role.APPROVER:
        return user.department_id == department.pk
    return user.role == Role.ADMIN and _over_region(user, department)


def can_review_reports(user: Any, department: Department) -> bool:
    if user is None or user.is_superuser:
        return True
    return is_staff_user(user) and user.role in OFFICE_ROLES and _over_region(user, department)


def can_review_announcement(user: Any, department: Department | None, region_code: str) -> bool:
    """The head of the writing department, or the region's office (any announcement in it)."""
    if user is None or user.is_superuser:
        return True
    if not is_staff_user(user):
        return False
    if user.role == Role.APPROVER and department is not None:
        return user.department_id == department.pk
    return (
        user.role in OFFICE_ROLES
        and bool(user.region_id)
        and region_code.startswith(region_prefix(user.region_id))
    )


def can_read_internal(user: Any, department: Department) -> bool:
    """对内公开: the department's own staff and the region's legal, supervision and admin roles."""
    return is_staff_user(user) and can_see_department(user, department)
