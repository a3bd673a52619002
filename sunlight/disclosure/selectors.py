"""Public read models of the power catalog (权力清单).

The portal never hands staff model objects to a template: every page renders the frozen
dataclasses below, built only from what catalog.selectors exposes to the public (published,
in use, public scope). A draft v2 of a published item stays invisible because those selectors
read the item's current (published) version.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from sunlight.catalog.choices import (
    BodyNature,
    CaseType,
    Category,
    ExerciseLevel,
    HandlingForm,
    LimitUnit,
    ServiceObject,
)
from sunlight.catalog.models import PowerVersion
from sunlight.catalog.selectors import public_power_get, public_power_list
from sunlight.core.clock import SHANGHAI
from sunlight.flows.selectors import PublicFlow, public_flow

PAGE_SIZE = 30
# Categories a department exercises on its own initiative: nobody applies for them.
_EX_OFFICIO = {Category.PENALTY, Category.COERCION, Category.INSPECTION}
MAX_QUERY_LENGTH = 100
# The ten A.1 categories of administrative power; 公共服务 (20) is not an administrative power.
POWER_CATEGORIES = [c for c in Category if c != Category.PUBLIC_SERVICE]


@dataclass(frozen=True)
class PublicPowerRow:
    code: str
    name: str
    category_code: str
    category: str
    department: str
    statutory_limit: str
    promised_limit: str


@dataclass(frozen=True)
class PublicLegalBasis:
    law_name: str
    article: str
    text: str


@dataclass(frozen=True)
class PublicMaterial:
    name: str
    mandatory: bool
    originals: int
    copies: int
    notes: str


@dataclass(frozen=True)
class PublicDuty:
    step_name: str
    responsibility: str
    accountability: str


@dataclass(frozen=True)
class PublicPowerDetail:
    code: str
    name: str
    sub_item_name: str
    category_code: str
    category: str
    department: str
    implementing_body: str
    body_nature: str
    handling_section: str
    exercise_level: str
    service_objects: list[str]
    handling_forms: list[str]
    case_type: str
    statutory_limit: str
    promised_limit: str
    charges_fee: bool
    fee_basis: str
    fee_standard: str
    conditions: str
    conditions_label: str
    important: bool
    contact_phone: str
    supervision_phone: str
    version_number: int
    published_on: str
    legal_bases: list[PublicLegalBasis]
    materials: list[PublicMaterial]
    duties: list[PublicDuty]
    flow: PublicFlow | None = None  # the published version's flow (办理流程), never a draft's
    national_code: str = ""  # 实施编码 of the province's item library, as the list gives it


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int
    group: str = ""  # the department's region, to group departments by city and county


@dataclass(frozen=True)
class Audience:
    """个人办事 / 法人办事: the portal's two doors, by A.4 service object codes."""

    key: str
    label: str
    codes: tuple[str, ...]


AUDIENCES = (
    Audience("person", "个人办事", (ServiceObject.PERSON,)),
    Audience(
        "legal",
        "法人办事",
        (
            ServiceObject.ENTERPRISE,
            ServiceObject.INSTITUTION,
            ServiceObject.SOCIAL_ORG,
            ServiceObject.OTHER_ORG,
        ),
    ),
)
_AUDIENCE = {a.key: a for a in AUDIENCES}


@dataclass(frozen=True)
class CatalogFilters:
    """What the visitor asked for, cleaned: unknown values are dropped, never an error."""

    query: str = ""
    department_id: int | None = None
    category: str = ""
    audience: str = ""

    @property
    def active(self) -> bool:
        return bool(self.query or self.department_id or self.category or self.audience)

    @property
    def audience_label(self) -> str:
        return _AUDIENCE[self.audience].label if self.audience in _AUDIENCE else ""


@dataclass(frozen=True)
class CatalogOverview:
    total: int
    by_category: list[CountRow]
    by_department: list[CountRow]


