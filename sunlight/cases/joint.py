"""Joint approval (并联审批, 联办件): one window accepts one application covering several powers
of several departments. Each power's part is its own case with its own clock, accepted at once;
the parent case is what the applicant sees: one number, one overall deadline, concluded when
every part is, and saying which part refused if one did.

Two ways in: at the lead department's window (registered and accepted in one act), or online as
a 一件事 bundle (网上申请: the applicant's data once, each part's materials; the parent waits in
the lead window's queue, which accepts or refuses the whole). The applicant is told about the
parent (收件, 受理 or 不予受理, 补正 of the whole — joint_correction.py —, 办结) once per event;
what happens to one part later (特别程序, 延期, its own 办结 — unless it is the last, whose 办结
is the whole's) is told with that part's own lookup link by the case services. Until the lead
window has accepted, the parts are decided only with the whole."""

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, replace
from typing import Any

from django.db import transaction
from django.db.models import F

from sunlight.audit.services import audit_record
from sunlight.cases import notices
from sunlight.cases.choices import CaseState, Channel, Decision
from sunlight.cases.deadlines import add_limit, local_date
from sunlight.cases.models import Case, JointItem
from sunlight.cases.offers import ONLINE_FORMS
from sunlight.cases.permissions import require_window
from sunlight.cases.services import (
    CaseRequest,
    MaterialReceipt,
    accept_case,
    applicant_problems,
    calendar,
    contact_problems,
    create_case,
    flow_for_case,
    material_problems,
    missing_materials,
    new_query_code,
    next_case_number,
    refuse_case,
)
from sunlight.catalog.choices import CaseType, ItemStatus, LimitUnit
from sunlight.catalog.models import PowerItem
from sunlight.catalog.selectors import power_version_for_use
from sunlight.core import clock
from sunlight.core.errors import (
    DomainError,
    FieldProblem,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.core.text import require_text
from sunlight.notifications.applicant_events import ApplicantEvent
from sunlight.org.models import Department
from sunlight.org.permissions import require_org_admin

MAX_LIMIT_DAYS = 365
INACTIVE = "该联办事项已停用，不能登记新的联办申请；已受理的联办件继续办理"


# ---------------------------------------------------------------- configuration
#
# Configuring a joint item is a platform admin's act (within the lead department's region),
# not the lead department's: the item commits other departments' powers to one window and one
# overall deadline, which no single department may decide for the others.


def _joint_problems(*, name: str, powers: list[PowerItem], limit_days: int) -> list[FieldProblem]:
    """Every problem of a joint item's content (none when it may be saved or used)."""
    problems = []
    if not (name or "").strip():
        problems.append(FieldProblem("联办事项名称", "不能为空"))
    elif len(name.strip()) > 200:
        problems.append(FieldProblem("联办事项名称", "不能超过200字"))
    if len({p.pk for p in powers}) < 2:
        problems.append(FieldProblem("权力事项", "联办事项至少包含两项权力事项"))
    not_in_use = sorted({p.code for p in powers if p.status != ItemStatus.PUBLISHED})
    if not_in_use:
        problems.append(FieldProblem("权力事项", f"以下事项不在用：{'、'.join(not_in_use)}"))
    if limit_days is None or not 0 < limit_days <= MAX_LIMIT_DAYS:
        problems.append(FieldProblem("总体承诺时限", f"应为1-{MAX_LIMIT_DAYS}个工作日"))
    return problems


def joint_item_revision(joint: JointItem) -> str:
    """A fingerprint of the item's configuration as shown: the edit form carries it back so a
    save based on a stale page is refused instead of silently undoing another admin's change."""
    power_ids = sorted(joint.powers.values_list("pk", flat=True))
    # Not `active`: switching it on or off does not conflict with editing the content.
    text = f"{joint.name}|{joint.lead_department_id}|{joint.limit_days}|{power_ids}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def joint_item_create(
    *,
    actor: Any,
    name: str,
    lead_department: Department,
    powers: list[PowerItem],
    limit_days: int,
) -> JointItem:
    """Configure a joint item (platform admins)."""
    require_org_admin(actor, region_code=lead_department.region_id)
    problems = _joint_problems(name=name, powers=powers, limit_days=limit_days)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        joint = JointItem.objects.create(
            name=name.strip(), lead_department=lead_department, limit_days=limit_days
        )
        joint.powers.set(powers)
        audit_record(
            actor=actor,
            action="cases.joint_item.created",
            object_type="cases.jointitem",
            object_id=joint.pk,
            data={"name": joint.name, "powers": [p.code for p in powers], "limit": limit_days},
        )
    return joint


