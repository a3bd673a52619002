"""Writes to the power library. Every function checks permission, validates, changes state in
one transaction and appends its audit entries there. Batch functions are the real
implementation; single-item functions call them with a list of one, so the staff form, the
spreadsheet import and the demo generator share one write path."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Max, OuterRef, Subquery

from sunlight.audit.services import AuditRecord, audit_record_many
from sunlight.audit.services import actor_label as actor_name
from sunlight.catalog.choices import ItemStatus, TransitionAction, VersionStatus
from sunlight.catalog.drafts import LABELS, PowerDraft, draft_problems
from sunlight.catalog.models import (
    LegalBasis,
    Material,
    PowerItem,
    PowerVersion,
    StepDuty,
    Transition,
)
from sunlight.catalog.permissions import require_can_draft, require_may_take
from sunlight.core import clock
from sunlight.core.bulk import db_datetime, insert_many
from sunlight.core.errors import FieldProblem, InvalidTransition, ValidationFailed
from sunlight.core.public_cache import public_pages_changed
from sunlight.org.models import Department, Section


@dataclass(frozen=True)
class _Rule:
    from_statuses: frozenset[str]
    to_status: str
    audit_action: str
    opinion_required: bool


# Review lifecycle of a version: draft → submitted → legal review → approved → published.
VERSION_RULES: dict[str, _Rule] = {
    TransitionAction.SUBMIT: _Rule(
        frozenset({VersionStatus.DRAFT}),
        VersionStatus.SUBMITTED,
        "catalog.version.submitted",
        False,
    ),
    TransitionAction.SIGN_OFF: _Rule(
        frozenset({VersionStatus.SUBMITTED}),
        VersionStatus.LEGAL_REVIEW,
        "catalog.version.signed_off",
        False,
    ),
    TransitionAction.DEPT_RETURN: _Rule(
        frozenset({VersionStatus.SUBMITTED}),
        VersionStatus.DRAFT,
        "catalog.version.dept_returned",
        True,
    ),
    TransitionAction.LEGAL_APPROVE: _Rule(
        frozenset({VersionStatus.LEGAL_REVIEW}),
        VersionStatus.APPROVED,
        "catalog.version.legal_approved",
        True,
    ),
    TransitionAction.LEGAL_RETURN: _Rule(
        frozenset({VersionStatus.LEGAL_REVIEW}),
        VersionStatus.DRAFT,
        "catalog.version.legal_returned",
        True,
    ),
    TransitionAction.PUBLISH: _Rule(
        frozenset({VersionStatus.APPROVED}),
        VersionStatus.PUBLISHED,
        "catalog.version.published",
        False,
    ),
}

# Operating status of a published item: in use ⇄ suspended, either → revoked (final).
ITEM_RULES: dict[str, _Rule] = {
    TransitionAction.SUSPEND: _Rule(
        frozenset({ItemStatus.PUBLISHED}), ItemStatus.SUSPENDED, "catalog.item.suspended", True
    ),
    TransitionAction.RESUME: _Rule(
        frozenset({ItemStatus.SUSPENDED}), ItemStatus.PUBLISHED, "catalog.item.resumed", True
    ),
    TransitionAction.REVOKE: _Rule(
        frozenset({ItemStatus.PUBLISHED, ItemStatus.SUSPENDED}),
        ItemStatus.REVOKED,
        "catalog.item.revoked",
        True,
    ),
}


# ---------------------------------------------------------------- creating and editing drafts


def power_item_create(*, actor: Any, department: Department, draft: PowerDraft) -> PowerItem:
    return power_items_create(actor=actor, department=department, drafts=[draft])[0]


def power_items_create(
    *,
    actor: Any,
    department: Department,
    drafts: Sequence[PowerDraft],
    rows: Sequence[int] | None = None,
    complete: bool = True,
    load: bool = True,
) -> list[PowerItem]:
    """Create items, each with a version-1 draft. All or nothing: every problem of every draft
    is reported (with its spreadsheet row when `rows` is given) and nothing is written.
    `complete=False` (list imports) lets drafts lack what only publication needs (draft_gaps).
    Returns the items with their working versions; `load=False` (imports that do not use
    them) returns none and spares building thousands of model instances."""
    require_can_draft(actor, department)
    sections = _sections_by_name(department)
    problems = power_drafts_problems(department, drafts, rows, sections, complete=complete)
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    stamp = db_datetime(now)
    with transaction.atomic():
        insert_many(
            PowerItem,
            [
                "code",
                "national_code",
                "basic_code",
                "department",
                "status",
                "created_at",
                "status_changed_at",
            ],
            (
                (
                    draft.code,
                    draft.national_code,
                    draft.basic_code,
                    department.pk,
                    ItemStatus.DRAFT,
                    stamp,
                    stamp,
                )
                for draft in drafts
            ),
        )
        item_ids = dict(PowerItem.objects.filter(department=department).values_list("code", "pk"))
        insert_many(
            PowerVersion,
            ["item", "number", "status", "created_at", *_VERSION_FIELDS],
            (
                (item_ids[draft.code], 1, VersionStatus.DRAFT, stamp,
                 *_version_values(draft, sections))
                for draft in drafts
            ),
        )  # fmt: skip
        PowerItem.objects.filter(department=department, working_version__isnull=True).filter(
            current_version__isnull=True
        ).update(
            working_version=Subquery(
                PowerVersion.objects.filter(item=OuterRef("pk"), number=1).values("pk")[:1]
            )
        )
        version_ids = dict(
            PowerVersion.objects.filter(item__department=department, number=1).values_list(
                "item_id", "pk"
            )
        )
        ids = [item_ids[draft.code] for draft in drafts]
        moves = [
            (_Created(pk, draft.code, 1), _Created(version_ids[pk], draft.code, 1), "",
             VersionStatus.DRAFT)
            for pk, draft in zip(ids, drafts, strict=True)
        ]  # fmt: skip
        _create_children([version for _, version, _, _ in moves], drafts)
        _record(
            actor,
            TransitionAction.CREATE,
            "catalog.item.created",
            moves,
            opinion="",
            extra=[{"draft": draft.as_data()} for draft in drafts],
        )
        return _created_items(department, ids) if load else []


class _Created(NamedTuple):
    """An item or version just inserted, as the transition rows and audit entries need it."""

    pk: int
    code: str
    number: int


def power_version_update(
    *, actor: Any, version: PowerVersion, draft: PowerDraft, complete: bool = True
) -> PowerVersion:
    """Replace a draft version's content. Only drafts change; published versions never do.
    `complete=False` (list re-imports) keeps allowing what only publication needs."""
    item = version.item
    require_can_draft(actor, item.department)
    if version.status != VersionStatus.DRAFT:
        raise InvalidTransition(
            f"{item.code} 第{version.number}版状态为“{version.get_status_display()}”，"
            "只有草稿可以修改"
        )
    if draft.code != item.code:
        raise ValidationFailed([FieldProblem("统一编码", "统一编码不可修改")])
    sections = _sections_by_name(item.department)
    problems = (
        draft_problems(draft, complete=complete)
        + _section_problems(draft, sections, None)
        + _item_code_problems(item, draft)
    )
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        _item_codes_fill(item, draft)
        locked = PowerVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != VersionStatus.DRAFT:
            raise InvalidTransition(f"{item.code} 已被他人提交，不能再修改")
        fresh = _new_version(item, version.number, draft, sections, version.created_at)
        fresh.pk = version.pk
        fresh.status = VersionStatus.DRAFT
        fresh.save()
        LegalBasis.objects.filter(version=fresh).delete()
        Material.objects.filter(version=fresh).delete()
        StepDuty.objects.filter(version=fresh).delete()
        _create_children([fresh], [draft])
        audit_record_many(
            records=[
                AuditRecord(
                    action="catalog.version.updated",
                    object_type="catalog.powerversion",
                    object_id=fresh.pk,
                    data={"item": item.code, "number": fresh.number, "draft": draft.as_data()},
                    actor_id=getattr(actor, "pk", None),
                    actor_name=actor_name(actor),
                )
            ]
        )
    return fresh


def power_version_create_next(
    *, actor: Any, item: PowerItem, draft: PowerDraft, complete: bool = True
) -> PowerVersion:
    """Start a change to a published item: a new draft version under the same code, which goes
    through the same review. The published version stays in use until the new one is
    published."""
    require_can_draft(actor, item.department)
    if item.status not in (ItemStatus.PUBLISHED, ItemStatus.SUSPENDED):
        raise InvalidTransition(f"{item.code} 尚未发布或已取消，不能变更")
    if item.working_version_id is not None:
        raise InvalidTransition(f"{item.code} 已有在审或草稿版本，请先处理该版本")
    if draft.code != item.code:
        raise ValidationFailed([FieldProblem("统一编码", "变更不能修改统一编码")])
    if not draft.change_reason.strip():
        raise ValidationFailed([FieldProblem("变更原因", "变更必须说明原因")])
    sections = _sections_by_name(item.department)
    problems = (
        draft_problems(draft, complete=complete)
        + _section_problems(draft, sections, None)
        + _item_code_problems(item, draft)
    )
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    with transaction.atomic():
        _item_codes_fill(item, draft)
        locked = PowerItem.objects.select_for_update().get(pk=item.pk)
        if locked.working_version_id is not None:
            raise InvalidTransition(f"{item.code} 已有在审或草稿版本")
        number = (locked.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        version = _new_version(locked, number, draft, sections, now)
        version.save()
        _create_children([version], [draft])
        locked.working_version = version
        locked.save(update_fields=["working_version"])
        _record(
            actor,
            TransitionAction.NEW_VERSION,
            "catalog.version.created",
            [(locked, version, "", VersionStatus.DRAFT)],
            opinion=draft.change_reason,
            extra=[{"draft": draft.as_data()}],
        )
    return version


# ---------------------------------------------------------------- lifecycle transitions


def power_version_transition(
    *, actor: Any, version: PowerVersion, action: str, opinion: str = ""
) -> None:
    power_versions_transition(actor=actor, versions=[version], action=action, opinion=opinion)


def power_versions_transition(
    *, actor: Any, versions: Sequence[PowerVersion], action: str, opinion: str = ""
) -> None:
    """Move versions through review. Compare-and-swap on status: if someone else moved one
    first, nothing changes and InvalidTransition says so."""
    rule = VERSION_RULES.get(action)
    if rule is None:
        raise ValueError(f"not a version action: {action}")
    opinion = (opinion or "").strip()
    if rule.opinion_required and not opinion:
        raise ValidationFailed([FieldProblem("意见", "请填写意见")])
    if len(opinion) > 2000:
        raise ValidationFailed([FieldProblem("意见", "意见不能超过2000字")])
    for version in versions:
        require_may_take(actor, version.item, action)
        if version.status not in rule.from_statuses:
            raise InvalidTransition(
                f"{version.item.code} 第{version.number}版当前为“{version.get_status_display()}”，"
                f"不能{TransitionAction(action).label}"
            )
    if not versions:
        return
    if action == TransitionAction.SUBMIT:
        _require_complete(versions)
        from sunlight.catalog.submit_checks import submit_problems

        problems = submit_problems(versions)
        if problems:
            raise ValidationFailed(problems)
    now = clock.now()
    version_ids = [v.pk for v in versions]
    with transaction.atomic():
        changes: dict[str, Any] = {"status": rule.to_status}
        if action == TransitionAction.PUBLISH:
            changes["published_at"] = now
        moved = PowerVersion.objects.filter(
            pk__in=version_ids, status__in=rule.from_statuses
        ).update(**changes)
        if moved != len(set(version_ids)):
            raise InvalidTransition("部分事项已被他人处理，请刷新后重试")
        items = [v.item for v in versions]
        item_ids = [item.pk for item in items]
        if action == TransitionAction.PUBLISH:
            PowerVersion.objects.filter(
                item_id__in=item_ids, status=VersionStatus.PUBLISHED
            ).exclude(pk__in=version_ids).update(status=VersionStatus.SUPERSEDED)
            first_publication = PowerItem.objects.filter(
                pk__in=item_ids, current_version__isnull=True
            )
            first_publication.update(status=ItemStatus.PUBLISHED, status_changed_at=now)
            PowerItem.objects.filter(pk__in=item_ids).update(
                current_version=Subquery(
                    PowerVersion.objects.filter(
                        item=OuterRef("pk"), status=VersionStatus.PUBLISHED
                    ).values("pk")[:1]
                ),
                working_version=None,
            )
        else:
            # Until first published, the item's status is its working version's.
            PowerItem.objects.filter(pk__in=item_ids, current_version__isnull=True).update(
                status=rule.to_status, status_changed_at=now
            )
        from_status = {v.pk: v.status for v in versions}
        for version in versions:
            version.status = rule.to_status
        _record(
            actor,
            action,
            rule.audit_action,
            [(v.item, v, from_status[v.pk], rule.to_status) for v in versions],
            opinion=opinion,
        )
        if action == TransitionAction.PUBLISH:
            public_pages_changed()
    for item in items:
        item.refresh_from_db(fields=["status", "current_version", "working_version"])


def power_item_transition(*, actor: Any, item: PowerItem, action: str, reason: str) -> None:
    power_items_transition(actor=actor, items=[item], action=action, reason=reason)


def power_items_transition(
    *, actor: Any, items: Sequence[PowerItem], action: str, reason: str
) -> None:
    """Suspend (暂停/挂起), resume or revoke published items; a reason is always required."""
    rule = ITEM_RULES.get(action)
    if rule is None:
        raise ValueError(f"not an item action: {action}")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([FieldProblem("原因", "请填写原因")])
    for item in items:
        require_may_take(actor, item, action)
        if item.status not in rule.from_statuses:
            raise InvalidTransition(
                f"{item.code} 当前为“{item.get_status_display()}”，"
                f"不能{TransitionAction(action).label}"
            )
    if not items:
        return
    now = clock.now()
    with transaction.atomic():
        moved = PowerItem.objects.filter(
            pk__in=[i.pk for i in items], status__in=rule.from_statuses
        ).update(status=rule.to_status, status_changed_at=now)
        if moved != len({i.pk for i in items}):
            raise InvalidTransition("部分事项已被他人处理，请刷新后重试")
        from_status = {i.pk: i.status for i in items}
        for item in items:
            item.status = rule.to_status
            item.status_changed_at = now
        _record(
            actor,
            action,
            rule.audit_action,
            [(i, i.current_version, from_status[i.pk], rule.to_status) for i in items],
            opinion=reason,
        )
        public_pages_changed()  # suspended, resumed or revoked: the portal shows it at once


# ---------------------------------------------------------------- helpers


def _require_complete(versions: Sequence[PowerVersion]) -> None:
    """A draft imported without a time limit or legal basis cannot go to review."""
    with_bases = set(
        LegalBasis.objects.filter(version__in=[v.pk for v in versions]).values_list(
            "version_id", flat=True
        )
    )
    problems = []
    for version in versions:
        missing = []
        if version.statutory_limit is None:
            missing.append(LABELS["statutory_limit"])
        if version.pk not in with_bases:
            missing.append(LABELS["legal_bases"])
        if version.charges_fee and not version.fee_basis.strip():
            missing.append(LABELS["fee_basis"])
        if missing:
            problems.append(
                FieldProblem(
                    "、".join(missing),
                    f"{version.item.code} 缺少{'、'.join(missing)}，请补全后再提交",
                )
            )
    if problems:
        raise ValidationFailed(problems)


def _item_code_problems(item: PowerItem, draft: PowerDraft) -> list[FieldProblem]:
    """An item's 实施编码/基本编码 are set once (by an import) and never changed after."""
    problems = []
    for name in ("national_code", "basic_code"):
        given, kept = getattr(draft, name), getattr(item, name)
        if given and kept and given != kept:
            problems.append(
                FieldProblem(
                    LABELS[name], f"{item.code} 的{LABELS[name]}为“{kept}”，不能改为“{given}”"
                )
            )
    if (
        draft.national_code
        and not item.national_code
        and PowerItem.objects.filter(national_code=draft.national_code).exclude(pk=item.pk).exists()
    ):
        problems.append(FieldProblem("实施编码", f"“{draft.national_code}”已属于另一个事项"))
    return problems


