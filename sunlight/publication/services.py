"""Writes of publication: 双公示 entries drafted from decisions, published, corrected, withdrawn.

Every licence granted (category 01) and every penalty imposed (category 02) gets an entry when
its case concludes (`double_publicity_collect`, a periodic job): the fields of the national
format are filled from the case, its penalty decision (discretion) and its result document, the
party masked when a natural person, and the due day set to the 7th working day after the
decision. The department then publishes it (checking the decision number and category); the
clock and a supervision rule watch the due day. Published entries are never changed in place."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q

from sunlight.audit.services import AuditRecord, actor_label, audit_record, audit_record_many
from sunlight.cases.choices import ApplicantKind, CaseState, Decision, DocumentKind
from sunlight.cases.models import Case, CaseDocument
from sunlight.catalog.permissions import can_see_department
from sunlight.core import clock
from sunlight.core.errors import (
    FieldProblem,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.core.identity import mask_name, mask_resident_id
from sunlight.core.public_cache import public_pages_changed
from sunlight.org.calendar_selectors import work_calendar
from sunlight.org.choices import Role
from sunlight.publication.choices import (
    DoublePublicityKind,
    EntryState,
    LicenceCategory,
    PartyKind,
)
from sunlight.publication.models import DoublePublicityEntry

PUBLISH_WITHIN_WORKDAYS = 7  # 双公示: online within 7 working days of the decision
# How long a penalty stays on public display (公示期限). The national credit-repair rules give
# 3 months to 3 years by severity; without a severity in our data we show one year.
PENALTY_DISPLAY_DAYS = 365
COLLECT_BATCH = 1000
_PUBLISHERS = (Role.CLERK, Role.APPROVER)


def _kind_of(category: str) -> str:
    return DoublePublicityKind.LICENCE if category == "01" else DoublePublicityKind.PENALTY


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(clock.SHANGHAI).date()


def double_publicity_candidates() -> Any:
    """Concluded cases whose decision 双公示 covers and that have no entry yet."""
    return (
        Case.objects.filter(state=CaseState.CONCLUDED)
        .filter(
            Q(power_version__category="01", decision=Decision.GRANTED)
            | Q(power_version__category="02", decision=Decision.PENALISED)
        )
        .exclude(
            Exists(
                DoublePublicityEntry.objects.filter(case_id=OuterRef("pk"), corrects__isnull=True)
            )
        )
    )


def _draft(case: Case, now: dt.datetime, calendar: Any) -> DoublePublicityEntry:
    version = case.power_version
    kind = _kind_of(version.category)
    decision = getattr(case, "penalty_decision", None) if kind == "penalty" else None
    decided_at = decision.decided_at if decision is not None else case.concluded_at
    decided_on = _local_day(decided_at or now)
    due = calendar.add_workdays(decided_on, PUBLISH_WITHIN_WORKDAYS)
    person = case.applicant_kind == ApplicantKind.PERSON
    documents = [d.document_number for d in case.documents.all() if d.document_number.strip()]
    if kind == DoublePublicityKind.LICENCE:
        category = LicenceCategory.ORDINARY.value
        content = f"准予{version.full_name}"
        if case.conclusion_opinion:
            content += f"：{case.conclusion_opinion}"
        amount = None
        valid_until = _parse_day(case.fields.get("valid_until"))
    else:
        if decision is not None:
            category = decision.get_kind_display()
            amount = decision.amount
            content = f"违法行为：{decision.violation.name}；处罚：{category}"
        else:
            category = case.penalty_kind
            amount = case.penalty_amount
            content = f"{version.full_name}；处罚：{case.penalty_kind}"
        if amount:
            content += f" {amount} 元"
        valid_until = decided_on + dt.timedelta(days=PENALTY_DISPLAY_DAYS)
    department = case.department
    return DoublePublicityEntry(
        kind=kind,
        case=case,
        department=department,
        region_code=case.region_code,
        state=EntryState.PENDING,
        decision_number=documents[0] if documents else "",
        party_kind=PartyKind.PERSON if person else PartyKind.ORGANISATION,
        party_name=mask_name(case.applicant_name) if person else case.applicant_name,
        party_code=(
            mask_resident_id(case.applicant_id_number) if person else case.applicant_id_number
        ),
        category=category,
        matter=version.full_name[:300],
        content=content,
        amount=amount,
        decided_on=decided_on,
        valid_from=decided_on,
        valid_until=valid_until,
        deciding_body=department.name,
        deciding_body_code=department.credit_code,
        data_source=department.name,
        due_on=due.day,
        due_provisional=due.provisional,
        created_at=now,
    )


def _parse_day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def double_publicity_collect(
    *,
    limit: int | None = None,
    concluded_before: dt.datetime | None = None,
    case_ids: Sequence[int] | None = None,
) -> int:
    """Draft the entries of decisions not yet covered (the periodic job; system actor).
    Batches of 1,000, each one transaction with its audit entries. Returns how many.
    `concluded_before` limits it to cases concluded before then and `case_ids` to those cases
    (the demo plays time forward a day at a time; without them each day reads every concluded
    case, there being no index on the conclusion time)."""
    calendar = work_calendar()
    candidates = double_publicity_candidates()
    if concluded_before is not None:
        candidates = candidates.filter(concluded_at__lt=concluded_before)
    if case_ids is not None:
        candidates = candidates.filter(pk__in=list(case_ids))
    made = 0
    while limit is None or made < limit:
        size = COLLECT_BATCH if limit is None else min(COLLECT_BATCH, limit - made)
        cases = list(
            candidates.select_related("power_version", "department", "penalty_decision__violation")
            .prefetch_related(
                Prefetch(
                    "documents",
                    queryset=CaseDocument.objects.filter(kind=DocumentKind.RESULT).order_by("id"),
                )
            )
            .order_by("id")[:size]
        )
        if not cases:
            break
        now = clock.now()
        with transaction.atomic():
            entries = DoublePublicityEntry.objects.bulk_create(
                [_draft(case, now, calendar) for case in cases]
            )
            audit_record_many(
                records=[
                    AuditRecord(
                        action="publication.double_publicity.drafted",
                        object_type="cases.case",
                        object_id=entry.case.number,
                        data={"kind": entry.kind, "due_on": entry.due_on.isoformat()},
                        actor_name=actor_label(None),
                    )
                    for entry in entries
                ]
            )
        made += len(cases)
        if len(cases) < size:
            break
    return made


# ---------------------------------------------------------------- publishing


@dataclass(frozen=True)
class PublishRequest:
    entry_id: int
    decision_number: str = ""  # blank keeps the number drafted from the result document
    category: str = ""  # blank keeps the drafted category


@dataclass(frozen=True)
class PublishBatch:
    """One department's publications in a round of several (`double_publicity_publish_batches`)."""

    actor: Any
    requests: Sequence[PublishRequest]


