"""Writes to supervision orders (督办): issue, reply, accept, return, withdraw.

A supervisor (or admin) of the department's region issues an order on an alert or a case with a
reply deadline; the department's approver replies with an explanation, measures and documents;
the supervisor accepts the reply (marking whether it is truthful and objective) or sends it back.
Each state change is a compare-and-swap on the order's (state, revision) as the caller read it,
so a double click or two supervisors acting at once fail cleanly ("已被他人处理"); each writes its
audit entry and its notifications in the same transaction. The escalation ladder is in
orders_ladder.py."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Length
from django.urls import reverse

from sunlight.audit.services import AuditRecord, audit_record, audit_record_many
from sunlight.cases.models import Case
from sunlight.cases.uploads import (
    StoredFile,
    upload_store_checked,
    uploads_check,
    uploads_discard,
)
from sunlight.core import clock
from sunlight.core.errors import (
    FieldProblem,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.core.text import clean_line, clean_text
from sunlight.notifications.choices import Category
from sunlight.notifications.choices import Level as NoticeLevel
from sunlight.notifications.selectors import recipients_for_department
from sunlight.notifications.services import Notice, notify_many
from sunlight.org.choices import Role
from sunlight.org.models import Department, User
from sunlight.org.permissions import departments_visible_to
from sunlight.supervision.choices import AlertState, OrderColour, OrderState
from sunlight.supervision.models import (
    Alert,
    OrderAttachment,
    OrderEscalation,
    OrderReply,
    OrderReview,
    SupervisionOrder,
)
from sunlight.supervision.orders_selectors import (
    AWAITING_REPLY,
    OBJECT_TYPE,
    may_supervise,
    order_scope_q,
)

ALREADY_HANDLED = "该督办单已被他人处理，请刷新页面查看最新状态"
MAX_TEXT = 5000
_NUMBER_ATTEMPTS = 5
NOTICE_LEVEL = {
    OrderColour.BLUE: NoticeLevel.INFO,
    OrderColour.ORANGE: NoticeLevel.WARNING,
    OrderColour.RED: NoticeLevel.URGENT,
}


# ---------------------------------------------------------------- issue


def order_issue(
    *,
    actor: User,
    department: Department,
    subject: str,
    suggestion: str,
    reply_due: dt.date | None,
    alert: Alert | None = None,
    case: Case | None = None,
    urgent: bool = False,
) -> SupervisionOrder:
    """Send `department` a supervision order; urgent ones start at orange, others at blue.

    Only supervisors and admins issue, and only to departments of their region's subtree; the
    alert or case it is about must be that department's. Reports every problem at once."""
    if not may_supervise(actor):
        raise PermissionDenied("只有纪检监察人员可以发出督办单")
    subject, suggestion = clean_line(subject), clean_text(suggestion)
    # The alert's case goes on the order too, when it is the same department's (a joint
    # case's alert may name another department's part).
    if alert is not None and case is None and alert.case_id is not None:
        case = alert.case if alert.case.department_id == department.pk else None
    problems = _issue_problems(actor, department, subject, suggestion, reply_due, alert, case)
    if problems:
        raise ValidationFailed(problems)
    assert reply_due is not None  # checked above
    now = clock.now()
    colour = OrderColour.ORANGE if urgent else OrderColour.BLUE
    with transaction.atomic():
        order = _insert_numbered(
            SupervisionOrder(
                alert=alert,
                case=case,
                department=department,
                region_code=department.region_id,
                issued_by=actor,
                issued_at=now,
                subject=subject,
                suggestion=suggestion,
                urgent=urgent,
                colour=colour,
                reply_due=reply_due,
                state=OrderState.ISSUED,
            )
        )
        _audit(actor, "supervision.order.issued", order, {
            "department": department.full_code, "department_name": department.name,
            "subject": subject, "suggestion": suggestion, "reply_due": reply_due.isoformat(),
            "colour": colour, "urgent": urgent, "alert": alert.pk if alert else None,
            "case": case.number if case else None,
        })  # fmt: skip
        _notify(
            recipients_for_department(department),
            order,
            f"收到{order.get_colour_display()}单 {order.number}：{subject}",
            f"请于 {reply_due:%Y年%m月%d日} 前回复。督办意见：{suggestion}",
        )
    return order


