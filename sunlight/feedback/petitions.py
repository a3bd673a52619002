"""投诉、咨询: a petition from the public (or registered by a 12345 operator for a caller) is
routed to the department concerned and moves 待签收 → 办理中 → 已答复 → 已办结, with 转办 to
another department of the region on the way. Its reply deadline (working days; consultation 5,
complaint 15 by default — settings) runs from the day it was received, and supervision raises
an alert when it passes unanswered. A supervisor turns an upheld complaint into a 督办 order in
one step. Each change is a compare-and-swap on (state, revision) with its audit entry and its
timeline row in the same transaction."""

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from sunlight.audit.services import AuditRecord, audit_record, audit_record_many
from sunlight.cases.models import Case
from sunlight.cases.services import new_query_code
from sunlight.catalog.models import PowerItem
from sunlight.core import clock
from sunlight.core.errors import (
    FieldProblem,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.core.identity import (
    credit_code_problems,
    mask_resident_id,
    normalize_credit_code,
    normalize_resident_id,
    resident_id_problems,
)
from sunlight.core.phones import mobile_number
from sunlight.core.text import has_visible
from sunlight.feedback.choices import (
    AWAITING_REPLY,
    PetitionAbout,
    PetitionAction,
    PetitionChannel,
    PetitionKind,
    PetitionState,
)
from sunlight.feedback.models import TEXT_MAX, Petition, PetitionEvent
from sunlight.feedback.permissions import is_hotline, may_handle, may_supervise
from sunlight.feedback.public_sms import sms_to_public
from sunlight.feedback.ratings import workdays_after
from sunlight.feedback.text import clean, text_problem
from sunlight.notifications.choices import Category
from sunlight.notifications.selectors import recipients_for_department
from sunlight.notifications.services import Notice, notify_many
from sunlight.org.models import Department
from sunlight.org.permissions import departments_visible_to, region_prefix

ALREADY_HANDLED = "该件已被他人处理，请刷新页面查看最新状态"
TITLE_MAX = 100
OBJECT_TYPE = "feedback.petition"
PREFIX = {PetitionKind.CONSULTATION: "ZX", PetitionKind.COMPLAINT: "TS"}


def reply_workdays(kind: str) -> int:
    if kind == PetitionKind.COMPLAINT:
        return int(settings.SUNLIGHT_COMPLAINT_REPLY_WORKDAYS)
    return int(settings.SUNLIGHT_CONSULTATION_REPLY_WORKDAYS)


@dataclass
class PetitionInput:
    """What the form (public or hotline) collects. The case a petition is about is named by
    its number and query code online; the hotline desk passes the case it has verified."""

    kind: str
    about: str
    title: str
    content: str
    name: str = ""
    id_number: str = ""
    phone: str = ""
    department_id: int | None = None
    power_code: str = ""
    case_number: str = ""
    case_query_code: str = ""
    publish_consent: bool = False


def _identity_problem(value: str) -> tuple[str, str | None]:
    """A resident ID or a credit code, normalised, and why it is refused if it is."""
    text = re.sub(r"\s", "", value or "").upper()
    if not text:
        return "", None
    if not resident_id_problems(normalize_resident_id(text)):
        return normalize_resident_id(text), None
    if not credit_code_problems(normalize_credit_code(text)):
        return normalize_credit_code(text), None
    return text[:18], "请填写有效的身份证号码或统一社会信用代码"


def _target(
    data: PetitionInput, case: Case | None, problems: list[FieldProblem]
) -> tuple[Department | None, PowerItem | None, Case | None]:
    """The department a petition goes to, from what it is about."""
    if data.about == PetitionAbout.CASE:
        if case is None:
            number, code = data.case_number.strip(), data.case_query_code.strip().upper()
            case = (
                Case.objects.select_related("department").filter(number=number).first()
                if number and code
                else None
            )
            if case is None or not secrets.compare_digest(case.query_code, code):
                problems.append(FieldProblem("办件", "办件编号或查询码不正确"))
                return None, None, None
        return case.department, case.power_item, case
    if data.about == PetitionAbout.POWER:
        item = (
            PowerItem.objects.select_related("department")
            .filter(code=data.power_code.strip(), status="published")
            .first()
        )
        if item is None:
            problems.append(FieldProblem("权力事项", "请从清单中选择在用的权力事项"))
            return None, None, None
        return item.department, item, None
    if data.about == PetitionAbout.DEPARTMENT:
        department = Department.objects.filter(pk=data.department_id or 0).first()
        if department is None:
            problems.append(FieldProblem("部门", "请选择部门"))
        return department, None, None
    problems.append(FieldProblem("涉及对象", "请选择权力事项、办件或部门"))
    return None, None, None


def petition_problems(
    data: PetitionInput, *, channel: str, case: Case | None
) -> tuple[dict[str, Any], list[FieldProblem]]:
    problems: list[FieldProblem] = []
    if data.kind not in PetitionKind.values:
        problems.append(FieldProblem("类型", "请选择咨询或投诉"))
    complaint = data.kind == PetitionKind.COMPLAINT
    department, power_item, case = _target(data, case, problems)
    name = clean(data.name)
    if complaint and not name:
        problems.append(FieldProblem("姓名", "投诉须实名，请填写姓名"))
    elif len(name) > 60:
        problems.append(FieldProblem("姓名", "不能超过60字"))
    id_number, id_problem = _identity_problem(data.id_number)
    if complaint and not id_number:
        problems.append(FieldProblem("证件号码", "投诉须实名，请填写身份证号码或统一社会信用代码"))
    elif id_problem:
        problems.append(FieldProblem("证件号码", id_problem))
    phone = mobile_number(data.phone)
    if not phone and has_visible(data.phone):
        problems.append(FieldProblem("手机号码", "请填写11位手机号码"))
    elif complaint and not phone:
        problems.append(FieldProblem("手机号码", "投诉须实名，请填写手机号码并完成短信验证"))
    title, content = clean(data.title), clean(data.content)
    for label, text, maximum in (("标题", title, TITLE_MAX), ("内容", content, TEXT_MAX)):
        problem = text_problem(text, maximum=maximum, required=True)
        if problem:
            problems.append(FieldProblem(label, problem))
    clean_data = {
        "department": department, "power_item": power_item, "case": case, "name": name,
        "id_number": id_number, "phone": phone, "title": title, "content": content,
    }  # fmt: skip
    return clean_data, problems


def petition_submit(
    *,
    data: PetitionInput,
    channel: str = PetitionChannel.ONLINE,
    actor: Any = None,
    phone_code: str = "",
    case: Case | None = None,
) -> Petition:
    """File a consultation or complaint. Online, a complaint needs its phone number proven by
    the one-time SMS code sent to it (`phone_code`; applicants.otp, purpose "complaint") — the
    code is checked, and used up, only once everything else is in order, so a typo elsewhere
    does not cost the petitioner a code. A 12345 operator (`actor`, channel hotline) registers
    for a caller on the phone. Every problem is reported at once; the department is told."""
    if channel == PetitionChannel.HOTLINE and not is_hotline(actor):
        raise PermissionDenied("只有12345热线话务员可以代为登记")
    if channel not in PetitionChannel.values:
        raise ValidationFailed([FieldProblem("来源渠道", "未知的渠道")])
    values, problems = petition_problems(data, channel=channel, case=case)
    needs_code = data.kind == PetitionKind.COMPLAINT and channel == PetitionChannel.ONLINE
    if needs_code and not phone_code.strip():
        problems.append(FieldProblem("短信验证码", "请先获取并填写发送到该手机号码的短信验证码"))
    if problems:
        raise ValidationFailed(problems)
    if needs_code:
        phone_code_verify(phone=values["phone"], code=phone_code)
    department: Department = values["department"]
    now = clock.now()
    due = workdays_after(clock.today_local(), reply_workdays(data.kind))
    with transaction.atomic():
        petition = _insert_numbered(
            Petition(
                query_code=new_query_code(), kind=data.kind, channel=channel, about=data.about,
                power_item=values["power_item"], case=values["case"], department=department,
                region_code=department.region_id, name=values["name"],
                id_number=values["id_number"], phone=values["phone"], title=values["title"],
                content=values["content"], publish_consent=bool(data.publish_consent),
                received_at=now, due_date=due,
                registered_by=actor if channel == PetitionChannel.HOTLINE else None,
            )
        )  # fmt: skip
        _event(petition, PetitionAction.SUBMITTED, actor, now, note=petition.get_channel_display())
        audit_record(
            actor=actor, action="feedback.petition.submitted", object_type=OBJECT_TYPE,
            object_id=petition.number,
            data={"kind": data.kind, "channel": channel, "about": data.about,
                  "department": department.full_code, "case": petition.case.number
                  if petition.case else None, "title": values["title"],
                  "id_number": mask_resident_id(values["id_number"])
                  if values["id_number"][:1].isdigit() else values["id_number"],
                  "due": due.isoformat()},
        )  # fmt: skip
        _tell_department(petition, f"新{petition.get_kind_display()}待签收：{petition.title}")
    return petition


def phone_code_send(*, phone: str, client: str) -> str:
    """Send a one-time code to the complainant's phone; returns the masked number. Raises
    ValidationFailed for a number that is not a mainland mobile, TooManySends past the limits."""
    from sunlight.applicants.otp import otp_send

    phone = mobile_number(phone)
    if not phone:
        raise ValidationFailed([FieldProblem("手机号码", "请填写11位手机号码")])
    return otp_send(purpose="complaint", subject=phone, phone=phone, client=client).phone_masked


def phone_code_verify(*, phone: str, code: str) -> None:
    """The code sent to `phone` for a complaint, used once (ValidationFailed on 短信验证码)."""
    from sunlight.applicants.otp import otp_verify

    try:
        otp_verify(purpose="complaint", subject=phone, code=code)
    except ValidationFailed as exc:
        raise ValidationFailed(
            [FieldProblem("短信验证码", p.message) for p in exc.problems]
        ) from None


def system_digits() -> int:
    return secrets.randbelow(10**6)


# Where the random part of a number comes from. The demo generator swaps in a seeded source
# for the length of its build (sunlight/demo/feedback.py), so two seeds write the same record.
number_digits: Callable[[], int] = system_digits


def _insert_numbered(petition: Petition) -> Petition:
    """A number no one can guess from another: kind prefix, date, six random digits."""
    day = clock.today_local().strftime("%Y%m%d")
    for _ in range(5):
        petition.number = f"{PREFIX[petition.kind]}{day}{number_digits():06d}"
        try:
            with transaction.atomic():
                petition.save(force_insert=True)
            return petition
        except IntegrityError:
            petition.pk = None
    raise InvalidTransition("编号生成冲突，请重新提交")


def _event(
    petition: Petition,
    action: str,
    actor: Any,
    at: dt.datetime,
    *,
    note: str = "",
    to_department: Department | None = None,
) -> None:
    PetitionEvent.objects.create(
        petition=petition, action=action, at=at, actor=actor if getattr(actor, "pk", None)
        else None, department_id=petition.department_id, to_department=to_department, note=note,
    )  # fmt: skip


def _tell_department(petition: Petition, subject: str) -> None:
    notify_many(
        notices=[
            Notice(
                recipient=user, subject=subject[:200],
                body=f"编号 {petition.number}，请于 {petition.due_date:%Y年%m月%d日} 前答复。",
                link=f"/staff/feedback/petitions/{petition.number}/",
                category=Category.SYSTEM, source_type=OBJECT_TYPE, source_id=petition.number,
            )
            for user in recipients_for_department(
                petition.department_id, roles=("clerk", "approver")
            )
        ]
    )  # fmt: skip


# ---------------------------------------------------------------- handling


def _require_handler(actor: Any, petition: Petition) -> None:
    if not may_handle(actor, petition.department_id):
        raise PermissionDenied("只有承办部门的工作人员可以办理")
    if petition.source_ref:
        raise PermissionDenied(
            f"该件由{petition.source_name}受理办理，其答复由该系统报送，不在本平台办理"
        )


def _move(
    petition: Petition, expected_revision: int, from_states: tuple[str, ...], **changes: Any
) -> None:
    moved = Petition.objects.filter(
        pk=petition.pk, state__in=from_states, revision=expected_revision
    ).update(revision=expected_revision + 1, **changes)
    if not moved:
        raise InvalidTransition(ALREADY_HANDLED)
    petition.refresh_from_db()


def _audit(actor: Any, action: str, petition: Petition, data: dict[str, Any]) -> None:
    audit_record(actor=actor, action=action, object_type=OBJECT_TYPE, object_id=petition.number,
                 data=data)  # fmt: skip


def petition_sign(*, actor: Any, petition: Petition, expected_revision: int) -> Petition:
    """签收: the department takes the petition on."""
    _require_handler(actor, petition)
    now = clock.now()
    with transaction.atomic():
        _move(petition, expected_revision, (PetitionState.SUBMITTED,),
              state=PetitionState.HANDLING, signed_at=now)  # fmt: skip
        _event(petition, PetitionAction.SIGNED, actor, now)
        _audit(actor, "feedback.petition.signed", petition, {})
    return petition


def petition_note(*, actor: Any, petition: Petition, note: str, expected_revision: int) -> Petition:
    """办理意见: a note on the handling, kept on the timeline (not shown to the public)."""
    _require_handler(actor, petition)
    text = clean(note)
    problem = text_problem(text, maximum=TEXT_MAX, required=True)
    if problem:
        raise ValidationFailed([FieldProblem("办理意见", problem)])
    now = clock.now()
    with transaction.atomic():
        _move(petition, expected_revision, (PetitionState.HANDLING,))
        _event(petition, PetitionAction.NOTE, actor, now, note=text)
        _audit(actor, "feedback.petition.noted", petition, {"note": text})
    return petition


def petition_transfer(
    *, actor: Any, petition: Petition, to_department_id: int | None, note: str,
    expected_revision: int,
) -> Petition:  # fmt: skip
    """转办: to another department of the same region, which signs it anew; the reply deadline
    stays where it was (the clock runs from receipt)."""
    _require_handler(actor, petition)
    text = clean(note)
    problems = []
    target = (
        Department.objects.filter(
            pk=to_department_id or 0, region__code__startswith=region_prefix(petition.region_code)
        ).first()
        if to_department_id
        else None
    )
    if target is None:
        problems.append(FieldProblem("转至部门", "请选择本辖区内的部门"))
    elif target.pk == petition.department_id:
        problems.append(FieldProblem("转至部门", "不能转给本部门"))
    problem = text_problem(text, maximum=TEXT_MAX, required=True)
    if problem:
        problems.append(FieldProblem("转办理由", problem))
    if problems:
        raise ValidationFailed(problems)
    assert target is not None
    now = clock.now()
    with transaction.atomic():
        _event(petition, PetitionAction.TRANSFERRED, actor, now, note=text, to_department=target)
        _move(petition, expected_revision, AWAITING_REPLY, state=PetitionState.SUBMITTED,
              department=target, region_code=target.region_id, signed_at=None)  # fmt: skip
        _audit(actor, "feedback.petition.transferred", petition,
               {"to": target.full_code, "to_name": target.name, "reason": text})  # fmt: skip
        _tell_department(petition, f"转办来的{petition.get_kind_display()}待签收：{petition.title}")
    return petition


def petition_reply(
    *, actor: Any, petition: Petition, reply: str, upheld: bool | None, expected_revision: int
) -> Petition:
    """答复: the answer the petitioner reads by lookup and is told of by SMS. A complaint's
    reply says whether it was found true (属实)."""
    _require_handler(actor, petition)
    text = clean(reply)
    problems = []
    problem = text_problem(text, maximum=TEXT_MAX, required=True)
    if problem:
        problems.append(FieldProblem("答复内容", problem))
    if petition.kind == PetitionKind.COMPLAINT and upheld is None:
        problems.append(FieldProblem("投诉是否属实", "请选择属实或不属实"))
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    with transaction.atomic():
        _move(petition, expected_revision, (PetitionState.HANDLING,), state=PetitionState.REPLIED,
              reply=text, replied_at=now,
              upheld=upheld if petition.kind == PetitionKind.COMPLAINT else None)  # fmt: skip
        _event(petition, PetitionAction.REPLIED, actor, now, note=text)
        _audit(actor, "feedback.petition.replied", petition, {"reply": text, "upheld": upheld})
        if petition.phone:
            sms_to_public(
                phone=petition.phone,
                text=f"【阳光政务】您的{petition.get_kind_display()}（编号{petition.number}）"
                f"已由{petition.department.name}答复，请凭编号和查询码在阳光政务网站"
                f"“投诉咨询查询”（{settings.SUNLIGHT_SITE_URL}/feedback/lookup/）查看。",
                key=f"feedback.petition.replied:{petition.number}",
                region_code=petition.region_code,
                source_type=OBJECT_TYPE,
                source_id=petition.number,
            )
    return petition


def petition_close(*, actor: Any, petition: Petition, expected_revision: int) -> Petition:
    """办结: the department closes a replied petition."""
    _require_handler(actor, petition)
    now = clock.now()
    with transaction.atomic():
        _move(petition, expected_revision, (PetitionState.REPLIED,), state=PetitionState.CLOSED,
              closed_at=now)  # fmt: skip
        _event(petition, PetitionAction.CLOSED, actor, now)
        _audit(actor, "feedback.petition.closed", petition, {})
    return petition


def petition_order(
    *, actor: Any, petition: Petition, suggestion: str, reply_due: dt.date | None,
    urgent: bool = False,
) -> Petition:  # fmt: skip
    """From an upheld complaint, a 督办 order to its department in one step (the order service
    checks the supervisor's region and the fields); the complaint keeps the order's number."""
    from sunlight.supervision.orders import order_issue

    if not may_supervise(actor):
        raise PermissionDenied("只有纪检监察人员可以发出督办单")
    if not departments_visible_to(actor).filter(pk=petition.department_id).exists():
        raise NotFound("投诉不存在或无权查看")
    if petition.kind != PetitionKind.COMPLAINT or petition.upheld is not True:
        raise InvalidTransition("只有经答复属实的投诉可以转为督办")
    if petition.order_id is not None:
        raise InvalidTransition(f"该投诉已发出督办单 {petition.order.number}")
    with transaction.atomic():
        order = order_issue(
            actor=actor, department=petition.department,
            subject=f"投诉 {petition.number}：{petition.title}"[:200],
            suggestion=suggestion, reply_due=reply_due, case=petition.case, urgent=urgent,
        )  # fmt: skip
        moved = Petition.objects.filter(pk=petition.pk, order__isnull=True).update(
            order=order, revision=petition.revision + 1
        )
        if not moved:
            raise InvalidTransition(ALREADY_HANDLED)
        petition.refresh_from_db()
        _event(petition, PetitionAction.ORDERED, actor, clock.now(), note=order.number)
        _audit(actor, "feedback.petition.ordered", petition, {"order": order.number})
    return petition


# ---------------------------------------------------------------- pushed by a department's system


@dataclass
class PushedPetition:
    """A consultation or complaint a department's own system received and pushed (exchange
    table 投诉表), as of one data version. `ref` names the record once ("system:record")."""

    ref: str
    source_name: str
    kind: str
    received_by: str  # how the source received it: 电话、网站、信函…
    department: Department
    case: Case | None
    name: str
    phone: str
    content: str
    received_at: dt.datetime
    reply: str = ""
    replied_at: dt.datetime | None = None
    upheld: bool | None = None
    version: int = 1


_ANY_STATE = tuple(PetitionState.values)


def petitions_record_pushed(*, items: list[PushedPetition]) -> list[Petition]:
    """Write or carry on petitions pushed by departments' own systems, in the caller's
    transaction: a record seen the first time becomes a petition routed to its department
    (its reply deadline counted from the day the system received it, so supervision's
    petition-overdue rule and the public figures apply as to any other); a later version
    appends what changed to the timeline — 转办 to another department, the reply (or its
    correction) — and never rewrites an earlier row. The source answers it: staff do not
    handle it on the platform. Problems (`row` = position in `items`) are raised together."""
    refs = [item.ref for item in items]
    known = {p.source_ref: p for p in Petition.objects.filter(source_ref__in=refs)}
    problems = []
    for row, item in enumerate(items):
        problems += _pushed_problems(row, item, known.get(item.ref))
    if problems:
        raise ValidationFailed(problems)
    written, records = [], []
    with transaction.atomic():
        for item in items:
            petition = known.get(item.ref)
            if petition is None:
                petition, data = _pushed_create(item), {"new": True}
            else:
                data = _pushed_update(petition, item)
            if data:
                records.append(_pushed_audit(petition, item, data))
            written.append(petition)
        audit_record_many(records=records)
    return written


def _pushed_problems(row: int, item: PushedPetition, petition: Petition | None) -> list:
    problems = []
    if item.kind not in PetitionKind.values:
        problems.append(FieldProblem("kind", "未知的诉求类别", row))
    if item.case is not None and item.case.department_id != item.department.pk:
        problems.append(FieldProblem("case_external_id", "该办件不属于承办部门", row))
    if petition is None:
        return problems
    if petition.kind != item.kind:
        problems.append(
            FieldProblem(
                "kind", f"该件已作为{petition.get_kind_display()}登记，诉求类别不能更改", row
            )
        )
    if petition.replied_at is not None and item.replied_at is None:
        problems.append(FieldProblem("replied_at", "该件已答复，更正数据不能撤回答复", row))
    return problems


def _pushed_create(item: PushedPetition) -> Petition:
    department = item.department
    received = item.received_at.astimezone(clock.SHANGHAI).date()
    due = workdays_after(received, reply_workdays(item.kind))
    content = clean(item.content)[:TEXT_MAX]
    petition = _insert_numbered(
        Petition(
            query_code=new_query_code(), kind=item.kind, channel=PetitionChannel.EXCHANGE,
            about=PetitionAbout.CASE if item.case else PetitionAbout.DEPARTMENT,
            power_item_id=item.case.power_item_id if item.case else None, case=item.case,
            department=department, region_code=department.region_id, name=clean(item.name)[:60],
            phone=mobile_number(item.phone) or "", title=_pushed_title(content),
            content=content, received_at=item.received_at, due_date=due,
            state=PetitionState.HANDLING, signed_at=item.received_at,
            source_name=item.source_name[:100], source_ref=item.ref,
        )
    )  # fmt: skip
    note = f"{item.source_name}受理（{item.received_by}）"
    _event(petition, PetitionAction.SUBMITTED, None, item.received_at, note=note)
    _event(petition, PetitionAction.SIGNED, None, item.received_at, note=note)
    if item.replied_at is not None:
        _pushed_reply(petition, item)
    return petition


def _pushed_title(content: str) -> str:
    first = content.splitlines()[0] if content else ""
    return first if len(first) <= 30 else first[:29] + "…"


def _pushed_reply(petition: Petition, item: PushedPetition, *, correction: bool = False) -> None:
    assert item.replied_at is not None
    text = clean(item.reply)[:TEXT_MAX]
    upheld = item.upheld if petition.kind == PetitionKind.COMPLAINT else None
    state = (
        PetitionState.CLOSED if petition.state == PetitionState.CLOSED else PetitionState.REPLIED
    )
    _move(petition, petition.revision, _ANY_STATE, state=state, reply=text,
          replied_at=item.replied_at, upheld=upheld)  # fmt: skip
    note = f"答复更正（数据版本 {item.version}）：{text}" if correction else text
    _event(petition, PetitionAction.REPLIED, None, item.replied_at, note=note)


def _pushed_update(petition: Petition, item: PushedPetition) -> dict[str, Any]:
    """What a later version changes, appended to the timeline; {} when nothing the platform
    shows has changed."""
    changed: dict[str, Any] = {}
    now = clock.now()
    if item.department.pk != petition.department_id:
        _event(petition, PetitionAction.TRANSFERRED, None, now,
               note=f"{item.source_name}转办（数据版本 {item.version}）",
               to_department=item.department)  # fmt: skip
        _move(petition, petition.revision, _ANY_STATE, department=item.department,
              region_code=item.department.region_id)  # fmt: skip
        changed["to"] = item.department.full_code
    content = clean(item.content)[:TEXT_MAX]
    if content != petition.content or clean(item.name)[:60] != petition.name:
        note = (
            f"{item.source_name}更正诉求内容（数据版本 {item.version}），原内容：{petition.content}"
        )
        _event(petition, PetitionAction.NOTE, None, now, note=note)
        _move(petition, petition.revision, _ANY_STATE, content=content,
              title=_pushed_title(content), name=clean(item.name)[:60])  # fmt: skip
        changed["content"] = content
    if item.replied_at is not None:
        upheld = item.upheld if petition.kind == PetitionKind.COMPLAINT else None
        text = clean(item.reply)[:TEXT_MAX]
        if petition.replied_at is None:
            _pushed_reply(petition, item)
            changed |= {"reply": text, "upheld": upheld}
        elif (text, item.replied_at, upheld) != (
            petition.reply,
            petition.replied_at,
            petition.upheld,
        ):
            _pushed_reply(petition, item, correction=True)
            changed |= {"reply_corrected": text, "upheld": upheld}
    return changed


def _pushed_audit(petition: Petition, item: PushedPetition, data: dict[str, Any]) -> AuditRecord:
    action = "feedback.petition.received" if data.pop("new", False) else "feedback.petition.updated"
    return AuditRecord(
        action=action, object_type=OBJECT_TYPE, object_id=petition.number,
        data=data | {"source": item.source_name, "ref": item.ref, "version": item.version,
                     "department": petition.department.full_code, "kind": petition.kind,
                     "state": petition.state, "due": petition.due_date.isoformat()},
    )  # fmt: skip