def _require_publisher(actor: Any, entry: DoublePublicityEntry) -> None:
    if not can_see_department(actor, entry.department):
        raise NotFound("双公示信息不存在或无权查看")
    if actor is None or actor.is_superuser:
        return
    if actor.role not in _PUBLISHERS:
        raise PermissionDenied("只有决定部门的工作人员可以公示、更正或撤销双公示信息")


def _entries_for(actor: Any, ids: Sequence[int]) -> dict[int, DoublePublicityEntry]:
    return _entries_for_batches([PublishBatch(actor, [PublishRequest(i) for i in ids])])


def _entries_for_batches(batches: Sequence[PublishBatch]) -> dict[int, DoublePublicityEntry]:
    """The entries the batches name, read in one query; each checked against its batch's actor
    (NotFound for an entry missing or out of the actor's sight, as for one entry)."""
    ids = [request.entry_id for batch in batches for request in batch.requests]
    # The case's number alone (not the whole case row): compiling the case's fifty columns
    # into the query cost more than the query when a department publishes a few at a time.
    entries = (
        DoublePublicityEntry.objects.select_related("department")
        .annotate(case_number=F("case__number"))
        .filter(pk__in=ids)
    )
    found = {e.pk: e for e in entries}
    for batch in batches:
        for request in batch.requests:
            if request.entry_id not in found:
                raise NotFound("双公示信息不存在或无权查看")
            _require_publisher(batch.actor, found[request.entry_id])
    return found