def _item_codes_fill(item: PowerItem, draft: PowerDraft) -> None:
    changed = [
        name
        for name in ("national_code", "basic_code")
        if getattr(draft, name) and not getattr(item, name)
    ]
    for name in changed:
        setattr(item, name, getattr(draft, name))
    if changed:
        item.save(update_fields=changed)


def _sections_by_name(department: Department) -> dict[str, Section]:
    return {s.name: s for s in Section.objects.filter(department=department)}


def _section_problems(
    draft: PowerDraft, sections: dict[str, Section], row: int | None
) -> list[FieldProblem]:
    name = draft.handling_section_name.strip()
    if name and name not in sections:
        return [FieldProblem("承办科室", f"本部门没有名为“{name}”的科室", row)]
    return []


def power_drafts_problems(
    department: Department,
    drafts: Sequence[PowerDraft],
    rows: Sequence[int] | None,
    sections: dict[str, Section] | None = None,
    *,
    complete: bool = True,
) -> list[FieldProblem]:
    """Every problem of a batch of drafts for `department`: each draft's own rules, unknown
    sections, codes repeated in the batch and codes already used. Rows are spreadsheet rows."""
    if sections is None:
        sections = _sections_by_name(department)
    problems: list[FieldProblem] = []
    seen: dict[str, int | None] = {}
    national: dict[str, int | None] = {}
    for index, draft in enumerate(drafts):
        row = rows[index] if rows is not None else None
        problems += draft_problems(draft, row=row, complete=complete)
        if draft.national_code:
            if draft.national_code in national:
                where = national[draft.national_code]
                where_text = f"第{where}行" if where is not None else "本批"
                problems.append(
                    FieldProblem("实施编码", f"“{draft.national_code}”与{where_text}重复", row)
                )
            national[draft.national_code] = row
        problems += _section_problems(draft, sections, row)
        if draft.code in seen:
            where = f"第{seen[draft.code]}行" if seen[draft.code] is not None else "本批"
            problems.append(FieldProblem("统一编码", f"“{draft.code}”与{where}重复", row))
        seen[draft.code] = row
    existing = set(PowerItem.objects.filter(code__in=list(seen)).values_list("code", flat=True))
    taken = set(
        PowerItem.objects.filter(national_code__in=list(national)).values_list(
            "national_code", flat=True
        )
    )
    for index, draft in enumerate(drafts):
        row = rows[index] if rows is not None else None
        if draft.code in existing:
            problems.append(
                FieldProblem("统一编码", f"“{draft.code}”已被使用（编码不可重复使用）", row)
            )
        if draft.national_code in taken:
            problems.append(
                FieldProblem("实施编码", f"“{draft.national_code}”已属于另一个事项", row)
            )
    return problems


