"""Writes of scheduled disclosure: registering a matter, scheduling its due periods, publishing
a disclosure into the archive and correcting one (a new entry pointing at the old; the old is
never touched). Every write checks permission here and appends its audit entry."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from sunlight.audit.services import AuditRecord, actor_label, audit_record, audit_record_many
from sunlight.catalog.choices import DisclosureForm, DisclosureFrequency, DisclosureScope
from sunlight.catalog.permissions import can_see_department
from sunlight.core import clock
from sunlight.core.errors import (
    FieldProblem,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.core.public_cache import public_pages_changed
from sunlight.core.text import clean_line, clean_text, has_visible
from sunlight.disclosure import schedule
from sunlight.disclosure.choices import ArchiveKind
from sunlight.disclosure.models import ArchiveEntry, DisclosureDue, DisclosureMatter
from sunlight.disclosure.permissions import can_disclose, can_register_matter
from sunlight.org.models import Department

MAX_BODY = 20_000
MAX_GRACE_DAYS = 90


def _choice_problem(value: str, choices: Any, field: str) -> list[FieldProblem]:
    return [] if value in choices.values else [FieldProblem(field, "请从列表中选择")]


def matter_create(
    *,
    actor: Any,
    department_id: int,
    content: str,
    frequency: str,
    scope: str,
    form: str,
    starts_on: dt.date | None,
    grace_days: int | None = 10,
) -> DisclosureMatter:
    """Register one of the department's disclosure matters and schedule its periods so far."""
    content = clean_line(content)
    problems: list[FieldProblem] = []
    if not has_visible(content):
        problems.append(FieldProblem("公开内容", "请填写要公开的内容"))
    elif len(content) > 200:
        problems.append(FieldProblem("公开内容", "不超过200字"))
    problems += _choice_problem(frequency, DisclosureFrequency, "公开频次")
    problems += _choice_problem(scope, DisclosureScope, "公开范围")
    problems += _choice_problem(form, DisclosureForm, "公开形式")
    if starts_on is None:
        problems.append(FieldProblem("起始日期", "请填写日期，如 2026-01-01"))
    if grace_days is None or not 0 <= grace_days <= MAX_GRACE_DAYS:
        problems.append(FieldProblem("期满后公开期限", f"请填写0到{MAX_GRACE_DAYS}之间的天数"))
    if problems:
        raise ValidationFailed(problems)
    assert starts_on is not None and grace_days is not None  # noqa: S101 - checked above
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise NotFound("部门不存在")
    if not can_register_matter(actor, department):
        raise PermissionDenied("只有本部门负责人或平台管理员可以登记公开事项")
    with transaction.atomic():
        matter = DisclosureMatter.objects.create(
            department=department,
            content=content,
            frequency=frequency,
            scope=scope,
            form=form,
            starts_on=starts_on,
            grace_days=grace_days,
            created_at=clock.now(),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="disclosure.matter.created",
            object_type="disclosure.matter",
            object_id=matter.pk,
            data={
                "department": department.pk,
                "content": content,
                "frequency": frequency,
                "scope": scope,
                "form": form,
                "starts_on": starts_on.isoformat(),
                "grace_days": grace_days,
            },
        )
        dues_schedule(matters=[matter])
    return matter


def dues_schedule(*, matters: Any = None, today: dt.date | None = None) -> int:
    """Create the due periods that have begun by `today` and are missing (idempotent: the
    unique (matter, period_start) constraint backs the look-up). Returns how many were made."""
    today = today or clock.today_local()
    if matters is None:
        matters = DisclosureMatter.objects.filter(active=True).exclude(
            frequency=DisclosureFrequency.ANYTIME
        )
    made: list[DisclosureDue] = []
    with transaction.atomic():
        for matter in matters:
            if not matter.active or not schedule.is_scheduled(matter.frequency):
                continue
            have = set(matter.dues.values_list("period_start", flat=True))
            department = Department.objects.only("region_id").get(pk=matter.department_id)
            for start, end in schedule.periods(
                matter.frequency, starts_on=matter.starts_on, until=today
            ):
                if start in have:
                    continue
                made.append(
                    DisclosureDue(
                        matter=matter,
                        department_id=matter.department_id,
                        region_code=department.region_id,
                        period_start=start,
                        period_end=end,
                        due_on=end + dt.timedelta(days=matter.grace_days),
                    )
                )
        if not made:
            return 0
        try:
            with transaction.atomic():
                DisclosureDue.objects.bulk_create(made)
        except IntegrityError:
            return 0  # another run scheduled the same periods first
        audit_record_many(
            records=[
                AuditRecord(
                    action="disclosure.due.scheduled",
                    object_type="disclosure.due",
                    object_id=due.pk,
                    data={
                        "matter": due.matter_id,
                        "period_start": due.period_start.isoformat(),
                        "due_on": due.due_on.isoformat(),
                    },
                    actor_id=None,
                    actor_name=actor_label(None),
                )
                for due in made
            ]
        )
    return len(made)


