"""A case from elsewhere, carried on (the data exchange): a department's own system pushes a
case's trace piece by piece — its basic record, then each step as it is handled, then its
result — so a case written once by history.cases_record_history grows later.

`cases_update_history` takes each case's whole trace as it now stands (a HistoricalCase built
from everything received), checks it with the very checks a new 补录 case passes
(history_checks.py), and requires the trace already on the platform to be its beginning: steps
handled stay as they were, an open step may be finished, new steps, pauses and documents are
appended, the result is set. Nothing is rewritten or removed; a case is never written twice.
"""

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connection, models, transaction
from django.db.models import Count

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
    case_title,
)
from sunlight.cases.models import Case, CaseDocument, CasePause, CaseStep
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, ValidationFailed
from sunlight.core.identity import (
    mask_address,
    mask_credit_code,
    mask_name,
    mask_phone,
    mask_resident_id,
)
from sunlight.org.models import Department

if TYPE_CHECKING:
    from sunlight.cases.history import HistoricalCase


def cases_update_history(
    *, actor: Any, department: Department, updates: Sequence[tuple[int, "HistoricalCase"]]
) -> int:
    """Carry on cases written from elsewhere (by id) with their traces as they now stand. All
    or nothing; returns the number of cases changed. The caller may hold a transaction.

    Set-based, so a chunk of thousands of cases costs a few statements: one read of the cases
    (locked) and one of their steps, pauses and documents; new steps, pauses and documents in
    multi-row inserts; the finished steps, ended pauses and changed cases in one prepared
    statement each (executemany); one audit entry per case changed, appended together."""
    require_may_declare(actor, department)
    now = clock.now()
    records = [record for _, record in updates]
    context = BatchContext.load(department=department, records=records, now=now)
    problems = batch_problems(context, records)
    with transaction.atomic():
        ids = [pk for pk, _ in updates]
        locked = {
            row["id"]: row
            for row in Case.objects.select_for_update().filter(pk__in=ids).values(*_CASE_READ)
        }
        existing = _existing(ids)
        for row, (pk, record) in enumerate(updates, start=1):
            problems += _prefix_problems(locked[pk], record, existing[pk], row)
        if problems:
            raise ValidationFailed(problems)
        writer = _Writer(context, actor, random.SystemRandom(), now)
        audit = []
        # Step ids for the whole batch at once (SQLite hands them out as MAX(id) + 1).
        wanted = sum(max(0, len(r.steps) - len(existing[pk].steps)) for pk, r in updates)
        new_rows = _NewRows(iter(_reserve_ids(CaseStep, wanted)))
        for row, (pk, record) in enumerate(updates, start=1):
            change = _apply(writer, locked[pk], record, existing[pk], row, new_rows)
            if change:
                audit.append(_audit_entry(actor, locked[pk], record, change))
        new_rows.write()
        audit_record_many(records=audit)
    return len(audit)


# What a case's carrying on reads of it (and compares: _case_values).
_CASE_READ = (
    "id", "number", "revision", "source_number", "state", "accepted_at", "concluded_at",
    "statutory_deadline", "promised_deadline", "deadline_provisional", "extension_days",
    "paused_workdays", "not_accepted_reason", "correction_items", "conclusion_code",
    "decision", "conclusion_opinion", "penalty_kind", "penalty_amount", "fee_due", "fee_paid",
    "title", "applicant_kind", "applicant_name", "applicant_id_number", "applicant_phone",
    "applicant_address", "agent_name", "agent_id_number", "agent_phone",
)  # fmt: skip
# The applicant as the source system last sent it: a corrected basic record (a higher data
# version) corrects these on the case.
APPLICANT_FIELDS = (
    "applicant_kind", "applicant_name", "applicant_id_number", "applicant_phone",
    "applicant_address", "agent_name", "agent_id_number", "agent_phone",
)  # fmt: skip


class _StepKept(NamedTuple):
    pk: int
    node_id: str
    name: str
    state: str
    started_at: dt.datetime
    finished_at: dt.datetime | None


