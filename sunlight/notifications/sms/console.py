"""Prints each SMS to standard output (development)."""

import sys
import threading
from collections.abc import Sequence
from typing import Any

from sunlight.notifications.sms.base import BaseSmsBackend, SmsMessage, SmsResult


class SmsBackend(BaseSmsBackend):
    def __init__(self, *args: Any, stream: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, messages: Sequence[SmsMessage]) -> list[SmsResult]:
        with self._lock:
            for message in messages:
                self.stream.write(f"短信 → {message.to}（{message.reference}）\n{message.text}\n")
                self.stream.write("-" * 40 + "\n")
            self.stream.flush()
        return [SmsResult(ok=True) for _ in messages]
