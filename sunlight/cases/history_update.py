"""A case from elsewhere, carried on (the data exchange): a department's own system pushes a
case's trace piece by piece — its basic record, then each step as it is handled, then its
result — so a case written once by history.cases_record_history grows later.

`cases_update_history` takes each case's whole trace as it now stands (a HistoricalCase built
from everything received), checks it with the very checks a new 补录 case passes
(history_checks.py), and requires the trace already on the platform to be its beginning: steps
handled stay as they were, an open step may be finished, new steps, pauses and documents are
appended, the result is set. Nothing is rewritten or removed; a case is never written twice.
"""

import random
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction

from sunlight.audit.services import AuditRecord, actor_label, audit_record_many
from sunlight.cases.choices import PauseKind, StepState
from sunlight.cases.history_batches import require_may_declare
from sunlight.cases.history_checks import batch_problems
from sunlight.cases.history_context import BatchContext
from sunlight.cases.history_writer import (
    DOCUMENT_COLUMNS,
    PAUSE_COLUMNS,
    STEP_COLUMNS,
    _insert,
    _reserve_ids,
    _Row,
    _Writer,
)
from sunlight.cases.models import Case, CaseDocument, CasePause, CaseStep
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, ValidationFailed
from sunlight.org.models import Department

if TYPE_CHECKING:
    from sunlight.cases.history import HistoricalCase


def cases_update_history(
    *, actor: Any, department: Department, updates: Sequence[tuple[Case, "HistoricalCase"]]
) -> int:
    """Carry on cases written from elsewhere with their traces as they now stand. All or
    nothing; returns the number of cases changed. The caller may hold a transaction."""
    require_may_declare(actor, department)
    now = clock.now()
    records = [record for _, record in updates]
    context = BatchContext.load(department=department, records=records, now=now)
    problems = batch_problems(context, records)
    with transaction.atomic():
        locked = {
            c.pk: c
            for c in Case.objects.select_for_update().filter(pk__in=[c.pk for c, _ in updates])
        }
        existing = _existing(list(locked))
        for row, (case, record) in enumerate(updates, start=1):
            problems += _prefix_problems(locked[case.pk], record, existing[case.pk], row)
        if problems:
            raise ValidationFailed(problems)
        writer = _Writer(context, actor, random.SystemRandom(), now)
        audit = []
        # Step ids for the whole batch at once (SQLite hands them out as MAX(id) + 1).
        wanted = sum(max(0, len(r.steps) - len(existing[c.pk].steps)) for c, r in updates)
        new_rows = _NewRows(iter(_reserve_ids(CaseStep, wanted)))
        for row, (case, record) in enumerate(updates, start=1):
            change = _apply(writer, locked[case.pk], record, existing[case.pk], row, new_rows)
            if change:
                audit.append(_audit_entry(actor, locked[case.pk], record, change))
        new_rows.insert()
        audit_record_many(records=audit)
    return len(audit)


class _Trace:
    """What a case already has on the platform, in the order it was written."""

    def __init__(self) -> None:
        self.steps: list[CaseStep] = []
        self.pauses: list[CasePause] = []
        self.documents: int = 0


class _NewRows:
    """What the cases gain, inserted together (a few multi-row inserts for the whole batch)."""

    def __init__(self, step_ids: Iterator[int]) -> None:
        self.step_ids = step_ids
        self.steps: list[tuple] = []
        self.pauses: list[tuple] = []
        self.documents: list[tuple] = []

    def insert(self) -> None:
        _insert(CaseStep, STEP_COLUMNS, self.steps)
        _insert(CasePause, PAUSE_COLUMNS, self.pauses)
        _insert(CaseDocument, DOCUMENT_COLUMNS, self.documents)


def _existing(case_ids: list[int]) -> dict[int, _Trace]:
    found = {pk: _Trace() for pk in case_ids}
    for step in CaseStep.objects.filter(case_id__in=case_ids).order_by("id"):
        found[step.case_id].steps.append(step)
    for pause in CasePause.objects.filter(case_id__in=case_ids).order_by("id"):
        found[pause.case_id].pauses.append(pause)
    for case_id in CaseDocument.objects.filter(case_id__in=case_ids).values_list(
        "case_id", flat=True
    ):
        found[case_id].documents += 1
    return found