class _PauseKept(NamedTuple):
    pk: int
    kind: str
    started_at: dt.datetime
    ended_at: dt.datetime | None


class _Trace:
    """What a case already has on the platform, in the order it was written."""

    __slots__ = ("steps", "pauses", "documents")

    def __init__(self) -> None:
        self.steps: list[_StepKept] = []
        self.pauses: list[_PauseKept] = []
        self.documents: int = 0


class _NewRows:
    """What the cases gain and what changes on them, written together at the end."""

    def __init__(self, step_ids: Iterator[int]) -> None:
        self.step_ids = step_ids
        self.steps: list[tuple] = []
        self.pauses: list[tuple] = []
        self.documents: list[tuple] = []
        self.finished: list[tuple] = []  # (state, finished_at, result, opinion, handler, id)
        self.ended: list[tuple] = []  # (ended_at, workdays, id)
        self.cases: dict[tuple[str, ...], list[tuple]] = {}  # changed columns → rows

    def write(self) -> None:
        _insert(CaseStep, STEP_COLUMNS, self.steps)
        _insert(CasePause, PAUSE_COLUMNS, self.pauses)
        _insert(CaseDocument, DOCUMENT_COLUMNS, self.documents)
        _update_many(
            CaseStep, ["state", "finished_at", "result", "opinion", "handler_name"],
            self.finished, where=f"state = '{StepState.OPEN}'",
        )  # fmt: skip
        _update_many(CasePause, ["ended_at", "workdays"], self.ended)
        for columns, rows in self.cases.items():
            _update_many(Case, ["revision", *columns], rows)


def _update_many(
    model: type[models.Model], fields: list[str], rows: list[tuple], *, where: str = ""
) -> None:
    """One prepared UPDATE … WHERE id = %s run for every row (values in database form, the id
    last): the per-row statements of a chunk without a round of ORM work each."""
    if not rows:
        return
    meta, quote = model._meta, connection.ops.quote_name
    assignments = ", ".join(f"{quote(meta.get_field(f).column)} = %s" for f in fields)
    condition = f" AND {where}" if where else ""
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE id = %s{condition}"  # noqa: S608 names from model metadata
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _existing(case_ids: list[int]) -> dict[int, _Trace]:
    found = {pk: _Trace() for pk in case_ids}
    for case_id, *step in (
        CaseStep.objects.filter(case_id__in=case_ids)
        .order_by("id")
        .values_list("case_id", "pk", "node_id", "name", "state", "started_at", "finished_at")
    ):
        found[case_id].steps.append(_StepKept(*step))
    for case_id, *pause in (
        CasePause.objects.filter(case_id__in=case_ids)
        .order_by("id")
        .values_list("case_id", "pk", "kind", "started_at", "ended_at")
    ):
        found[case_id].pauses.append(_PauseKept(*pause))
    for case_id, count in (
        CaseDocument.objects.filter(case_id__in=case_ids)
        .values("case_id")
        .annotate(count=Count("id"))
        .values_list("case_id", "count")
    ):
        found[case_id].documents = count
    return found


