"""Writes to cases: registration, acceptance, steps along the flow, pauses and extensions,
conclusion. Each checks permission, changes state in one transaction with compare-and-swap on
the row it moves, and appends its audit entry there. A second person acting on the same step
gets InvalidTransition ("已被他人办理"), never a double."""

import datetime as dt
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F

from sunlight.audit.services import (
    AuditRecord,
    actor_label,
    audit_append_statement,
    audit_record,
)
from sunlight.cases import engine, notices, step_rows
from sunlight.cases.choices import (
    DEFERRAL_PROMISE,
    ApplicantKind,
    CaseState,
    Channel,
    ConclusionCode,
    Decision,
    DocumentKind,
    MaterialDeclaration,
    PauseKind,
    SpecialProcedure,
    StepResult,
    StepState,
)
from sunlight.cases.conclude_checks import conclude_problems
from sunlight.cases.deadlines import case_due, end_of_day, local_date, paused_days, step_due
from sunlight.cases.models import Case, CaseCounter, CaseDocument, CasePause, CaseStep
from sunlight.cases.permissions import (
    require_department_head,
    require_step_actor,
    require_window,
)
from sunlight.cases.selectors import can_send_back_to, send_back_targets
from sunlight.catalog.choices import CaseType, HandlingForm
from sunlight.catalog.models import PowerVersion
from sunlight.catalog.selectors import power_version_for_use
from sunlight.core import clock
from sunlight.core.bulk import db_datetime
from sunlight.core.errors import DomainError, FieldProblem, InvalidTransition, ValidationFailed
from sunlight.core.phones import phone_problem
from sunlight.core.text import clean_line, clean_text, has_visible, require_text
from sunlight.core.workdays import WorkCalendar
from sunlight.flows.models import FlowVersion
from sunlight.notifications.applicant_events import ApplicantEvent

_QUERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ALREADY_HANDLED = "该环节已被他人办理，请刷新页面查看最新状态"


@dataclass
class Applicant:
    kind: str
    name: str
    id_number: str
    phone: str = ""
    address: str = ""
    email: str = ""
    agent_name: str = ""
    agent_id_number: str = ""
    agent_phone: str = ""

    def __post_init__(self) -> None:
        # Names reach notices and public pages: NFC, no bidirectional controls or invisibles.
        self.name = clean_line(self.name)
        self.agent_name = clean_line(self.agent_name)
        self.address = clean_line(self.address)
        self.phone = clean_line(self.phone)
        self.agent_phone = clean_line(self.agent_phone)


@dataclass
class MaterialReceipt:
    name: str
    original_received: bool = False
    copy_received: bool = False
    declared: str = ""  # MaterialDeclaration, online applications


@dataclass
class CaseRequest:
    power_code: str
    applicant: Applicant
    channel: str = Channel.WINDOW
    fields: dict[str, Any] = field(default_factory=dict)
    materials: list[MaterialReceipt] = field(default_factory=list)


def calendar() -> WorkCalendar:
    from sunlight.org.calendar_selectors import work_calendar

    return work_calendar()


# ---------------------------------------------------------------- registration


def applicant_problems(applicant: Applicant) -> list[FieldProblem]:
    from sunlight.core.identity import credit_code_problems, resident_id_problems

    problems = []
    if applicant.kind not in ApplicantKind.values:
        problems.append(FieldProblem("申请人类型", "请选择自然人或法人/其他组织"))
    if not applicant.name.strip():
        problems.append(FieldProblem("申请人", "不能为空"))
    elif len(applicant.name) > 200:
        problems.append(FieldProblem("申请人", "不能超过200字"))
    number = applicant.id_number.strip().upper()
    if applicant.kind == ApplicantKind.PERSON:
        problems += [FieldProblem("身份证号码", m) for m in resident_id_problems(number)]
    elif applicant.kind == ApplicantKind.ORGANISATION:
        problems += [FieldProblem("统一社会信用代码", m) for m in credit_code_problems(number)]
    if applicant.agent_name.strip() or applicant.agent_id_number.strip():
        if not applicant.agent_name.strip():
            problems.append(FieldProblem("代办人", "填写了代办人证件号码时须填写姓名"))
        problems += [
            FieldProblem("代办人身份证号码", m)
            for m in resident_id_problems(applicant.agent_id_number.strip().upper())
        ]
    if len(applicant.phone) > 40 or len(applicant.address) > 300:
        problems.append(FieldProblem("联系方式", "电话或地址过长"))
    return problems


