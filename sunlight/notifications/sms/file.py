"""Appends each SMS as a JSON line to a file per day under settings.SUNLIGHT_SMS_FILE_PATH
(the demo: nothing leaves the machine, nothing is lost)."""

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

from sunlight.core import clock
from sunlight.notifications.sms.base import BaseSmsBackend, SmsMessage, SmsResult

_lock = threading.Lock()


class SmsBackend(BaseSmsBackend):
    def __init__(self, *args: Any, file_path: str | Path | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.directory = Path(file_path or settings.SUNLIGHT_SMS_FILE_PATH)

    def send_messages(self, messages: Sequence[SmsMessage]) -> list[SmsResult]:
        if not messages:
            return []
        moment = clock.now()
        path = self.directory / f"{moment.astimezone(clock.SHANGHAI).date().isoformat()}.jsonl"
        lines = [
            json.dumps(
                {"at": moment.isoformat(), "to": m.to, "text": m.text, "reference": m.reference},
                ensure_ascii=False,
            )
            for m in messages
        ]
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # One write of whole lines under a lock: several threads never interleave a line.
            with _lock, path.open("a", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
        except OSError as exc:
            return [SmsResult(ok=False, error=f"写入短信文件失败：{exc}") for _ in messages]
        return [SmsResult(ok=True) for _ in messages]
