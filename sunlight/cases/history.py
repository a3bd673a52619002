"""Historical cases entered late on purpose (补录): a department declares a batch of cases that
were handled before (or outside) the platform, each with its whole trace — steps, pauses,
materials and documents — and the platform takes them only if they could have happened that
way: the power version in use at the time, a flow to follow, valid applicants, times in order,
steps along the flow, required documents present (history_checks.py, every bad record reported
with its row). The batch is then written with a few multi-row inserts and one audit entry per
case. Entry time (entered_at, the audit entries' time) is the batch's own and event times are
the records', so the 补录 stays visible — and, being declared, is told apart from undeclared late
entry (the "two-track" sign supervision looks for).

`HistoricalCase.declared_anomaly` exists only for the demo generator and tests: it lets a batch
carry a deliberately planted anomaly (concluded with no steps, concluded seconds after
acceptance, a required document missing, steps out of flow order) that the checks would
otherwise refuse, so that supervision has something real to find later. A real 补录 batch
never sets it.
"""

import datetime as dt
import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.cases.choices import Channel, DocumentKind, StepState
from sunlight.cases.history_batches import (
    OBJECT_TYPE,
    lock_for_writing,
    mark_written,
    period_problems,
    require_may_declare,
)
from sunlight.cases.history_checks import batch_problems
from sunlight.cases.history_context import Anomaly, BatchContext
from sunlight.cases.history_models import HistoryBatch
from sunlight.cases.history_writer import write_batch
from sunlight.cases.models import Case, JointItem
from sunlight.cases.services import Applicant, Conclusion
from sunlight.catalog.models import PowerVersion
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, PermissionDenied, ValidationFailed
from sunlight.org.choices import Role
from sunlight.org.models import Department
from sunlight.org.permissions import require_org_admin

__all__ = [
    "Anomaly",
    "HistoricalCase",
    "HistoricalDocument",
    "HistoricalPause",
    "HistoricalStep",
    "HistoryChunk",
    "cases_record_history",
    "cases_record_history_chunks",
    "fake_sha256",
]


@dataclass
class HistoricalStep:
    """One step reached. `previous` is the index (in the same record's steps) of the step whose
    completion opened this one, None for the step opened at registration."""

    node_id: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    state: str = StepState.DONE
    handler: Any = None  # a User; None for the system (joins, timers)
    result: str = ""
    opinion: str = ""
    via_edge: str = ""
    previous: int | None = None
    handler_name: str = ""  # who handled it, when not a user of the platform (old records)


@dataclass
class HistoricalDocument:
    """A material received (kind MATERIAL, `step` None) or a document uploaded at a step (`step`
    is its index) or with the result. Files of the past are described by their hash."""

    name: str
    uploaded_at: dt.datetime
    kind: str = DocumentKind.MATERIAL
    step: int | None = None
    uploaded_by: Any = None
    original_received: bool = False
    copy_received: bool = False
    document_number: str = ""
    file_name: str = ""
    content_type: str = ""
    size: int = 0
    sha256: str = ""
    on_paper: bool = False  # kept in the paper file (纸质归档), no scan: counts as present
    file_path: str = ""  # a file stored by cases.uploads (pushed with the record), if any


@dataclass
class HistoricalPause:
    kind: str
    started_at: dt.datetime
    reason: str
    ended_at: dt.datetime | None = None
    procedure: str = ""
    limit_days: int | None = None
    extension_days: int = 0
    requested_by: Any = None
    approved_by: Any = None


@dataclass
class HistoricalCase:
    """A case as it stands at the batch's time. A joint application (联办件) has `joint_item`
    and its `parts` (one record per power, run by that power's department) instead of a power
    version and steps of its own; its state and result follow from the parts, as live."""

    applicant: Applicant
    state: str
    received_at: dt.datetime
    power_version: PowerVersion | None = None
    channel: str = Channel.WINDOW
    accepted_at: dt.datetime | None = None
    concluded_at: dt.datetime | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    steps: list[HistoricalStep] = field(default_factory=list)
    pauses: list[HistoricalPause] = field(default_factory=list)
    documents: list[HistoricalDocument] = field(default_factory=list)
    registered_by: Any = None
    not_accepted_reason: str = ""
    correction_items: str = ""
    conclusion: Conclusion | None = None
    joint_item: JointItem | None = None
    parts: list["HistoricalCase"] = field(default_factory=list)
    declared_anomaly: str = ""  # demo and tests only (see the module docstring)
    source_number: str = ""  # the case's number in the system or register it came from
    # The archive has no ID number for this applicant: flagged in the batch, not refused.
    id_number_unknown: bool = False
    # Run by a department's own system and pushed through the data exchange: steps out of
    # order, documents or materials missing and the like are recorded as they happened and
    # judged by supervision (alerts), not refused.
    external: bool = False
    # When the case was first typed in (in the source system, for a pushed case): what the
    # entered-late rule compares with the conclusion. None: the moment of writing.
    entered_at: dt.datetime | None = None


