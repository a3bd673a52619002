"""Test data for disclosure: a department with its clerk, head and the region's office."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sunlight.disclosure import services
from sunlight.disclosure.models import DisclosureMatter
from sunlight.org.models import Department, User
from sunlight.org.tests import factories as org


@dataclass
class Office:
    department: Department
    clerk: User
    head: User
    supervisor: User
    admin: User


def office(*, name: str = "清源市财政局") -> Office:
    department = org.department(name=name)
    return Office(
        department=department,
        clerk=org.user("clerk", department=department, full_name="经办员甲"),
        head=org.user("approver", department=department, full_name="负责人乙"),
        supervisor=org.user("supervisor", in_region=department.region),
        admin=org.user("admin", in_region=department.region),
    )


def matter(
    of: Office,
    *,
    content: str = "部门预算执行情况",
    frequency: str = "monthly",
    scope: str = "public",
    starts_on: dt.date = dt.date(2026, 1, 1),
    **extra: Any,
) -> DisclosureMatter:
    return services.matter_create(
        actor=of.head,
        department_id=of.department.pk,
        content=content,
        frequency=frequency,
        scope=scope,
        form=extra.pop("form", "online"),
        starts_on=starts_on,
        grace_days=extra.pop("grace_days", 10),
    )