def _category_problem(kind: str, category: str) -> str | None:
    if not category.strip():
        return "请填写许可类别/处罚类别"
    if kind == DoublePublicityKind.LICENCE and category not in LicenceCategory.values:
        return "许可类别应为：" + "、".join(LicenceCategory.values)
    return None


def double_publicity_publish_many(
    *, actor: Any, requests: Sequence[PublishRequest]
) -> list[DoublePublicityEntry]:
    """Publish pending entries; refuses all of them, listing every problem, if one is wrong."""
    return double_publicity_publish_batches(batches=[PublishBatch(actor, requests)])


def double_publicity_publish_batches(
    *, batches: Sequence[PublishBatch]
) -> list[DoublePublicityEntry]:
    """Several publishers' entries published at one moment, each batch checked as
    `double_publicity_publish_many` checks it (the actor may publish every entry of its batch),
    all or none, in one transaction with one audit insert (the demo's daily round, where each
    department published a few entries: one call per department cost a query, a transaction and
    an audit insert each)."""
    found = _entries_for_batches(batches)
    problems: list[FieldProblem] = []
    for batch in batches:
        for request in batch.requests:
            entry = found[request.entry_id]
            label = f"办件{entry.case_number}"
            if entry.state != EntryState.PENDING:
                problems.append(
                    FieldProblem(label, f"当前为“{entry.get_state_display()}”，不能公示")
                )
            number = (request.decision_number or entry.decision_number).strip()
            if not number:
                problems.append(FieldProblem(f"{label} 决定文书号", "公示前须填写决定文书号"))
            category_problem = _category_problem(entry.kind, request.category or entry.category)
            if category_problem:
                problems.append(FieldProblem(f"{label} 类别", category_problem))
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    today = _local_day(now)
    published: list[tuple[Any, DoublePublicityEntry]] = []
    with transaction.atomic():
        for batch in batches:
            actor = batch.actor
            for request in batch.requests:
                entry = found[request.entry_id]
                changes = {
                    "state": EntryState.PUBLISHED,
                    "decision_number": (request.decision_number or entry.decision_number).strip(),
                    "category": (request.category or entry.category).strip(),
                    "published_at": now,
                    "published_late": today > entry.due_on,
                    "published_by": actor if getattr(actor, "pk", None) else None,
                }
                _move(entry, EntryState.PENDING, changes)
                published.append((actor, entry))
        public_pages_changed()  # the API's 双公示 answers are fresh once this commits
        audit_record_many(
            records=[
                AuditRecord(
                    action="publication.double_publicity.published",
                    object_type="publication.double_publicity",
                    object_id=entry.pk,
                    data={
                        "case": entry.case_number,
                        "decision_number": entry.decision_number,
                        "late": entry.published_late,
                    },
                    actor_id=getattr(actor, "pk", None),
                    actor_name=actor_label(actor),
                )
                for actor, entry in published
            ]
        )
    return [entry for _, entry in published]


def double_publicity_publish(
    *, actor: Any, entry_id: int, decision_number: str = "", category: str = ""
) -> DoublePublicityEntry:
    request = PublishRequest(entry_id, decision_number=decision_number, category=category)
    return double_publicity_publish_many(actor=actor, requests=[request])[0]