def contact_problems(applicant: Applicant) -> list[FieldProblem]:
    """New applications only (past cases brought in by 补录 keep what they recorded): the
    phone numbers reach the applicant, the e-mail address is well-formed."""
    problems = []
    if problem := phone_problem(applicant.phone, required=True):
        problems.append(FieldProblem("联系电话", problem))
    if problem := phone_problem(applicant.agent_phone):
        problems.append(FieldProblem("代办人电话", problem))
    email = applicant.email.strip()
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        problems.append(FieldProblem("电子邮箱", "电子邮箱格式不正确，如 zhangsan@example.com"))
    return problems


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def case_register(*, actor: Any, request: CaseRequest) -> Case:
    """Register an application at the window (clerk) or online (actor None, channel 网上)."""
    version = power_version_for_use(code=request.power_code)
    department = version.item.department
    online = request.channel == Channel.ONLINE
    if online:
        allowed = {HandlingForm.ONLINE, HandlingForm.MOBILE}
        if not allowed & set(version.handling_form_codes):
            raise DomainError("该事项不支持网上申请，请到窗口办理")
    else:
        require_window(actor, department)
    problems = applicant_problems(request.applicant) + contact_problems(request.applicant)
    problems += material_problems(version, request.materials)
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    with transaction.atomic():
        case = create_case(actor=actor, version=version, request=request, now=now)
        audit_record(
            actor=actor,
            action="cases.case.applied_online" if online else "cases.case.registered",
            object_type="cases.case",
            object_id=case.number,
            data={
                "power": version.item.code,
                "version": version.number,
                "channel": request.channel,
                "applicant_kind": request.applicant.kind,
                "materials": [asdict(m) for m in request.materials],
                "fields": request.fields,
            },
        )
        notices.case_notice(case, ApplicantEvent.RECEIVED)
    return case


def material_problems(
    version: PowerVersion, materials: Iterable[MaterialReceipt], *, prefix: str = ""
) -> list[FieldProblem]:
    """Materials that are not the power's own, or declared 容缺 where the power does not allow
    it (`prefix` names the power, for a form covering several)."""
    listed = list(version.materials.all())
    known = {m.name for m in listed}
    deferrable = {m.name for m in listed if m.deferrable}
    materials = list(materials)
    problems = []
    unknown = [m.name for m in materials if m.name not in known]
    if unknown:
        problems.append(
            FieldProblem("申请材料", f"{prefix}不是本事项的申请材料：{'、'.join(unknown)}")
        )
    refused = [
        m.name
        for m in materials
        if m.declared == MaterialDeclaration.DEFERRED and m.name not in deferrable
    ]
    if refused:
        problems.append(
            FieldProblem("申请材料", f"{prefix}以下材料不能容缺受理：{'、'.join(refused)}")
        )
    return problems


def flow_for_case(version: PowerVersion) -> FlowVersion:
    flow = FlowVersion.objects.filter(power_version=version).first()
    if flow is None:
        raise DomainError(f"“{version.full_name}”尚未配置流程图，暂不能办理")
    return flow


def create_case(
    *,
    actor: Any,
    version: PowerVersion,
    request: CaseRequest,
    now: Any,
    joint_parent: Case | None = None,
) -> Case:
    """Insert a case bound to `version` and its flow, open the flow's first step. Callers have
    checked permission and input and hold the transaction (and write the audit entry)."""
    flow = flow_for_case(version)
    graph = engine.load_graph(flow.pk)
    department = version.item.department
    applicant = request.applicant
    case = Case.objects.create(
        number=next_case_number(department, now),
        query_code=new_query_code(),
        power_item=version.item,
        power_version=version,
        flow=flow,
        department=department,
        region_code=department.region_id,
        case_type=CaseType.JOINT if joint_parent is not None else version.case_type,
        channel=request.channel,
        title=f"{version.full_name}（{applicant.name.strip()}）"[:300],
        applicant_kind=applicant.kind,
        applicant_name=applicant.name.strip(),
        applicant_id_number=applicant.id_number.strip().upper(),
        applicant_phone=applicant.phone.strip(),
        applicant_address=applicant.address.strip(),
        applicant_email=applicant.email.strip(),
        agent_name=applicant.agent_name.strip(),
        agent_id_number=applicant.agent_id_number.strip().upper(),
        agent_phone=applicant.agent_phone.strip(),
        fields=dict(request.fields),
        state=CaseState.SUBMITTED,
        received_at=now,
        entered_at=now,
        joint_parent=joint_parent,
        registered_by=_user(actor),
    )
    known = {m.name for m in version.materials.all()}
    CaseDocument.objects.bulk_create(
        [
            CaseDocument(
                case=case,
                kind=DocumentKind.MATERIAL,
                name=m.name,
                original_received=m.original_received,
                copy_received=m.copy_received,
                declared=m.declared if m.declared in MaterialDeclaration.values else "",
                promise=DEFERRAL_PROMISE if m.declared == MaterialDeclaration.DEFERRED else "",
                uploaded_at=now,
                uploaded_by=case.registered_by,
            )
            for m in request.materials
            if (m.original_received or m.copy_received or m.declared) and m.name in known
        ]
    )
    _open(case, graph, graph.first_tasks(), previous=None, now=now)
    return case


def new_query_code() -> str:
    return "".join(secrets.choice(_QUERY_ALPHABET) for _ in range(8))


def next_case_number(department: Any, now: Any) -> str:
    day = local_date(now)
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(
        department=department, day=day
    )
    CaseCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{department.region_id}{department.code}{day:%Y%m%d}{counter.last:05d}"


def missing_materials(case: Case) -> list[str]:
    # A 容缺 promise stands in for the material at acceptance; a "brought to the window"
    # declaration does not until the clerk ticks the paper as received.
    received = {
        d.name
        for d in case.documents.filter(kind=DocumentKind.MATERIAL)
        if d.original_received
        or d.copy_received
        or d.sha256
        or d.declared == MaterialDeclaration.DEFERRED
    }
    return [
        m.name for m in case.power_version.materials.all() if m.mandatory and m.name not in received
    ]


