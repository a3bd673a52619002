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
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

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


def cases_sync(
    *, source: SourceSystem, batch: ExchangeBatch, touched: dict[str, list[int]]
) -> dict[str, str]:
    """Write or carry on the cases `touched` (case external id → indices of this batch's
    records about it). Returns case external id → case number; raises CaseCheckFailed."""
    if not touched:
        return {}
    stored = _records_of(source, list(touched))
    traces = {cid: stored[cid] for cid in touched if stored[cid].basic is not None}
    if not traces:
        return {}
    nodes = _flow_nodes({t.basic.power_version_id for t in traces.values()})
    by_department: dict[int, list[tuple[str, HistoricalCase]]] = defaultdict(list)
    for cid, trace in traces.items():
        record = trace.build(source, nodes.get(trace.basic.power_version_id, []))
        by_department[trace.basic.department_id].append((cid, record))
    numbers = {source_number(source, cid): cid for cid in traces}
    existing = {
        (c.department_id, c.source_number): c
        for c in Case.objects.filter(source_number__in=list(numbers))
    }
    departments = Department.objects.in_bulk(list(by_department))
    problems: list[Problem] = []
    for department_id, items in sorted(by_department.items()):
        department = departments[department_id]
        new = [(cid, r) for cid, r in items if (department_id, r.source_number) not in existing]
        old = [(cid, r) for cid, r in items if (department_id, r.source_number) in existing]
        try:
            if new:
                _record_new(source, batch, department, [r for _, r in new])
        except ValidationFailed as error:
            problems += _mapped(error, new, touched)
        try:
            if old:
                cases_update_history(
                    actor=None,
                    department=department,
                    updates=[(existing[(department_id, r.source_number)], r) for _, r in old],
                )
        except ValidationFailed as error:
            problems += _mapped(error, old, touched)
    if problems:
        raise CaseCheckFailed(problems)
    return dict(
        Case.objects.filter(source_number__in=list(numbers)).values_list("source_number", "number")
    )


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


@dataclass
class _Trace:
    basic: ExchangeRecord | None = None
    result: ExchangeRecord | None = None

    def __post_init__(self) -> None:
        self.steps: list[ExchangeRecord] = []
        self.materials: list[ExchangeRecord] = []
        self.specials: list[ExchangeRecord] = []
        self.step_index: dict[str, int] = {}  # process record → its index among the steps

    def build(self, source: SourceSystem, nodes: list[tuple[str, str]]) -> HistoricalCase:
        basic = self.basic.payload
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
            power_version=self.basic.power_version,
            channel=basic.get("channel") if basic.get("channel") in _CHANNELS else Channel.OTHER,
            accepted_at=None
            if state in (CaseState.SUBMITTED, CaseState.NOT_ACCEPTED)
            else accepted,
            concluded_at=_moment(self.result.payload["concluded_at"]) if self.result else None,
            steps=steps,
            pauses=self._pauses(),
            documents=self._documents(),
            not_accepted_reason=refusal,
            conclusion=conclusion,
            source_number=source_number(source, self.basic.external_id),
            external=True,
            entered_at=self.basic.entered_in_source_at,
        )

    def _state(self, accepted, steps) -> tuple[str, Conclusion | None, str]:
        if self.result is None:
            return (CaseState.IN_PROGRESS if accepted else CaseState.SUBMITTED), None, ""
        payload = self.result.payload
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
            key=lambda r: (r.event_at, _moment(r.payload.get("finished_at")) or far, r.external_id),
        )
        steps: list[HistoricalStep] = []
        for index, row in enumerate(rows):
            p = row.payload
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
            p = row.payload
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
                started_at=_moment(r.payload["started_at"]),
                ended_at=_moment(r.payload.get("ended_at")),
                reason=r.payload["reason"],
                procedure=PROCEDURE_VALUES[r.payload["procedure"]],
                limit_days=r.payload.get("limit_days"),
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


def _records_of(source: SourceSystem, case_ids: list[str]) -> dict[str, _Trace]:
    traces = {cid: _Trace() for cid in case_ids}
    rows = list(
        ExchangeRecord.objects.filter(
            source=source, table__in=CASE_TABLES, case_external_id__in=case_ids
        ).defer("error_reason", "read_at")
    )
    # The few versions the cases use, read once (not joined onto every row).
    versions = PowerVersion.objects.in_bulk(
        {r.power_version_id for r in rows if r.power_version_id}
    )
    for row in rows:
        if row.table in BASIC_TABLES and row.power_version_id:
            row.power_version = versions[row.power_version_id]
        trace = traces[row.case_external_id]
        if row.table in BASIC_TABLES:
            trace.basic = row
        elif row.table in RESULT_TABLES:
            trace.result = row
        elif row.table in PROCESS_TABLES:
            trace.steps.append(row)
        elif row.table == ExchangeTable.MATERIAL:
            trace.materials.append(row)
        else:
            trace.specials.append(row)
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
