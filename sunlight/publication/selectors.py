"""Reads of 双公示: the public read model (published, corrected or withdrawn — never pending),
its filters, the export rows in the national field order, and the staff's scoped lists."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from sunlight.core import clock
from sunlight.core.errors import NotFound
from sunlight.org.permissions import department_scope_q
from sunlight.publication.choices import PUBLIC_STATES, DoublePublicityKind, EntryState
from sunlight.publication.models import DoublePublicityEntry

PAGE_SIZE = 30
MAX_QUERY_LENGTH = 100

# The national 双公示 fields, in order: (attribute of PublicEntry, column heading).
EXPORT_COLUMNS = [
    ("kind_label", "类别"),
    ("decision_number", "决定文书号"),
    ("party_name", "行政相对人名称"),
    ("party_code", "统一社会信用代码/证件号码"),
    ("category", "许可类别/处罚类别"),
    ("matter", "事项名称"),
    ("content", "许可内容/违法事实与处罚内容"),
    ("amount", "罚没金额（元）"),
    ("decided_on", "决定日期"),
    ("valid_from", "有效期自"),
    ("valid_until", "有效期至/公示截止"),
    ("deciding_body", "决定机关"),
    ("deciding_body_code", "决定机关统一社会信用代码"),
    ("data_source", "数据来源单位"),
    ("published_on", "公示日期"),
    ("state_label", "状态"),
    ("note", "更正/撤销说明"),
    ("id", "公示编号"),
    ("corrects_id", "更正的公示编号"),
]


@dataclass(frozen=True)
class PublicEntry:
    id: int
    kind: str
    kind_label: str
    decision_number: str
    party_name: str
    party_code: str
    category: str
    matter: str
    content: str
    amount: Decimal | None
    decided_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None
    deciding_body: str
    deciding_body_code: str
    data_source: str
    published_on: dt.date | None
    state: str
    state_label: str
    note: str
    corrects_id: int | None
    corrected_by_id: int | None = None


@dataclass(frozen=True)
class DoublePublicityFilters:
    kind: str = ""
    department_id: int | None = None
    query: str = ""
    decided_from: dt.date | None = None
    decided_to: dt.date | None = None

    @property
    def active(self) -> bool:
        return bool(
            self.kind or self.department_id or self.query or self.decided_from or self.decided_to
        )


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def double_publicity_filters_from(
    *, kind: str = "", department: str = "", q: str = "", start: str = "", end: str = ""
) -> DoublePublicityFilters:
    """Clean raw GET values (the public pages tolerate anything: unknown values are dropped)."""
    return DoublePublicityFilters(
        kind=kind if kind in DoublePublicityKind.values else "",
        department_id=int(department) if (department or "").isdigit() else None,
        query=" ".join((q or "").split())[:MAX_QUERY_LENGTH],
        decided_from=_day(start),
        decided_to=_day(end),
    )


def _public_entries(filters: DoublePublicityFilters) -> QuerySet[DoublePublicityEntry]:
    entries = DoublePublicityEntry.objects.filter(state__in=PUBLIC_STATES)
    if filters.kind:
        entries = entries.filter(kind=filters.kind)
    if filters.department_id:
        entries = entries.filter(department_id=filters.department_id)
    if filters.decided_from:
        entries = entries.filter(decided_on__gte=filters.decided_from)
    if filters.decided_to:
        entries = entries.filter(decided_on__lte=filters.decided_to)
    for word in filters.query.split():
        entries = entries.filter(
            Q(party_name__icontains=word)
            | Q(decision_number__icontains=word)
            | Q(matter__icontains=word)
            | Q(party_code=word)
        )
    return entries.order_by("-decided_on", "-id")


def _note(entry: DoublePublicityEntry, corrected_by: int | None) -> str:
    if entry.state == EntryState.WITHDRAWN:
        when = entry.withdrawn_at.astimezone(clock.SHANGHAI).date() if entry.withdrawn_at else ""
        return f"已于{when}撤销：{entry.withdrawal_reason}"
    if entry.state == EntryState.SUPERSEDED:
        return f"已更正，以公示编号{corrected_by}为准" if corrected_by else "已更正"
    if entry.corrects_id:
        return f"更正公示编号{entry.corrects_id}：{entry.correction_reason}"
    return ""


def public_entry(entry: DoublePublicityEntry, corrected_by: int | None = None) -> PublicEntry:
    return PublicEntry(
        id=entry.pk,
        kind=entry.kind,
        kind_label=DoublePublicityKind(entry.kind).label,
        decision_number=entry.decision_number,
        party_name=entry.party_name,
        party_code=entry.party_code,
        category=entry.category,
        matter=entry.matter,
        content=entry.content,
        amount=entry.amount,
        decided_on=entry.decided_on,
        valid_from=entry.valid_from,
        valid_until=entry.valid_until,
        deciding_body=entry.deciding_body,
        deciding_body_code=entry.deciding_body_code,
        data_source=entry.data_source,
        published_on=(
            entry.published_at.astimezone(clock.SHANGHAI).date() if entry.published_at else None
        ),
        state=entry.state,
        state_label=EntryState(entry.state).label,
        note=_note(entry, corrected_by),
        corrects_id=entry.corrects_id,
        corrected_by_id=corrected_by,
    )


_PUBLIC_FIELDS = [
    f.name
    for f in DoublePublicityEntry._meta.concrete_fields
    if f.name not in {"case", "published_by", "revision", "published_late", "due_provisional"}
]


def _with_corrections(entries: list[DoublePublicityEntry]) -> list[PublicEntry]:
    superseded = [e.pk for e in entries if e.state == EntryState.SUPERSEDED]
    newer = dict(
        DoublePublicityEntry.objects.filter(corrects_id__in=superseded).values_list(
            "corrects_id", "id"
        )
        if superseded
        else []
    )
    return [public_entry(e, newer.get(e.pk)) for e in entries]


def public_double_publicity_queryset(
    filters: DoublePublicityFilters,
) -> QuerySet[DoublePublicityEntry]:
    """For the API's own pagination: the public entries matching `filters`, public fields only."""
    return _public_entries(filters).only(*_PUBLIC_FIELDS)