def _body_problems(title: str, body: str) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not has_visible(title) or len(title) > 200:
        problems.append(FieldProblem("标题", "请填写，不超过200字"))
    if not has_visible(body):
        problems.append(FieldProblem("公开内容", "请填写本次公开的内容"))
    elif len(body) > MAX_BODY:
        problems.append(FieldProblem("公开内容", f"不超过{MAX_BODY}字"))
    return problems


def _entry_data(entry: ArchiveEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "department": entry.department_id,
        "matter": entry.matter_id,
        "scope": entry.scope,
        "title": entry.title,
        "body": entry.body,
        "period": entry.period_label,
        "corrects": entry.corrects_id,
        "reason": entry.correction_reason,
    }


def archive_write(*, actor: Any, entry: ArchiveEntry, action: str) -> ArchiveEntry:
    """Append `entry` (unsaved) to the archive with its audit entry: the one write path of the
    archive, for matters, announcements and stage forms. Call inside a transaction."""
    entry.published_at = clock.now()
    entry.published_by = actor
    entry.save(force_insert=True)
    # Public pages show it (the archive, an announcement and its corrected text) at once.
    public_pages_changed()
    audit_record(
        actor=actor,
        action=action,
        object_type="disclosure.archive",
        object_id=entry.pk,
        data=_entry_data(entry),
    )
    return entry


def disclosure_publish(
    *, actor: Any, matter_id: int, body: str, due_id: int | None = None, title: str = ""
) -> ArchiveEntry:
    """Disclose a matter (for one of its due periods when scheduled) and archive it."""
    body = clean_text(body)
    matter = DisclosureMatter.objects.select_related("department").filter(pk=matter_id).first()
    if matter is None:
        raise NotFound("公开事项不存在")
    if not can_disclose(actor, matter.department):
        if can_see_department(actor, matter.department):
            raise PermissionDenied("只有本部门工作人员可以公开本部门的事项")
        raise NotFound("公开事项不存在或无权查看")
    scheduled = schedule.is_scheduled(matter.frequency)
    if scheduled and due_id is None:
        raise ValidationFailed([FieldProblem("公开期次", "请选择本次公开所属的期间")])
    label = ""
    if scheduled:
        due = DisclosureDue.objects.filter(pk=due_id, matter=matter).first()
        if due is None:
            raise ValidationFailed([FieldProblem("公开期次", "该期次不属于这个公开事项")])
        label = schedule.period_label(matter.frequency, due.period_start)
    title = clean_line(title) or (f"{matter.content}（{label}）" if label else matter.content)
    problems = _body_problems(title, body)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        entry = archive_write(
            actor=actor,
            entry=ArchiveEntry(
                kind=ArchiveKind.MATTER,
                department=matter.department,
                region_id=matter.department.region_id,
                matter=matter,
                scope=matter.scope,
                form=matter.form,
                title=title,
                body=body,
                period_label=label,
            ),
            action="disclosure.archive.published",
        )
        if scheduled:
            # Compare-and-swap: a period is disclosed once; a second click fails cleanly.
            taken = DisclosureDue.objects.filter(pk=due_id, archived_entry__isnull=True).update(
                archived_entry=entry, archived_at=entry.published_at
            )
            if not taken:
                raise InvalidTransition("该期已经公开，如需修改请在公开存档中更正")
    return entry


def archive_correct(*, actor: Any, entry_id: int, body: str, reason: str) -> ArchiveEntry:
    """Correct an archived disclosure: a new entry pointing at it; the old one stays as it was."""
    body, reason = clean_text(body), clean_line(reason)
    old = ArchiveEntry.objects.select_related("department").filter(pk=entry_id).first()
    if old is None or old.department is None or not can_disclose(actor, old.department):
        raise NotFound("公开存档不存在或无权查看")
    problems = _body_problems(old.title, body)
    if not has_visible(reason) or len(reason) > 300:
        problems.append(FieldProblem("更正原因", "请说明更正的原因，不超过300字"))
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        # The latest of a chain is the one corrected: two people correcting one entry at once
        # get one correction and one refusal (the row lock orders them).
        locked = ArchiveEntry.objects.select_for_update().get(pk=old.pk)
        if locked.corrections.exists():
            raise InvalidTransition("该条已被更正，请更正最新的一条")
        title = old.title if old.title.startswith("（更正）") else f"（更正）{old.title}"
        return archive_write(
            actor=actor,
            entry=ArchiveEntry(
                kind=old.kind,
                department=old.department,
                region_id=old.region_id,
                matter_id=old.matter_id,
                scope=old.scope,
                form=old.form,
                title=title[:200],
                body=body,
                period_label=old.period_label,
                corrects=old,
                correction_reason=reason,
            ),
            action="disclosure.archive.corrected",
        )
