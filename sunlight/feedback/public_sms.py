"""SMS to a member of the public (a petitioner) through the notifications outbox's direct
messages: rows only, inside the caller's transaction, one message per event whatever is
retried (the idempotency key)."""

from sunlight.notifications.choices import Channel
from sunlight.notifications.services import DirectMessage, outbox_send_direct


def sms_to_public(
    *, phone: str, text: str, key: str, region_code: str, source_type: str, source_id: str
) -> int:
    """Queue one SMS to `phone`; returns 1 when queued, 0 when the key was already written."""
    if not phone:
        return 0
    return outbox_send_direct(
        messages=[
            DirectMessage(
                channel=Channel.SMS, address=phone, subject=text[:200], body=text,
                recipient_label="投诉咨询人", region_code=region_code, idempotency_key=key,
                source_type=source_type, source_id=source_id,
            )
        ]
    )  # fmt: skip
