"""Reads of 公示: the requirement in force for a power version, the public read models (masked,
published notices only), the staff's lists, and the status counts."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from sunlight.cases.choices import ApplicantKind, CaseState, ConclusionCode, Decision
from sunlight.cases.models import Case
from sunlight.cases.progress import ProgressStep, progress_of
from sunlight.catalog.models import PowerVersion
from sunlight.core import clock
from sunlight.core.errors import NotFound
from sunlight.core.identity import mask_name
from sunlight.feedback.text import mask_free_text
from sunlight.org.models import Region
from sunlight.org.permissions import department_scope_q
from sunlight.publicity import district_map
from sunlight.publicity.choices import NoticeState, Stage, WindowUnit
from sunlight.publicity.models import (
    DistrictOutline,
    Objection,
    PublicityNotice,
    PublicityRequirement,
)


def publicity_requirement_for(version: PowerVersion) -> PublicityRequirement | None:
    """The version's own requirement, else the latest earlier version's of the same item (a
    change to a power carries its publicity duty on until the new version sets its own)."""
    return (
        PublicityRequirement.objects.filter(
            power_version__item_id=version.item_id, power_version__number__lte=version.number
        )
        .order_by("-power_version__number")
        .first()
    )


# ---------------------------------------------------------------- public read models


@dataclass(frozen=True)
class PublicObjection:
    submitted_at: dt.datetime
    text: str  # phone and ID numbers masked
    reply: str
    answered_at: dt.datetime | None


@dataclass(frozen=True)
class PublicNotice:
    id: int
    title: str
    power_name: str
    power_code: str
    department: str
    applicant: str  # a natural person's name masked; organisations' names are public
    summary: str
    stage: str
    stage_label: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    window: str  # "7个自然日"
    district: str
    address: str
    longitude: Decimal | None
    latitude: Decimal | None
    objection_count: int
    pending_count: int
    result: str  # 批后: the decision as published
    concluded_at: dt.datetime | None

    @property
    def open(self) -> bool:
        return self.stage == Stage.BEFORE

    @property
    def located(self) -> bool:
        return bool(self.district)


def _stage(notice: PublicityNotice, now: dt.datetime) -> str:
    if notice.case.state == CaseState.CONCLUDED:
        return Stage.AFTER
    if notice.state == NoticeState.OPEN and now < notice.ends_at:
        return Stage.BEFORE
    return Stage.DURING


def _result(case: Case) -> str:
    if case.state != CaseState.CONCLUDED:
        return ""
    decision = Decision(case.decision).label if case.decision in Decision.values else ""
    code = (
        ConclusionCode(case.conclusion_code).label
        if case.conclusion_code in ConclusionCode.values
        else ""
    )
    return "，".join(part for part in (decision, code) if part)


def _public(notice: PublicityNotice, now: dt.datetime) -> PublicNotice:
    case = notice.case
    version = case.power_version
    applicant = case.applicant_name
    if case.applicant_kind == ApplicantKind.PERSON:
        applicant = mask_name(applicant)
    stage = _stage(notice, now)
    return PublicNotice(
        id=notice.pk,
        title=notice.title,
        power_name=version.full_name,
        power_code=case.power_item.code,
        department=case.department.name,
        applicant=applicant,
        summary=mask_free_text(notice.summary),
        stage=stage,
        stage_label=Stage(stage).label,
        starts_at=notice.starts_at,
        ends_at=notice.ends_at,
        window=f"{notice.window_days}个{WindowUnit(notice.window_unit).label}",
        district=notice.district.name if notice.district else "",
        address=notice.address,
        longitude=notice.longitude,
        latitude=notice.latitude,
        objection_count=getattr(notice, "objection_total", 0),
        pending_count=getattr(notice, "objection_pending", 0),
        result=_result(case),
        concluded_at=case.concluded_at if case.state == CaseState.CONCLUDED else None,
    )


def _notices() -> QuerySet[PublicityNotice]:
    return PublicityNotice.objects.select_related(
        "case__power_version", "case__power_item", "case__department", "district"
    ).annotate(
        objection_total=Count("objections"),
        objection_pending=Count("objections", filter=Q(objections__answered_at__isnull=True)),
    )


def stage_q(stage: str, now: dt.datetime) -> Q:
    concluded = Q(case__state=CaseState.CONCLUDED)
    if stage == Stage.BEFORE:
        return Q(state=NoticeState.OPEN, ends_at__gt=now) & ~concluded
    if stage == Stage.DURING:
        return ~Q(state=NoticeState.OPEN, ends_at__gt=now) & ~concluded
    if stage == Stage.AFTER:
        return concluded
    return Q()


@dataclass(frozen=True)
class NoticeFilters:
    stage: str = ""
    district: str = ""

    @property
    def active(self) -> bool:
        return bool(self.stage or self.district)


def notice_filters_from(params: Any) -> NoticeFilters:
    """Filters from the query string; unknown values are ignored, not an error page."""
    stage = params.get("stage", "")
    district = params.get("district", "")
    return NoticeFilters(
        stage=stage if stage in Stage.values else "",
        district=district if district.isdigit() and len(district) == 6 else "",
    )


def notice_list_public(*, filters: NoticeFilters) -> QuerySet[PublicityNotice]:
    now = clock.now()
    query = _notices().filter(stage_q(filters.stage, now))
    if filters.district:
        query = query.filter(district_id=filters.district)
    return query.order_by("-starts_at", "-id")


def notices_public(notices: list[PublicityNotice]) -> list[PublicNotice]:
    now = clock.now()
    return [_public(n, now) for n in notices]


def notice_get_public(*, notice_id: int) -> PublicNotice:
    notice = _notices().filter(pk=notice_id).first()
    if notice is None:
        raise NotFound("公示不存在")
    return _public(notice, clock.now())


def notice_objections_public(*, notice_id: int) -> list[PublicObjection]:
    return [
        PublicObjection(
            submitted_at=o.submitted_at,
            text=mask_free_text(o.text),
            reply=mask_free_text(o.reply),
            answered_at=o.answered_at,
        )
        for o in Objection.objects.filter(notice_id=notice_id).order_by("submitted_at", "id")
    ]


def notice_progress_public(*, notice_id: int) -> list[ProgressStep]:
    """批中: the case's steps as its public progress page shows them (no handler names)."""
    notice = PublicityNotice.objects.select_related("case__power_version").get(pk=notice_id)
    return progress_of(notice.case).steps