_VERSION_FIELDS = [
    "name",
    "sub_item_name",
    "category",
    "implementing_body",
    "body_nature",
    "handling_section",
    "exercise_level",
    "service_objects",
    "handling_forms",
    "case_type",
    "statutory_limit",
    "statutory_limit_unit",
    "promised_limit",
    "promised_limit_unit",
    "extension_limit_days",
    "extension_times",
    "charges_fee",
    "fee_basis",
    "fee_standard",
    "conditions",
    "important",
    "disclosure_form",
    "disclosure_scope",
    "disclosure_frequency",
    "contact_phone",
    "supervision_phone",
    "change_reason",
]


def _version_values(draft: PowerDraft, sections: dict[str, Section]) -> tuple[Any, ...]:
    """A draft's content in _VERSION_FIELDS order, as stored (the section as its id)."""
    section = sections.get(draft.handling_section_name.strip())
    return (
        draft.name.strip(),
        draft.sub_item_name.strip(),
        draft.category,
        draft.implementing_body.strip(),
        draft.body_nature,
        section.pk if section is not None else None,
        draft.exercise_level,
        ",".join(draft.service_objects),
        ",".join(draft.handling_forms),
        draft.case_type,
        draft.statutory_limit,
        draft.statutory_limit_unit,
        draft.promised_limit,
        draft.promised_limit_unit,
        draft.extension_limit_days,
        draft.extension_times,
        draft.charges_fee,
        draft.fee_basis,
        draft.fee_standard,
        draft.conditions,
        draft.important,
        draft.disclosure_form,
        draft.disclosure_scope,
        draft.disclosure_frequency,
        draft.contact_phone,
        draft.supervision_phone,
        draft.change_reason,
    )


