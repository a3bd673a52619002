"""Past cases as read from a file (the template's two sheets, or an XES event log) turned into
the records the 补录 batch service checks and writes (history.HistoricalCase). What is decided
here: which power version a case ran under (the one in use when it was received), which flow
step each activity is (by step id or by name), who handled it (a user of the platform when one
matches, otherwise the name as written), which step each one followed (given, or the latest
finished step the flow allows before it), and which activities are pauses (补正 rounds, special
procedures, extensions) rather than steps. Every problem names the line it was read from."""

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import TextChoices

from sunlight.cases.choices import (
    ApplicantKind,
    CaseState,
    Channel,
    ConclusionCode,
    Decision,
    DocumentKind,
    PauseKind,
    SpecialProcedure,
    StepResult,
    StepState,
)
from sunlight.cases.history import (
    HistoricalCase,
    HistoricalDocument,
    HistoricalPause,
    HistoricalStep,
)
from sunlight.cases.history_context import (
    BatchContext,
    load_graphs,
    version_in_use,
    versions_by_received,
)
from sunlight.cases.models import JointItem
from sunlight.cases.services import Applicant, Conclusion
from sunlight.catalog.models import PowerItem, PowerVersion
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import FieldProblem
from sunlight.flows.graph import PARALLEL, TIMER, USER_TASK
from sunlight.flows.models import FlowVersion
from sunlight.org.models import Department, User

CASE_SHEET = "办件表"
STEP_SHEET = "环节表"
_LIST_SPLIT = re.compile(r"[、；;\n]+")
_LABELLED = re.compile(r"^(?P<name>.*)\((?P<username>[^()]+)\)$")


@dataclass
class CaseLine:
    """One case as read. `values` holds text (or datetimes/numbers from a workbook) by the
    template's field keys (template.CASE_COLUMNS)."""

    line: int
    values: dict[str, Any]
    sheet: str = CASE_SHEET


@dataclass
class StepLine:
    line: int
    values: dict[str, Any]
    sheet: str = STEP_SHEET


@dataclass
class ReadBatch:
    cases: list[CaseLine] = field(default_factory=list)
    steps: list[StepLine] = field(default_factory=list)
    problems: list[FieldProblem] = field(default_factory=list)


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a workbook turns "0" typed as a number into 0.0
    return str(value).strip()


def parse_time(value: Any) -> dt.datetime | None:
    """A time as written in a file: a workbook datetime or text, China time when it names no
    zone; in UTC (as stored). Raises ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        written = str(value).strip().replace("/", "-")
        if not written:
            return None
        moment = dt.datetime.fromisoformat(written.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)).astimezone(dt.UTC)


def _lookup(choices: type[TextChoices], *aliases: tuple[str, str]) -> dict[str, str]:
    found = {}
    for code, label in choices.choices:
        found[code] = code
        found[str(label)] = code
    found.update(aliases)
    return found


_KINDS = _lookup(ApplicantKind, ("法人", ApplicantKind.ORGANISATION),
                 ("企业", ApplicantKind.ORGANISATION), ("个人", ApplicantKind.PERSON))  # fmt: skip
_CHANNELS = _lookup(Channel)
_STATES = _lookup(CaseState)
_STEP_STATES = _lookup(StepState)
_RESULTS = _lookup(StepResult)
_DECISIONS = _lookup(Decision)
_CONCLUSION_CODES = _lookup(ConclusionCode)
_PROCEDURES = _lookup(SpecialProcedure)
_PAUSES = {
    **_lookup(PauseKind),
    "一次性告知补正": PauseKind.CORRECTION,
    "补正材料": PauseKind.CORRECTION,
    "挂起": PauseKind.SPECIAL,
    "延长": PauseKind.EXTENSION,
    "延期": PauseKind.EXTENSION,
}


class _Reader:
    """Reads one line's cells, collecting problems instead of stopping at the first."""

    def __init__(
        self, line: CaseLine | StepLine, problems: list[FieldProblem], times: dict | None = None
    ) -> None:
        self.line, self.problems, self.values = line, problems, line.values
        self.times = times if times is not None else {}

    def bad(self, label: str, message: str) -> None:
        self.problems.append(FieldProblem(f"{self.line.sheet}·{label}", message, self.line.line))

    def text(self, key: str) -> str:
        value = self.values.get(key)
        if value is None:
            return ""  # the column is not in the file: most of them, most of the time
        return value.strip() if isinstance(value, str) else text(value)

    def time(self, key: str, label: str) -> dt.datetime | None:
        value = self.values.get(key)
        if isinstance(value, str):
            # A step's end is often the next one's start: each written time parsed once.
            found = self.times.get(value)
            if found is not None:
                return found
        try:
            moment = parse_time(value)
        except (TypeError, ValueError):
            self.bad(label, f"“{self.text(key)}”不是有效的时间（如 2025-03-02 09:30）")
            return None
        if isinstance(value, str) and moment is not None:
            self.times[value] = moment
        return moment

    def code(self, key: str, label: str, table: dict[str, str], default: str = "") -> str:
        written = self.text(key)
        if not written:
            return default
        code = table.get(written)
        if code is None:
            self.bad(label, f"“{written}”不是有效的{label}")
            return default
        return code

    def money(self, key: str, label: str) -> Decimal | None:
        written = self.text(key)
        if not written:
            return None
        try:
            return Decimal(written)
        except InvalidOperation:
            self.bad(label, f"“{written}”不是有效的金额")
            return None

    def whole(self, key: str, label: str) -> int | None:
        written = self.text(key)
        if not written:
            return None
        if not written.isdigit():
            self.bad(label, f"“{written}”不是整数")
            return None
        return int(written)


