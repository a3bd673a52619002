"""机构概况: a department's public profile — functions, leaders, address, office hours and its
consultation phone — written here and read by the public portal (disclosure.portal)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.core.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from sunlight.core.phones import phone_problem
from sunlight.core.text import clean_line, clean_text, has_visible
from sunlight.org.choices import Role
from sunlight.org.models import Department, DepartmentLeader
from sunlight.org.permissions import is_platform_admin, region_prefix

MAX_LEADERS = 12


@dataclass(frozen=True)
class LeaderDraft:
    name: str
    post: str
    duties: str = ""


def can_edit_profile(user: Any, department: Department) -> bool:
    """The department's head (approver) or a platform admin over its region; None is the system."""
    if user is None or user.is_superuser:
        return True
    if user.role == Role.APPROVER:
        return user.department_id == department.pk
    if is_platform_admin(user) and user.region_id:
        return department.region_id.startswith(region_prefix(user.region_id))
    return False


def _problems(
    functions: str, address: str, office_hours: str, phone: str, leaders: Sequence[LeaderDraft]
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if len(functions) > 4000:
        problems.append(FieldProblem("主要职责", "不超过4000字"))
    if len(address) > 200:
        problems.append(FieldProblem("办公地址", "不超过200字"))
    if len(office_hours) > 200:
        problems.append(FieldProblem("办公时间", "不超过200字"))
    if problem := phone_problem(phone, several=True, service=True):
        problems.append(FieldProblem("咨询电话", problem))
    if len(leaders) > MAX_LEADERS:
        problems.append(FieldProblem("领导班子", f"最多{MAX_LEADERS}人"))
    for number, leader in enumerate(leaders, start=1):
        if not has_visible(leader.name) or len(clean_line(leader.name)) > 30:
            problems.append(FieldProblem(f"第{number}位领导 姓名", "请填写，不超过30字"))
        if not has_visible(leader.post) or len(clean_line(leader.post)) > 60:
            problems.append(FieldProblem(f"第{number}位领导 职务", "请填写，不超过60字"))
        if len(clean_line(leader.duties)) > 300:
            problems.append(FieldProblem(f"第{number}位领导 分管工作", "不超过300字"))
    return problems


def department_profile_update(
    *,
    actor: Any,
    department_id: int,
    functions: str,
    address: str,
    office_hours: str,
    phone: str,
    leaders: Sequence[LeaderDraft],
) -> Department:
    """Replace the department's 机构概况 (the leaders as a whole list, in the given order)."""
    functions, phone = clean_text(functions), clean_line(phone)
    address, office_hours = clean_line(address), clean_line(office_hours)
    problems = _problems(functions, address, office_hours, phone, leaders)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        department = Department.objects.select_for_update().filter(pk=department_id).first()
        if department is None:
            raise NotFound("部门不存在")
        if not can_edit_profile(actor, department):
            raise PermissionDenied("只有本部门负责人或平台管理员可以维护机构概况")
        department.functions = functions
        department.address = address
        department.office_hours = office_hours
        department.phone = phone
        department.save(update_fields=["functions", "address", "office_hours", "phone"])
        DepartmentLeader.objects.filter(department=department).delete()
        DepartmentLeader.objects.bulk_create(
            DepartmentLeader(
                department=department,
                name=clean_line(leader.name),
                post=clean_line(leader.post),
                duties=clean_line(leader.duties),
                sort_order=index,
            )
            for index, leader in enumerate(leaders)
        )
        audit_record(
            actor=actor,
            action="org.department.profile_updated",
            object_type="org.department",
            object_id=department.pk,
            data={
                "functions": functions,
                "address": address,
                "office_hours": office_hours,
                "phone": phone,
                "leaders": [[clean_line(x.name), clean_line(x.post)] for x in leaders],
            },
        )
    return department