def catalog_filters_from(
    *, query: str = "", department: str = "", category: str = "", audience: str = ""
) -> CatalogFilters:
    """Clean raw GET values into filters (the portal is public: tolerate anything)."""
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    department_id = (
        int(department) if (department or "").isdigit() and len(department) < 12 else None
    )
    category = category if category in {c.value for c in POWER_CATEGORIES} else ""
    audience = audience if audience in _AUDIENCE else ""
    return CatalogFilters(
        query=query, department_id=department_id, category=category, audience=audience
    )


def audience_q(key: str) -> Q:
    """Versions serving one of the audience's service objects (codes stored comma-joined)."""
    result = Q(pk__in=[])
    for code in _AUDIENCE[key].codes:
        result |= Q(service_objects__regex=rf"(^|,){code}(,|$)")
    return result


def _filtered(filters: CatalogFilters) -> QuerySet[PowerVersion]:
    versions = public_power_list(department_id=filters.department_id, category=filters.category)
    if filters.audience:
        versions = versions.filter(audience_q(filters.audience))
    # Each word must match the name, the sub-item or the start of the code, so "施工 许可"
    # and a department's code prefix both work.
    for word in filters.query.split():
        versions = versions.filter(
            Q(name__icontains=word)
            | Q(sub_item_name__icontains=word)
            | Q(item__code__startswith=word.upper())
            | Q(item__national_code__istartswith=word)
        )
    return versions


def _limit(value: int | None, unit: str, case_type: str = "") -> str:
    if value is None:
        return "—"
    if value == 0 and case_type == CaseType.INSTANT:
        return "即办"
    return f"{value}{LimitUnit(unit).label}"


def _row(version: PowerVersion) -> PublicPowerRow:
    return PublicPowerRow(
        code=version.item.code,
        name=version.full_name,
        category_code=version.category,
        category=Category(version.category).label,
        department=version.item.department.name,
        statutory_limit=_limit(version.statutory_limit, version.statutory_limit_unit),
        promised_limit=_limit(
            version.promised_limit, version.promised_limit_unit, version.case_type
        ),
    )


def public_catalog_page(*, filters: CatalogFilters, page_number: str | int = 1) -> Page:
    """One page (30 rows) of in-use public powers matching `filters`, as PublicPowerRow.
    Two queries: the count and the page."""
    versions = _filtered(filters).only(
        "name",
        "sub_item_name",
        "category",
        "case_type",
        "statutory_limit",
        "statutory_limit_unit",
        "promised_limit",
        "promised_limit_unit",
        "item__code",
        "item__department__name",
        "item__department__sort_order",
    )
    page = Paginator(versions, PAGE_SIZE).get_page(page_number)
    page.object_list = [_row(version) for version in page.object_list]
    return page


def public_catalog_overview() -> CatalogOverview:
    """Counts of in-use public powers by A.1 category and by department (two queries)."""
    by_category = dict(
        public_power_list().order_by().values_list("category").annotate(n=Count("id"))
    )
    departments = (
        public_power_list()
        .order_by()
        .values_list(
            "item__department_id",
            "item__department__name",
            "item__department__sort_order",
            "item__department__region_id",
            "item__department__region__name",
        )
        .annotate(n=Count("id"))
    )
    by_department = [
        CountRow(key=str(dept_id), label=name, count=n, group=region_name)
        for dept_id, name, _order, _region, region_name, n in sorted(
            departments, key=lambda row: (row[3], row[2], row[0])
        )
    ]
    return CatalogOverview(
        total=sum(by_category.values()),
        by_category=[
            CountRow(key=c.value, label=c.label, count=by_category.get(c.value, 0))
            for c in POWER_CATEGORIES
        ],
        by_department=by_department,
    )


