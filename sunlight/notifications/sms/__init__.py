"""SMS backends, modelled on django.core.mail.backends: a dotted path in
settings.SUNLIGHT_SMS_BACKEND picks one; each takes a list of messages and answers one result per
message, so one refused number never hides the fate of the others.

    with get_connection() as connection:
        results = connection.send_messages([SmsMessage(to="13800000000", text="…")])
"""

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from sunlight.notifications.sms.base import BaseSmsBackend, SmsMessage, SmsResult

__all__ = ["BaseSmsBackend", "SmsMessage", "SmsResult", "get_connection", "outbox"]

# What the locmem backend "sent" (like django.core.mail.outbox); tests empty it.
outbox: list[SmsMessage] = []


def get_connection(backend: str | None = None, **kwargs: Any) -> BaseSmsBackend:
    """An instance of the configured SMS backend (or of `backend`, a dotted path)."""
    backend_class = import_string(backend or settings.SUNLIGHT_SMS_BACKEND)
    return backend_class(**kwargs)