# ---------------------------------------------------------------- acceptance


def case_accept(*, actor: Any, case: Case, opinion: str = "") -> Case:
    require_window(actor, case.department)
    _require_own_decision(case)
    missing = missing_materials(case)
    if missing:
        raise ValidationFailed(
            [FieldProblem("申请材料", f"必要材料未收齐：{'、'.join(missing)}；请先一次性告知补正")]
        )
    now = clock.now()
    with transaction.atomic():
        accept_case(actor=actor, case=case, opinion=opinion, now=now)
        _audit(actor, "cases.case.accepted", case, {"opinion": opinion})
        notices.case_notice(case, ApplicantEvent.ACCEPTED)
    return case


def _require_own_decision(case: Case) -> None:
    """A part of a joint application is accepted, refused or sent to 补正 with the whole, by
    the lead window (joint.py, joint_correction.py), never on its own."""
    if case.joint_parent_id is not None and case.state in (
        CaseState.SUBMITTED,
        CaseState.CORRECTION,
    ):
        raise InvalidTransition("联办件的各事项由牵头窗口统一受理、不予受理或告知补正")


def accept_case(*, actor: Any, case: Case, opinion: str, now: Any) -> None:
    """Start the clock and move past the acceptance step (caller holds the transaction)."""
    _move_case(case, {CaseState.SUBMITTED}, CaseState.IN_PROGRESS, accepted_at=now)
    case.accepted_at = now
    case.fields = {**case.fields, "accepted": True, "materials_complete": True}
    Case.objects.filter(pk=case.pk).update(fields=case.fields)
    recompute_deadlines(case)
    for step in _open_steps(case):
        _finish_step(step, actor, StepResult.ACCEPTED, opinion or "予以受理", now)
        _advance(case, step, now)


def case_refuse(*, actor: Any, case: Case, reason: str) -> Case:
    """不予受理: the case ends here, with the reason the applicant is told."""
    require_window(actor, case.department)
    _require_own_decision(case)
    reason = require_text(reason, "不予受理理由", "必须写明不予受理的理由和依据")
    now = clock.now()
    with transaction.atomic():
        refuse_case(actor=actor, case=case, reason=reason, now=now)
        _audit(actor, "cases.case.not_accepted", case, {"reason": reason})
        if not _settle_joint_parent(case, now):
            notices.case_notice(case, ApplicantEvent.NOT_ACCEPTED)
    return case


def refuse_case(*, actor: Any, case: Case, reason: str, now: Any) -> None:
    """End the case as 不予受理 with its open steps and pauses (caller holds the transaction,
    has checked permission, and writes the audit entry and the notice)."""
    _move_case(
        case,
        {CaseState.SUBMITTED, CaseState.CORRECTION},
        CaseState.NOT_ACCEPTED,
        concluded_at=now,
        not_accepted_reason=reason,
    )
    for step in _open_steps(case):
        _finish_step(step, actor, StepResult.NOT_ACCEPTED, reason, now)
    _close_pauses(case, now)


def case_request_correction(*, actor: Any, case: Case, items: str) -> Case:
    """一次性告知补正: tell the applicant everything missing at once; the case waits."""
    require_window(actor, case.department)
    _require_own_decision(case)
    items = (items or "").strip()
    if not items:
        raise ValidationFailed([FieldProblem("补正内容", "请一次性列明需要补正的全部材料")])
    now = clock.now()
    with transaction.atomic():
        pause = request_correction(actor=actor, case=case, items=items, now=now)
        notices.case_notice(case, ApplicantEvent.CORRECTION, pause=pause)
    return case


def request_correction(*, actor: Any, case: Case, items: str, now: Any) -> CasePause:
    """Put a case waiting for the applicant's materials, with its pause and audit entry (the
    caller holds the transaction, has checked permission and tells the applicant)."""
    _move_case(case, {CaseState.SUBMITTED}, CaseState.CORRECTION, correction_items=items)
    pause = CasePause.objects.create(
        case=case,
        kind=PauseKind.CORRECTION,
        reason=items,
        started_at=now,
        requested_by=_user(actor),
    )
    _audit(actor, "cases.case.correction_requested", case, {"items": items})
    return pause


def case_correction_complete(
    *, actor: Any, case: Case, materials: Iterable[MaterialReceipt] = ()
) -> Case:
    require_window(actor, case.department)
    _require_own_decision(case)
    now = clock.now()
    with transaction.atomic():
        complete_correction(actor=actor, case=case, materials=materials, now=now)
    return case


def complete_correction(
    *, actor: Any, case: Case, materials: Iterable[MaterialReceipt], now: Any
) -> None:
    """End a case's 补正: back to waiting for acceptance, its pause closed, the materials
    brought marked received (the caller holds the transaction and has checked permission)."""
    _move_case(case, {CaseState.CORRECTION}, CaseState.SUBMITTED)
    _close_pauses(case, now)
    for material in materials:
        material_mark_received(actor=actor, case=case, receipt=material, audit=False)
    _audit(actor, "cases.case.correction_completed", case, {})


