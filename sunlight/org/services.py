"""Writes to the org structure: each checks permission, validates, changes and audits at once."""

import re
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.core.errors import FieldProblem, NotFound, ValidationFailed
from sunlight.core.phones import phone_problem
from sunlight.core.regions import region_code_problems, region_level
from sunlight.core.text import clean_line
from sunlight.org.choices import Role
from sunlight.org.models import Department, Region, Section, User
from sunlight.org.permissions import DEPARTMENT_ROLES, REGION_ROLES, require_org_admin
from sunlight.org.region_codes import region_list_problems

_BODY_CODE = re.compile(r"^\d{3}$")
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{3,150}$")


def _require_name(value: str, label: str, problems: list[FieldProblem], max_length: int) -> str:
    value = clean_line(value)
    if not value:
        problems.append(FieldProblem(label, "不能为空（空格和不可见字符不算内容）"))
    elif len(value) > max_length:
        problems.append(FieldProblem(label, f"不能超过{max_length}个字"))
    return value


def _phone_problems(phone: str, *, department: bool = False) -> list[FieldProblem]:
    """A department may publish several numbers, hotlines among them; a person has one."""
    problem = phone_problem(phone, several=department, service=department)
    return [FieldProblem("联系电话", problem)] if problem else []


def region_create(*, actor: Any, code: str, name: str, parent_code: str | None = None) -> Region:
    code = (code or "").strip()
    parent = None
    problems: list[FieldProblem] = []
    name = _require_name(name, "名称", problems, 60)
    if parent_code:
        parent = Region.objects.filter(code=parent_code).first()
        if parent is None:
            problems.append(FieldProblem("上级区划", f"区划“{parent_code}”不存在"))
    problems += region_code_problems(code, parent.code if parent else None)
    if not problems:
        problems += region_list_problems(code, name)
    if Region.objects.filter(code=code).exists():
        problems.append(FieldProblem("区划代码", f"“{code}”已存在"))
    if problems:
        raise ValidationFailed(problems)
    require_org_admin(actor, region_code=parent.code if parent else code)
    with transaction.atomic():
        region = Region.objects.create(
            code=code, name=name, level=region_level(code), parent=parent
        )
        audit_record(
            actor=actor,
            action="org.region.created",
            object_type="org.region",
            object_id=code,
            data={"code": code, "name": name, "parent": parent_code},
        )
    return region


def region_update(*, actor: Any, region: Region, name: str) -> Region:
    require_org_admin(actor, region_code=region.code)
    problems: list[FieldProblem] = []
    name = _require_name(name, "名称", problems, 60)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        old = region.name
        region.name = name
        region.save(update_fields=["name"])
        audit_record(
            actor=actor,
            action="org.region.updated",
            object_type="org.region",
            object_id=region.code,
            data={"name": [old, name]},
        )
    return region


_DEPARTMENT_FIELDS = ("name", "short_name", "credit_code", "phone", "sort_order")


def department_create(
    *,
    actor: Any,
    region: Region,
    code: str,
    name: str,
    short_name: str = "",
    credit_code: str = "",
    phone: str = "",
    is_legal_office: bool = False,
    is_supervision_office: bool = False,
    sort_order: int = 0,
) -> Department:
    require_org_admin(actor, region_code=region.code)
    problems: list[FieldProblem] = []
    name = _require_name(name, "部门名称", problems, 100)
    problems += _phone_problems(phone, department=True)
    if not _BODY_CODE.match(code or ""):
        problems.append(FieldProblem("部门编码", f"“{code}”不是三位数字"))
    elif Department.objects.filter(region=region, code=code).exists():
        problems.append(FieldProblem("部门编码", f"{region.name}已有编码为“{code}”的部门"))
    if credit_code:
        problems += _credit_code_problems(credit_code)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        department = Department.objects.create(
            region=region,
            code=code,
            name=name,
            short_name=short_name.strip(),
            credit_code=credit_code.strip(),
            phone=phone.strip(),
            is_legal_office=is_legal_office,
            is_supervision_office=is_supervision_office,
            sort_order=sort_order,
        )
        audit_record(
            actor=actor,
            action="org.department.created",
            object_type="org.department",
            object_id=department.pk,
            data={"region": region.code, "code": code, "name": name},
        )
    return department


