"""Notices to applicants (办件通知): an SMS to the mobile on record (unless its owner opted out)
and an e-mail where one was given, on 收件, 受理, 补正, 不予受理, 特别程序 start/end, 延期 and 办结,
each with the progress lookup link.

`case_notice` is called by the case services inside their own transaction, so a notice exists
exactly when its event does. It writes outbox rows only (never talks to a gateway), keyed per
case, event, occurrence and channel: writing the same notice again — a retried job or request —
adds nothing."""

import re
from typing import Any

from django.conf import settings

from sunlight.cases.choices import ApplicantKind, ConclusionCode, Decision, SpecialProcedure
from sunlight.cases.models import Case, CasePause
from sunlight.cases.progress import collect_hint, progress_link, public_title
from sunlight.core.identity import mask_name
from sunlight.core.phones import mobile_number
from sunlight.notifications.applicant_events import ApplicantEvent, render_text
from sunlight.notifications.choices import Channel
from sunlight.notifications.notice_templates import notice_text, sms_opted_out
from sunlight.notifications.services import DirectMessage, outbox_send_direct

SOURCE_TYPE = "cases.case"
SMS_LIMIT = 500
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def applicant_mobile(case: Case) -> str:
    return mobile_number(case.applicant_phone)


def _date(value: Any) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "待定"


def notice_values(case: Case, event: str, pause: CasePause | None = None) -> dict[str, str]:
    version = case.power_version
    values = {
        "办件编号": case.number,
        "事项名称": public_title(case)[:60],
        "申请人": case.applicant_name,
        "办理部门": case.department.name,
        "咨询电话": version.contact_phone or case.department.phone or "办理部门",
        "查询链接": settings.SUNLIGHT_SITE_URL
        + progress_link(number=case.number, code=case.query_code),
        "查询码": case.query_code,
        "承诺期限": _date(case.promised_deadline),
        "法定期限": _date(case.statutory_deadline),
        "补正材料": case.correction_items,
        "不予受理理由": case.not_accepted_reason,
        "延长天数": str(pause.extension_days if pause else case.extension_days),
    }
    if pause is not None and pause.procedure in SpecialProcedure.values:
        values["特别程序"] = SpecialProcedure(pause.procedure).label
        values["程序时限"] = (
            f"时限{pause.limit_days}个工作日" if pause.limit_days else "时限依程序确定"
        )
    if event == ApplicantEvent.CONCLUDED:
        parts = [
            Decision(case.decision).label if case.decision in Decision.values else "",
            ConclusionCode(case.conclusion_code).label
            if case.conclusion_code in ConclusionCode.values
            else "",
        ]
        values["办理结果"] = "，".join(p for p in parts if p) or "已办结"
        values["取件方式"] = collect_hint(case)
    return values


def case_notice(case: Case, event: str, *, pause: CasePause | None = None) -> int:
    """Queue the notice of `event` for the applicant of `case`; returns how many were queued.
    The caller holds the transaction of the event."""
    text = notice_text(event)
    values = notice_values(case, event, pause)
    occurrence = f":{pause.pk}" if pause is not None else ""
    key = f"case:{case.number}:{event}{occurrence}"
    person = case.applicant_kind == ApplicantKind.PERSON
    label = f"申请人 {mask_name(case.applicant_name) if person else case.applicant_name}"[:100]
    common = {
        "recipient_label": label,
        "region_code": case.region_code,
        "source_type": SOURCE_TYPE,
        "source_id": case.number,
    }
    messages = []
    mobile = applicant_mobile(case)
    if mobile and not sms_opted_out(mobile):
        body = " ".join(render_text(text.sms, values).split())
        if len(body) > SMS_LIMIT:
            body = body[: SMS_LIMIT - 1] + "…"
        messages.append(
            DirectMessage(
                channel=Channel.SMS,
                address=mobile,
                subject=f"办件通知·{ApplicantEvent(event).label}",
                body=body,
                idempotency_key=f"{key}:sms",
                **common,
            )
        )
    email = (getattr(case, "applicant_email", "") or "").strip()
    if email and _EMAIL.match(email):
        messages.append(
            DirectMessage(
                channel=Channel.EMAIL,
                address=email,
                subject=render_text(text.email_subject, values)[:200],
                body=render_text(text.email_body, values),
                idempotency_key=f"{key}:email",
                **common,
            )
        )
    return outbox_send_direct(messages=messages) if messages else 0