def material_mark_received(
    *, actor: Any, case: Case, receipt: MaterialReceipt, audit: bool = True
) -> None:
    require_window(actor, case.department)
    if receipt.name not in {m.name for m in case.power_version.materials.all()}:
        raise ValidationFailed([FieldProblem("申请材料", f"“{receipt.name}”不是本事项的申请材料")])
    with transaction.atomic():
        # The paper receipt row: an uploaded file of the same material is a row of its own.
        CaseDocument.objects.update_or_create(
            case=case,
            kind=DocumentKind.MATERIAL,
            name=receipt.name,
            step=None,
            file_path="",
            defaults={
                "original_received": receipt.original_received,
                "copy_received": receipt.copy_received,
                "uploaded_at": clock.now(),
                "uploaded_by": _user(actor),
            },
        )
        if audit:
            _audit(actor, "cases.document.added", case, {"material": asdict(receipt)})


# ---------------------------------------------------------------- steps


def step_complete(
    *,
    actor: Any,
    step: CaseStep,
    result: str = StepResult.AGREE,
    opinion: str = "",
    fields: Mapping[str, Any] | None = None,
) -> Case:
    """Complete a step; the flow decides what opens next (gateways read the case fields)."""
    require_step_actor(actor, step)
    case = step.case
    if case.state != CaseState.IN_PROGRESS:
        raise InvalidTransition(f"办件当前为“{case.get_state_display()}”，不能办理环节")
    if result not in (StepResult.AGREE, StepResult.DISAGREE):
        raise ValidationFailed([FieldProblem("办理结果", "请选择同意或不同意")])
    if result == StepResult.DISAGREE and not has_visible(opinion):
        raise ValidationFailed([FieldProblem("办理意见", "不同意时必须写明理由")])
    opinion = clean_text(opinion)
    cal = calendar()  # taken before the transaction, where the cached calendar is reused
    now = clock.now()
    stamp = db_datetime(now)
    with transaction.atomic(), connection.cursor() as cursor:
        locked = _lock_for_step(cursor, case, step)
        graph = engine.load_graph(case.flow_id, stamp=locked.flow_stamp)
        missing = _missing_documents(step, graph.nodes.get(step.node_id))
        if missing:
            raise ValidationFailed(
                [FieldProblem("环节文书", f"请先上传本环节必须的文书：{'、'.join(missing)}")]
            )
        case.state, case.fields = locked.state, locked.fields
        if fields:
            case.fields = {**case.fields, **fields}
            Case.objects.filter(pk=case.pk).update(fields=case.fields, revision=F("revision") + 1)
        # The writes travel together with the audit entry (step_rows.run); their row counts
        # are the compare-and-swap checks, read before the transaction commits.
        writes = [
            step_rows.finish_step_statement(
                step_id=step.pk, state=StepState.DONE, stamp=stamp,
                handler_id=getattr(_user(actor), "pk", None), handler_name=actor_label(actor),
                result=result, opinion=(opinion or "").strip(),
            )
        ]  # fmt: skip
        move = engine.advance(graph, step.node_id, case.fields)
        flow_ends = False
        if move.join_arrivals:
            # Joins read the rows of the branches that arrived: write what is pending first.
            _check_moved(step_rows.run(cursor, writes), step_finished=True, flow_ends=False)
            writes = []
            _open(case, graph, move, previous=step, now=now, cal=cal)
        else:
            for node, via in move.open_tasks:
                writes.append(_open_statement(case, node, via=via, previous=step, now=now,
                                              stamp=stamp, cal=cal))  # fmt: skip
            # Only this step was open and none opens: the flow has reached its end.
            flow_ends = not move.open_tasks and locked.open_steps <= 1
            if flow_ends:
                writes.append(step_rows.flow_end_statement(case_id=case.pk))
        record = AuditRecord(
            action="cases.step.completed", object_type="cases.case", object_id=case.number,
            data={"step": step.node_id, "name": step.name, "result": result, "opinion": opinion,
                  "fields": dict(fields or {})},
            actor_id=getattr(actor, "pk", None), actor_name=actor_label(actor),
        )  # fmt: skip
        writes.append(audit_append_statement(head=locked.chain_head, record=record))
        checks_step = not move.join_arrivals  # else checked above
        _check_moved(step_rows.run(cursor, writes), step_finished=checks_step, flow_ends=flow_ends)
    step.state, step.finished_at = StepState.DONE, now
    if flow_ends:
        case.state = CaseState.TO_CONCLUDE
    return case


def _check_moved(results: list[tuple[int, Any]], *, step_finished: bool, flow_ends: bool) -> None:
    """The compare-and-swap checks of step_complete's writes (InvalidTransition rolls them
    back): the step's move to done first, the case's move to 待办结 (if the flow ended) just
    before the audit entry."""
    if step_finished and results[0][0] != 1:
        raise InvalidTransition(ALREADY_HANDLED)
    if flow_ends and results[-2][0] != 1:
        raise InvalidTransition("办件状态已被他人改变，请刷新页面查看最新状态")


