"""The demo city 清源市 (fictional, under 浙江省): its regions, departments with sections, and
staff for every role, created through org.services by the system (actor None).

Every creation is skipped when the object is already there, so the step completes whatever an
interrupted run left (it also runs in one transaction, so normally nothing is left half-done).
"""

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from stdnum.cn import uscc

from sunlight.catalog.choices import ExerciseLevel
from sunlight.demo.vocab import DEPARTMENTS, DeptSpec
from sunlight.org import services
from sunlight.org.choices import Role
from sunlight.org.models import Department, DivisionCode, Region, Section, User
from sunlight.org.region_codes import region_code_add_local

PROVINCE = ("330000", "浙江省")
CITY_CODE = "338500"
CITY_NAME = "清源市"
AREA_CODE = "0581"
# Printed with the demo logins on purpose: demo data only, never a real deployment's.
DEMO_PASSWORD = "Sunlight-Demo-2026"  # noqa: S105

# code, name, user-name prefix (pinyin initials)
DISTRICTS = [
    ("338502", "清源区", "qyq"),
    ("338503", "临江区", "ljq"),
    ("338504", "望湖区", "whq"),
    ("338521", "云岭县", "ylx"),
    ("338522", "桐溪县", "txx"),
    ("338523", "安澜县", "alx"),
    ("338581", "凤鸣市", "fms"),
]
# Districts and counties whose own bureaus are in the demo (the others are regions only), the
# body codes of those bureaus, and the share of the city bureau's powers each one holds.
LOCAL_REGIONS = ("338502", "338521")
LOCAL_BODIES = ("003", "006", "009", "012", "013", "015", "018", "020", "022", "025")
LOCAL_SHARE = 0.4
_COUNTY_NAMES = {"卫生健康委员会": "卫生健康局"}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建波宁红晓东宇浩凯倩婷雪琳晨欣悦嘉俊杰志宏文斌海燕丹峰亮鑫"  # noqa: E501


@dataclass(frozen=True)
class Unit:
    """One department of the demo: a word-list entry placed in a region."""

    region_code: str
    spec: DeptSpec
    name: str
    short_name: str
    user_prefix: str
    share: float
    exercise_level: str

    @property
    def key(self) -> str:
        return f"{self.region_code}{self.spec.code}"


def _full_name(region_name: str, spec: DeptSpec, county: bool) -> str:
    name = _COUNTY_NAMES.get(spec.name, spec.name) if county else spec.name
    return name if name.startswith("国家") else f"{region_name}{name}"


def units() -> list[Unit]:
    """Every demo department: the city's, then the district and county bureaus."""
    found = [
        Unit(
            CITY_CODE,
            spec,
            _full_name(CITY_NAME, spec, False),
            spec.short_name,
            spec.abbr,
            1.0,
            ExerciseLevel.CITY,
        )
        for spec in DEPARTMENTS
    ]
    by_code = {spec.code: spec for spec in DEPARTMENTS}
    for code, name, prefix in DISTRICTS:
        if code not in LOCAL_REGIONS:
            continue
        for body in LOCAL_BODIES:
            spec = by_code[body]
            found.append(
                Unit(
                    code,
                    spec,
                    _full_name(name, spec, True),
                    spec.short_name.replace("市", name[-1], 1),
                    f"{prefix}_{spec.abbr}",
                    LOCAL_SHARE,
                    ExerciseLevel.COUNTY,
                )
            )
    return found


def person_name(seed: int, username: str) -> str:
    rng = random.Random(f"{seed}:person:{username}")
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def phones(seed: int, unit: Unit) -> tuple[str, str]:
    """(consultation, supervision) phone numbers of a department."""
    rng = random.Random(f"{seed}:phone:{unit.key}")
    return (
        f"{AREA_CODE}-8{rng.randint(0, 9999999):07d}",
        f"{AREA_CODE}-2{rng.randint(0, 9999999):07d}",
    )


def credit_code(seed: int, unit: Unit) -> str:
    """A well-formed 统一社会信用代码 of a government body (GB 32100, with a GB 11714 code)."""
    rng = random.Random(f"{seed}:credit:{unit.key}")
    body = f"{rng.randint(0, 99999999):08d}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
    org_code = body + {10: "X", 11: "0"}.get(check, str(check))
    first17 = f"11{unit.region_code}{org_code}"
    return first17 + uscc.calc_check_digit(first17)


@dataclass(frozen=True)
class StaffSpec:
    username: str
    role: str
    unit_key: str | None
    section: str = ""
    label: str = ""