def department_update(*, actor: Any, department: Department, **changes: Any) -> Department:
    require_org_admin(actor, region_code=department.region_id)
    unknown = set(changes) - set(_DEPARTMENT_FIELDS) - {"is_legal_office", "is_supervision_office"}
    if unknown:
        raise ValueError(f"department fields not editable: {sorted(unknown)}")
    problems: list[FieldProblem] = []
    if "name" in changes:
        changes["name"] = _require_name(changes["name"], "部门名称", problems, 100)
    if changes.get("credit_code"):
        problems += _credit_code_problems(changes["credit_code"])
    if "phone" in changes:
        problems += _phone_problems(changes["phone"], department=True)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        diff = {}
        for field_name, value in changes.items():
            old = getattr(department, field_name)
            if old != value:
                diff[field_name] = [old, value]
                setattr(department, field_name, value)
        if diff:
            department.save(update_fields=list(diff))
            audit_record(
                actor=actor,
                action="org.department.updated",
                object_type="org.department",
                object_id=department.pk,
                data=diff,
            )
    return department


def section_create(*, actor: Any, department: Department, code: str, name: str) -> Section:
    require_org_admin(actor, region_code=department.region_id)
    problems: list[FieldProblem] = []
    name = _require_name(name, "科室名称", problems, 100)
    if not _BODY_CODE.match(code or ""):
        problems.append(FieldProblem("科室编码", f"“{code}”不是三位数字"))
    elif Section.objects.filter(department=department, code=code).exists():
        problems.append(FieldProblem("科室编码", f"{department.name}已有编码为“{code}”的科室"))
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        section = Section.objects.create(department=department, code=code, name=name)
        audit_record(
            actor=actor,
            action="org.section.created",
            object_type="org.section",
            object_id=section.pk,
            data={"department": department.pk, "code": code, "name": name},
        )
    return section


def section_update(*, actor: Any, section: Section, name: str) -> Section:
    require_org_admin(actor, region_code=section.department.region_id)
    problems: list[FieldProblem] = []
    name = _require_name(name, "科室名称", problems, 100)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        old = section.name
        section.name = name
        section.save(update_fields=["name"])
        audit_record(
            actor=actor,
            action="org.section.updated",
            object_type="org.section",
            object_id=section.pk,
            data={"name": [old, name]},
        )
    return section


def _credit_code_problems(value: str) -> list[FieldProblem]:
    from stdnum.cn import uscc
    from stdnum.exceptions import ValidationError as StdnumError

    try:
        uscc.validate(value)
    except StdnumError:
        return [FieldProblem("统一社会信用代码", f"“{value}”校验失败（GB 32100）")]
    return []


def _placement_problems(
    role: str, region: Region | None, department: Department | None, section: Section | None
) -> list[FieldProblem]:
    problems = []
    if role not in Role.values:
        problems.append(FieldProblem("角色", f"未知角色“{role}”"))
    if role in DEPARTMENT_ROLES and department is None:
        problems.append(FieldProblem("所属部门", "窗口人员和部门负责人必须属于一个部门"))
    if role in REGION_ROLES and region is None and department is None:
        problems.append(FieldProblem("所属区划", "该角色必须指定所属区划"))
    if department is not None and region is not None and department.region_id != region.code:
        problems.append(FieldProblem("所属部门", "部门不在所选区划内"))
    if section is not None and (department is None or section.department_id != department.pk):
        problems.append(FieldProblem("所属科室", "科室不属于所选部门"))
    return problems