def _lock_for_step(cursor: Any, case: Case, step: CaseStep) -> step_rows.LockedCase:
    """Lock the case row and read, in one query, what completing `step` depends on. Parallel
    branches finishing at once thus take turns on the case row and each sees the other's join
    arrival and fields (PostgreSQL; SQLite has a single writer)."""
    locked = step_rows.lock_for_step(cursor=cursor, case_id=case.pk, step_id=step.pk)
    if locked.step_state != StepState.OPEN:
        raise InvalidTransition(ALREADY_HANDLED)
    if locked.state != CaseState.IN_PROGRESS:
        raise InvalidTransition(f"办件当前为“{CaseState(locked.state).label}”，不能办理环节")
    if locked.paused:
        raise InvalidTransition("办件处于特别程序中，请先结束特别程序")
    return locked


def _cap_reopened(case: Case, now: Any) -> Any:
    """A step reopened by a send-back gets its full limit again, but never past the case's
    promised deadline: its deadline is cut to that day and the step marked (the case page
    says so). Returns the cap when a deadline was cut."""
    case.refresh_from_db(fields=["promised_deadline"])
    if case.promised_deadline is None:
        return None
    cap = end_of_day(case.promised_deadline)
    cut = CaseStep.objects.filter(
        case=case, state=StepState.OPEN, started_at=now, deadline__gt=cap
    ).update(deadline=cap, deadline_capped=True)
    return cap if cut else None


def step_send_back(*, actor: Any, step: CaseStep, opinion: str) -> Case:
    """退回: reopen the step before this one, where the flow allows it. A step reached through a
    parallel join goes back to every branch that joined there (退回会签): reopening only the
    branch that arrived last would leave the join waiting for the others for ever."""
    require_step_actor(actor, step)
    case = step.case
    opinion = require_text(opinion, "退回意见", "退回必须写明理由")
    graph = engine.load_graph(case.flow_id)
    node = graph.nodes.get(step.node_id)
    if node is None or not node.can_send_back:
        raise InvalidTransition(f"流程不允许从“{step.name}”退回")
    targets = send_back_targets(step)
    if not can_send_back_to(targets):
        raise InvalidTransition(f"“{step.name}”之前没有可以退回的环节")
    now = clock.now()
    with transaction.atomic():
        _finish_step(step, actor, StepResult.SENT_BACK, opinion, now, state=StepState.SENT_BACK)
        for target in targets:
            _open_one(case, graph.nodes[target.node_id], via="", previous=target.previous, now=now)
        capped = _cap_reopened(case, now)
        to = [t.node_id for t in targets]
        _audit(actor, "cases.step.sent_back", case, {"step": step.node_id, "opinion": opinion,
               "to": to[0] if len(to) == 1 else to,
               **({"deadline_capped_to": capped.isoformat()} if capped else {})})  # fmt: skip
    return case


def document_attach(
    *,
    actor: Any,
    case: Case,
    name: str,
    stored: Any,
    step: CaseStep | None = None,
    kind: str = DocumentKind.STEP,
    document_number: str = "",
) -> CaseDocument:
    """Record an uploaded file (already stored by cases.uploads with its hash) on the case."""
    if step is not None:
        require_step_actor(actor, step)
    else:
        require_window(actor, case.department)
    if not case.is_open:
        raise InvalidTransition("办件已办结，不能再上传")
    with transaction.atomic():
        document = CaseDocument.objects.create(
            case=case,
            step=step,
            kind=kind,
            name=name.strip()[:200],
            document_number=document_number.strip()[:100],
            copy_received=kind == DocumentKind.MATERIAL,
            file_path=stored.path,
            file_name=stored.original_name[:200],
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            uploaded_at=clock.now(),
            uploaded_by=_user(actor),
        )
        _audit(actor, "cases.document.added", case,
               {"name": document.name, "sha256": stored.sha256, "size": stored.size,
                "step": step.node_id if step else None})  # fmt: skip
    return document


# ---------------------------------------------------------------- pauses and extensions


def case_pause_start(
    *, actor: Any, case: Case, procedure: str, reason: str, limit_days: int | None
) -> CasePause:
    """Start a special procedure (听证, 检测, 专家评审 …): its time does not count. Approved by
    the department head."""
    require_department_head(actor, case)
    if procedure not in SpecialProcedure.values:
        raise ValidationFailed([FieldProblem("特别程序", "请选择特别程序种类")])
    reason = require_text(reason, "事由", "请写明启动特别程序的事由")
    if limit_days is not None and not 0 < limit_days <= 365:
        raise ValidationFailed([FieldProblem("程序时限", "应为1-365个工作日")])
    if case.state != CaseState.IN_PROGRESS:
        raise InvalidTransition("只有办理中的办件可以启动特别程序")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if _active_pause(locked) is not None:
            raise InvalidTransition("办件已处于特别程序中")
        pause = CasePause.objects.create(
            case=case,
            kind=PauseKind.SPECIAL,
            procedure=procedure,
            reason=reason.strip(),
            started_at=clock.now(),
            limit_days=limit_days,
            requested_by=_user(actor),
            approved_by=_user(actor),
        )
        _audit(actor, "cases.case.paused", case,
               {"procedure": procedure, "reason": reason, "limit_days": limit_days})  # fmt: skip
        notices.case_notice(case, ApplicantEvent.SPECIAL_START, pause=pause)
    return pause