def staff(all_units: list[Unit]) -> list[StaffSpec]:
    """Every demo login: a clerk and a head per department, legal officers, supervisors,
    admins."""
    people = []
    for unit in all_units:
        spec = unit.spec
        sections = [s for s in spec.sections if s != "办公室"] or list(spec.sections)
        first = spec.domains[0].section if spec.domains else sections[0]
        people.append(StaffSpec(f"{unit.user_prefix}_clerk", Role.CLERK, unit.key, first))
        people.append(StaffSpec(f"{unit.user_prefix}_head", Role.APPROVER, unit.key))
    legal = next(u for u in all_units if u.spec.is_legal_office and u.region_code == CITY_CODE)
    supervision = next(
        u for u in all_units if u.spec.is_supervision_office and u.region_code == CITY_CODE
    )
    for name, section in (("legal", "立法与合法性审查科"), ("legal2", "法治督察科")):
        people.append(StaffSpec(f"{legal.user_prefix}_{name}", Role.LEGAL, legal.key, section))
    for name, section in (("supervisor", "党风政风监督室"), ("supervisor2", "第一监督检查室")):
        people.append(
            StaffSpec(
                f"{supervision.user_prefix}_{name}", Role.SUPERVISOR, supervision.key, section
            )
        )
    people.append(StaffSpec("admin", Role.ADMIN, None))
    return people


def city_ready(seed: int) -> bool:
    """Cheap check that the org step finished: the city and the last demo login exist."""
    return (
        Region.objects.filter(code=CITY_CODE).exists()
        and User.objects.filter(username=staff(units())[-1].username).exists()
    )


def city_build(seed: int) -> str:
    """Create whatever part of the demo city's organisation is missing."""
    all_units = units()
    with transaction.atomic():
        _regions()
        departments = _departments(seed, all_units)
        created = _staff(seed, all_units, departments)
    return f"{len(all_units)} 个部门，{created} 名新建工作人员"


def _regions() -> None:
    existing = set(Region.objects.values_list("code", flat=True))
    wanted = [(PROVINCE[0], PROVINCE[1], None), (CITY_CODE, CITY_NAME, PROVINCE[0])]
    wanted += [(code, name, CITY_CODE) for code, name, _ in DISTRICTS]
    listed = set(DivisionCode.objects.values_list("code", flat=True))
    for code, name, parent in wanted:
        if code not in listed:
            # The demo city is fictional: GB/T 2260 has no 3385xx, so its codes are added to
            # the code list as local codes, saying why, before its regions are created.
            region_code_add_local(actor=None, code=code, name=name, note="演示城市（虚构区划）")
        if code not in existing:
            services.region_create(actor=None, code=code, name=name, parent_code=parent)


def _departments(seed: int, all_units: list[Unit]) -> dict[str, Department]:
    regions = {r.code: r for r in Region.objects.filter(code__startswith=CITY_CODE[:4])}
    found = {d.full_code: d for d in Department.objects.filter(region__in=list(regions))}
    for order, unit in enumerate(all_units, start=1):
        if unit.key in found:
            continue
        found[unit.key] = services.department_create(
            actor=None,
            region=regions[unit.region_code],
            code=unit.spec.code,
            name=unit.name,
            short_name=unit.short_name,
            credit_code=credit_code(seed, unit),
            phone=phones(seed, unit)[0],
            is_legal_office=unit.spec.is_legal_office,
            is_supervision_office=unit.spec.is_supervision_office,
            sort_order=order,
        )
    have = set(
        Section.objects.filter(department__in=list(found.values())).values_list(
            "department_id", "name"
        )
    )
    for unit in all_units:
        department = found[unit.key]
        for position, name in enumerate(unit.spec.sections, start=1):
            if (department.pk, name) not in have:
                services.section_create(
                    actor=None, department=department, code=f"{position:03d}", name=name
                )
    return found


def _staff(seed: int, all_units: list[Unit], departments: dict[str, Department]) -> int:
    people = staff(all_units)
    existing = set(
        User.objects.filter(username__in=[p.username for p in people]).values_list(
            "username", flat=True
        )
    )
    missing = [p for p in people if p.username not in existing]
    if not missing:
        return 0
    # Argon2 is slow on purpose: hash the one shared demo password once.
    password_hash = make_password(DEMO_PASSWORD)
    sections = {
        (s.department_id, s.name): s
        for s in Section.objects.filter(department__in=list(departments.values()))
    }
    city = Region.objects.get(code=CITY_CODE)
    for person in missing:
        department = departments[person.unit_key] if person.unit_key else None
        services.user_create(
            actor=None,
            username=person.username,
            full_name=person_name(seed, person.username),
            role=person.role,
            password_hash=password_hash,
            region=None if department else city,
            department=department,
            section=sections.get((department.pk, person.section)) if department else None,
        )
    return len(missing)