def _created_items(department: Department, ids: list[int]) -> list[PowerItem]:
    """The items just inserted, with their working versions, in `ids` order: read back in one
    query (the database's rows make instances on Django's fast path; building thousands from
    keyword arguments cost more than their inserts), each version knowing its item and each
    item its department, as callers expect."""
    if not ids:
        return []
    wanted = set(ids)
    found = {
        item.pk: item
        for item in PowerItem.objects.filter(
            department=department, pk__gte=min(ids), pk__lte=max(ids)
        ).select_related("working_version")
        if item.pk in wanted
    }
    item_field = PowerVersion._meta.get_field("item")
    department_field = PowerItem._meta.get_field("department")
    items = [found[pk] for pk in ids]
    for item in items:
        department_field.set_cached_value(item, department)
        item_field.set_cached_value(item.working_version, item)
    return items


def _new_version(
    item: PowerItem,
    number: int,
    draft: PowerDraft,
    sections: dict[str, Section],
    now: Any,
) -> PowerVersion:
    values = dict(zip(_VERSION_FIELDS, _version_values(draft, sections), strict=True))
    values["handling_section_id"] = values.pop("handling_section")
    return PowerVersion(
        item=item, number=number, status=VersionStatus.DRAFT, created_at=now, **values
    )


def _create_children(versions: Sequence[PowerVersion], drafts: Sequence[PowerDraft]) -> None:
    pairs = list(zip(versions, drafts, strict=True))
    insert_many(
        LegalBasis,
        ["version", "position", "law_name", "article", "text"],
        (
            (v.pk, i, b.law_name.strip(), b.article.strip(), b.text.strip())
            for v, d in pairs
            for i, b in enumerate(d.legal_bases, start=1)
        ),
    )
    insert_many(
        Material,
        ["version", "position", "name", "mandatory", "originals", "copies", "notes", "deferrable"],
        (
            (
                v.pk,
                i,
                m.name.strip(),
                m.mandatory,
                m.originals,
                m.copies,
                m.notes.strip(),
                m.deferrable,
            )  # fmt: skip
            for v, d in pairs
            for i, m in enumerate(d.materials, start=1)
        ),
    )
    insert_many(
        StepDuty,
        ["version", "position", "step_name", "responsibility", "accountability"],
        (
            (v.pk, i, u.step_name.strip(), u.responsibility.strip(), u.accountability.strip())
            for v, d in pairs
            for i, u in enumerate(d.duties, start=1)
        ),
    )