def joint_item_update(
    *,
    actor: Any,
    joint: JointItem,
    name: str,
    lead_department: Department,
    powers: list[PowerItem],
    limit_days: int,
    revision: str | None = None,
) -> JointItem:
    """Change a joint item's name, lead department, powers or overall limit (platform admins
    of both the old and the new lead department's region). Cases already registered keep
    their parts and deadline. `revision` (joint_item_revision of the page shown) refuses a
    save over someone else's change; saving what is already stored changes nothing."""
    require_org_admin(actor, region_code=joint.lead_department.region_id)
    require_org_admin(actor, region_code=lead_department.region_id)
    problems = _joint_problems(name=name, powers=powers, limit_days=limit_days)
    if problems:
        raise ValidationFailed(problems)
    wanted = {p.pk for p in powers}
    with transaction.atomic():
        current = JointItem.objects.select_for_update().filter(pk=joint.pk).first()
        if current is None:
            raise NotFound("联办事项不存在")
        before_powers = set(current.powers.values_list("pk", flat=True))
        unchanged = (
            current.name == name.strip()
            and current.lead_department_id == lead_department.pk
            and current.limit_days == limit_days
            and before_powers == wanted
        )
        if unchanged:  # a second click of the same save, or nothing edited
            return current
        if revision is not None and revision != joint_item_revision(current):
            raise InvalidTransition("该联办事项已被他人修改，请刷新页面后重新修改")
        before = {
            "name": current.name,
            "lead_department": current.lead_department_id,
            "limit": current.limit_days,
            "powers": sorted(
                PowerItem.objects.filter(pk__in=before_powers).values_list("code", flat=True)
            ),
        }
        JointItem.objects.filter(pk=current.pk).update(
            name=name.strip(), lead_department=lead_department, limit_days=limit_days
        )
        current.powers.set(powers)
        current.refresh_from_db()
        audit_record(
            actor=actor,
            action="cases.joint_item.updated",
            object_type="cases.jointitem",
            object_id=current.pk,
            data={
                "before": before,
                "after": {
                    "name": current.name,
                    "lead_department": lead_department.pk,
                    "limit": limit_days,
                    "powers": sorted(p.code for p in powers),
                },
            },
        )
    return current


def joint_item_deactivate(*, actor: Any, joint: JointItem, reason: str) -> JointItem:
    """停用: the item accepts no new joint application; joint cases already registered go on.
    Compare-and-swap on `active`, so a second click is told it is already done."""
    return _joint_item_set_active(actor=actor, joint=joint, active=False, reason=reason)


def joint_item_reactivate(*, actor: Any, joint: JointItem, reason: str) -> JointItem:
    """启用 again; refused while any of its powers is not in use (it could not register)."""
    return _joint_item_set_active(actor=actor, joint=joint, active=True, reason=reason)


def _joint_item_set_active(*, actor: Any, joint: JointItem, active: bool, reason: str) -> JointItem:
    require_org_admin(actor, region_code=joint.lead_department.region_id)
    verb = "启用" if active else "停用"
    problems = []
    if not (reason or "").strip():
        problems.append(FieldProblem("原因", f"请填写{verb}原因"))
    elif len(reason.strip()) > 500:
        problems.append(FieldProblem("原因", "原因不能超过500字"))
    if active:
        powers = list(joint.powers.all())
        problems += _joint_problems(name=joint.name, powers=powers, limit_days=joint.limit_days)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        moved = JointItem.objects.filter(pk=joint.pk, active=not active).update(active=active)
        if not moved:
            raise InvalidTransition(f"该联办事项已{verb}，无需重复操作")
        joint.active = active
        audit_record(
            actor=actor,
            action="cases.joint_item.reactivated" if active else "cases.joint_item.deactivated",
            object_type="cases.jointitem",
            object_id=joint.pk,
            data={"name": joint.name, "reason": reason.strip()},
        )
    return joint


def joint_item_get_for_admin(*, actor: Any, joint_id: int) -> JointItem:
    """A joint item an admin may configure; NotFound outside their region."""
    joint = JointItem.objects.filter(pk=joint_id).select_related("lead_department").first()
    if joint is None:
        raise NotFound("联办事项不存在")
    try:
        require_org_admin(actor, region_code=joint.lead_department.region_id)
    except PermissionDenied:
        raise NotFound("联办事项不存在") from None
    return joint


# ---------------------------------------------------------------- registration


