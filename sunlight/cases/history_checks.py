"""The checks a 补录 batch of historical cases must pass (history.py): each record could have
happened that way on the platform. Every problem is reported with the record's row number, so
a department can fix its whole batch at once. A planted anomaly (demo and tests only) waives
exactly the one check it names."""

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sunlight.cases import engine
from sunlight.cases.choices import (
    OPEN_STATES,
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
from sunlight.cases.deadlines import case_due, local_date, paused_days
from sunlight.cases.history_context import END_MARK, Anomaly, BatchContext, VersionInfo
from sunlight.cases.services import Conclusion, applicant_problems, calendar
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import FieldProblem
from sunlight.flows.graph import PARALLEL, TIMER, USER_TASK

if TYPE_CHECKING:
    from sunlight.cases.history import HistoricalCase

MIN_HANDLING = dt.timedelta(seconds=60)  # concluded sooner after acceptance: not real handling
_ENDED = (CaseState.CONCLUDED, CaseState.NOT_ACCEPTED)
_COMPLETED = (StepResult.AGREE, StepResult.DISAGREE)
# Each code table's values, looked up once (TextChoices.values rebuilds its list on every call).
_CODES = {
    table.__name__: frozenset(table.values)
    for table in (Anomaly, Channel, CaseState, StepState, StepResult, DocumentKind, PauseKind,
                  SpecialProcedure, ConclusionCode, Decision)
}  # fmt: skip


_ID_FIELDS = ("身份证号码", "统一社会信用代码")


def _id_unknown(record: "HistoricalCase") -> bool:
    """An applicant the archive recorded without an ID number: flagged, not refused."""
    return record.id_number_unknown and not record.applicant.id_number.strip()


def batch_problems(
    context: BatchContext, records: Sequence["HistoricalCase"]
) -> list[FieldProblem]:
    """Every problem of every record, each with its row (joint parts: the parent's row)."""
    problems: list[FieldProblem] = []
    for row, record in enumerate(records, start=1):
        if record.joint_item is not None:
            problems += _JointCheck(context, record, row).problems()
        else:
            problems += _RecordCheck(context, record, row).problems()
    return problems


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


class _RecordCheck:
    def __init__(
        self, context: BatchContext, record: "HistoricalCase", row: int, prefix: str = ""
    ) -> None:
        self.context = context
        self.record = record
        self.row = row
        self.prefix = prefix
        self.found: list[FieldProblem] = []
        self.waived = record.declared_anomaly
        # A case run by a department's own system (the data exchange): what happened there is a
        # fact to record, and the process anomalies are left to supervision's rules, not refused.
        self.external = record.external

    def _waives(self, anomaly: str) -> bool:
        return self.external or self.waived == anomaly

    def bad(self, where: str, message: str) -> None:
        self.found.append(FieldProblem(self.prefix + where, message, self.row))

    def problems(self, *, part: bool = False) -> list[FieldProblem]:
        record = self.record
        if self.waived and self.waived not in _CODES["Anomaly"]:
            self.bad("声明的异常", f"“{self.waived}”不是可声明的异常类型")
        if record.power_version is None or record.power_version.pk not in self.context.versions:
            self.bad("权力事项", "请指明办件所属的事项版本")
            return self.found
        version = self.version
        if not part and version.department_id != self.context.department.pk:
            self.bad("权力事项", f"“{version.full_name}”不是本部门的事项")
        if version.flow_id is None:
            self.bad("流程", f"“{version.full_name}”第{version.number}版没有流程图，不能办件")
            return self.found
        if not version.in_use_at(record.received_at):
            self.bad(
                "权力事项",
                f"收件时（{_when(record.received_at)}）“{version.full_name}”第{version.number}版"
                "不在使用中（尚未发布、已暂停、已取消或已被新版本取代）",
            )
        for problem in applicant_problems(record.applicant):
            if not (problem.field in _ID_FIELDS and _id_unknown(record)):
                self.bad(problem.field, problem.message)
        if record.channel not in _CODES["Channel"]:
            self.bad("提交渠道", f"“{record.channel}”不是有效的提交渠道代码")
        elif record.channel == Channel.ONLINE and not version.online:
            self.bad("提交渠道", "该事项不支持网上申请")
        try:
            json.dumps(record.fields)
        except (TypeError, ValueError):
            self.bad("办件字段", "只能是文字、数字和是/否")
        if record.state not in _CODES["CaseState"]:
            self.bad("状态", f"“{record.state}”不是有效的办件状态")
            return self.found
        self._times()
        self._state()
        self._steps()
        self._documents()
        self._pauses()
        self._conclusion()
        return self.found

    @cached_property
    def version(self) -> VersionInfo:
        return self.context.version_of(self.record)

    @cached_property
    def graph(self) -> engine.FlowGraph:
        return self.context.graph(self.version.flow_id)

    def _times(self) -> None:
        r, now = self.record, self.context.now
        if r.received_at.tzinfo is None:
            self.bad("收件时间", "须带时区")
            return
        for label, moment in (("收件", r.received_at), ("受理", r.accepted_at),
                              ("办结", r.concluded_at)):  # fmt: skip
            if moment is not None and moment > now:
                self.bad("时间顺序", f"{label}时间{_when(moment)}晚于补录时间")
        if r.accepted_at is not None and r.accepted_at < r.received_at:
            self.bad("时间顺序", "受理时间早于收件时间")
        start = r.accepted_at or r.received_at
        if r.concluded_at is not None and r.concluded_at < start:
            self.bad("时间顺序", "办结时间早于受理（收件）时间")

    def _state(self) -> None:
        r, state = self.record, self.record.state
        accepted = state in (CaseState.IN_PROGRESS, CaseState.TO_CONCLUDE, CaseState.CONCLUDED)
        if accepted != (r.accepted_at is not None):
            self.bad("受理时间", "已受理的办件须有受理时间，未受理的不能有")
        if (state in _ENDED) != (r.concluded_at is not None):
            self.bad("办结时间", "已办结或不予受理的办件须有办结时间，其他状态不能有")
        if state == CaseState.NOT_ACCEPTED and not r.not_accepted_reason.strip():
            self.bad("不予受理理由", "必须写明不予受理的理由和依据")
        if state == CaseState.CORRECTION and not r.correction_items.strip():
            self.bad("补正内容", "补正中的办件须列明需要补正的材料")
        if (state == CaseState.CONCLUDED) != (r.conclusion is not None):
            self.bad("办结结果", "已办结的办件须有办结结果，其他状态不能有")
        if (
            state == CaseState.CONCLUDED
            and r.accepted_at is not None
            and r.concluded_at is not None
            and r.concluded_at - r.accepted_at < MIN_HANDLING
            and not self._waives(Anomaly.TOO_FAST)
        ):
            self.bad("办结时间", "受理后不到1分钟即办结，不符合实际办理")

    def _steps(self) -> None:
        r = self.record
        if not r.steps:
            if not self._waives(Anomaly.NO_STEPS):
                self.bad("办理环节", "没有任何办理环节（登记时即应有第一个环节）")
            return
        graph, nexts = self.graph, self.context.next_nodes(self.version.flow_id)
        first = nexts[graph.start_id]
        steps, reached_end, any_open = r.steps, False, False
        for index, step in enumerate(steps):
            where = f"第{index + 1}个环节"
            node = graph.nodes.get(step.node_id)
            if node is None or node.kind not in (USER_TASK, TIMER, PARALLEL):
                self.bad(where, f"“{step.node_id}”不是该事项流程图中的环节")
                continue
            where = f"第{index + 1}个环节“{node.name or '汇合'}”"
            if step.state not in _CODES["StepState"] or (
                step.result and step.result not in _CODES["StepResult"]
            ):
                self.bad(where, "环节状态或办理结果代码无效")
            is_open = step.state == StepState.OPEN
            any_open = any_open or is_open
            if is_open != (step.finished_at is None):
                self.bad(where, "进行中的环节不能有完成时间，其他环节须有")
            if step.started_at < r.received_at or step.started_at > self.context.now:
                self.bad(where, "开始时间早于收件时间或晚于补录时间")
            if step.finished_at is not None and not (
                step.started_at <= step.finished_at <= (r.concluded_at or self.context.now)
            ):
                self.bad(where, "完成时间早于开始时间，或晚于办结（补录）时间")
            if step.previous is None:
                allowed = first
            elif not 0 <= step.previous < index:
                self.bad(where, "上一环节须是本办件中排在它之前的环节")
                continue
            else:
                before = steps[step.previous]
                if before.finished_at is None or step.started_at < before.finished_at:
                    self.bad(where, "开始时间早于上一环节的完成时间")
                if r.accepted_at is not None and step.started_at < r.accepted_at:
                    self.bad(where, "受理后的环节开始时间早于受理时间")
                allowed = nexts.get(before.node_id, frozenset())
            if step.node_id not in allowed and not self._waives(Anomaly.OUT_OF_ORDER):
                self.bad(where, "不按流程顺序：流程中它不能接在上一环节之后")
            if step.state == StepState.DONE and END_MARK in nexts[step.node_id]:
                reached_end = True
        if any_open and r.state not in OPEN_STATES:
            self.bad("办理环节", "已办结或待办结的办件不能还有进行中的环节")
        # A pushed case between two steps: its system sends each step when handled, not the
        # one it opens next; the case's own clock still runs.
        if r.state == CaseState.IN_PROGRESS and not any_open and not self.external:
            self.bad("办理环节", "办理中的办件须有进行中的环节")
        if (
            r.state in (CaseState.TO_CONCLUDE, CaseState.CONCLUDED)
            and not reached_end
            and not self._waives(Anomaly.OUT_OF_ORDER)
        ):
            self.bad("办理环节", "流程尚未走到结束，不能待办结或办结")

    def _documents(self) -> None:
        r, version = self.record, self.version
        received: dict[str, dt.datetime] = {}
        by_step: dict[int, set[str]] = {}
        for d in r.documents:
            if d.kind not in _CODES["DocumentKind"]:
                self.bad("材料与文书", f"“{d.name}”的类别无效")
                continue
            if not r.received_at <= d.uploaded_at <= self.context.now:
                self.bad("材料与文书", f"“{d.name}”的时间早于收件时间或晚于补录时间")
            if d.step is not None and not 0 <= d.step < len(r.steps):
                self.bad("材料与文书", f"“{d.name}”所属的环节不存在")
                continue
            if d.kind == DocumentKind.MATERIAL:
                if d.name not in version.materials:
                    self.bad("申请材料", f"“{d.name}”不是本事项的申请材料")
                elif d.original_received or d.copy_received or d.sha256:
                    earliest = received.get(d.name)
                    received[d.name] = min(earliest, d.uploaded_at) if earliest else d.uploaded_at
            elif d.step is not None and (d.sha256 or d.on_paper):
                step = r.steps[d.step]
                if step.finished_at is None or d.uploaded_at <= step.finished_at:
                    by_step.setdefault(d.step, set()).add(d.name)
        if r.accepted_at is not None and r.joint_item is None and not self.external:
            missing = [
                name
                for name, mandatory in version.materials.items()
                if mandatory and not (name in received and received[name] <= r.accepted_at)
            ]
            if missing:
                self.bad("申请材料", f"受理时必要材料未收齐：{'、'.join(missing)}")
        if self._waives(Anomaly.DOCUMENT_MISSING):
            return
        for index, step in enumerate(r.steps):
            node = self.graph.nodes.get(step.node_id)
            if node is None or step.state != StepState.DONE or step.result not in _COMPLETED:
                continue
            lacking = [n for n in node.required_documents if n not in by_step.get(index, ())]
            if lacking:
                self.bad(
                    f"第{index + 1}个环节“{node.name}”",
                    f"完成前须上传的文书缺失：{'、'.join(lacking)}",
                )

    def _pauses(self) -> None:
        r, now = self.record, self.context.now
        open_special = open_correction = 0
        for pause in r.pauses:
            if pause.kind not in _CODES["PauseKind"]:
                self.bad("暂停与延长", "类型无效")
                continue
            label = PauseKind(pause.kind).label
            ended = pause.ended_at
            if ended is not None and ended < pause.started_at:
                self.bad(label, "结束时间早于开始时间")
            if max(pause.started_at, ended or pause.started_at) > self.context.now:
                self.bad(label, "时间晚于补录时间")
            if r.concluded_at is not None and (ended or self.context.now) > r.concluded_at:
                self.bad(label, "办结时仍未结束或结束时间晚于办结时间")
            if not pause.reason.strip():
                self.bad(label, "请写明事由")
            if pause.limit_days is not None and not 0 < pause.limit_days <= 365:
                self.bad(label, "程序时限应为1-365个工作日")
            if pause.kind == PauseKind.CORRECTION:
                open_correction += ended is None
                if pause.started_at < r.received_at or (
                    r.accepted_at is not None and (ended is None or ended > r.accepted_at)
                ):
                    self.bad(label, "补正应在收件之后、受理之前")
                continue
            if r.accepted_at is None or pause.started_at < r.accepted_at:
                self.bad(label, "只有受理后的办件可以暂停或延长")
            if pause.kind == PauseKind.SPECIAL:
                open_special += ended is None
                if pause.procedure not in _CODES["SpecialProcedure"]:
                    self.bad(label, "请选择特别程序种类")
                if any(
                    s.finished_at is not None and pause.started_at < s.finished_at < (ended or now)
                    for s in r.steps
                ):
                    self.bad(label, "特别程序进行期间不能办理环节")
            elif not 0 < pause.extension_days <= 60 or ended != pause.started_at:
                self.bad(label, "延长天数应为1-60天，且批准即生效（开始与结束时间相同）")
            elif r.accepted_at is not None and self._past_deadline(pause):
                self.bad(label, "已超过法定期限，延长须在期限届满前批准")
        if open_special > 1 or (open_special and r.state != CaseState.IN_PROGRESS):
            self.bad("特别程序", "只有办理中的办件可以有一个进行中的特别程序")
        if open_correction != (r.state == CaseState.CORRECTION):
            self.bad("补正", "补正中的办件须有一个未结束的补正，其他状态不能有")

    def _past_deadline(self, extension: Any) -> bool:
        """Whether the statutory deadline had passed when `extension` was approved (counting
        the special procedures ended and the extensions approved before it)."""
        version, cal, at = self.version, calendar(), extension.started_at
        extra = 0
        for p in self.record.pauses:
            if p is extension or p.ended_at is None or p.ended_at > at:
                continue
            if p.kind == PauseKind.SPECIAL:
                extra += paused_days(cal, unit=version.statutory_unit, start=p.started_at,
                                     end=p.ended_at)  # fmt: skip
            elif p.kind == PauseKind.EXTENSION:
                extra += p.extension_days
        due = case_due(
            cal, accepted=self.record.accepted_at, limit=version.statutory_limit,
            unit=version.statutory_unit, extra_days=extra,
        )  # fmt: skip
        return due.day is not None and local_date(at) > due.day

    def _conclusion(self) -> None:
        c: Conclusion | None = self.record.conclusion
        if c is None:
            return
        if c.code not in _CODES["ConclusionCode"]:
            self.bad("办结类型", "请选择办结类型")
        if c.decision not in _CODES["Decision"]:
            self.bad("办理结果", "请选择办理结果")
        if c.decision in (Decision.REFUSED, Decision.NO_PENALTY) and not c.opinion.strip():
            self.bad("办结意见", "不予许可/不予处罚必须写明理由")
        if c.decision == Decision.PENALISED and not c.penalty_kind.strip():
            self.bad("处罚种类", "给予处罚时须填写处罚种类")
        if c.penalty_amount is not None and c.penalty_amount < 0:
            self.bad("罚款金额", "不能为负数")
        if c.fee_due < 0 or c.fee_paid < 0 or c.fee_paid > c.fee_due:
            self.bad("收费", "实收金额应在0与应收金额之间")


class _JointCheck:
    """A joint application: the lead department's record and one part per power."""

    def __init__(self, context: BatchContext, record: "HistoricalCase", row: int) -> None:
        self.context, self.record, self.row = context, record, row

    def problems(self) -> list[FieldProblem]:
        r, joint = self.record, self.record.joint_item
        found: list[FieldProblem] = []

        def bad(where: str, message: str) -> None:
            found.append(FieldProblem(where, message, self.row))

        for problem in applicant_problems(r.applicant):
            bad(problem.field, problem.message)
        if r.received_at > self.context.now:
            bad("时间顺序", "收件时间晚于补录时间")
        if joint.lead_department_id != self.context.department.pk:
            bad("联办事项", f"“{joint.name}”不由本部门牵头")
        if r.steps or r.pauses:
            bad("联办事项", "联办件本身没有环节，环节记在各部门的分件上")
        powers = set(joint.powers.values_list("pk", flat=True))
        seen: set[int] = set()
        for index, part in enumerate(r.parts, start=1):
            prefix = f"联办第{index}部分·"
            check = _RecordCheck(self.context, part, self.row, prefix)
            found += check.problems(part=True)
            if part.power_version is None or part.power_version.pk not in self.context.versions:
                continue
            item_id = self.context.version_of(part).item_id
            if item_id not in powers or item_id in seen:
                bad(prefix + "权力事项", "不是该联办事项包含的事项，或重复")
            seen.add(item_id)
            if part.received_at != r.received_at or part.accepted_at != r.received_at:
                bad(prefix + "受理时间", "各部分应在联办件收件时统一受理")
            if part.state not in (CaseState.IN_PROGRESS, CaseState.TO_CONCLUDE,
                                  CaseState.CONCLUDED):  # fmt: skip
                bad(prefix + "状态", "联办件各部分受理后只能是办理中、待办结或已办结")
        if len(seen) < 2 or seen != powers:
            bad("联办事项", "须包含该联办事项的全部事项（至少两项），每项一个部分")
        if not found:
            expected = joint_parent_view(r, self.context)
            if (r.state, r.concluded_at) != (expected.state, expected.concluded_at):
                bad("状态", f"联办件应为“{CaseState(expected.state).label}”，"
                    "各部分全部办结时办结，办结时间为最后一个部分的办结时间")  # fmt: skip
        return found


def sorted_parts(record: "HistoricalCase", context: BatchContext) -> list["HistoricalCase"]:
    return sorted(record.parts, key=lambda p: context.version_of(p).code)


def joint_parent_view(record: "HistoricalCase", context: BatchContext) -> "HistoricalCase":
    """The parent case as joint registration and joint_settle would have left it."""
    parts = sorted_parts(record, context)
    ended = all(p.state in _ENDED for p in parts)
    conclusion = None
    if ended:
        refused = [
            p for p in parts
            if p.state == CaseState.NOT_ACCEPTED
            or (p.conclusion is not None and p.conclusion.decision == Decision.REFUSED)
        ]  # fmt: skip
        if refused:
            lines = []
            for p in refused:
                version = context.version_of(p)
                reason = p.not_accepted_reason or (p.conclusion.opinion if p.conclusion else "")
                lines.append(
                    f"{context.department_names[version.department_id]}“{version.full_name}”："
                    f"{reason or '不予许可'}"
                )
            decision, opinion = Decision.REFUSED, "部分事项未获准予。" + "；".join(lines)
        else:
            decision, opinion = Decision.GRANTED, "联办各事项均已准予办结"
        conclusion = Conclusion(code="", decision=decision, opinion=opinion)
    return replace(
        record,
        power_version=parts[0].power_version,
        state=CaseState.CONCLUDED if ended else CaseState.IN_PROGRESS,
        accepted_at=record.received_at,
        concluded_at=max(p.concluded_at for p in parts) if ended else None,
        conclusion=conclusion,
        steps=[],
        pauses=[],
        parts=[],
    )
