"""Applicant notice templates (办件通知模板) editable by platform admins, and SMS opt-out.

Reads fall back to the default wording of applicant_events; a save checks every text against
the event's placeholders and reports every problem at once."""

import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, PermissionDenied, ValidationFailed
from sunlight.core.identity import mask_phone
from sunlight.core.phones import mobile_number
from sunlight.notifications.applicant_events import (
    DEFAULTS,
    SMS_MAX,
    ApplicantEvent,
    DefaultText,
    placeholders,
    template_problems,
)
from sunlight.notifications.models import NoticeTemplate, SmsOptOut
from sunlight.org.permissions import is_platform_admin


@dataclass(frozen=True)
class NoticeTemplateView:
    event: str
    label: str
    text: DefaultText
    customised: bool
    placeholders: tuple[str, ...]


def notice_text(event: str) -> DefaultText:
    row = NoticeTemplate.objects.filter(event=event).first()
    if row is None:
        return DEFAULTS[event]
    return DefaultText(row.sms_text, row.email_subject, row.email_body)


def notice_templates() -> list[NoticeTemplateView]:
    rows = {row.event: row for row in NoticeTemplate.objects.all()}
    result = []
    for event in ApplicantEvent:
        row = rows.get(event.value)
        text = (
            DefaultText(row.sms_text, row.email_subject, row.email_body)
            if row
            else DEFAULTS[event.value]
        )
        result.append(
            NoticeTemplateView(event.value, event.label, text, row is not None, placeholders(event))
        )
    return result


def notice_template_save(
    *, actor: object, event: str, sms_text: str, email_subject: str, email_body: str
) -> None:
    """Save an admin's wording for `event` (platform admins only)."""
    if not is_platform_admin(actor):
        raise PermissionDenied("只有平台管理员可以修改办件通知模板")
    if event not in ApplicantEvent.values:
        raise ValidationFailed([FieldProblem("通知事件", f"未知的通知事件 {event}")])
    problems = [
        FieldProblem(label, message)
        for label, text, limit in (
            ("短信内容", sms_text, SMS_MAX),
            ("邮件标题", email_subject, 200),
            ("邮件正文", email_body, 4000),
        )
        for message in template_problems(event, text, field=label, limit=limit)
    ]
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        NoticeTemplate.objects.update_or_create(
            event=event,
            defaults={
                "sms_text": sms_text.strip(),
                "email_subject": email_subject.strip(),
                "email_body": email_body.strip(),
                "updated_at": clock.now(),
                "updated_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        audit_record(
            actor=actor,
            action="notifications.notice_template.updated",
            object_type="notifications.noticetemplate",
            object_id=event,
            data={"sms": sms_text.strip(), "subject": email_subject.strip(),
                  "body": email_body.strip()},
        )  # fmt: skip


# ---------------------------------------------------------------- SMS opt-out


def normalize_mobile(phone: str) -> str:
    """The mobile number as kept (so +86 139-1234-5678 and 13912345678 are one number);
    anything else only without spaces and dashes."""
    return mobile_number(phone) or re.sub(r"[\s-]", "", phone or "")


def phone_digest(phone: str) -> str:
    secret = settings.SECRET_KEY.encode()
    message = f"sms-opt-out\n{normalize_mobile(phone)}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def sms_opted_out(phone: str) -> bool:
    return SmsOptOut.objects.filter(phone_digest=phone_digest(phone)).exists()


def sms_opt_out_set(*, phone: str, opted_out: bool) -> None:
    """The owner of `phone` (proved by the caller, e.g. a one-time code) switches case notices
    by SMS off or back on."""
    digest = phone_digest(phone)
    with transaction.atomic():
        if opted_out:
            SmsOptOut.objects.get_or_create(
                phone_digest=digest, defaults={"created_at": clock.now()}
            )
        else:
            SmsOptOut.objects.filter(phone_digest=digest).delete()
        audit_record(
            actor=None,
            action="notifications.sms_opt_out.changed",
            object_type="notifications.smsoptout",
            object_id=mask_phone(normalize_mobile(phone)),
            data={"opted_out": opted_out},
        )