def _issue_problems(
    actor: User,
    department: Department,
    subject: str,
    suggestion: str,
    reply_due: dt.date | None,
    alert: Alert | None,
    case: Case | None,
) -> list[FieldProblem]:
    problems = []
    if not departments_visible_to(actor).filter(pk=department.pk).exists():
        problems.append(FieldProblem("被督办部门", "不在您的监察范围内"))
    if not subject:
        problems.append(FieldProblem("督办事由", "不能为空"))
    elif len(subject) > 200:
        problems.append(FieldProblem("督办事由", "不能超过200字"))
    if not suggestion:
        problems.append(FieldProblem("督办意见", "不能为空，请写明要求部门说明和整改的内容"))
    elif len(suggestion) > MAX_TEXT:
        problems.append(FieldProblem("督办意见", f"不能超过{MAX_TEXT}字"))
    problems += _due_problems(reply_due, required=True)
    if alert is not None:
        if alert.department_id != department.pk:
            problems.append(FieldProblem("预警", "该预警不属于被督办部门"))
        if alert.state == AlertState.CANCELLED:
            problems.append(FieldProblem("预警", "该预警已撤销（误报），不能据此督办"))
    if case is not None and case.department_id != department.pk:
        problems.append(FieldProblem("办件", "该办件不属于被督办部门"))
    return problems


def _due_problems(reply_due: dt.date | None, *, required: bool) -> list[FieldProblem]:
    if reply_due is None:
        return [FieldProblem("回复期限", "请填写回复期限")] if required else []
    if reply_due <= clock.today_local():
        return [FieldProblem("回复期限", "必须晚于今天")]
    if reply_due > clock.today_local() + dt.timedelta(days=366):
        return [FieldProblem("回复期限", "不能超过一年")]
    return []


def _insert_numbered(order: SupervisionOrder) -> SupervisionOrder:
    """Insert with the next number of the region and year ("DB" + region + year + 4 digits).

    Computed inside the caller's transaction; two issuers racing (PostgreSQL) collide on the
    unique number and the loser retries from a savepoint with the next one. SQLite runs writers
    one at a time (BEGIN IMMEDIATE), so there it never collides."""
    prefix = f"DB{order.region_code}{clock.today_local():%Y}"
    for attempt in range(_NUMBER_ATTEMPTS):
        last = (
            SupervisionOrder.objects.filter(number__startswith=prefix)
            .order_by(Length("number").desc(), "-number")
            .values_list("number", flat=True)
            .first()
        )
        sequence = int(last[len(prefix) :]) + 1 if last else 1
        order.number = f"{prefix}{sequence:04d}"
        try:
            with transaction.atomic():
                order.save(force_insert=True)
        except IntegrityError:
            order.pk = None
            if attempt == _NUMBER_ATTEMPTS - 1:
                raise
            continue
        return order
    raise AssertionError("unreachable")


# ---------------------------------------------------------------- reply


def order_reply(
    *,
    actor: User,
    order: SupervisionOrder,
    explanation: str,
    measures: str = "",
    files: Sequence[Any] = (),
) -> OrderReply:
    """The department's approver answers the order: explanation, measures and documents.

    The files are one submission, checked as an online application's are (cases/uploads.py:
    count and total size, each file's size, its content parsed as its type) before any is
    stored; a refused file refuses the reply and stores nothing, and a reply that cannot be
    written after storing removes what it stored — all or nothing."""
    _require_visible(actor, order)
    if actor.role != Role.APPROVER or actor.department_id != order.department_id:
        raise PermissionDenied("只有被督办部门的负责人可以回复督办单")
    _require_state(order, AWAITING_REPLY, "回复")
    # Invisible characters (U+FEFF, zero-width spaces) are not an explanation.
    explanation, measures = clean_text(explanation), clean_text(measures)
    problems = []
    if not explanation:
        problems.append(FieldProblem("情况说明", "不能为空"))
    elif len(explanation) > MAX_TEXT:
        problems.append(FieldProblem("情况说明", f"不能超过{MAX_TEXT}字"))
    if len(measures) > MAX_TEXT:
        problems.append(FieldProblem("整改措施", f"不能超过{MAX_TEXT}字"))
    checked = []
    try:
        checked = uploads_check(list(files))
    except ValidationFailed as exc:
        problems += [FieldProblem("附件", p.message) for p in exc.problems]
    if problems:
        raise ValidationFailed(problems)
    stored = [upload_store_checked(item) for item in checked]
    try:
        return _reply_write(actor, order, explanation, measures, stored)
    except BaseException:
        uploads_discard(stored)
        raise