def case_pause_end(*, actor: Any, case: Case) -> Case:
    require_department_head(actor, case)
    now = clock.now()
    with transaction.atomic():
        pause = _active_pause(case)
        if pause is None:
            raise InvalidTransition("办件没有进行中的特别程序")
        _close_pauses(case, now)
        recompute_deadlines(case)
        _audit(actor, "cases.case.resumed", case, {})
        notices.case_notice(case, ApplicantEvent.SPECIAL_END, pause=pause)
    return case


def _extension_checks(case: Case, days: int, reason: str) -> None:
    """The law's shape of 延长审批: an open case, before its statutory deadline, a reason, and
    within the power's bounds (days each time, times a case)."""
    if case.state != CaseState.IN_PROGRESS:
        raise InvalidTransition("只有办理中的办件可以延长期限")
    if case.statutory_deadline is not None and clock.today_local() > case.statutory_deadline:
        raise InvalidTransition("已超过法定期限，不能再申请延长（延长须在期限届满前批准）")
    version = case.power_version
    granted = CasePause.objects.filter(case=case, kind=PauseKind.EXTENSION).count()
    if granted >= version.extension_times:
        times = version.extension_times
        raise InvalidTransition(
            f"该事项至多延长{times}次，本办件已延长{granted}次" if times else "该事项不可延长"
        )
    problems = []
    if not 0 < days <= version.extension_limit_days:
        problems.append(
            FieldProblem(
                "延长天数", f"应为1-{version.extension_limit_days}天（该事项每次可延长的上限）"
            )
        )
    if not has_visible(reason):  # invisible characters alone are no reason
        problems.append(FieldProblem("延长理由", "请写明延长理由"))
    if problems:
        raise ValidationFailed(problems)


def _apply_extension(
    *, approver: Any, requested_by: Any, case: Case, days: int, reason: str, now: Any
) -> None:
    Case.objects.filter(pk=case.pk).update(extension_days=F("extension_days") + days)
    case.refresh_from_db(fields=["extension_days"])
    pause = CasePause.objects.create(
        case=case,
        kind=PauseKind.EXTENSION,
        reason=clean_text(reason),
        started_at=now,
        ended_at=now,
        extension_days=days,
        requested_by=_user(requested_by),
        approved_by=_user(approver),
    )
    recompute_deadlines(case)
    _audit(approver, "cases.case.extended", case, {"days": days, "reason": reason})
    notices.case_notice(case, ApplicantEvent.EXTENDED, pause=pause)


def case_extend(*, actor: Any, case: Case, days: int, reason: str) -> Case:
    """延长审批 decided by the head at once (the head is also the one asking): only before the
    statutory deadline has passed, within the power's bounds."""
    require_department_head(actor, case)
    _extension_checks(case, days, reason)
    with transaction.atomic():
        _apply_extension(
            approver=actor, requested_by=actor, case=case, days=days, reason=reason,
            now=clock.now(),
        )  # fmt: skip
    return case


def case_extension_request(*, actor: Any, case: Case, days: int, reason: str) -> Any:
    """The handler asks the head to extend the time limit, with a reason (one request open at
    a time)."""
    from sunlight.cases.models import ExtensionRequest, ExtensionState

    require_window(actor, case.department)
    _extension_checks(case, days, reason)
    if ExtensionRequest.objects.filter(case=case, state=ExtensionState.PENDING).exists():
        raise InvalidTransition("已有待批准的延长申请，请等待部门负责人审批")
    now = clock.now()
    with transaction.atomic():
        request = ExtensionRequest.objects.create(
            case=case, days=days, reason=reason.strip(), requested_by=_user(actor),
            requested_at=now,
        )  # fmt: skip
        _audit(actor, "cases.extension.requested", case, {"days": days, "reason": reason})
    return request


def case_extension_decide(*, actor: Any, request: Any, approve: bool, opinion: str = "") -> Any:
    """The head approves (before the statutory deadline, within the power's bounds) or refuses
    (with a reason). Compare-and-swap on the request: a second click is told it is decided."""
    from sunlight.cases.models import ExtensionRequest, ExtensionState

    case = request.case
    require_department_head(actor, case)
    opinion = (opinion or "").strip()
    if not approve and not opinion:
        raise ValidationFailed([FieldProblem("审批意见", "不予批准时请写明理由")])
    if approve:
        _extension_checks(case, request.days, request.reason)
    now = clock.now()
    state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    with transaction.atomic():
        moved = ExtensionRequest.objects.filter(pk=request.pk, state=ExtensionState.PENDING).update(
            state=state, decided_by=_user(actor), decided_at=now, opinion=opinion
        )
        if moved != 1:
            raise InvalidTransition("该延长申请已审批，请刷新页面查看")
        if approve:
            _apply_extension(
                approver=actor, requested_by=request.requested_by, case=case,
                days=request.days, reason=request.reason, now=now,
            )  # fmt: skip
        action = "cases.extension.approved" if approve else "cases.extension.refused"
        _audit(actor, action, case, {"days": request.days, "opinion": opinion})
    request.refresh_from_db()
    return request


# ---------------------------------------------------------------- conclusion