def joint_case_register(
    *,
    actor: Any,
    joint: JointItem,
    request: CaseRequest,
    materials_by_power: Mapping[str, list[MaterialReceipt]] | None = None,
) -> Case:
    """Register a joint application: at the lead department's window (`request.channel` 窗口,
    registered and accepted at once, every part starting in its own department) or online
    (网上, actor None: the parent and its parts wait for the lead window's acceptance, see
    `joint_case_accept`). All or nothing: if any part can't be registered (power not in use
    or not open online, no flow, materials missing at the window), nothing is written.

    `materials_by_power` (power code → receipts) keeps each part's materials apart, since
    different powers often list materials of the same name; without it `request.materials`
    applies to every part. `request.fields` is the one application's data (一表申请): every
    part gets it, so each part's exclusive gateways decide on it."""
    online = request.channel == Channel.ONLINE
    if not online:
        require_window(actor, joint.lead_department)
    if not joint.active:
        raise DomainError(INACTIVE)
    problems = applicant_problems(request.applicant)
    if online:
        problems += contact_problems(request.applicant)
    versions = []
    for power in joint.powers.order_by("code"):
        try:
            version = power_version_for_use(code=power.code)
            flow_for_case(version)
        except DomainError as exc:
            problems.append(FieldProblem("联办事项", exc.message))
            continue
        if online and not ONLINE_FORMS & set(version.handling_form_codes):
            problems.append(
                FieldProblem("联办事项", f"“{version.full_name}”不支持网上申请，请到窗口办理")
            )
        if materials_by_power is not None:
            receipts = materials_by_power.get(version.item.code, [])
            problems += material_problems(version, receipts, prefix=f"{version.full_name}：")
        versions.append(version)
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    lead = joint.lead_department
    with transaction.atomic():
        # Row lock: a 停用 committed since the check above wins, and no case is written.
        locked = JointItem.objects.select_for_update().filter(pk=joint.pk, active=True).first()
        if locked is None:
            raise DomainError(INACTIVE)
        deadline = None
        if not online:  # online, the clock starts when the lead window accepts
            deadline = add_limit(
                calendar(),
                start=local_date(now),
                limit=locked.limit_days,
                unit=LimitUnit.WORKING_DAY,
            )
        parent = Case.objects.create(
            number=next_case_number(lead, now),
            query_code=new_query_code(),
            power_item=versions[0].item,
            power_version=versions[0],
            flow=None,
            department=lead,
            region_code=lead.region_id,
            case_type=CaseType.JOINT,
            channel=request.channel,
            title=f"{joint.name}（{request.applicant.name.strip()}）"[:300],
            applicant_kind=request.applicant.kind,
            applicant_name=request.applicant.name.strip(),
            applicant_id_number=request.applicant.id_number.strip().upper(),
            applicant_phone=request.applicant.phone.strip(),
            applicant_address=request.applicant.address.strip(),
            applicant_email=request.applicant.email.strip(),
            agent_name=request.applicant.agent_name.strip(),
            agent_id_number=request.applicant.agent_id_number.strip().upper(),
            agent_phone=request.applicant.agent_phone.strip(),
            fields=dict(request.fields),
            state=CaseState.SUBMITTED if online else CaseState.IN_PROGRESS,
            received_at=now,
            accepted_at=None if online else now,
            entered_at=now,
            promised_deadline=deadline.day if deadline else None,
            statutory_deadline=deadline.day if deadline else None,
            deadline_provisional=deadline.provisional if deadline else False,
            joint_item=joint,
            registered_by=actor if getattr(actor, "pk", None) else None,
        )
        parts = []
        for version in versions:
            part_request = request
            if materials_by_power is not None:
                part_request = replace(
                    request, materials=list(materials_by_power.get(version.item.code, []))
                )
            part = create_case(
                actor=actor, version=version, request=part_request, now=now, joint_parent=parent
            )
            if not online:
                _require_materials(part)
                accept_case(actor=actor, case=part, opinion="并联审批统一受理", now=now)
            parts.append(part)
        audit_record(
            actor=actor,
            action="cases.case.joint_applied_online" if online else "cases.case.joint_registered",
            object_type="cases.case",
            object_id=parent.number,
            data={
                "joint_item": joint.pk,
                "parts": [p.number for p in parts],
                "channel": request.channel,
                "applicant_kind": request.applicant.kind,
                "fields": dict(request.fields),
                "materials": (
                    {code: [asdict(m) for m in ms] for code, ms in materials_by_power.items()}
                    if materials_by_power is not None
                    else [asdict(m) for m in request.materials]
                ),
            },
        )
        notices.case_notice(parent, ApplicantEvent.RECEIVED)
        if not online:
            notices.case_notice(parent, ApplicantEvent.ACCEPTED)
    return parent


def _require_materials(part: Case) -> None:
    missing = missing_materials(part)
    if missing:
        name = part.power_version.full_name
        raise ValidationFailed(
            [FieldProblem("申请材料", f"{name}的必要材料未收齐：{'、'.join(missing)}")]
        )


def waiting_parts(parent: Case) -> list[Case]:
    """The parts of a joint application waiting for acceptance (checks it is one)."""
    if parent.joint_item_id is None or parent.flow_id is not None:
        raise InvalidTransition("该办件不是联办件")
    if parent.state != CaseState.SUBMITTED:
        raise InvalidTransition(
            f"联办件当前为“{parent.get_state_display()}”，该操作已被他人处理或不适用"
        )
    return list(parent.joint_parts.select_related("power_version").order_by("number"))