def _reply_write(
    actor: User, order: SupervisionOrder, explanation: str, measures: str, stored: list[StoredFile]
) -> OrderReply:
    now = clock.now()
    with transaction.atomic():
        _move(order, OrderState.REPLIED)
        reply = OrderReply.objects.create(
            order=order,
            replied_by=actor,
            replied_at=now,
            explanation=explanation,
            measures=measures,
        )
        OrderAttachment.objects.bulk_create(
            [
                OrderAttachment(
                    reply=reply,
                    file_name=item.original_name,
                    file_path=item.path,
                    content_type=item.content_type,
                    size=item.size,
                    sha256=item.sha256,
                )
                for item in stored
            ]
        )
        _audit(actor, "supervision.order.replied", order, {
            "explanation": explanation, "measures": measures,
            "attachments": [
                {"name": s.original_name, "sha256": s.sha256, "size": s.size} for s in stored
            ],
        })  # fmt: skip
        _notify(
            [order.issued_by],
            order,
            f"督办单 {order.number} 已回复，请审核",
            f"{order.department.name}：{explanation[:200]}",
        )
    return reply


# ---------------------------------------------------------------- review


def order_accept(
    *, actor: User, order: SupervisionOrder, truthful: bool, objective: bool, opinion: str
) -> SupervisionOrder:
    """Accept the latest reply and close the order, recording whether the reply was truthful
    and objective and the supervisor's conclusion."""
    _require_supervisor(actor, order)
    _require_state(order, (OrderState.REPLIED,), "审核")
    opinion = clean_text(opinion)
    problems = _opinion_problems("督办结论", opinion)
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    with transaction.atomic():
        _move(order, OrderState.ACCEPTED, closed_at=now, truthful=truthful,
              objective=objective, conclusion=opinion)  # fmt: skip
        OrderReview.objects.create(
            order=order,
            reply=_latest_reply(order),
            reviewed_by=actor,
            reviewed_at=now,
            accepted=True,
            truthful=truthful,
            objective=objective,
            opinion=opinion,
        )
        _audit(actor, "supervision.order.accepted", order,
               {"truthful": truthful, "objective": objective, "opinion": opinion})  # fmt: skip
        _notify(
            recipients_for_department(order.department_id),
            order,
            f"督办单 {order.number} 已审核通过，督办办结",
            opinion,
        )
    return order


def order_return(
    *,
    actor: User,
    order: SupervisionOrder,
    opinion: str,
    reply_due: dt.date | None = None,
) -> SupervisionOrder:
    """Send the reply back for a new one. The deadline stays unless a new one is given; a
    deadline already past must be replaced."""
    _require_supervisor(actor, order)
    _require_state(order, (OrderState.REPLIED,), "退回")
    opinion = clean_text(opinion)
    problems = _opinion_problems("退回意见", opinion)
    problems += _due_problems(reply_due, required=False)
    if reply_due is None and order.reply_due < clock.today_local():
        problems.append(FieldProblem("回复期限", "原回复期限已过，请给出新的回复期限"))
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    due = reply_due or order.reply_due
    with transaction.atomic():
        _move(order, OrderState.RETURNED, reply_due=due)
        OrderReview.objects.create(
            order=order,
            reply=_latest_reply(order),
            reviewed_by=actor,
            reviewed_at=now,
            accepted=False,
            opinion=opinion,
        )
        _audit(actor, "supervision.order.returned", order,
               {"opinion": opinion, "reply_due": due.isoformat()})  # fmt: skip
        _notify(
            recipients_for_department(order.department_id),
            order,
            f"督办单 {order.number} 的回复被退回，请于 {due:%m月%d日} 前重新回复",
            opinion,
        )
    return order