@dataclass
class HistoryChunk:
    """Part of a batch, checked and written in turn inside the batch's one transaction.
    `rows` are what each record's problems name (the file's lines; default: the record's place
    in the batch), `prefix` goes before their field (the sheet), and `problems` were found
    while reading these records (already labelled)."""

    records: Sequence[HistoricalCase]
    rows: Sequence[int] | None = None
    problems: list[FieldProblem] = field(default_factory=list)
    prefix: str = ""


# Every problem is found, but a file of a million lines with a wrong column would list a million:
# the list stops here and says how many there are in all.
LISTED_PROBLEMS = 1000


def cases_record_history(
    *,
    actor: Any,
    department: Department,
    records: Sequence[HistoricalCase],
    rng: random.Random | None = None,
    batch: HistoryBatch | None = None,
    file_name: str = "",
    file_sha256: str = "",
) -> int:
    """Check and write a batch of historical cases of `department` (joint records: the
    department leads them). All or nothing; returns the number of cases written (joint
    parents and parts included). `rng` makes query codes reproducible (the demo).

    With `batch` (a declared batch a supervisor approved: history_batches.py) the cases carry
    it and the batch is closed; this is the path of imports and of pushes from departments'
    own systems. Without one (the demo generator and older callers) the cases are plain late
    entries, as supervision's entered-late rule sees them."""
    return cases_record_history_chunks(
        actor=actor, department=department, chunks=[HistoryChunk(records)], rng=rng,
        batch=batch, file_name=file_name, file_sha256=file_sha256,
    )  # fmt: skip


def cases_record_history_chunks(
    *,
    actor: Any,
    department: Department,
    chunks: Iterable[HistoryChunk],
    rng: random.Random | None = None,
    batch: HistoryBatch | None = None,
    file_name: str = "",
    file_sha256: str = "",
) -> int:
    """cases_record_history for a batch too large to hold at once: each chunk is checked and,
    while the batch has no problem yet, written — all inside one transaction, so a problem in
    the last chunk still leaves nothing written. Checking goes on to the end once a problem is
    found, so the file's user sees every problem (the first LISTED_PROBLEMS, and how many)."""
    if batch is None:
        _require_declarer(actor, department)
    else:
        require_may_declare(actor, department)
    now = clock.now()
    rng = rng or random.SystemRandom()
    found = _Problems()
    seen: dict[tuple[int, str], int] = {}
    written = steps = checked = 0
    notes: list[str] = []
    with transaction.atomic():
        locked = lock_for_writing(batch, department) if batch is not None else None
        for chunk in chunks:
            records = chunk.records
            rows = chunk.rows or range(checked + 1, checked + len(records) + 1)
            checked += len(records)
            found.add(chunk.problems)
            if not records:
                continue
            context = BatchContext.load(department=department, records=records, now=now)
            problems = batch_problems(context, records)
            if batch is not None:
                problems += period_problems(
                    batch, [(n, r.received_at) for n, r in enumerate(records, start=1)]
                )
            found.add(
                [
                    FieldProblem(
                        chunk.prefix + p.field, p.message, rows[p.row - 1] if p.row else None
                    )  # fmt: skip
                    for p in problems
                ]
                + source_number_problems(department, records, rows, seen, chunk.prefix)
            )
            if found.count:
                continue  # nothing more is written; what was is rolled back below
            written += write_batch(context=context, actor=actor, rng=rng, records=records,
                                   batch_id=locked.pk if locked is not None else None)  # fmt: skip
            steps += sum(len(p.steps) for r in records for p in (r, *r.parts))
            notes += [
                f"{f'原编号{r.source_number}' if r.source_number else f'第{row}个办件'}"
                f"（{r.applicant.name.strip()}）：申请人无证件号码"
                for row, r in zip(rows, records, strict=True)
                if r.id_number_unknown and not r.applicant.id_number.strip()
            ]
        if not checked and not found.count and batch is not None:
            found.add([FieldProblem("办件", "没有要补录的办件")])
        found.raise_any()
        if locked is not None:
            mark_written(locked, cases=written, steps=steps, notes=notes, file_name=file_name,
                         file_sha256=file_sha256)  # fmt: skip
            audit_record(
                actor=actor,
                action="cases.history_batch.written",
                object_type=OBJECT_TYPE,
                object_id=locked.pk,
                data={"cases": written, "steps": steps, "file": file_name,
                      "sha256": file_sha256, "notes": notes[:100]},
            )  # fmt: skip
    return written


