"""Posts each SMS as JSON to an HTTP gateway (settings.SUNLIGHT_SMS_GATEWAY_URL), the backend
of a real deployment. The gateway is whatever the city's SMS contract provides, usually behind a
small adapter: it receives `{"to": …, "text": …, "reference": …}` and answers 2xx when it took
the message (JSON `{"id": …}` optional), 4xx when it never will (a bad number), anything else
when it might later."""

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sunlight.notifications.sms.base import BaseSmsBackend, SmsMessage, SmsResult

# Client errors that a later try may get past: request timeout, rate limit.
_RETRYABLE_4XX = {408, 429}
_MAX_ERROR = 300


class SmsBackend(BaseSmsBackend):
    def __init__(
        self,
        *args: Any,
        url: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.url = url if url is not None else settings.SUNLIGHT_SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SUNLIGHT_SMS_GATEWAY_TOKEN
        self.timeout = timeout if timeout is not None else settings.SUNLIGHT_SMS_TIMEOUT
        # Only web addresses: urllib would also open file:// and ftp:// URLs.
        if not self.url.startswith(("http://", "https://")):
            raise ImproperlyConfigured("SUNLIGHT_SMS_GATEWAY_URL must be an http(s):// URL")

    def send_messages(self, messages: Sequence[SmsMessage]) -> list[SmsResult]:
        return [self._send(message) for message in messages]

    def _send(self, message: SmsMessage) -> SmsResult:
        payload = {"to": message.to, "text": message.text, "reference": message.reference}
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 (scheme checked to be http(s) in __init__)
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (scheme checked in __init__)
                answer = response.read(10_000)
        except urllib.error.HTTPError as exc:
            detail = exc.read(_MAX_ERROR).decode("utf-8", "replace")
            return SmsResult(
                ok=False,
                error=f"短信网关返回 {exc.code}：{detail}"[:_MAX_ERROR],
                permanent=400 <= exc.code < 500 and exc.code not in _RETRYABLE_4XX,
            )
        except (OSError, ValueError) as exc:  # URLError, timeouts, refused connections
            return SmsResult(ok=False, error=f"无法连接短信网关：{exc}"[:_MAX_ERROR])
        return SmsResult(ok=True, gateway_id=_gateway_id(answer))


def _gateway_id(answer: bytes) -> str:
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        return ""
    return str(data.get("id", ""))[:100] if isinstance(data, dict) else ""
