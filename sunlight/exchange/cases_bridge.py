"""Pushed records become cases: after a batch is stored, every case it touches is rebuilt from
all its exchange records (basic information, steps, result, materials, special procedures) and
written or carried on through the cases app's one write path for cases from elsewhere —
`cases_record_history` (a declared batch of source 部门自建系统推送) for a case seen the first
time, `cases_update_history` for one already on the platform (steps appended, result set).

So a pushed case binds to the power version in use when it was received, runs on the platform's
working-day clock, and is judged by supervision like any other. Its entry time is the time it
was typed into the source system (`entered_at` of its basic record): a case typed in days after
it was concluded is "entered late" (the two-track sign). Process anomalies (steps out of order,
documents missing) are recorded as they happened and raised as alerts, not refused; a trace
that could not have happened (times out of order, a step of another flow) is refused with the
batch.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from sunlight.cases.choices import (
    ApplicantKind,
    CaseState,
    Channel,
    Decision,
    DocumentKind,
    PauseKind,
    StepResult,
    StepState,
)
from sunlight.cases.history import (
    HistoricalCase,
    HistoricalDocument,
    HistoricalPause,
    HistoricalStep,
    cases_record_history,
)
from sunlight.cases.history_batches import history_batch_declare, history_batch_review
from sunlight.cases.history_models import BatchSource
from sunlight.cases.history_update import cases_update_history
from sunlight.cases.models import Case
from sunlight.cases.services import Applicant, Conclusion
from sunlight.catalog.models import PowerVersion
from sunlight.core import clock
from sunlight.core.errors import ValidationFailed
from sunlight.exchange.choices import BASIC_TABLES, PROCESS_TABLES, RESULT_TABLES, ExchangeTable
from sunlight.exchange.models import ExchangeBatch, ExchangeRecord, SourceSystem
from sunlight.exchange.validation import DECISIONS, PROCEDURE_VALUES, Problem, parse_moment
from sunlight.flows.models import FlowNode
from sunlight.org.models import Department

# The tables whose records belong to a case (the others stand alone).
CASE_TABLES = (
    ExchangeTable.CASE_BASIC,
    ExchangeTable.CASE_PROCESS,
    ExchangeTable.CASE_RESULT,
    ExchangeTable.MATERIAL,
    ExchangeTable.SPECIAL_PROCEDURE,
    ExchangeTable.PENALTY_BASIC,
    ExchangeTable.PENALTY_PROCESS,
    ExchangeTable.PENALTY_RESULT,
)
_CHANNELS = {c.value for c in Channel}
_REFUSAL_RESULTS = {StepResult.REJECT, StepResult.NOT_ACCEPTED}


class CaseCheckFailed(Exception):
    """The pushed trace of some case could not have happened; carries the exchange problems."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def source_number(source: SourceSystem, case_external_id: str) -> str:
    """The case's number on the platform's side: unique per department, so a source's own
    numbers never meet another source's."""
    return f"{source.code}:{case_external_id}"


@dataclass(slots=True)
class CaseRecord:
    """An exchange record about a case, as the bridge needs it: this batch's straight from
    memory (`values` the cleaned record, times already parsed), earlier ones as stored."""

    table: str
    external_id: str
    case_external_id: str
    values: dict[str, Any]
    event_at: dt.datetime
    entered_at: dt.datetime
    power_version_id: int | None
    department_id: int


