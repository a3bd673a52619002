"""Writes: notices into in-app messages and outbox rows, marking read, a person's channel
choices, and an admin's "retry now".

`notify_many` only writes rows — it never talks to a mail server or SMS gateway — so a
supervision scan or an order service can call it inside its own transaction: a broken mail
server can never block or roll back their work. The delivery job (jobs.py) sends later.
"""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.http import url_has_allowed_host_and_scheme

from sunlight.audit.services import AuditRecord, actor_label, audit_record, audit_record_many
from sunlight.core import clock
from sunlight.core.errors import (
    FieldProblem,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.core.identity import mask_phone
from sunlight.notifications import compose
from sunlight.notifications.choices import Category, Channel, Level, OutboxState
from sunlight.notifications.models import ChannelSetting, Notification, OutboxMessage
from sunlight.notifications.selectors import (
    channel_settings_by_user,
    outbox_scope_q,
    resolve_channel,
)
from sunlight.org.models import User
from sunlight.org.permissions import is_platform_admin

MOBILE = re.compile(r"(\+86)?1[3-9]\d{9}")


@dataclass(frozen=True)
class Notice:
    """Something one person should hear about. `link` is a relative URL on this site."""

    recipient: User
    subject: str
    body: str = ""
    link: str = ""
    category: str = Category.SYSTEM
    level: str = Level.INFO
    source_type: str = ""
    source_id: str | int = ""


def _notice_problems(notices: Sequence[Notice]) -> list[FieldProblem]:
    return [
        FieldProblem(field, message, row=row)
        for row, notice in enumerate(notices, start=1)
        for field, message in _problems_of(notice)
    ]


def _problems_of(notice: Notice) -> list[tuple[str, str]]:
    problems = []
    if getattr(notice.recipient, "pk", None) is None:
        problems.append(("接收人", "必须是已保存的工作人员"))
    if not notice.subject.strip():
        problems.append(("标题", "不能为空"))
    elif len(notice.subject) > 200:
        problems.append(("标题", "不能超过200字"))
    if notice.link and (
        len(notice.link) > 300
        or not notice.link.startswith("/")
        or not url_has_allowed_host_and_scheme(notice.link, allowed_hosts=None)
    ):
        problems.append(("链接", "必须是本站的相对地址（以 / 开头），不超过300字符"))
    if notice.category not in Category.values:
        problems.append(("类别", f"未知的类别 {notice.category}"))
    if notice.level not in Level.values:
        problems.append(("级别", f"未知的级别 {notice.level}"))
    if len(notice.source_type) > 60 or len(str(notice.source_id)) > 60:
        problems.append(("来源", "来源类型和编号各不能超过60字符"))
    return problems


def notify_many(*, notices: Sequence[Notice]) -> int:
    """Write an in-app message per notice and an outbox row per channel its recipient has on,
    in one batch (a fixed number of queries however many notices). Inactive recipients are
    skipped. Returns how many in-app messages were written."""
    problems = _notice_problems(notices)
    if problems:
        raise ValidationFailed(problems=problems)
    active = [notice for notice in notices if notice.recipient.is_active]
    if not active:
        return 0
    now = clock.now()
    with transaction.atomic():
        saved = channel_settings_by_user({notice.recipient.pk for notice in active})
        notifications = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=notice.recipient.pk,
                    category=notice.category,
                    level=notice.level,
                    subject=notice.subject.strip(),
                    body=notice.body,
                    link=notice.link,
                    source_type=notice.source_type,
                    source_id=str(notice.source_id),
                    created_at=now,
                )
                for notice in active
            ]
        )
        outbox = []
        for notice, notification in zip(active, notifications, strict=True):
            user = notice.recipient
            for channel in Channel.values:
                resolved = resolve_channel(user, channel, saved.get((user.pk, channel)))
                if resolved.enabled and resolved.address:
                    outbox.append(_outbox_row(notification, channel, resolved.address, now))
        OutboxMessage.objects.bulk_create(outbox)
    return len(notifications)


