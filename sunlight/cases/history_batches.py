"""Declaring and approving a 补录 batch (history_models.HistoryBatch). The department says who
brings in which past cases, why and for which period; a supervisor (纪检监察) of its region
approves or refuses it; only an approved batch is written (history.cases_record_history), once.

A department's own system pushing its cases (the data exchange) uses the same path: one batch
per push, declared with source EXCHANGE, then written through cases_record_history."""

import datetime as dt
from typing import Any

from django.db import transaction

from sunlight.audit.services import actor_label, audit_record
from sunlight.cases.history_models import BatchSource, BatchState, HistoryBatch
from sunlight.catalog.permissions import can_see_department
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import (
    FieldProblem,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.org.choices import Role
from sunlight.org.models import Department

OBJECT_TYPE = "cases.history_batch"


def require_batch_visible(user: Any, batch: HistoryBatch) -> None:
    if not can_see_department(user, batch.department):
        raise NotFound("补录批次不存在或无权查看")


def require_may_declare(user: Any, department: Department) -> None:
    """The department's clerks and heads declare its batches (admins of its region too)."""
    if not can_see_department(user, department):
        raise NotFound("部门不存在或无权查看")
    if user is None or user.is_superuser:
        return
    if user.role not in (Role.CLERK, Role.APPROVER, Role.ADMIN):
        raise PermissionDenied("补录批次由本部门经办人员、负责人或平台管理员申报")


def require_may_review(user: Any, batch: HistoryBatch) -> None:
    """A supervisor (纪检监察) of the department's region, never the one who declared it."""
    require_batch_visible(user, batch)
    if user is None or user.is_superuser:
        return
    if user.role != Role.SUPERVISOR:
        raise PermissionDenied("补录批次须由纪检监察人员审批")
    if batch.declared_by_id == user.pk:
        raise PermissionDenied("不能审批自己申报的补录批次")


def history_batch_declare(
    *,
    actor: Any,
    department: Department,
    source: str,
    reason: str,
    period_start: dt.date,
    period_end: dt.date,
) -> HistoryBatch:
    require_may_declare(actor, department)
    today = clock.now().astimezone(SHANGHAI).date()
    problems = []
    if source not in BatchSource.values:
        problems.append(FieldProblem("来源", "请选择补录来源"))
    if not reason.strip():
        problems.append(FieldProblem("补录原因", "请写明为什么补录这些办件"))
    if period_start > period_end:
        problems.append(FieldProblem("收件日期", "起始日期晚于截止日期"))
    if period_end > today:
        problems.append(FieldProblem("收件日期止", "补录的只能是已经收件的办件，不能晚于今天"))
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        batch = HistoryBatch.objects.create(
            department=department,
            source=source,
            reason=reason.strip(),
            period_start=period_start,
            period_end=period_end,
            declared_by=actor,
            declared_by_name=actor_label(actor),
            declared_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="cases.history_batch.declared",
            object_type=OBJECT_TYPE,
            object_id=batch.pk,
            data={
                "department": department.code,
                "source": source,
                "reason": batch.reason,
                "period": [period_start.isoformat(), period_end.isoformat()],
            },
        )
    return batch


def history_batch_review(
    *, actor: Any, batch: HistoryBatch, approve: bool, opinion: str = ""
) -> HistoryBatch:
    require_may_review(actor, batch)
    if not approve and not opinion.strip():
        raise ValidationFailed([FieldProblem("审批意见", "不予批准须写明理由")])
    with transaction.atomic():
        locked = HistoryBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state != BatchState.DECLARED:
            raise InvalidTransition(f"该批次{locked.get_state_display()}，不能再审批")
        locked.state = BatchState.APPROVED if approve else BatchState.REJECTED
        locked.reviewed_by = actor
        locked.reviewed_by_name = actor_label(actor)
        locked.reviewed_at = clock.now()
        locked.review_opinion = opinion.strip()
        locked.save(
            update_fields=["state", "reviewed_by", "reviewed_by_name", "reviewed_at",
                           "review_opinion"]
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="cases.history_batch.approved" if approve else "cases.history_batch.rejected",
            object_type=OBJECT_TYPE,
            object_id=locked.pk,
            data={"opinion": locked.review_opinion},
        )
    return locked


def lock_for_writing(batch: HistoryBatch, department: Department) -> HistoryBatch:
    """The batch, locked in the caller's transaction, if cases may be written under it now."""
    locked = HistoryBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.department_id != department.pk:
        raise ValidationFailed([FieldProblem("补录批次", "批次申报的部门与导入的部门不一致")])
    if locked.state != BatchState.APPROVED:
        raise InvalidTransition(
            f"补录批次{locked.pk}{locked.get_state_display()}：只有经纪检监察批准、尚未导入的"
            "批次可以写入办件"
        )
    return locked


def period_problems(batch: HistoryBatch, received: list[tuple[int, dt.datetime]]) -> list:
    """Records (row, received time) outside the period the batch declared."""
    return [
        FieldProblem(
            "收件时间",
            f"{moment.astimezone(SHANGHAI):%Y-%m-%d}不在批次申报的收件日期"
            f"（{batch.period_start}至{batch.period_end}）内",
            row,
        )
        for row, moment in received
        if not batch.period_start <= moment.astimezone(SHANGHAI).date() <= batch.period_end
    ]


def mark_written(
    batch: HistoryBatch, *, cases: int, steps: int, notes: list[str], file_name: str = "",
    file_sha256: str = "",
) -> None:  # fmt: skip
    batch.state = BatchState.WRITTEN
    batch.written_at = clock.now()
    batch.case_count, batch.step_count = cases, steps
    batch.notes = notes
    batch.file_name, batch.file_sha256 = file_name[:200], file_sha256
    batch.save(
        update_fields=["state", "written_at", "case_count", "step_count", "notes", "file_name",
                       "file_sha256"]
    )  # fmt: skip


# ---------------------------------------------------------------- reads


def history_batches_visible_to(user: Any) -> Any:
    """The batches of the departments `user` may see, newest first."""
    from sunlight.org.permissions import departments_visible_to

    return HistoryBatch.objects.filter(department__in=departments_visible_to(user)).select_related(
        "department"
    )


def history_batch_get(user: Any, pk: int) -> HistoryBatch:
    batch = HistoryBatch.objects.select_related("department").filter(pk=pk).first()
    if batch is None:
        raise NotFound("补录批次不存在或无权查看")
    require_batch_visible(user, batch)
    return batch


def may_review(user: Any, batch: HistoryBatch) -> bool:
    try:
        require_may_review(user, batch)
    except (NotFound, PermissionDenied):
        return False
    return batch.state == BatchState.DECLARED


def may_declare(user: Any, department: Department) -> bool:
    try:
        require_may_declare(user, department)
    except (NotFound, PermissionDenied):
        return False
    return True