def joint_case_accept(*, actor: Any, parent: Case, opinion: str = "") -> Case:
    """受理 an online joint application at the lead department's window: every part is accepted
    at once and the overall deadline starts (as at the window). Refused while any part's
    mandatory materials are neither received nor promised (容缺)."""
    require_window(actor, parent.department)
    parts = waiting_parts(parent)
    for part in parts:
        _require_materials(part)
    now = clock.now()
    with transaction.atomic():
        joint = JointItem.objects.get(pk=parent.joint_item_id)
        deadline = add_limit(
            calendar(), start=local_date(now), limit=joint.limit_days, unit=LimitUnit.WORKING_DAY
        )
        changes = {
            "state": CaseState.IN_PROGRESS,
            "accepted_at": now,
            "promised_deadline": deadline.day,
            "statutory_deadline": deadline.day,
            "deadline_provisional": deadline.provisional,
        }
        moved = Case.objects.filter(pk=parent.pk, state=CaseState.SUBMITTED).update(
            revision=F("revision") + 1, **changes
        )
        if not moved:
            raise InvalidTransition("该联办件已被他人处理")
        for name, value in changes.items():
            setattr(parent, name, value)
        for part in parts:
            accept_case(actor=actor, case=part, opinion=opinion or "并联审批统一受理", now=now)
        audit_record(
            actor=actor,
            action="cases.case.joint_accepted",
            object_type="cases.case",
            object_id=parent.number,
            data={"parts": [p.number for p in parts], "opinion": opinion},
        )
        notices.case_notice(parent, ApplicantEvent.ACCEPTED)
    return parent


def joint_case_refuse(*, actor: Any, parent: Case, reason: str) -> Case:
    """不予受理 of an online joint application as a whole (lead window), with the reason the
    applicant is told; every part ends with it."""
    require_window(actor, parent.department)
    reason = require_text(reason, "不予受理理由", "必须写明不予受理的理由和依据")
    parts = waiting_parts(parent)
    now = clock.now()
    with transaction.atomic():
        changes = {
            "state": CaseState.NOT_ACCEPTED,
            "concluded_at": now,
            "not_accepted_reason": reason,
        }
        moved = Case.objects.filter(pk=parent.pk, state=CaseState.SUBMITTED).update(
            revision=F("revision") + 1, **changes
        )
        if not moved:
            raise InvalidTransition("该联办件已被他人处理")
        for name, value in changes.items():
            setattr(parent, name, value)
        for part in parts:
            refuse_case(actor=actor, case=part, reason=reason, now=now)
        audit_record(
            actor=actor,
            action="cases.case.joint_not_accepted",
            object_type="cases.case",
            object_id=parent.number,
            data={"parts": [p.number for p in parts], "reason": reason},
        )
        notices.case_notice(parent, ApplicantEvent.NOT_ACCEPTED)
    return parent


def joint_settle(*, parent_id: int, now: Any) -> bool:
    """Conclude the parent once every part has ended (caller holds the transaction); True if
    this call concluded it — the applicant is then told of the whole, once (the notice's key
    makes a retried write add nothing), and the caller tells nothing of the last part."""
    parent = Case.objects.select_for_update().get(pk=parent_id)
    if parent.state != CaseState.IN_PROGRESS:
        return False
    parts = list(parent.joint_parts.select_related("department", "power_version"))
    if any(p.state not in (CaseState.CONCLUDED, CaseState.NOT_ACCEPTED) for p in parts):
        return False
    refused = [
        p for p in parts if p.state == CaseState.NOT_ACCEPTED or p.decision == Decision.REFUSED
    ]
    if refused:
        lines = [
            f"{p.department.name}“{p.power_version.full_name}”："
            f"{p.not_accepted_reason or p.conclusion_opinion or '不予许可'}"
            for p in refused
        ]
        decision, opinion = Decision.REFUSED, "部分事项未获准予。" + "；".join(lines)
    else:
        decision, opinion = Decision.GRANTED, "联办各事项均已准予办结"
    Case.objects.filter(pk=parent.pk).update(
        state=CaseState.CONCLUDED,
        concluded_at=now,
        decision=decision,
        conclusion_opinion=opinion,
        revision=F("revision") + 1,
    )
    parent.refresh_from_db()
    audit_record(
        actor=None,
        action="cases.case.joint_concluded",
        object_type="cases.case",
        object_id=parent.number,
        data={"decision": decision, "opinion": opinion, "parts": [p.number for p in parts]},
    )
    notices.case_notice(parent, ApplicantEvent.CONCLUDED)
    return True
