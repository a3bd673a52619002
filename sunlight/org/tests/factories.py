"""Test data built through the real services (no raw .create() of domain models)."""

from itertools import count
from typing import Any

from django.contrib.auth.hashers import make_password

from sunlight.org import services
from sunlight.org.models import Department, DivisionCode, Region, Section, User
from sunlight.org.region_codes import region_code_add_local

TEST_PASSWORD = "Qingyuan-Test-2026"
_sequence = count(1)
_password_hash: str | None = None


def region(code: str = "338500", name: str = "清源市", parent_code: str | None = None) -> Region:
    existing = Region.objects.filter(code=code).first()
    if existing is not None:
        return existing
    if not DivisionCode.objects.filter(code=code).exists():
        # Test areas such as the fictional 清源市 are not in GB/T 2260: add them as local codes,
        # as the demo does.
        region_code_add_local(actor=None, code=code, name=name, note="测试用虚构区划")
    if parent_code is None and code != code[:2] + "0000":
        province = code[:2] + "0000"
        if not Region.objects.filter(code=province).exists():
            services.region_create(actor=None, code=province, name="浙江省")
        parent_code = province
    return services.region_create(actor=None, code=code, name=name, parent_code=parent_code)


def department(
    *, code: str | None = None, name: str | None = None, in_region: Region | None = None
) -> Department:
    in_region = in_region or region()
    number = next(_sequence)
    return services.department_create(
        actor=None,
        region=in_region,
        code=code or f"{number % 1000:03d}",
        name=name or f"测试局{number}",
    )


def section(*, of: Department, code: str = "001", name: str = "综合科") -> Section:
    return services.section_create(actor=None, department=of, code=code, name=name)


def user(
    role: str,
    *,
    department: Department | None = None,
    in_region: Region | None = None,
    username: str | None = None,
    **extra: Any,
) -> User:
    global _password_hash
    if _password_hash is None:
        _password_hash = make_password(TEST_PASSWORD)
    if role in ("clerk", "approver") and department is None:
        department = globals()["department"]()
    return services.user_create(
        actor=None,
        username=username or f"{role}{next(_sequence)}",
        full_name=extra.pop("full_name", "测试人员"),
        role=role,
        password_hash=_password_hash,
        region=in_region if department is None else None,
        department=department,
        **extra,
    )