def cases_sync(
    *,
    source: SourceSystem,
    batch: ExchangeBatch,
    touched: dict[str, list[int]],
    records: Sequence[CaseRecord] = (),
) -> dict[str, str]:
    """Write or carry on the cases `touched` (case external id → indices of this batch's
    records about it), all of them at once: each case's whole trace is built in memory from
    `records` (this batch's records written, new or corrected) and the case's records stored
    before, then the new cases are written through the 补录 path and the existing ones carried
    on together. Returns case external id → case number; raises CaseCheckFailed."""
    if not touched:
        return {}
    stored = _traces(source, batch, list(touched), records)
    traces = {cid: stored[cid] for cid in touched if stored[cid].basic is not None}
    if not traces:
        return {}
    versions = PowerVersion.objects.in_bulk({t.basic.power_version_id for t in traces.values()})
    nodes = _flow_nodes(set(versions))
    by_department: dict[int, list[tuple[str, HistoricalCase]]] = defaultdict(list)
    for cid, trace in traces.items():
        version = versions.get(trace.basic.power_version_id)
        record = trace.build(source, version, nodes.get(trace.basic.power_version_id, []))
        by_department[trace.basic.department_id].append((cid, record))
    numbers = [source_number(source, cid) for cid in traces]
    existing = {
        (department_id, number): (pk, case_number)
        for pk, department_id, number, case_number in cases_numbered(
            list(by_department), numbers
        ).values_list("pk", "department_id", "source_number", "number")
    }
    departments = Department.objects.in_bulk(list(by_department))
    problems: list[Problem] = []
    created: list[str] = []
    for department_id, items in sorted(by_department.items()):
        department = departments[department_id]
        new = [(cid, r) for cid, r in items if (department_id, r.source_number) not in existing]
        old = [(cid, r) for cid, r in items if (department_id, r.source_number) in existing]
        try:
            if new:
                _record_new(source, batch, department, [r for _, r in new])
                created += [r.source_number for _, r in new]
        except ValidationFailed as error:
            problems += _mapped(error, new, touched)
        try:
            if old:
                cases_update_history(
                    actor=None,
                    department=department,
                    updates=[(existing[(department_id, r.source_number)][0], r) for _, r in old],
                )
        except ValidationFailed as error:
            problems += _mapped(error, old, touched)
    if problems:
        raise CaseCheckFailed(problems)
    found = {number: case_number for (_d, number), (_pk, case_number) in existing.items()}
    if created:
        found |= dict(
            cases_numbered(list(by_department), created).values_list("source_number", "number")
        )
    return found


def cases_numbered(department_ids: list[int], numbers: list[str]) -> QuerySet[Case]:
    """The departments' cases with these source numbers, found through the partial unique index
    on (department, source number): it serves only a query naming the department and its own
    condition (a number that is not empty). By the number alone the database reads every case
    — a chunk's lookup grew with all the cases pushed before it."""
    cases = Case.objects.filter(department_id__in=department_ids, source_number__in=numbers)
    return cases.exclude(source_number="").order_by()


def _record_new(
    source: SourceSystem, batch: ExchangeBatch, department: Department, records: list
) -> None:
    """A declared batch per push and department, accepted on the strength of the source's
    registration by a platform admin (who named the departments it may write for)."""
    days = [r.received_at.astimezone(clock.SHANGHAI).date() for r in records]
    declared = history_batch_declare(
        actor=None,
        department=department,
        source=BatchSource.EXCHANGE,
        reason=f"自建系统“{source.name}”（{source.code}）推送，交换批次{batch.pk}",
        period_start=min(days),
        period_end=max(days),
    )
    approved = history_batch_review(
        actor=None, batch=declared, approve=True, opinion="已登记的自建系统推送，平台自动接收"
    )
    cases_record_history(actor=None, department=department, records=records, batch=approved)


def _mapped(
    error: ValidationFailed, items: list[tuple[str, HistoricalCase]], touched: dict[str, list[int]]
) -> list[Problem]:
    """The cases app's problems (row = position in `items`) as exchange problems on every
    record of this batch about that case."""
    found = []
    for problem in error.problems:
        row = getattr(problem, "row", None)
        cids = [items[row - 1][0]] if row else [cid for cid, _ in items]
        for cid in cids:
            for index in touched[cid]:
                found.append(
                    Problem(index, cid, "case", "case_check",
                            f"办件“{cid}”：{problem.field}：{problem.message}")
                )  # fmt: skip
    return found