class _Problems:
    """The first LISTED_PROBLEMS problems and how many there are."""

    def __init__(self) -> None:
        self.listed: list[FieldProblem] = []
        self.count = 0

    def add(self, problems: list[FieldProblem]) -> None:
        self.count += len(problems)
        self.listed += problems[: max(0, LISTED_PROBLEMS - len(self.listed))]

    def raise_any(self) -> None:
        if not self.count:
            return
        listed = self.listed
        if self.count > len(listed):
            listed = [
                FieldProblem("问题总数", f"共{self.count}个问题，以下列出前{len(listed)}个"),
                *listed,
            ]
        raise ValidationFailed(listed)


def source_number_problems(
    department: Department,
    records: Sequence[HistoricalCase],
    rows: Sequence[int] | None = None,
    seen: dict[tuple[int, str], int] | None = None,
    prefix: str = "",
) -> list[FieldProblem]:
    """A past case is brought in once: its original number unique in the batch (`seen` holds
    the numbers of the batch's earlier chunks) and not yet on the platform for this
    department."""
    rows = rows or range(1, len(records) + 1)
    seen = {} if seen is None else seen
    label = prefix + "原编号"
    fresh: dict[tuple[int, str], int] = {}
    problems = []
    # A joint application's number is the lead department's; each part's is its own
    # department's (the part of another department may share a number with a case here).
    part_versions = {p.power_version.pk for r in records for p in r.parts if p.power_version}
    owners = dict(
        PowerVersion.objects.filter(pk__in=part_versions).values_list("pk", "item__department")
        if part_versions
        else ()
    )
    for row, record in zip(rows, records, strict=True):
        for case in (record, *record.parts):
            number = case.source_number.strip()
            if not number:
                continue
            owner = (
                owners[case.power_version.pk]
                if case is not record and case.power_version is not None
                else department.pk
            )
            key = (owner, number)
            if len(number) > 64:
                problems.append(FieldProblem(label, "不能超过64个字符", row))
            elif key in seen:
                problems.append(FieldProblem(label, f"“{number}”与第{seen[key]}行重复", row))
            else:
                seen[key] = fresh[key] = row
    by_department: dict[int, list[str]] = {}
    for owner, number in fresh:
        by_department.setdefault(owner, []).append(number)
    existing: set[tuple[int, str]] = set()
    for owner, numbers in by_department.items():
        for start in range(0, len(numbers), 5000):  # within any database's parameter limit
            existing.update(
                (owner, number)
                for number in Case.objects.filter(
                    department_id=owner, source_number__in=numbers[start : start + 5000]
                )
                # the partial unique index's own condition, so that it serves the lookup (else
                # every case of the department is read)
                .exclude(source_number="")
                .values_list("source_number", flat=True)
            )
    problems += [
        FieldProblem(label, f"“{number}”已经补录过，不能重复导入", row)
        for (owner, number), row in fresh.items()
        if (owner, number) in existing
    ]
    return problems


def _require_declarer(actor: Any, department: Department) -> None:
    """A 补录 batch is declared by the department's head or a platform admin (None: the system)."""
    if actor is None or actor.is_superuser:
        return
    if actor.role == Role.APPROVER and actor.department_id == department.pk:
        return
    if actor.role == Role.ADMIN:
        require_org_admin(actor, region_code=department.region_id)
        return
    raise PermissionDenied("补录历史办件须由本部门负责人或平台管理员申报")


def fake_sha256(*parts: Any) -> str:
    """A stable content hash standing for a paper document's scan (demo and tests)."""
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