def _prefix_problems(
    case: Case, record: "HistoricalCase", trace: _Trace, row: int
) -> list[FieldProblem]:
    """The trace on the platform must be the beginning of the new one."""
    problems = []

    def bad(where: str, message: str) -> None:
        problems.append(FieldProblem(where, message, row))

    if len(record.steps) < len(trace.steps):
        bad("办理环节", f"已记录 {len(trace.steps)} 个环节，更正后只有 {len(record.steps)} 个："
            "已办理的环节不能删除")  # fmt: skip
    for index, (kept, step) in enumerate(zip(trace.steps, record.steps, strict=False)):
        where = f"第{index + 1}个环节“{kept.name}”"
        if kept.node_id != step.node_id or kept.started_at != step.started_at:
            bad(where, "已记录的环节不能更换或改变开始时间（新的环节只能追加在后面）")
        elif kept.state != StepState.OPEN and (
            kept.state != step.state or kept.finished_at != step.finished_at
        ):
            bad(where, "已办理完毕的环节不能更改")
    if len(record.pauses) < len(trace.pauses) or any(
        (p.kind, p.started_at) != (n.kind, n.started_at)
        or (p.ended_at is not None and p.ended_at != n.ended_at)
        for p, n in zip(trace.pauses, record.pauses, strict=False)
    ):
        bad("暂停与延长", "已记录的暂停与延长不能更改或删除，只能结束或追加")
    if len(record.documents) < trace.documents:
        bad("材料与文书", "已记录的材料与文书不能删除")
    if case.concluded_at is not None and record.concluded_at != case.concluded_at:
        bad("办结时间", "办件已办结，办结信息不能更改")
    return problems


def _apply(
    writer: _Writer, case: Case, record: "HistoricalCase", trace: _Trace, row: int,
    new_rows: _NewRows,
) -> dict[str, int]:  # fmt: skip
    """Write what is new; the counts of what changed (empty: nothing)."""
    version = writer.context.version_of(record)
    item = _Row(record, row, version, id=case.pk, number=case.number)
    known = len(trace.steps)
    new_ids = [next(new_rows.step_ids) for _ in range(len(record.steps) - known)]
    ids = [s.pk for s in trace.steps] + new_ids
    step_rows = writer._step_rows(item, ids)
    finished = 0
    for kept, step in zip(trace.steps, record.steps, strict=False):
        if kept.state == StepState.OPEN and step.state != StepState.OPEN:
            CaseStep.objects.filter(pk=kept.pk, state=StepState.OPEN).update(
                state=step.state,
                finished_at=step.finished_at,
                result=step.result,
                opinion=step.opinion.strip(),
                handler_name=step.handler_name.strip()[:150],
            )
            finished += 1
    new_rows.steps += step_rows[known:]
    pauses = writer._pause_rows(item)
    ended = 0
    for kept, pause in zip(trace.pauses, record.pauses, strict=False):
        if kept.ended_at is None and pause.ended_at is not None:
            days = 0 if pause.kind == PauseKind.EXTENSION else writer._pause_days(pause, version)
            CasePause.objects.filter(pk=kept.pk).update(ended_at=pause.ended_at, workdays=days)
            ended += 1
    new_rows.pauses += pauses[len(trace.pauses) :]
    documents = writer._document_rows(item, ids)[trace.documents :]
    new_rows.documents += documents
    case_changed = _update_case(writer, case, record, item)
    change = {
        "steps_added": len(new_ids),
        "steps_finished": finished,
        "pauses_added": len(record.pauses) - len(trace.pauses),
        "pauses_ended": ended,
        "documents_added": len(documents),
        "case_changed": int(case_changed),
    }
    return change if any(change.values()) else {}


def _update_case(writer: _Writer, case: Case, record: "HistoricalCase", item: _Row) -> bool:
    special = sum(
        writer._pause_days(p, item.version) for p in record.pauses if p.kind == PauseKind.SPECIAL
    )
    extension = sum(p.extension_days for p in record.pauses if p.kind == PauseKind.EXTENSION)
    statutory, promised, provisional = writer._deadlines(item, special + extension)
    conclusion = record.conclusion
    values = {
        "state": record.state,
        "accepted_at": record.accepted_at,
        "concluded_at": record.concluded_at,
        "statutory_deadline": statutory,
        "promised_deadline": promised,
        "deadline_provisional": provisional,
        "extension_days": extension,
        "paused_workdays": special,
        "not_accepted_reason": record.not_accepted_reason.strip(),
        "correction_items": record.correction_items.strip(),
    }
    if conclusion is not None:
        values |= {
            "conclusion_code": conclusion.code,
            "decision": conclusion.decision,
            "conclusion_opinion": conclusion.opinion.strip(),
            "penalty_kind": conclusion.penalty_kind.strip(),
            "penalty_amount": conclusion.penalty_amount,
            "fee_due": conclusion.fee_due,
            "fee_paid": conclusion.fee_paid,
        }
    changed = {k: v for k, v in values.items() if getattr(case, k) != v}
    if not changed:
        return False
    Case.objects.filter(pk=case.pk).update(revision=case.revision + 1, **changed)
    return True


def _audit_entry(
    actor: Any, case: Case, record: "HistoricalCase", change: dict[str, int]
) -> AuditRecord:
    return AuditRecord(
        action="cases.case.record_updated",
        object_type="cases.case",
        object_id=case.number,
        data={
            "state": record.state,
            "concluded_at": record.concluded_at.isoformat() if record.concluded_at else None,
            "source_number": case.source_number,
            **change,
        },
        actor_id=getattr(actor, "pk", None),
        actor_name=actor_label(actor),
    )