@dataclass
class Conclusion:
    code: str = ConclusionCode.CONCLUDED
    decision: str = Decision.GRANTED
    opinion: str = ""
    penalty_kind: str = ""
    penalty_amount: Decimal | None = None
    fee_due: Decimal = Decimal(0)
    fee_paid: Decimal = Decimal(0)


def case_conclude(*, actor: Any, case: Case, conclusion: Conclusion) -> Case:
    """办结: after the flow has run to its end, record the result."""
    require_window(actor, case.department)
    problems = []
    if conclusion.code not in ConclusionCode.values:
        problems.append(FieldProblem("办结类型", "请选择办结类型"))
    if conclusion.decision not in Decision.values:
        problems.append(FieldProblem("办理结果", "请选择办理结果"))
    conclusion.opinion = clean_text(conclusion.opinion)
    if conclusion.decision in (Decision.REFUSED, Decision.NO_PENALTY) and not conclusion.opinion:
        problems.append(FieldProblem("办结意见", "不予许可/不予处罚必须写明理由"))
    if conclusion.decision == Decision.PENALISED and not conclusion.penalty_kind.strip():
        problems.append(FieldProblem("处罚种类", "给予处罚时须填写处罚种类"))
    if conclusion.penalty_amount is not None and conclusion.penalty_amount < 0:
        problems.append(FieldProblem("罚款金额", "不能为负数"))
    if (
        conclusion.fee_due < 0
        or conclusion.fee_paid < 0
        or conclusion.fee_paid > conclusion.fee_due
    ):
        problems.append(FieldProblem("收费", "实收金额应在0与应收金额之间"))
    problems += conclude_problems(case, conclusion.decision)
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    with transaction.atomic():
        _move_case(
            case,
            {CaseState.TO_CONCLUDE},
            CaseState.CONCLUDED,
            concluded_at=now,
            conclusion_code=conclusion.code,
            decision=conclusion.decision,
            conclusion_opinion=conclusion.opinion.strip(),
            penalty_kind=conclusion.penalty_kind.strip(),
            penalty_amount=conclusion.penalty_amount,
            fee_due=conclusion.fee_due,
            fee_paid=conclusion.fee_paid,
        )
        _audit(
            actor, "cases.case.concluded", case, {k: str(v) for k, v in asdict(conclusion).items()}
        )
        # The last part of a joint application ends the whole: the applicant is told once,
        # of the whole (the parent's 办结), not of this part as well.
        if not _settle_joint_parent(case, now):
            notices.case_notice(case, ApplicantEvent.CONCLUDED)
    return case


def _settle_joint_parent(part: Case, now: Any) -> bool:
    """Conclude the part's joint parent if this part was its last open one; True if it was."""
    if part.joint_parent_id is None:
        return False
    from sunlight.cases.joint import joint_settle

    return joint_settle(parent_id=part.joint_parent_id, now=now)


# ---------------------------------------------------------------- engine plumbing


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _audit(actor: Any, action: str, case: Case, data: dict[str, Any]) -> None:
    audit_record(
        actor=actor, action=action, object_type="cases.case", object_id=case.number, data=data
    )


def _move_case(case: Case, allowed: set[str], to: str, **changes: Any) -> None:
    moved = Case.objects.filter(pk=case.pk, state__in=allowed).update(
        state=to, revision=F("revision") + 1, **changes
    )
    if not moved:
        case.refresh_from_db(fields=["state"])
        raise InvalidTransition(
            f"办件当前为“{case.get_state_display()}”，该操作已被他人处理或不适用"
        )
    case.state = to
    for name, value in changes.items():
        setattr(case, name, value)


def _finish_step(
    step: CaseStep,
    actor: Any,
    result: str,
    opinion: str,
    now: Any,
    *,
    state: str = StepState.DONE,
) -> None:
    moved = step_rows.finish_step(
        step_id=step.pk,
        state=state,
        now=now,
        handler_id=getattr(_user(actor), "pk", None),
        handler_name=actor_label(actor),
        result=result,
        opinion=(opinion or "").strip(),
    )
    if not moved:
        raise InvalidTransition(ALREADY_HANDLED)
    step.state = state
    step.finished_at = now


def _open_steps(case: Case) -> list[CaseStep]:
    return list(case.steps.filter(state=StepState.OPEN, kind="user_task"))


def _advance(case: Case, step: CaseStep, now: Any) -> None:
    graph = engine.load_graph(case.flow_id)
    _open(case, graph, engine.advance(graph, step.node_id, case.fields), previous=step, now=now)


def _open(
    case: Case,
    graph: engine.FlowGraph,
    move: engine.Advance,
    *,
    previous: Any,
    now: Any,
    cal: WorkCalendar | None = None,
) -> None:
    cal = cal or calendar()
    for node, via in move.open_tasks:
        _open_one(case, node, via=via, previous=previous, now=now, cal=cal)
    for join, via in move.join_arrivals:
        CaseStep.objects.create(
            case=case,
            node_id=join.id,
            kind="join",
            name=join.name or "汇合",
            state=StepState.OPEN,
            started_at=now,
            via_edge=via,
            previous=previous,
        )
        waiting = CaseStep.objects.filter(case=case, node_id=join.id, kind="join", state="open")
        arrived = set(waiting.values_list("via_edge", flat=True))
        if engine.join_ready(graph, join.id, arrived):
            waiting.update(state=StepState.DONE, finished_at=now)
            _open(case, graph, engine.advance(graph, join.id, case.fields), previous=previous,
                  now=now, cal=cal)  # fmt: skip
    # A step just opened is open: only a move that opened none can have ended the flow.
    if (
        not move.open_tasks
        and case.state == CaseState.IN_PROGRESS
        and not case.steps.filter(state=StepState.OPEN).exists()
    ):
        _move_case(case, {CaseState.IN_PROGRESS}, CaseState.TO_CONCLUDE)