def _outbox_row(
    notification: Notification, channel: str, address: str, now: dt.datetime
) -> OutboxMessage:
    subject, body, link = notification.subject, notification.body, notification.link
    if channel == Channel.EMAIL:
        text = compose.email_body(subject=subject, body=body, link=link)
        subject = compose.email_subject(subject)
    else:
        text = compose.sms_text(subject=subject, body=body)
    return OutboxMessage(
        channel=channel,
        recipient_id=notification.recipient_id,
        address=address,
        subject=subject[:200],
        body=text,
        state=OutboxState.PENDING,
        next_attempt_at=now,
        created_at=now,
        notification=notification,
    )


def notify(
    *,
    recipient: User,
    subject: str,
    body: str = "",
    link: str = "",
    category: str = Category.SYSTEM,
    level: str = Level.INFO,
    source_type: str = "",
    source_id: str | int = "",
) -> int:
    """One notice (see notify_many)."""
    notice = Notice(recipient, subject, body, link, category, level, source_type, source_id)
    return notify_many(notices=[notice])


# ---------------------------------------------------------------- reading


def notification_mark_read(*, actor: User, notification_ids: Sequence[int]) -> int:
    """Mark the actor's own messages read (another person's: NotFound). Returns how many were
    unread."""
    ids = set(notification_ids)
    with transaction.atomic():
        owned = Notification.objects.filter(pk__in=ids, recipient=actor)
        if owned.count() != len(ids):
            raise NotFound("消息不存在")
        return owned.filter(read_at__isnull=True).update(read_at=clock.now())


def notification_mark_all_read(*, actor: User) -> int:
    with transaction.atomic():
        return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
            read_at=clock.now()
        )


# ---------------------------------------------------------------- channel settings


@dataclass(frozen=True)
class ChannelChoice:
    """A person's choice for one channel; an empty address means the one on their record."""

    channel: str
    enabled: bool
    address: str = ""


def _address_problem(channel: str, address: str) -> str | None:
    if channel == Channel.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            return "电子邮件地址格式不正确"
        return None
    if not MOBILE.fullmatch(address):
        return "短信只能发往11位手机号码"
    return None


def channel_settings_save(*, actor: User, user: User, choices: Sequence[ChannelChoice]) -> None:
    """Save `user`'s channel choices (only their own). Every problem is reported at once:
    unknown channels, malformed addresses, a channel switched on with nowhere to send."""
    if actor.pk != user.pk:
        raise PermissionDenied("只能修改自己的消息接收设置")
    problems = []
    for choice in choices:
        if choice.channel not in Channel.values:
            problems.append(FieldProblem("渠道", f"未知的渠道 {choice.channel}"))
            continue
        label = Channel(choice.channel).label
        address = choice.address.strip()
        effective = address or resolve_channel(user, choice.channel, None).default_address
        if address and len(address) > 254:
            problems.append(FieldProblem(label, "地址不能超过254字符"))
        elif address and (message := _address_problem(choice.channel, address)):
            problems.append(FieldProblem(label, message))
        elif choice.enabled and not effective:
            problems.append(FieldProblem(label, "已开启，但没有接收地址：请填写"))
        elif choice.enabled and (message := _address_problem(choice.channel, effective)):
            problems.append(FieldProblem(label, f"账号上登记的地址不可用（{message}），请另填"))
    if problems:
        raise ValidationFailed(problems=problems)
    now = clock.now()
    with transaction.atomic():
        for choice in choices:
            ChannelSetting.objects.update_or_create(
                user=user,
                channel=choice.channel,
                defaults={
                    "enabled": choice.enabled,
                    "address": choice.address.strip(),
                    "updated_at": now,
                },
            )
        audit_record(
            actor=actor,
            action="notifications.channel_setting.updated",
            object_type="org.user",
            object_id=user.pk,
            data={
                choice.channel: {
                    "enabled": choice.enabled,
                    "address": _masked(choice.channel, choice.address.strip()),
                }
                for choice in choices
            },
        )


def _masked(channel: str, address: str) -> str:
    """Addresses on the append-only chain are masked: it can never forget them."""
    if not address:
        return ""
    if channel == Channel.SMS:
        return mask_phone(address)
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