_YES = {"是": True, "主办": True, "主办件": True, "Y": True, "y": True, "1": True, "否": False,
        "N": False, "n": False, "0": False, "": False}  # fmt: skip


def _lead(line: CaseLine, problems: list[FieldProblem]) -> bool:
    """Whether the line's 主办件 says it is the lead part (a wrong value is a problem)."""
    written = text(line.values.get("joint_lead"))
    found = _YES.get(written)
    if found is None:
        _Reader(line, problems).bad("主办件", f"“{written}”应为“是”或“否”")
        return False
    return found


def _applicant_key(line: CaseLine) -> tuple[str, str, str]:
    values = line.values
    kind = _KINDS.get(text(values.get("applicant_kind")), text(values.get("applicant_kind")))
    return (kind or ApplicantKind.PERSON, text(values.get("applicant_name")),
            text(values.get("id_number")).upper())  # fmt: skip


def names(value: Any) -> list[str]:
    if not value:
        return []
    return [n.strip() for n in _LIST_SPLIT.split(text(value)) if n.strip()]


class RecordBuilder:
    """Builds one department's records from lines, a chunk of cases at a time (history_source.py
    hands them out with their steps); `problems` lists what could not be read. What it looks
    up — powers, versions, flows, users — is kept across chunks; parsed times only within one."""

    def __init__(self, department: Department, default_power: str = "") -> None:
        self.department = department
        self.default_power = default_power
        self.problems: list[FieldProblem] = []
        self.times: dict[str, dt.datetime] = {}
        self.step_names: dict[int, dict[str, list[str]]] = {}
        self.items: dict[str, int] = {}
        self.looked_up: set[str] = set()
        self.candidates: dict[int, Any] = {}
        self.versions: dict[int, PowerVersion] = {}
        self.flows: dict[int, int] = {}
        self.graphs: dict[int, Any] = {}
        self.context = BatchContext(
            department=department, now=clock.now(), versions={},
            department_prefixes={}, department_names={}, graphs=self.graphs,
        )  # fmt: skip
        self.users = _Users(department)
        self.joint_part_items: dict[str, int] = {}
        self.looked_up_joint: set[str] = set()
        self.joint_items: list[tuple[JointItem, frozenset[int]]] | None = None

    def build(self, read: ReadBatch) -> list[HistoricalCase]:
        """A whole file's records at once (small files, tests)."""
        from sunlight.cases.history_source import ReadSource

        source = ReadSource(read)
        self.problems += read.problems
        records = []
        for lines in source.case_chunks(len(read.cases) or 1):
            records += self.build_chunk(lines, source.steps_of)[0]
        self.problems += self.stray_problems(source.stray_steps())
        return records

    def build_chunk(
        self, lines: Sequence[CaseLine], steps_of: Any
    ) -> tuple[list[HistoricalCase], list[int]]:
        """The records of these case lines (`steps_of(number)` gives a case's step lines) and
        the file line of each; lines that cannot be read add to `problems` instead."""
        self.times = {}  # a chunk's own times: a step's end is often the next one's start
        groups: dict[str, list[CaseLine]] = {}
        for case in lines:
            joint = text(case.values.get("joint_number"))
            if joint:
                groups.setdefault(joint, []).append(case)
        self._look_up(
            {self._power_code(c) for c in lines if not text(c.values.get("joint_number"))}
        )
        if groups:
            self._look_up_joint({self._power_code(c) for g in groups.values() for c in g})
        records, rows = [], []
        for case in lines:
            joint = text(case.values.get("joint_number"))
            if joint:
                group = groups.pop(joint, None)
                if group is None:
                    continue  # built with the group's first line
                built = self._joint_record(joint, group, steps_of)
                if built is not None:
                    records.append(built[0])
                    rows.append(built[1])
                continue
            if _lead(case, self.problems):
                _Reader(case, self.problems).bad(
                    "主办件", "只有联办件的一部分才填主办件（须同时填写并联申请编号）"
                )
            number = text(case.values.get("source_number"))
            record = self._record(case, self.items, steps_of(number) if number else [])
            if record is not None:
                records.append(record)
                rows.append(case.line)
        return records, rows

    def _joint_record(
        self, joint: str, lines: list[CaseLine], steps_of: Any
    ) -> tuple[HistoricalCase, int] | None:
        """One joint application (并联申请) from its parts' lines: the lead line (主办件 是)
        stands for the application (applicant, receipt, channel, who registered it); every part
        is a case of its power, run by that power's department. The joint item is the one named
        on the lead line, else the one led by this department with exactly the parts' powers."""
        before = len(self.problems)
        leads = [line for line in lines if _lead(line, self.problems)]
        if not leads:
            _Reader(lines[0], self.problems).bad(
                "主办件", f"并联申请“{joint}”没有主办件：须有一个部分的“主办件”填“是”"
            )
        for extra in leads[1:]:
            _Reader(extra, self.problems).bad(
                "主办件", f"并联申请“{joint}”已有主办件（第{leads[0].line}行），只能有一个"
            )
        if len(lines) < 2:
            _Reader(lines[0], self.problems).bad(
                "并联申请编号", f"并联申请“{joint}”只有一个部分：联办件至少包含两个事项"
            )
        lead = leads[0] if leads else lines[0]
        who = _applicant_key(lead)
        for line in lines:
            if line is not lead and _applicant_key(line) != who:
                _Reader(line, self.problems).bad(
                    "申请人",
                    f"与主办件（第{lead.line}行）的申请人不同：一件并联申请的各部分是同一申请人",
                )
        parts = []
        for line in lines:
            number = text(line.values.get("source_number"))
            part = self._record(line, self.joint_part_items, steps_of(number) if number else [],
                                part=True)  # fmt: skip
            if part is not None:
                parts.append((line, part))
        item = self._joint_item(lead, joint, lines, [part for _, part in parts]) if parts else None
        if len(self.problems) > before or item is None or len(parts) != len(lines):
            return None
        head = next(part for line, part in parts if line is lead)
        for _line, part in parts:
            part.channel, part.registered_by = head.channel, head.registered_by
        ended = all(p.state in (CaseState.CONCLUDED, CaseState.NOT_ACCEPTED) for _, p in parts)
        record = HistoricalCase(
            applicant=head.applicant,
            state=CaseState.CONCLUDED if ended else CaseState.IN_PROGRESS,
            received_at=head.received_at,
            channel=head.channel,
            concluded_at=max(p.concluded_at for _, p in parts) if ended else None,
            joint_item=item,
            parts=[part for _, part in parts],
            source_number=joint,
            id_number_unknown=head.id_number_unknown,
            registered_by=head.registered_by,
        )
        return record, lead.line

    def _joint_item(
        self, lead: CaseLine, joint: str, lines: list[CaseLine], parts: list[HistoricalCase]
    ) -> JointItem | None:
        if self.joint_items is None:
            self.joint_items = [
                (item, frozenset(p.pk for p in item.powers.all()))
                for item in JointItem.objects.filter(lead_department=self.department)
                .prefetch_related("powers")
                .order_by("pk")
            ]
        r = _Reader(lead, self.problems)
        named = r.text("joint_item")
        if named:
            found = [item for item, _ in self.joint_items if item.name == named]
            if len(found) != 1:
                r.bad("联办事项", f"“{named}”不是本部门牵头的联办事项" if not found
                      else f"本部门牵头的联办事项中有多个名为“{named}”")  # fmt: skip
                return None
            return found[0]
        powers = frozenset(p.power_version.item_id for p in parts)
        found = [item for item, wanted in self.joint_items if wanted == powers]
        if len(found) != 1:
            codes = "、".join(sorted({self._power_code(line) for line in lines}))
            message = (
                f"没有由本部门牵头、恰好包含这些事项（{codes}）的联办事项"
                if not found
                else "有多个联办事项包含这些事项，请在“联办事项”列填写名称"
            )
            r.bad("并联申请编号", f"并联申请“{joint}”：{message}")
            return None
        return found[0]

    def stray_problems(self, steps: Any) -> list[FieldProblem]:
        """Step lines whose 原编号 names no case of the file."""
        problems: list[FieldProblem] = []
        for step in steps:
            number = text(step.values.get("source_number"))
            _Reader(step, problems).bad("原编号", f"办件表中没有原编号为“{number}”的办件")
        return problems

    def _look_up(self, codes: set[str]) -> None:
        """Powers (by code) not looked up yet, with the versions in use over time and flows."""
        codes -= self.looked_up
        if not codes:
            return
        self.looked_up |= codes
        found = dict(
            PowerItem.objects.filter(department=self.department, code__in=codes).values_list(
                "code", "pk"
            )
        )
        self.items.update(found)
        self._versions_of(found)

    def _look_up_joint(self, codes: set[str]) -> None:
        """The powers of joint applications' parts: any department's, but only powers of a
        joint item this department leads."""
        codes -= self.looked_up_joint
        if not codes:
            return
        self.looked_up_joint |= codes
        led = JointItem.powers.through.objects.filter(jointitem__lead_department=self.department)
        found = dict(
            PowerItem.objects.filter(code__in=codes, pk__in=led.values("poweritem_id")).values_list(
                "code", "pk"
            )
        )
        self.joint_part_items.update(found)
        self._versions_of({c: pk for c, pk in found.items() if pk not in self.candidates})

    def _versions_of(self, found: dict[str, int]) -> None:
        candidates = versions_by_received(list(found.values()))
        self.candidates.update(candidates)
        wanted = {pk for spans in candidates.values() for pk, _ in spans}
        self.versions.update(PowerVersion.objects.in_bulk(wanted))
        flows = dict(
            FlowVersion.objects.filter(power_version__in=wanted).values_list(
                "power_version_id", "pk"
            )
        )
        self.flows.update(flows)
        self.graphs.update(load_graphs(flows.values()))

    def _power_code(self, case: CaseLine) -> str:
        return text(case.values.get("power")) or self.default_power

    def _record(
        self,
        line: CaseLine,
        items: dict[str, int],
        step_lines: list[StepLine],
        *,
        part: bool = False,
    ) -> HistoricalCase | None:
        r = _Reader(line, self.problems, self.times)
        before = len(self.problems)
        number = r.text("source_number")
        if not number:
            r.bad("原编号", "每个办件须有原编号（原系统或登记簿中的编号），环节表据此对应")
        code = self._power_code(line)
        received = r.time("received_at", "收件时间")
        if received is None and not r.text("received_at"):
            r.bad("收件时间", "不能为空")
        version = None
        if code not in items:
            where = "本部门牵头的联办事项所含的事项" if part else "本部门的权力事项"
            r.bad("事项编码", f"“{code}”不是{where}" if code else "不能为空")
        elif received is not None:
            pk = version_in_use(self.candidates.get(items[code], []), received)
            if pk is None:
                r.bad("事项编码", f"收件时（{received.astimezone(SHANGHAI):%Y-%m-%d %H:%M}）"
                      f"“{code}”没有在用的版本（可先补录当时有效的历史版本）")  # fmt: skip
            else:
                version = self.versions[pk]
        id_number = r.text("id_number")
        applicant = Applicant(
            kind=r.code("applicant_kind", "申请人类型", _KINDS, ApplicantKind.PERSON),
            name=r.text("applicant_name"),
            id_number=id_number,
            phone=r.text("phone"),
            address=r.text("address"),
            agent_name=r.text("agent_name"),
            agent_id_number=r.text("agent_id_number"),
            agent_phone=r.text("agent_phone"),
        )
        accepted = r.time("accepted_at", "受理时间")
        if part and accepted is None and not r.text("accepted_at"):
            accepted = received  # a joint application's parts are accepted at its receipt
        concluded = r.time("concluded_at", "办结时间")
        fields: dict[str, Any] = {}
        if r.text("fields"):
            try:
                fields = json.loads(r.text("fields"))
                if not isinstance(fields, dict):
                    raise ValueError
            except ValueError:
                r.bad("办件字段", '应为 JSON 对象，如 {"site_inspection_required": true}')
                fields = {}
        steps, pauses, step_documents = self._steps(step_lines, version, received)
        state = r.code("state", "办件状态", _STATES) or _guessed_state(
            accepted, concluded, r.text("not_accepted_reason"), steps, pauses
        )
        conclusion = None
        if state == CaseState.CONCLUDED:
            conclusion = Conclusion(
                code=r.code("conclusion_code", "办结类型", _CONCLUSION_CODES,
                            ConclusionCode.CONCLUDED),
                decision=r.code("decision", "办理结果", _DECISIONS, Decision.OTHER),
                opinion=r.text("opinion"),
                penalty_kind=r.text("penalty_kind"),
                penalty_amount=r.money("penalty_amount", "罚款金额"),
                fee_due=r.money("fee_due", "应收费用") or Decimal(0),
                fee_paid=r.money("fee_paid", "实收费用") or Decimal(0),
            )  # fmt: skip
        documents = [
            HistoricalDocument(name, received, original_received=True)
            for name in names(line.values.get("materials"))
            if received is not None
        ] + step_documents
        if len(self.problems) > before or version is None or received is None:
            return None
        return HistoricalCase(
            applicant=applicant,
            state=state,
            received_at=received,
            power_version=version,
            channel=r.code("channel", "提交渠道", _CHANNELS, Channel.WINDOW),
            accepted_at=accepted,
            concluded_at=concluded,
            fields=fields,
            steps=steps,
            pauses=pauses,
            documents=documents,
            not_accepted_reason=r.text("not_accepted_reason"),
            correction_items=r.text("correction_items"),
            conclusion=conclusion,
            source_number=number,
            id_number_unknown=not id_number,
            registered_by=self.users.find(r.text("registered_by"))[0],
        )

    def _steps(
        self, lines: list[StepLine], version: PowerVersion | None, received: dt.datetime | None
    ) -> tuple[list[HistoricalStep], list[HistoricalPause], list[HistoricalDocument]]:
        flow_id = self.flows.get(version.pk) if version is not None else None
        graph = self.graphs.get(flow_id) if flow_id is not None else None
        by_name = self.step_names.get(flow_id) if graph is not None else {}
        if by_name is None:
            named: dict[str, list[str]] = defaultdict(list)
            for node in graph.nodes.values():
                if node.kind in (USER_TASK, TIMER):
                    named[node.name].append(node.id)
            by_name = self.step_names[flow_id] = dict(named)
        read: list[tuple[StepLine, HistoricalStep, str, str, list[str]]] = []
        pauses: list[HistoricalPause] = []
        for line in lines:
            r = _Reader(line, self.problems, self.times)
            activity, node_id = r.text("activity"), r.text("node_id")
            started = r.time("started_at", "开始时间")
            finished = r.time("finished_at", "完成时间")
            if started is None and finished is None:
                r.bad("开始时间", "开始时间与完成时间至少填一项")
                continue
            pause = _PAUSES.get(activity) if not node_id else None
            marked_pause = r.text("kind") == "pause"
            if marked_pause and pause is None:
                r.bad("环节", f"“{activity}”不是暂停或延长的类型（补正、特别程序、延长审批）")
                continue
            if pause is not None and (marked_pause or activity not in by_name):
                pauses.append(self._pause(r, pause, started or finished, finished))
                continue
            if graph is None:
                continue
            if node_id:
                node = graph.nodes.get(node_id)
                if node is None or node.kind not in (USER_TASK, TIMER, PARALLEL):
                    r.bad("环节", f"“{node_id}”不是该事项流程图中的环节")
                    continue
            else:
                found = by_name.get(activity, [])
                if len(found) != 1:
                    r.bad("环节", f"“{activity}”不是该事项流程中的环节" if not found
                          else f"流程中有多个名为“{activity}”的环节，请填写环节ID")  # fmt: skip
                    continue
                node_id = found[0]
            handler, handler_name = self.users.find(r.text("resource"))
            result = r.code("result", "办理结果", _RESULTS)
            state = r.code("state", "环节状态", _STEP_STATES) or (
                StepState.OPEN
                if finished is None
                else StepState.SENT_BACK
                if result == StepResult.SENT_BACK
                else StepState.DONE
            )
            step = HistoricalStep(
                node_id=node_id,
                started_at=started or finished,
                finished_at=finished,
                state=state,
                handler=handler,
                handler_name=handler_name,
                result=result,
                opinion=r.text("opinion"),
                via_edge=r.text("via_edge"),
            )
            read.append((line, step, r.text("key"), r.text("previous"),
                         names(line.values.get("documents"))))  # fmt: skip
        read.sort(key=lambda entry: entry[1].started_at)
        steps = [entry[1] for entry in read]
        keys = {key: index for index, (_, _, key, _, _) in enumerate(read) if key}
        documents = []
        for index, (line, step, _key, previous, docs) in enumerate(read):
            if previous:
                if previous not in keys:
                    _Reader(line, self.problems).bad("上一环节", f"没有序号为“{previous}”的环节")
                    continue
                step.previous = keys[previous]
            elif graph is not None:
                step.previous = self._guess_previous(steps, index, self.flows[version.pk])
            when = step.finished_at or step.started_at
            documents += [
                HistoricalDocument(name, when, kind=DocumentKind.STEP, step=index, on_paper=True)
                for name in docs
            ]
        return steps, pauses, documents

    def _guess_previous(self, steps: list[HistoricalStep], index: int, flow_id: int) -> int | None:
        """The latest step finished by the time this one started from which the flow leads
        here (a log rarely says which step opened which). A step reopened by a send-back
        follows what the first time did, as the live engine records it."""
        step = steps[index]
        nexts = self.context.next_nodes(flow_id)
        best = None
        for j in range(index):
            before = steps[j]
            if before.state != StepState.DONE or before.finished_at > step.started_at:
                continue  # a step sent back or cancelled opens nothing along the flow
            if step.node_id in nexts.get(before.node_id, ()) and (
                best is None or before.finished_at >= steps[best].finished_at
            ):
                best = j
        return best

    def _pause(
        self, r: _Reader, kind: str, started: dt.datetime, finished: dt.datetime | None
    ) -> HistoricalPause:
        reason = r.text("opinion") or r.text("activity")
        if kind == PauseKind.EXTENSION:
            return HistoricalPause(
                kind=kind, started_at=started, ended_at=started, reason=reason,
                extension_days=r.whole("extension_days", "延长天数") or 0,
            )  # fmt: skip
        return HistoricalPause(
            kind=kind,
            started_at=started,
            ended_at=finished,
            reason=reason,
            procedure=r.code("procedure", "特别程序种类", _PROCEDURES),
            limit_days=r.whole("limit_days", "程序时限"),
        )