def _open_one(
    case: Case,
    node: engine.GraphNode,
    *,
    via: str,
    previous: Any,
    now: Any,
    cal: WorkCalendar | None = None,
) -> None:
    statement = _open_statement(
        case, node, via=via, previous=previous, now=now, stamp=db_datetime(now), cal=cal
    )
    with connection.cursor() as cursor:
        step_rows.run(cursor, [statement])


def _open_statement(
    case: Case,
    node: engine.GraphNode,
    *,
    via: str,
    previous: Any,
    now: Any,
    stamp: Any,
    cal: WorkCalendar | None = None,
) -> step_rows.Statement:
    """The INSERT opening `node`'s step, its deadline on the working-day calendar."""
    deadline, provisional = step_due(
        cal or calendar(), started=now, limit=node.limit, unit=node.limit_unit or "working_day"
    )
    return step_rows.open_step_statement(
        case_id=case.pk,
        node=node,
        stamp=stamp,
        deadline=deadline,
        provisional=provisional,
        via=via,
        previous_id=getattr(previous, "pk", None),
    )


def _missing_documents(step: CaseStep, node: engine.GraphNode | None) -> list[str]:
    if node is None or not node.required_documents:
        return []
    uploaded = set(
        CaseDocument.objects.filter(case=step.case, step__node_id=step.node_id)
        .exclude(sha256="")
        .values_list("name", flat=True)
    )
    return [name for name in node.required_documents if name not in uploaded]


def _active_pause(case: Case) -> CasePause | None:
    return case.pauses.filter(kind=PauseKind.SPECIAL, ended_at__isnull=True).first()


def _close_pauses(case: Case, now: Any) -> None:
    unit = case.power_version.statutory_limit_unit
    cal = calendar()
    for pause in case.pauses.filter(ended_at__isnull=True):
        days = paused_days(cal, unit=unit, start=pause.started_at, end=now)
        CasePause.objects.filter(pk=pause.pk).update(ended_at=now, workdays=days)
        if pause.kind in (PauseKind.SPECIAL, PauseKind.PUBLICITY):
            Case.objects.filter(pk=case.pk).update(paused_workdays=F("paused_workdays") + days)
            _push_step_deadlines(case, cal, start=pause.started_at, end=now)
    case.refresh_from_db(fields=["paused_workdays"])


def _push_step_deadlines(case: Case, cal: WorkCalendar, *, start: Any, end: Any) -> None:
    """The steps that were open while the clock stood still (a special procedure, 批前公示)
    get the working days of the pause added to their deadlines, like the case's limits: a
    step waiting on the pause is not overdue because of it. Steps opened after the pause
    started had their deadline counted from their own start."""
    workdays = cal.workdays_between(local_date(start), local_date(end))
    if workdays <= 0:
        return
    steps = CaseStep.objects.filter(
        case=case,
        state=StepState.OPEN,
        kind="user_task",
        deadline__isnull=False,
        started_at__lte=start,
    ).only("pk", "deadline")
    for step in steps:
        local = step.deadline.astimezone(clock.SHANGHAI)
        moved = cal.add_workdays(local.date(), workdays)
        deadline = dt.datetime.combine(moved.day, local.time(), tzinfo=clock.SHANGHAI)
        CaseStep.objects.filter(pk=step.pk).update(
            deadline=deadline.astimezone(dt.UTC), deadline_provisional=moved.provisional
        )


def recompute_deadlines(case: Case) -> None:
    """Statutory and promised deadlines from acceptance, pauses given back, extension added."""
    if case.accepted_at is None:
        return
    version: PowerVersion = case.power_version
    extra = case.paused_workdays + case.extension_days
    cal = calendar()
    statutory = case_due(
        cal, accepted=case.accepted_at, limit=version.statutory_limit,
        unit=version.statutory_limit_unit, extra_days=extra,
    )  # fmt: skip
    promised = case_due(
        cal, accepted=case.accepted_at, limit=version.promised_limit,
        unit=version.promised_limit_unit, extra_days=extra,
    )  # fmt: skip
    if version.case_type == CaseType.INSTANT and version.promised_limit in (None, 0):
        promised = case_due(
            cal, accepted=case.accepted_at, limit=0, unit=version.promised_limit_unit
        )
    case.statutory_deadline = statutory.day
    case.promised_deadline = promised.day or statutory.day
    case.deadline_provisional = statutory.provisional or promised.provisional
    Case.objects.filter(pk=case.pk).update(
        statutory_deadline=case.statutory_deadline,
        promised_deadline=case.promised_deadline,
        deadline_provisional=case.deadline_provisional,
    )