def order_withdraw(*, actor: User, order: SupervisionOrder, reason: str) -> SupervisionOrder:
    """Withdraw an open order (issued in error, or the matter was settled otherwise)."""
    _require_supervisor(actor, order)
    _require_state(order, (*AWAITING_REPLY, OrderState.REPLIED), "撤回")
    reason = clean_text(reason)
    problems = _opinion_problems("撤回理由", reason)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        _move(order, OrderState.WITHDRAWN, closed_at=clock.now(), conclusion=reason)
        _audit(actor, "supervision.order.withdrawn", order, {"reason": reason})
        _notify(
            recipients_for_department(order.department_id),
            order,
            f"督办单 {order.number} 已撤回",
            reason,
        )
    return order


# ---------------------------------------------------------------- plumbing


def _opinion_problems(label: str, text: str) -> list[FieldProblem]:
    if not text:
        return [FieldProblem(label, "不能为空")]
    if len(text) > MAX_TEXT:
        return [FieldProblem(label, f"不能超过{MAX_TEXT}字")]
    return []


def _require_visible(actor: User, order: SupervisionOrder) -> None:
    if not SupervisionOrder.objects.filter(order_scope_q(actor), pk=order.pk).exists():
        raise NotFound("督办单不存在或无权查看")


def _require_supervisor(actor: User, order: SupervisionOrder) -> None:
    _require_visible(actor, order)
    if not may_supervise(actor):
        raise PermissionDenied("只有纪检监察人员可以审核或撤回督办单")


def _require_state(order: SupervisionOrder, allowed: Iterable[str], doing: str) -> None:
    if order.source_ref:
        raise InvalidTransition(
            f"该督办单由{order.issuer_name}发出、经{order.source_name}报送，"
            f"其{doing}在源系统中办理，不在本平台{doing}"
        )
    if order.state not in allowed:
        raise InvalidTransition(
            f"该督办单已被他人处理（当前为“{order.get_state_display()}”），不能再{doing}，"
            "请刷新页面查看最新状态"
        )


def _move(order: SupervisionOrder, to: str, **changes: Any) -> None:
    """Compare-and-swap on (state, revision) as the caller read them."""
    moved = SupervisionOrder.objects.filter(
        pk=order.pk, state=order.state, revision=order.revision
    ).update(state=to, revision=F("revision") + 1, **changes)
    if not moved:
        raise InvalidTransition(ALREADY_HANDLED)
    order.state = to
    order.revision += 1
    for name, value in changes.items():
        setattr(order, name, value)


def _latest_reply(order: SupervisionOrder) -> OrderReply:
    return OrderReply.objects.filter(order=order).order_by("-replied_at", "-id").first()


def _audit(actor: Any, action: str, order: SupervisionOrder, data: dict[str, Any]) -> None:
    audit_record(
        actor=actor, action=action, object_type=OBJECT_TYPE, object_id=order.number, data=data
    )


def order_link(number: str) -> str:
    return reverse("supervision:order_detail", args=[number])


def _notify(recipients: Iterable[User], order: SupervisionOrder, subject: str, body: str) -> None:
    notices = [
        Notice(
            recipient=user,
            subject=subject[:200],
            body=body,
            link=order_link(order.number),
            category=Category.ORDER,
            level=NOTICE_LEVEL[OrderColour(order.colour)],
            source_type=OBJECT_TYPE,
            source_id=order.number,
        )
        for user in recipients
    ]
    if notices:
        notify_many(notices=notices)


# ---------------------------------------------------------------- pushed by a department's system


@dataclass
class PushedOrder:
    """A 督办 order another body issued to a department, as the department's own system pushed
    it (exchange table 部门督办表) in one data version. `ref` names the record once."""

    ref: str
    source_name: str
    issuer: str
    department: Department
    case: Case | None
    colour: str
    reason: str
    issued_at: dt.datetime
    reply_due: dt.date
    reply: str = ""
    replied_at: dt.datetime | None = None
    version: int = 1