class _Trace:
    """Every record of one case, this batch's and the stored ones."""

    __slots__ = ("basic", "result", "steps", "materials", "specials", "step_index")

    def __init__(self) -> None:
        self.basic: CaseRecord | None = None
        self.result: CaseRecord | None = None
        self.steps: list[CaseRecord] = []
        self.materials: list[CaseRecord] = []
        self.specials: list[CaseRecord] = []
        self.step_index: dict[str, int] = {}  # process record → its index among the steps

    def add(self, record: CaseRecord) -> None:
        table = record.table
        if table in BASIC_TABLES:
            self.basic = record
        elif table in RESULT_TABLES:
            self.result = record
        elif table in PROCESS_TABLES:
            self.steps.append(record)
        elif table == ExchangeTable.MATERIAL:
            self.materials.append(record)
        else:
            self.specials.append(record)

    def build(
        self, source: SourceSystem, version: PowerVersion | None, nodes: list[tuple[str, str]]
    ) -> HistoricalCase:
        basic = self.basic.values
        steps = self._steps(nodes)
        accepted = _moment(basic.get("accepted_at")) or next(
            (s.finished_at for s in steps if s.result == StepResult.ACCEPTED and s.finished_at),
            None,
        )
        state, conclusion, refusal = self._state(accepted, steps)
        received = _moment(basic["received_at"])
        return HistoricalCase(
            applicant=Applicant(
                kind=ApplicantKind.PERSON
                if basic["applicant_kind"] == "1"
                else ApplicantKind.ORGANISATION,
                name=basic["applicant_name"],
                id_number=basic["applicant_id"],
                phone=basic.get("applicant_phone") or "",
            ),
            state=state,
            received_at=received,
            power_version=version,
            channel=basic.get("channel") if basic.get("channel") in _CHANNELS else Channel.OTHER,
            accepted_at=None
            if state in (CaseState.SUBMITTED, CaseState.NOT_ACCEPTED)
            else accepted,
            concluded_at=_moment(self.result.values["concluded_at"]) if self.result else None,
            steps=steps,
            pauses=self._pauses(),
            documents=self._documents(),
            not_accepted_reason=refusal,
            conclusion=conclusion,
            source_number=source_number(source, self.basic.external_id),
            external=True,
            entered_at=self.basic.entered_at,
        )

    def _state(self, accepted, steps) -> tuple[str, Conclusion | None, str]:
        if self.result is None:
            return (CaseState.IN_PROGRESS if accepted else CaseState.SUBMITTED), None, ""
        payload = self.result.values
        refused = next((s for s in steps if s.result in _REFUSAL_RESULTS), None)
        if refused is not None and accepted is None:
            reason = payload.get("opinion") or refused.opinion
            return CaseState.NOT_ACCEPTED, None, reason or ""
        conclusion = Conclusion(
            code=payload["result"],
            decision=DECISIONS.get(payload.get("decision") or "", Decision.OTHER),
            opinion=payload.get("opinion") or "",
            penalty_kind=payload.get("penalty_kind") or "",
            penalty_amount=_amount(payload.get("penalty_amount")),
            fee_due=_amount(payload.get("fee_due")) or Decimal(0),
            fee_paid=_amount(payload.get("fee_paid")) or Decimal(0),
        )
        return CaseState.CONCLUDED, conclusion, ""

    def _steps(self, nodes: list[tuple[str, str]]) -> list[HistoricalStep]:
        by_code = {code: code for code, _ in nodes} | {name: code for code, name in nodes if name}
        far = dt.datetime.max.replace(tzinfo=dt.UTC)
        rows = sorted(
            self.steps,
            key=lambda r: (r.event_at, _moment(r.values.get("finished_at")) or far, r.external_id),
        )
        steps: list[HistoricalStep] = []
        for index, row in enumerate(rows):
            p = row.values
            node = by_code.get(p["step_code"]) or by_code.get(p["step_name"]) or p["step_code"]
            started, finished = _moment(p["started_at"]), _moment(p.get("finished_at"))
            result = p.get("result") or ""
            state = (
                StepState.OPEN if finished is None
                else StepState.SENT_BACK if result == StepResult.SENT_BACK
                else StepState.DONE
            )  # fmt: skip
            steps.append(
                HistoricalStep(
                    node_id=node, started_at=started, finished_at=finished, state=state,
                    result=result, opinion=p.get("opinion") or "",
                    previous=_previous(steps, p.get("previous_step_code"), by_code, started),
                    handler_name=p.get("handler") or "",
                )
            )  # fmt: skip
            self.step_index[row.external_id] = index
        return steps

    def _documents(self) -> list[HistoricalDocument]:
        found = []
        for row in sorted(self.materials, key=lambda r: (r.event_at, r.external_id)):
            p = row.values
            step = self.step_index.get(p.get("step_external_id") or "")
            found.append(
                HistoricalDocument(
                    name=p["name"],
                    uploaded_at=_moment(p["submitted_at"]),
                    kind=DocumentKind.MATERIAL
                    if p["kind"] == "1"
                    else DocumentKind.STEP
                    if step is not None
                    else DocumentKind.RESULT,
                    step=step,
                    original_received=p.get("original") == "1",
                    copy_received=p.get("original") == "0",
                    document_number=p.get("document_number") or "",
                    file_name=p.get("file_name") or "",
                    content_type=p.get("content_type") or "",
                    size=int(p.get("size") or 0),
                    sha256=p.get("sha256") or "",
                    on_paper=not p.get("sha256"),
                    file_path=p.get("file_path") or "",
                )
            )
        return found

    def _pauses(self) -> list[HistoricalPause]:
        return [
            HistoricalPause(
                kind=PauseKind.SPECIAL,
                started_at=_moment(r.values["started_at"]),
                ended_at=_moment(r.values.get("ended_at")),
                reason=r.values["reason"],
                procedure=PROCEDURE_VALUES[r.values["procedure"]],
                limit_days=r.values.get("limit_days"),
            )
            for r in sorted(self.specials, key=lambda r: (r.event_at, r.external_id))
        ]


