"""SMS to a member of the public (a petitioner, an applicant) through the notifications outbox.

The outbox was built for staff (each message has a staff recipient); messages to people who are
not users need its recipient-less rows, which arrive with the applicant notices (issue 11,
point 4). Until the outbox accepts them this writes nothing and says so: the reply is always
there to read by lookup, so nothing is lost."""

from typing import Any

from django.db import models


def outbox_takes_public() -> bool:
    from sunlight.notifications.models import OutboxMessage

    field = OutboxMessage._meta.get_field("recipient")
    return isinstance(field, models.ForeignKey) and field.null


def sms_to_public(*, phone: str, text: str, source_type: str, source_id: Any) -> bool:
    """Queue one SMS to `phone` (inside the caller's transaction). True when queued."""
    if not phone or not outbox_takes_public():
        return False
    from sunlight.core import clock
    from sunlight.notifications import compose
    from sunlight.notifications.choices import Channel, OutboxState
    from sunlight.notifications.models import OutboxMessage

    now = clock.now()
    OutboxMessage.objects.create(
        channel=Channel.SMS, recipient=None, address=phone, subject=text[:200],
        body=compose.sms_text(subject=text, body=""), state=OutboxState.PENDING,
        next_attempt_at=now, created_at=now,
    )  # fmt: skip
    return True