def orders_record_pushed(*, items: list[PushedOrder]) -> list[SupervisionOrder]:
    """Write or carry on pushed orders in the caller's transaction. A new record becomes an
    order awaiting the department's reply (the order-overdue rule judges its deadline; the
    escalation ladder is the issuer's, not ours); a later version appends — a reply row, an
    escalation row for a new level or deadline — and never rewrites the earlier ones.
    Problems (`row` = position in `items`) are raised together."""
    known = {
        o.source_ref: o
        for o in SupervisionOrder.objects.filter(source_ref__in=[i.ref for i in items])
    }
    problems = []
    for row, item in enumerate(items):
        problems += _pushed_problems(row, item, known.get(item.ref))
    if problems:
        raise ValidationFailed(problems)
    orders, records = [], []
    with transaction.atomic():
        for item in items:
            order = known.get(item.ref)
            if order is None:
                order, data = _pushed_create(item), {"new": True}
            else:
                data = _pushed_update(order, item)
            if data:
                action = "supervision.order.received" if data.pop("new", False) else (
                    "supervision.order.updated")  # fmt: skip
                records.append(AuditRecord(
                    action=action, object_type=OBJECT_TYPE, object_id=order.number,
                    data=data | {"source": item.source_name, "ref": item.ref,
                                 "version": item.version, "issuer": item.issuer,
                                 "department": order.department.full_code, "state": order.state,
                                 "colour": order.colour, "reply_due": order.reply_due.isoformat(),
                                 "case": order.case.number if order.case else None},
                ))  # fmt: skip
            orders.append(order)
        audit_record_many(records=records)
    return orders


def _pushed_problems(row: int, item: PushedOrder, order: SupervisionOrder | None) -> list:
    problems = []
    if item.case is not None and item.case.department_id != item.department.pk:
        problems.append(FieldProblem("case_external_id", "该办件不属于被督办部门", row))
    if order is None:
        return problems
    if order.department_id != item.department.pk:
        problems.append(FieldProblem("department_code", "督办单的被督办部门不能更改", row))
    if order.state == OrderState.WITHDRAWN:
        problems.append(FieldProblem("external_id", "该督办单已撤回，不再接收更正", row))
    if item.replied_at is None and order.state not in AWAITING_REPLY:
        problems.append(FieldProblem("replied_at", "该督办单已回复，更正数据不能撤回回复", row))
    return problems


def _pushed_create(item: PushedOrder) -> SupervisionOrder:
    department = item.department
    reason = clean_text(item.reason)[:MAX_TEXT]
    order = _insert_numbered(
        SupervisionOrder(
            case=item.case, department=department, region_code=department.region_id,
            issued_by=None, issuer_name=clean_line(item.issuer)[:100], issued_at=item.issued_at,
            subject=clean_line(reason)[:200], suggestion=reason,
            urgent=item.colour != OrderColour.BLUE, colour=item.colour,
            reply_due=item.reply_due, state=OrderState.ISSUED,
            source_name=item.source_name[:100], source_ref=item.ref,
        )
    )  # fmt: skip
    if item.replied_at is not None:
        _pushed_reply(order, item)
    return order


def _pushed_reply(order: SupervisionOrder, item: PushedOrder) -> None:
    assert item.replied_at is not None
    OrderReply.objects.create(
        order=order, replied_by=None, replied_at=item.replied_at,
        explanation=clean_text(item.reply)[:MAX_TEXT],
    )  # fmt: skip
    if order.state in AWAITING_REPLY:
        moved = SupervisionOrder.objects.filter(
            pk=order.pk, state=order.state, revision=order.revision
        ).update(state=OrderState.REPLIED, revision=F("revision") + 1)
        if not moved:
            raise InvalidTransition(ALREADY_HANDLED)
        order.refresh_from_db()


def _pushed_update(order: SupervisionOrder, item: PushedOrder) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    if (item.colour, item.reply_due) != (order.colour, order.reply_due):
        OrderEscalation.objects.create(
            order=order, escalated_at=clock.now(), from_colour=order.colour,
            to_colour=item.colour, previous_due=order.reply_due, new_due=item.reply_due,
        )  # fmt: skip
        moved = SupervisionOrder.objects.filter(pk=order.pk, revision=order.revision).update(
            colour=item.colour, reply_due=item.reply_due, revision=F("revision") + 1,
            urgent=item.colour != OrderColour.BLUE,
        )  # fmt: skip
        if not moved:
            raise InvalidTransition(ALREADY_HANDLED)
        order.refresh_from_db()
        changed |= {"new_colour": item.colour, "new_due": item.reply_due.isoformat()}
    if item.replied_at is not None:
        last = order.replies.order_by("-replied_at", "-id").first()
        text = clean_text(item.reply)[:MAX_TEXT]
        if last is None or (last.replied_at, last.explanation) != (item.replied_at, text):
            _pushed_reply(order, item)
            changed["reply"] = text
    return changed
