"""Periodic work: the rating invitation (评价邀请) by SMS after a case is concluded — one per
case whatever is retried (the outbox's idempotency key), to the mobile on record unless its
owner opted out of SMS, with the signed link that opens the rating of that stage."""

import datetime as dt
from typing import Any

from django.conf import settings

from sunlight.cases.choices import CaseState
from sunlight.cases.models import Case
from sunlight.cases.progress import public_title
from sunlight.core import clock
from sunlight.core.jobs import register_periodic
from sunlight.core.phones import mobile_number
from sunlight.feedback.links import rating_link
from sunlight.feedback.models import Rating
from sunlight.notifications.choices import Channel
from sunlight.notifications.services import DirectMessage, outbox_send_direct

LOOK_BACK = dt.timedelta(days=2)  # concluded since: a worker stopped for a day catches up
BATCH = 500


def _mobile(case: Case) -> str:
    return mobile_number(case.applicant_phone)


def _opted_out(phone: str) -> bool:
    from sunlight.notifications.notice_templates import sms_opted_out

    return sms_opted_out(phone)


def invitation_text(case: Case) -> str:
    link = f"{settings.SUNLIGHT_SITE_URL}{rating_link(case=case, stage='concluded')}"
    return (
        f"【阳光政务】您申请的“{public_title(case)}”（办件编号{case.number}）已办结。"
        f"欢迎对办理服务作出评价：{link}"
    )


def rating_invitations_send() -> dict[str, Any]:
    """Invite the applicants of cases concluded in the last two days (and not yet rated for
    that stage) to rate. Rows only; the delivery job sends them."""
    now = clock.now()
    rated = Rating.objects.filter(stage="concluded").values("case_id")
    cases = (
        Case.objects.filter(
            state=CaseState.CONCLUDED, concluded_at__gte=now - LOOK_BACK, concluded_at__lte=now
        )
        .exclude(pk__in=rated)
        .exclude(applicant_phone="")
        # A joint application is rated as the one thing applied for: its parent, not each part.
        .filter(joint_parent__isnull=True)
        .select_related("power_version", "joint_item")
        .order_by("concluded_at", "id")[:BATCH]
    )
    messages = []
    for case in cases:
        phone = _mobile(case)
        if not phone or _opted_out(phone):
            continue
        messages.append(
            DirectMessage(
                channel=Channel.SMS, address=phone, subject="服务评价邀请",
                body=invitation_text(case), recipient_label="申请人",
                region_code=case.region_code,
                idempotency_key=f"feedback.rating.invite:{case.pk}:concluded",
                source_type="feedback.invitation", source_id=case.number,
            )
        )  # fmt: skip
    return {"queued": outbox_send_direct(messages=messages) if messages else 0}


def register_jobs() -> None:
    register_periodic(
        name="feedback.rating_invitations", run=rating_invitations_send, every_seconds=600,
        label="好差评评价邀请短信",
    )  # fmt: skip