def public_power_detail(*, code: str) -> PublicPowerDetail:
    """The published content of one in-use public power; NotFound for anything else."""
    version = public_power_get(code=code)
    section = version.handling_section
    return PublicPowerDetail(
        code=version.item.code,
        national_code=version.item.national_code,
        name=version.name,
        sub_item_name=version.sub_item_name,
        category_code=version.category,
        category=Category(version.category).label,
        department=version.item.department.name,
        implementing_body=version.implementing_body,
        body_nature=BodyNature(version.body_nature).label,
        handling_section=section.name if section is not None else "",
        exercise_level=ExerciseLevel(version.exercise_level).label,
        service_objects=[ServiceObject(c).label for c in version.service_object_codes],
        handling_forms=[HandlingForm(c).label for c in version.handling_form_codes],
        case_type=CaseType(version.case_type).label,
        statutory_limit=_limit(version.statutory_limit, version.statutory_limit_unit),
        promised_limit=_limit(
            version.promised_limit, version.promised_limit_unit, version.case_type
        ),
        charges_fee=version.charges_fee,
        fee_basis=version.fee_basis,
        fee_standard=version.fee_standard,
        conditions=version.conditions,
        conditions_label="实施条件" if version.category in _EX_OFFICIO else "受理条件",
        important=version.important,
        contact_phone=version.contact_phone,
        supervision_phone=version.supervision_phone,
        version_number=version.number,
        published_on=(
            version.published_at.astimezone(SHANGHAI).strftime("%Y-%m-%d")
            if version.published_at
            else ""
        ),
        legal_bases=[
            PublicLegalBasis(law_name=b.law_name, article=b.article, text=b.text)
            for b in version.legal_bases.all()
        ],
        materials=[
            PublicMaterial(
                name=m.name,
                mandatory=m.mandatory,
                originals=m.originals,
                copies=m.copies,
                notes=m.notes,
            )
            for m in version.materials.all()
        ],
        duties=[
            PublicDuty(
                step_name=d.step_name,
                responsibility=d.responsibility,
                accountability=d.accountability,
            )
            for d in version.duties.all()
        ],
        flow=public_flow(version=version),
    )


# ---------------------------------------------------------------- portal home


@dataclass(frozen=True)
class AudienceRow:
    key: str
    label: str
    count: int


def public_audience_counts() -> list[AudienceRow]:
    """个人办事 / 法人办事 with how many in-use public powers serve each (one query)."""
    counts = public_power_list().aggregate(
        **{a.key: Count("id", filter=audience_q(a.key)) for a in AUDIENCES}
    )
    return [AudienceRow(a.key, a.label, counts[a.key]) for a in AUDIENCES]


@dataclass(frozen=True)
class BundlePower:
    code: str
    name: str
    department: str


@dataclass(frozen=True)
class PublicBundle:
    """一件事: an active joint item every part of which can be applied for online."""

    name: str
    lead_department: str
    limit_days: int
    powers: list[BundlePower]
    joint_id: int = 0  # the one online form for the whole bundle (apply_bundle)


def public_online_bundles() -> list[PublicBundle]:
    """Active 一件事 bundles whose powers are all in use, public and open to online application
    (an A.5 online handling form and a published flow)."""
    from sunlight.cases.models import JointItem

    joints = list(
        JointItem.objects.filter(active=True)
        .select_related("lead_department")
        .prefetch_related("powers__current_version", "powers__department")
        .order_by("name")
    )
    if not joints:
        return []
    online = set(_public_online_versions().values_list("item_id", flat=True))
    bundles = []
    for joint in joints:
        powers = list(joint.powers.all())
        if not powers or any(p.pk not in online for p in powers):
            continue
        bundles.append(
            PublicBundle(
                name=joint.name,
                lead_department=joint.lead_department.name,
                limit_days=joint.limit_days,
                joint_id=joint.pk,
                powers=[
                    BundlePower(p.code, p.current_version.full_name, p.department.name)
                    for p in sorted(powers, key=lambda p: p.code)
                ],
            )
        )
    return bundles


def _public_online_versions() -> QuerySet[PowerVersion]:
    online = Q(pk__in=[])
    for code in (HandlingForm.ONLINE, HandlingForm.MOBILE):
        online |= Q(handling_forms__regex=rf"(^|,){code}(,|$)")
    return public_power_list().filter(online, flow__isnull=False)