def _move(entry: DoublePublicityEntry, expected: str, changes: dict[str, Any]) -> None:
    moved = DoublePublicityEntry.objects.filter(
        pk=entry.pk, state=expected, revision=entry.revision
    ).update(revision=F("revision") + 1, **changes)
    if not moved:
        raise InvalidTransition("该双公示信息已被他人处理，请刷新后再试")
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.revision += 1


# ---------------------------------------------------------------- corrections and withdrawals


@dataclass(frozen=True)
class EntryCorrection:
    """The corrected values; None keeps the published one."""

    decision_number: str | None = None
    category: str | None = None
    content: str | None = None
    amount: Decimal | None = None
    valid_until: dt.date | None = None
    party_name: str | None = None  # natural persons: masked before it is stored


def double_publicity_correct(
    *, actor: Any, entry_id: int, correction: EntryCorrection, reason: str
) -> DoublePublicityEntry:
    """A new published entry pointing at the one it corrects, which becomes 已更正."""
    old = _entries_for(actor, [entry_id])[entry_id]
    problems = []
    if old.state != EntryState.PUBLISHED:
        problems.append(FieldProblem("状态", f"当前为“{old.get_state_display()}”，不能更正"))
    if not reason.strip():
        problems.append(FieldProblem("更正理由", "请写明更正理由"))
    changed = {k: v for k, v in vars(correction).items() if v is not None}
    if not changed:
        problems.append(FieldProblem("更正内容", "没有要更正的内容"))
    for name in ("decision_number", "content"):
        if name in changed and not str(changed[name]).strip():
            problems.append(FieldProblem(name, "不能为空"))
    if "category" in changed:
        category_problem = _category_problem(old.kind, changed["category"])
        if category_problem:
            problems.append(FieldProblem("类别", category_problem))
    if "amount" in changed and changed["amount"] < 0:
        problems.append(FieldProblem("罚没金额", "不能为负数"))
    if problems:
        raise ValidationFailed(problems)
    if "party_name" in changed and old.party_kind == PartyKind.PERSON:
        changed["party_name"] = mask_name(changed["party_name"])
    now = clock.now()
    with transaction.atomic():
        _move(old, EntryState.PUBLISHED, {"state": EntryState.SUPERSEDED})
        fields = {
            f.name: getattr(old, f.name)
            for f in DoublePublicityEntry._meta.concrete_fields
            if f.name not in {"id", "revision"}
        }
        fields.update(changed)
        fields.update(
            state=EntryState.PUBLISHED,
            corrects=old,
            correction_reason=reason.strip(),
            created_at=now,
            published_at=now,
            published_by=actor if getattr(actor, "pk", None) else None,
            withdrawn_at=None,
            withdrawal_reason="",
        )
        new = DoublePublicityEntry.objects.create(**fields)
        public_pages_changed()
        audit_record(
            actor=actor,
            action="publication.double_publicity.corrected",
            object_type="publication.double_publicity",
            object_id=new.pk,
            data={"corrects": old.pk, "reason": reason.strip(), "changed": sorted(changed)},
        )
    return new


def double_publicity_withdraw(*, actor: Any, entry_id: int, reason: str) -> DoublePublicityEntry:
    """撤销: the entry stays listed, marked withdrawn with the reason and the time."""
    entry = _entries_for(actor, [entry_id])[entry_id]
    problems = []
    if entry.state != EntryState.PUBLISHED:
        problems.append(FieldProblem("状态", f"当前为“{entry.get_state_display()}”，不能撤销"))
    if not reason.strip():
        problems.append(FieldProblem("撤销理由", "请写明撤销理由（如决定被撤销、复议变更）"))
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        _move(
            entry,
            EntryState.PUBLISHED,
            {
                "state": EntryState.WITHDRAWN,
                "withdrawn_at": clock.now(),
                "withdrawal_reason": reason.strip(),
            },
        )
        public_pages_changed()
        audit_record(
            actor=actor,
            action="publication.double_publicity.withdrawn",
            object_type="publication.double_publicity",
            object_id=entry.pk,
            data={"reason": reason.strip()},
        )
    return entry