def _guessed_state(
    accepted: Any, concluded: Any, refusal: str, steps: Sequence[HistoricalStep], pauses: Any
) -> str:
    if concluded is not None:
        return CaseState.NOT_ACCEPTED if refusal and accepted is None else CaseState.CONCLUDED
    if any(p.kind == PauseKind.CORRECTION and p.ended_at is None for p in pauses):
        return CaseState.CORRECTION
    if accepted is None:
        return CaseState.SUBMITTED
    if any(s.state == StepState.OPEN for s in steps):
        return CaseState.IN_PROGRESS
    return CaseState.TO_CONCLUDE


class _Users:
    """Handlers named in a file: "姓名(用户名)" as exports write them, a user name, or a name
    unique in the department; anyone else is kept as written."""

    def __init__(self, department: Department) -> None:
        self.department = department
        self.cache: dict[str, tuple[Any, str]] = {}

    def find(self, written: str) -> tuple[Any, str]:
        if not written:
            return None, ""
        found = self.cache.get(written)
        if found is None:
            match = _LABELLED.match(written)
            username = match.group("username") if match else written
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                named = list(User.objects.filter(department=self.department, full_name=written)[:2])
                user = named[0] if len(named) == 1 else None
            found = self.cache[written] = (user, "" if user else written)
        return found