def public_entries_of(entries: list[DoublePublicityEntry]) -> list[PublicEntry]:
    return _with_corrections(entries)


def public_double_publicity_page(
    *, filters: DoublePublicityFilters, page_number: str | int = 1
) -> Page:
    page = Paginator(public_double_publicity_queryset(filters), PAGE_SIZE).get_page(page_number)
    page.object_list = _with_corrections(list(page.object_list))
    return page


def public_double_publicity_rows(
    *, filters: DoublePublicityFilters, chunk: int = 2000
) -> Iterator[PublicEntry]:
    """Every public entry matching `filters`, for downloads (read in chunks)."""
    entries = public_double_publicity_queryset(filters)
    batch: list[DoublePublicityEntry] = []
    for entry in entries.iterator(chunk_size=chunk):
        batch.append(entry)
        if len(batch) >= chunk:
            yield from _with_corrections(batch)
            batch = []
    yield from _with_corrections(batch)


def public_double_publicity_get(*, entry_id: int) -> PublicEntry:
    entry = (
        DoublePublicityEntry.objects.filter(pk=entry_id, state__in=PUBLIC_STATES)
        .only(*_PUBLIC_FIELDS)
        .first()
    )
    if entry is None:
        raise NotFound("该双公示信息不存在或未公示")
    return _with_corrections([entry])[0]


def public_double_publicity_departments() -> list[tuple[int, str]]:
    return list(
        DoublePublicityEntry.objects.filter(state__in=PUBLIC_STATES)
        .order_by("department__sort_order", "department_id")
        .values_list("department_id", "department__name")
        .distinct()
    )


# ---------------------------------------------------------------- staff


def double_publicity_for_user(*, user: Any, state: str = "") -> QuerySet[DoublePublicityEntry]:
    """The entries of the departments `user` may see, due first."""
    entries = DoublePublicityEntry.objects.filter(department_scope_q(user)).select_related(
        "case", "department"
    )
    if state in EntryState.values:
        entries = entries.filter(state=state)
    return entries.order_by("due_on", "id")


def double_publicity_get_for_user(*, user: Any, entry_id: int) -> DoublePublicityEntry:
    entry = double_publicity_for_user(user=user).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("双公示信息不存在或无权查看")
    return entry


def double_publicity_counts(*, today: dt.date | None = None) -> dict[str, int]:
    """For `sunlight status`: entries published (public in any state), and the late ones —
    published after their due day, or still pending past it."""
    today = today or clock.today_local()
    counts = DoublePublicityEntry.objects.aggregate(
        public=Count("id", filter=Q(state__in=PUBLIC_STATES)),
        late=Count(
            "id",
            filter=Q(published_late=True) | Q(state=EntryState.PENDING, due_on__lt=today),
        ),
        pending=Count("id", filter=Q(state=EntryState.PENDING)),
    )
    return {
        "double_publicity_entries": counts["public"] or 0,
        "double_publicity_late": counts["late"] or 0,
        "double_publicity_pending": counts["pending"] or 0,
    }
