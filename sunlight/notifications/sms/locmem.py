"""Keeps each SMS in `sunlight.notifications.sms.outbox` (tests), like Django's locmem mail."""

from collections.abc import Sequence

from sunlight.notifications import sms
from sunlight.notifications.sms.base import BaseSmsBackend, SmsMessage, SmsResult


class SmsBackend(BaseSmsBackend):
    def send_messages(self, messages: Sequence[SmsMessage]) -> list[SmsResult]:
        sms.outbox.extend(messages)
        return [SmsResult(ok=True, gateway_id=f"locmem-{len(sms.outbox)}") for _ in messages]