def district_choices(*, region_code: str) -> list[tuple[str, str]]:
    """The districts and counties of the city a case belongs to."""
    return list(
        Region.objects.filter(code__startswith=region_code[:4])
        .exclude(code__endswith="00")
        .order_by("code")
        .values_list("code", "name")
    )


def publicity_map(*, notices: list[PublicNotice], city_code: str) -> str:
    """The district map with a marker for each located notice that has coordinates."""
    names = dict(district_choices(region_code=city_code))
    markers = [
        district_map.Marker(
            longitude=n.longitude, latitude=n.latitude,
            href=reverse("publicity:detail", args=[n.id]),
            label=f"{n.title}（{n.stage_label}）", open=n.open,
        )
        for n in notices
        if n.longitude is not None and n.latitude is not None
    ]  # fmt: skip
    return district_map.map_svg(
        names=names, outlines=district_outlines(prefix=city_code[:4]), markers=markers
    )


def district_outlines(*, prefix: str) -> dict[str, list[district_map.Polygon]]:
    """The loaded outlines of the districts whose code starts with `prefix` (a city's four
    digits), as longitude/latitude polygons."""
    if not prefix:
        return {}
    return {
        code: [[[(x, y) for x, y in ring] for ring in polygon] for polygon in polygons]
        for code, polygons in DistrictOutline.objects.filter(
            region__code__startswith=prefix
        ).values_list("region_id", "polygons")
    }


def district_outline(code: str) -> list[district_map.Polygon] | None:
    return district_outlines(prefix=code).get(code) if len(code) == 6 else None


def district_outline_summary() -> list[dict[str, Any]]:
    """What is loaded, per city: for the staff page."""
    rows = DistrictOutline.objects.select_related("region", "loaded_by").order_by("region_id")
    return [
        {"code": o.region_id, "name": o.region.name, "points": o.points,
         "source_points": o.source_points, "source": o.source, "loaded_at": o.loaded_at,
         "loaded_by": o.loaded_by}
        for o in rows
    ]  # fmt: skip


def located_notices_public() -> list[PublicNotice]:
    """Every located notice (the map shows them all, whatever page the list is on)."""
    return notices_public(
        list(_notices().filter(longitude__isnull=False).order_by("-starts_at", "-id")[:500])
    )


def map_city_code() -> str:
    """The city whose districts the map draws: the one with the most located notices."""
    row = (
        PublicityNotice.objects.filter(district__isnull=False)
        .values("district_id")
        .annotate(n=Count("id"))
        .order_by("-n", "district_id")
        .first()
    )
    return row["district_id"][:4] + "00" if row else ""


# ---------------------------------------------------------------- staff


def notice_for_case(*, case: Case) -> PublicityNotice | None:
    return PublicityNotice.objects.filter(case_id=case.pk).first()


def objections_of_notice(*, notice: PublicityNotice) -> list[Objection]:
    return list(notice.objections.select_related("answered_by").order_by("submitted_at", "id"))


def objections_pending_for(*, user: Any, limit: int = 20) -> list[Objection]:
    """Unanswered objections to the cases of the user's department(s), oldest first."""
    return list(
        Objection.objects.filter(
            department_scope_q(user, prefix="notice__case__"), answered_at__isnull=True
        )
        .select_related("notice__case")
        .order_by("submitted_at", "id")[:limit]
    )


def objection_get_for_user(*, user: Any, objection_id: int) -> Objection:
    objection = (
        Objection.objects.filter(department_scope_q(user, prefix="notice__case__"))
        .select_related("notice__case__department", "notice__case__power_version")
        .filter(pk=objection_id)
        .first()
    )
    if objection is None:
        raise NotFound("异议不存在或无权查看")
    return objection


def publicity_counts() -> dict[str, Any]:
    counts = PublicityNotice.objects.aggregate(
        total=Count("id"), open=Count("id", filter=Q(state=NoticeState.OPEN))
    )
    return {"publicity_notices": counts["total"], "publicity_notices_open": counts["open"]}