def _record(
    actor: Any,
    action: str,
    audit_action: str,
    moves: Sequence[tuple[PowerItem, PowerVersion | None, str, str]],
    *,
    opinion: str,
    extra: Sequence[dict[str, Any]] | None = None,
) -> None:
    """Write the transition rows and their audit entries (same transaction as the change)."""
    now = clock.now()
    name = actor_name(actor)
    actor_id = getattr(actor, "pk", None)
    stamp = db_datetime(now)
    insert_many(
        Transition,
        [
            "item",
            "version",
            "action",
            "from_status",
            "to_status",
            "actor",
            "actor_name",
            "at",
            "opinion",
        ],
        (
            (
                item.pk,
                version.pk if version is not None else None,
                action,
                from_status,
                to_status,
                actor_id,
                name,
                stamp,
                opinion,
            )
            for item, version, from_status, to_status in moves
        ),
    )
    audit_record_many(
        records=[
            AuditRecord(
                action=audit_action,
                object_type="catalog.poweritem",
                object_id=item.code,
                data={
                    "version": version.number if version is not None else None,
                    "from": from_status,
                    "to": to_status,
                    "opinion": opinion,
                    **(extra[index] if extra else {}),
                },
                actor_id=actor_id,
                actor_name=name,
            )
            for index, (item, version, from_status, to_status) in enumerate(moves)
        ]
    )