def _prefix_problems(
    case: dict[str, Any], record: "HistoricalCase", trace: _Trace, row: int
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
    if case["concluded_at"] is not None and record.concluded_at != case["concluded_at"]:
        bad("办结时间", "办件已办结，办结信息不能更改")
    return problems


def _apply(
    writer: _Writer, case: dict[str, Any], record: "HistoricalCase", trace: _Trace, row: int,
    new_rows: _NewRows,
) -> dict[str, Any]:  # fmt: skip
    """Note what is new; the counts of what changed (empty: nothing)."""
    version = writer.context.version_of(record)
    item = _Row(record, row, version, id=case["id"], number=case["number"])
    known = len(trace.steps)
    new_ids = [next(new_rows.step_ids) for _ in range(len(record.steps) - known)]
    ids = [s.pk for s in trace.steps] + new_ids
    at = writer.at
    finished = 0
    for kept, step in zip(trace.steps, record.steps, strict=False):
        if kept.state == StepState.OPEN and step.state != StepState.OPEN:
            new_rows.finished.append(
                (step.state, at(step.finished_at), step.result, step.opinion.strip(),
                 step.handler_name.strip()[:150], kept.pk)
            )  # fmt: skip
            finished += 1
    new_rows.steps += writer._step_rows(item, ids, start=known)
    ended = 0
    for kept, pause in zip(trace.pauses, record.pauses, strict=False):
        if kept.ended_at is None and pause.ended_at is not None:
            days = 0 if pause.kind == PauseKind.EXTENSION else writer._pause_days(pause, version)
            new_rows.ended.append((at(pause.ended_at), days, kept.pk))
            ended += 1
    pauses = len(record.pauses) - len(trace.pauses)
    if pauses:
        new_rows.pauses += writer._pause_rows(item)[len(trace.pauses) :]
    documents = writer._document_rows(item, ids)[trace.documents :]
    new_rows.documents += documents
    changed = _case_changes(writer, case, record, item)
    if changed:
        columns = tuple(changed)
        values = tuple(_db_value(at, changed[c]) for c in columns)
        new_rows.cases.setdefault(columns, []).append((case["revision"] + 1, *values, case["id"]))
    change: dict[str, Any] = {
        "steps_added": len(new_ids),
        "steps_finished": finished,
        "pauses_added": pauses,
        "pauses_ended": ended,
        "documents_added": len(documents),
        "case_changed": int(bool(changed)),
    }
    corrected = [f for f in APPLICANT_FIELDS if f in changed]
    if not any(change.values()):
        return {}
    if corrected:
        change["applicant_corrected"] = {
            f: [_masked(f, case[f]), _masked(f, changed[f])] for f in corrected
        }
    return change


def _db_value(at: Any, value: Any) -> Any:
    return at(value) if isinstance(value, dt.datetime) else value


def _masked(field: str, value: str) -> str:
    """An applicant's detail as the audit chain keeps it (append-only, so never in clear)."""
    if not value:
        return ""
    if field in ("applicant_id_number", "agent_id_number"):
        return (
            mask_resident_id(value)
            if len(value) == 18 and value[:17].isdigit()
            else (mask_credit_code(value))
        )
    if field in ("applicant_phone", "agent_phone"):
        return mask_phone(value)
    if field == "applicant_address":
        return mask_address(value)
    if field in ("applicant_name", "agent_name"):
        return mask_name(value)
    return value


def _case_changes(
    writer: _Writer, case: dict[str, Any], record: "HistoricalCase", item: _Row
) -> dict[str, Any]:
    """The case's columns the trace changes, with their new values."""
    special = sum(
        writer._pause_days(p, item.version) for p in record.pauses if p.kind == PauseKind.SPECIAL
    )
    extension = sum(p.extension_days for p in record.pauses if p.kind == PauseKind.EXTENSION)
    statutory, promised, provisional = writer._deadlines(item, special + extension)
    conclusion = record.conclusion
    applicant = record.applicant
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
        "applicant_kind": applicant.kind,
        "applicant_name": applicant.name.strip(),
        "applicant_id_number": applicant.id_number.strip().upper(),
        "applicant_phone": applicant.phone.strip(),
        "applicant_address": applicant.address.strip(),
        "agent_name": applicant.agent_name.strip(),
        "agent_id_number": applicant.agent_id_number.strip().upper(),
        "agent_phone": applicant.agent_phone.strip(),
    }
    if record.joint_item is None:
        values["title"] = case_title(item.version.full_name, applicant.name)
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
    return {k: v for k, v in values.items() if case[k] != v}


def _audit_entry(
    actor: Any, case: dict[str, Any], record: "HistoricalCase", change: dict[str, Any]
) -> AuditRecord:
    return AuditRecord(
        action="cases.case.record_updated",
        object_type="cases.case",
        object_id=case["number"],
        data={
            "state": record.state,
            "concluded_at": record.concluded_at.isoformat() if record.concluded_at else None,
            "source_number": case["source_number"],
            **change,
        },
        actor_id=getattr(actor, "pk", None),
        actor_name=actor_label(actor),
    )