def user_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    role: str,
    password: str | None = None,
    password_hash: str | None = None,
    region: Region | None = None,
    department: Department | None = None,
    section: Section | None = None,
    phone: str = "",
    email: str = "",
) -> User:
    """Create a staff user. `password_hash` lets the demo generator hash its one shared demo
    password once instead of per user (Argon2 is deliberately slow)."""
    if region is None and department is not None:
        region = department.region
    require_org_admin(actor, region_code=region.code if region else None)
    problems: list[FieldProblem] = []
    if not _USERNAME.match(username or ""):
        problems.append(FieldProblem("用户名", "须为3-150位字母、数字或 _ . @ -"))
    elif User.objects.filter(username=username).exists():
        problems.append(FieldProblem("用户名", f"“{username}”已被使用"))
    full_name = _require_name(full_name, "姓名", problems, 60)
    problems += _phone_problems(phone)
    problems += _placement_problems(role, region, department, section)
    if password_hash is None:
        problems += _password_problems(password or "", username)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name,
            role=role,
            region=region,
            department=department,
            section=section,
            phone=phone,
            email=email,
            is_staff=role == Role.ADMIN,
            password=password_hash or make_password(password),
        )
        user.save()
        audit_record(
            actor=actor,
            action="org.user.created",
            object_type="org.user",
            object_id=user.pk,
            data={
                "username": username,
                "full_name": full_name,
                "role": role,
                "region": region.code if region else None,
                "department": department.pk if department else None,
                "section": section.pk if section else None,
            },
        )
    return user


def user_update(
    *,
    actor: Any,
    user: User,
    full_name: str,
    role: str,
    region: Region | None,
    department: Department | None,
    section: Section | None,
    phone: str = "",
    email: str = "",
) -> User:
    require_org_admin(actor, region_code=user.region_id)
    if region is None and department is not None:
        region = department.region
    if region is not None:
        require_org_admin(actor, region_code=region.code)
    problems: list[FieldProblem] = []
    full_name = _require_name(full_name, "姓名", problems, 60)
    problems += _phone_problems(phone)
    problems += _placement_problems(role, region, department, section)
    if problems:
        raise ValidationFailed(problems)
    new_values = {
        "full_name": full_name,
        "role": role,
        "region_id": region.code if region else None,
        "department_id": department.pk if department else None,
        "section_id": section.pk if section else None,
        "phone": phone,
        "email": email,
        "is_staff": role == Role.ADMIN,
    }
    with transaction.atomic():
        diff = {}
        for field_name, value in new_values.items():
            old = getattr(user, field_name)
            if old != value:
                diff[field_name] = [old, value]
                setattr(user, field_name, value)
        if diff:
            user.save(update_fields=[f.removesuffix("_id") for f in diff])
            audit_record(
                actor=actor,
                action="org.user.updated",
                object_type="org.user",
                object_id=user.pk,
                data=diff,
            )
    return user


def user_set_password(*, actor: Any, user: User, password: str) -> None:
    if actor.pk != user.pk:
        require_org_admin(actor, region_code=user.region_id)
    problems = _password_problems(password, user.username)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            actor=actor,
            action="org.user.password_set",
            object_type="org.user",
            object_id=user.pk,
            data={"username": user.username},
        )


def user_set_active(*, actor: Any, user: User, active: bool, reason: str) -> None:
    require_org_admin(actor, region_code=user.region_id)
    if actor.pk == user.pk and not active:
        raise ValidationFailed([FieldProblem("状态", "不能停用自己的账号")])
    if not (reason or "").strip():
        raise ValidationFailed([FieldProblem("原因", "请填写原因")])
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="org.user.activated" if active else "org.user.deactivated",
            object_type="org.user",
            object_id=user.pk,
            data={"username": user.username, "reason": reason.strip()},
        )


def user_get_for_admin(*, actor: Any, user_id: int) -> User:
    user = User.objects.filter(pk=user_id).select_related("region", "department").first()
    if user is None:
        raise NotFound()
    require_org_admin(actor, region_code=user.region_id)
    return user


def _password_problems(password: str, username: str) -> list[FieldProblem]:
    try:
        validate_password(password, User(username=username))
    except DjangoValidationError as exc:
        return [FieldProblem("密码", message) for message in exc.messages]
    return []
