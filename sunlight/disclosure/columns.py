"""Public read models of the portal's columns: 机构概况, 工作动态, 公告公示 and the public part of
the disclosure archive. Frozen dataclasses built from published rows only — never the staff
objects — so a template cannot reach a draft, an internal disclosure or a reviewer's name."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet

from sunlight.catalog.choices import DisclosureScope
from sunlight.catalog.selectors import public_power_list
from sunlight.core import clock
from sunlight.core.errors import NotFound
from sunlight.disclosure.choices import AnnouncementKind, AnnouncementState
from sunlight.disclosure.models import Announcement, ArchiveEntry
from sunlight.org.models import Department

PAGE_SIZE = 20


@dataclass(frozen=True)
class LeaderRow:
    name: str
    post: str
    duties: str


@dataclass(frozen=True)
class DepartmentRow:
    id: int
    name: str
    region: str
    phone: str
    power_count: int


@dataclass(frozen=True)
class DepartmentProfile:
    id: int
    name: str
    region: str
    functions: str
    address: str
    office_hours: str
    phone: str
    leaders: tuple[LeaderRow, ...]
    power_count: int
    announcements: tuple["AnnouncementRow", ...]


@dataclass(frozen=True)
class AnnouncementRow:
    id: int
    kind: str
    kind_label: str
    title: str
    issuer: str
    published_on: str


@dataclass(frozen=True)
class AnnouncementPage:
    row: AnnouncementRow
    body: str  # the latest text of its archive entry's correction chain
    corrected_at: str = ""  # when the text shown was corrected ("" never corrected)
    correction_reason: str = ""
    archive_id: int | None = None  # the archive entry of the text shown


@dataclass(frozen=True)
class ArchiveRow:
    id: int
    title: str
    department: str
    kind_label: str
    form_label: str
    period: str
    published_at: str
    corrects_id: int | None
    corrected_by_id: int | None


@dataclass(frozen=True)
class ArchivePage:
    row: ArchiveRow
    body: str
    correction_reason: str


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _power_counts() -> dict[int, int]:
    rows = (
        public_power_list()
        .order_by()
        .values("item__department_id")
        .annotate(n=Count("pk"))
        .values_list("item__department_id", "n")
    )
    return dict(rows)


def public_departments() -> list[DepartmentRow]:
    counts = _power_counts()
    departments = Department.objects.select_related("region").order_by(
        "region_id", "sort_order", "code"
    )
    return [
        DepartmentRow(d.pk, d.name, d.region.name, d.phone, counts.get(d.pk, 0))
        for d in departments
    ]


def _announcement_row(item: Announcement) -> AnnouncementRow:
    assert item.published_at is not None  # noqa: S101 - published rows only
    return AnnouncementRow(
        id=item.pk,
        kind=item.kind,
        kind_label=item.get_kind_display(),
        title=item.title,
        issuer=item.issuer,
        published_on=item.published_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d"),
    )


def _published() -> QuerySet[Announcement]:
    return (
        Announcement.objects.filter(state=AnnouncementState.PUBLISHED)
        .select_related("department", "region")
        .order_by("-published_at", "-id")
    )


def public_department_profile(*, department_id: int) -> DepartmentProfile:
    department = (
        Department.objects.select_related("region")
        .prefetch_related("leaders")
        .filter(pk=department_id)
        .first()
    )
    if department is None:
        raise NotFound("部门不存在")
    recent = _published().filter(department=department)[:5]
    return DepartmentProfile(
        id=department.pk,
        name=department.name,
        region=department.region.name,
        functions=department.functions,
        address=department.address,
        office_hours=department.office_hours,
        phone=department.phone,
        leaders=tuple(LeaderRow(x.name, x.post, x.duties) for x in department.leaders.all()),
        power_count=public_power_list(department_id=department.pk).count(),
        announcements=tuple(_announcement_row(item) for item in recent),
    )


def public_announcements(*, kind: str, page_number: object = 1) -> Page:
    items = _published().filter(kind=kind)
    page = Paginator(items, PAGE_SIZE).get_page(page_number)
    page.object_list = [_announcement_row(item) for item in page.object_list]
    return page


def public_announcement(*, kind: str, announcement_id: int) -> AnnouncementPage:
    item = _published().filter(kind=kind, pk=announcement_id).first()
    if item is None:
        raise NotFound("公告不存在")
    latest = _latest_correction(item.archive_entry_id)
    if latest is None or latest.corrects_id is None:
        return AnnouncementPage(
            _announcement_row(item), item.body, archive_id=item.archive_entry_id
        )
    return AnnouncementPage(
        _announcement_row(item),
        latest.body,
        corrected_at=_local(latest.published_at),
        correction_reason=latest.correction_reason,
        archive_id=latest.pk,
    )


MAX_CHAIN = 1000


def _latest_correction(entry_id: int | None) -> ArchiveEntry | None:
    """The end of the correction chain that starts at `entry_id` (each correction points at
    the entry it corrects; only the latest of a chain can be corrected, so it is a line)."""
    if entry_id is None:
        return None
    entry = ArchiveEntry.objects.filter(pk=entry_id).first()
    for _ in range(MAX_CHAIN):
        following = ArchiveEntry.objects.filter(corrects_id=entry.pk).order_by("id").first()
        if following is None:
            break
        entry = following
    return entry


def latest_announcements(*, per_kind: int = 5) -> dict[str, list[AnnouncementRow]]:
    return {
        kind: [_announcement_row(item) for item in _published().filter(kind=kind)[:per_kind]]
        for kind in AnnouncementKind.values
    }


def _archive_row(entry: ArchiveEntry, corrected_by: int | None) -> ArchiveRow:
    return ArchiveRow(
        id=entry.pk,
        title=entry.title,
        department=entry.department.name if entry.department else entry.region.name,
        kind_label=entry.get_kind_display(),
        form_label=entry.get_form_display(),
        period=entry.period_label,
        published_at=_local(entry.published_at),
        corrects_id=entry.corrects_id,
        corrected_by_id=corrected_by,
    )


def archive_rows(entries: Iterable[ArchiveEntry]) -> list[ArchiveRow]:
    """Rows of `entries` (an ArchiveEntry queryset or list) with the correction each one has."""
    entries = list(entries)
    corrected = dict(
        ArchiveEntry.objects.filter(corrects__in=[e.pk for e in entries]).values_list(
            "corrects_id", "pk"
        )
    )
    return [_archive_row(entry, corrected.get(entry.pk)) for entry in entries]


def _public_archive() -> QuerySet[ArchiveEntry]:
    return ArchiveEntry.objects.filter(scope=DisclosureScope.PUBLIC).select_related(
        "department", "region"
    )


def public_archive(*, department_id: int | None = None, page_number: object = 1) -> Page:
    """Public disclosures, newest first (time order: published_at, then archive number)."""
    entries = _public_archive().order_by("-published_at", "-id")
    if department_id:
        entries = entries.filter(department_id=department_id)
    page = Paginator(entries, PAGE_SIZE).get_page(page_number)
    page.object_list = archive_rows(page.object_list)
    return page


def public_archive_entry(*, entry_id: int) -> ArchivePage:
    entry = _public_archive().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("公开存档不存在")
    row = archive_rows([entry])[0]
    return ArchivePage(row, entry.body, entry.correction_reason)