def _previous(
    steps: list[HistoricalStep], code: str | None, by_code: dict[str, str], started: dt.datetime
) -> int | None:
    """The step whose completion opened this one: the latest earlier one of the named step,
    or else the latest one finished by the time this one started."""
    if code:
        node = by_code.get(code, code)
        for index in range(len(steps) - 1, -1, -1):
            if steps[index].node_id == node:
                return index
    for index in range(len(steps) - 1, -1, -1):
        finished = steps[index].finished_at
        if finished is not None and finished <= started and steps[index].state == StepState.DONE:
            return index
    return None


def _traces(
    source: SourceSystem, batch: ExchangeBatch, case_ids: list[str], records: Sequence[CaseRecord]
) -> dict[str, _Trace]:
    """The cases' traces: this batch's records from memory, the others read in one query (plain
    rows, not model instances: a chunk touches thousands of cases).

    The query names the case numbers alone, so that the database goes through their index; the
    source, table and batch are sorted out here. (Named in the query too, SQLite, without
    statistics, preferred the unique index's (source, table) prefix: every stored record of the
    case tables read for every chunk, 1.3 s a chunk at 210,000 basic records.)"""
    traces = {cid: _Trace() for cid in case_ids}
    rows = ExchangeRecord.objects.filter(case_external_id__in=case_ids).values_list(
        "source_id", "batch_id", "table", "external_id", "case_external_id", "payload",
        "event_at", "entered_in_source_at", "power_version_id", "department_id",
    )  # fmt: skip
    tables = set(CASE_TABLES)
    for source_id, batch_id, *row in rows:
        if source_id == source.pk and batch_id != batch.pk and row[0] in tables:
            traces[row[2]].add(CaseRecord(*row))
    for record in records:
        traces[record.case_external_id].add(record)
    return traces


def _flow_nodes(version_ids: set[Any]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for version_id, bpmn_id, name in FlowNode.objects.filter(
        flow__power_version_id__in=[v for v in version_ids if v]
    ).values_list("flow__power_version_id", "bpmn_id", "name"):
        found.setdefault(version_id, []).append((bpmn_id, name))
    return found


def _moment(value: Any) -> dt.datetime | None:
    return parse_moment(value) if value else None


def _amount(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "") else None