# ---------------------------------------------------------------- outbox (admins)


def outbox_retry(*, actor: User, message_ids: Sequence[int]) -> int:
    """Send pending or failed messages at the next delivery run, with a fresh round of tries.
    Platform admins only, within their region. A message a worker is sending right now, or
    one already sent, is refused. Returns how many were queued."""
    if not is_platform_admin(actor):
        raise PermissionDenied("只有平台管理员可以重发消息")
    ids = sorted(set(message_ids))
    if not ids:
        return 0
    now = clock.now()
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(outbox_scope_q(actor), pk__in=ids)
        found = dict(rows.values_list("pk", "state"))
        if len(found) != len(ids):
            raise NotFound("消息不存在或不在您的管理范围内")
        if any(state == OutboxState.SENT for state in found.values()):
            raise InvalidTransition("已发送的消息不能重发")
        # Compare-and-swap: a pending row with a claim token is being sent right now.
        retryable = Q(state=OutboxState.FAILED) | Q(state=OutboxState.PENDING, claim_token="")
        retried = OutboxMessage.objects.filter(retryable, pk__in=ids).update(
            state=OutboxState.PENDING, attempts=0, next_attempt_at=now, claim_token=""
        )
        if retried != len(ids):
            raise InvalidTransition("有消息正在发送中，请稍后再试")
        audit_record_many(
            records=[
                AuditRecord(
                    action="notifications.outbox.retried",
                    object_type="notifications.outboxmessage",
                    object_id=pk,
                    data={"state_before": found[pk]},
                    actor_id=actor.pk,
                    actor_name=actor_label(actor),
                )
                for pk in ids
            ]
        )
    return retried


# ---------------------------------------------------------------- people without an account


@dataclass(frozen=True)
class DirectMessage:
    """A text to someone who has no account (an applicant): straight into the outbox.
    `idempotency_key` makes writing it again a no-op (one message per event, whatever is
    retried); `sensitive` hides the text from admins (one-time codes)."""

    channel: str
    address: str
    subject: str
    body: str
    recipient_label: str = ""
    region_code: str = ""
    idempotency_key: str | None = None
    source_type: str = ""
    source_id: str = ""
    sensitive: bool = False


def _direct_problems(message: DirectMessage) -> list[str]:
    problems = []
    if message.channel not in Channel.values:
        problems.append(f"未知的渠道 {message.channel}")
    elif problem := _address_problem(message.channel, message.address):
        problems.append(problem)
    if not message.subject.strip() or len(message.subject) > 200:
        problems.append("标题不能为空，且不超过200字")
    if message.idempotency_key is not None and not 0 < len(message.idempotency_key) <= 120:
        problems.append("幂等键长度应为1-120字符")
    return problems


def outbox_send_direct(*, messages: Sequence[DirectMessage]) -> int:
    """Queue texts to people without an account. Rows only (callers stay inside their own
    transaction); a message whose key was already written is skipped. Returns how many were
    newly queued."""
    problems = [
        FieldProblem("消息", text, row=row)
        for row, message in enumerate(messages, start=1)
        for text in _direct_problems(message)
    ]
    if problems:
        raise ValidationFailed(problems=problems)
    if not messages:
        return 0
    now = clock.now()
    keys = [m.idempotency_key for m in messages if m.idempotency_key]
    with transaction.atomic():
        existing = set(
            OutboxMessage.objects.filter(idempotency_key__in=keys).values_list(
                "idempotency_key", flat=True
            )
        )
        rows = [
            OutboxMessage(
                channel=m.channel,
                recipient=None,
                recipient_label=m.recipient_label[:100],
                region_code=m.region_code[:6],
                idempotency_key=m.idempotency_key,
                source_type=m.source_type[:60],
                source_id=str(m.source_id)[:60],
                sensitive=m.sensitive,
                address=m.address,
                subject=m.subject.strip()[:200],
                body=m.body,
                state=OutboxState.PENDING,
                next_attempt_at=now,
                created_at=now,
            )
            for m in messages
            if m.idempotency_key not in existing
        ]
        # A concurrent writer of the same key loses quietly on the unique index.
        created = OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)
