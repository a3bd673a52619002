"""The puller's HTTP side: a signed GET to a lower platform's roll-up endpoints (standard
library only: one request shape, no session state)."""

import json
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from sunlight.exchange import credentials
from sunlight.rollup.models import LowerInstance

TIMEOUT_SECONDS = 60


class PullFailed(Exception):
    """The lower platform could not be read, or what it sent could not be taken (`status`:
    the HTTP status the other side answered with, if it answered)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def fetch_json(lower: LowerInstance, path: str, params: dict[str, str]) -> Any:
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v})
    url = f"{lower.base_url}{path}" + (f"?{query}" if query else "")
    headers = {
        "Authorization": f"Bearer {credentials.decrypt(lower.key_encrypted)}",
        "Accept": "application/json",
    }
    if lower.signing_secret_encrypted:
        timestamp = str(int(time.time()))
        secret = credentials.decrypt(lower.signing_secret_encrypted)
        full_path = urllib.parse.urlsplit(url).path
        headers["X-Sunlight-Timestamp"] = timestamp
        headers["X-Sunlight-Signature"] = credentials.signature(
            secret, timestamp=timestamp, method="GET", path=full_path, body=b""
        )
    request = urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310 (http(s) only, checked at registration)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        detail = _detail(error.read())
        raise PullFailed(
            f"下级平台拒绝了请求（HTTP {error.code}）：{detail}", status=error.code
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = _reason(getattr(error, "reason", error))
        raise PullFailed(f"无法连接下级平台 {lower.base_url}：{reason}") from None
    except json.JSONDecodeError:
        raise PullFailed("下级平台返回的不是 JSON") from None


def _reason(error: object) -> str:
    """The network failure in words an admin can act on (not the system's error text)."""
    if isinstance(error, socket.gaierror):
        return "地址无法解析，请检查接口地址"
    if isinstance(error, ConnectionRefusedError):
        return "对方拒绝连接，请确认下级平台已启动、地址和端口正确"
    if isinstance(error, TimeoutError | socket.timeout):
        return f"{TIMEOUT_SECONDS} 秒内没有响应"
    if isinstance(error, ssl.SSLError):
        return "安全连接（HTTPS 证书）校验失败"
    return "网络错误"


def _detail(body: bytes) -> str:
    try:
        answer = json.loads(body)
        errors = answer.get("errors") if isinstance(answer.get("errors"), dict) else {}
        listed = [f"{field}：{'；'.join(map(str, found))}" for field, found in errors.items()]
        return "；".join([str(answer.get("detail", "")), *listed])[:500]
    except (ValueError, AttributeError, TypeError):
        return body[:200].decode(errors="replace")


def post_json(superior: Any, path: str, body: Any) -> tuple[int, Any]:
    """POST `body` as JSON to the superior's exchange API with the key it issued us (signed
    when it gave us a signing secret); returns the HTTP status and the parsed answer (a 422 is
    an answer — a refused batch — not a failure to reach it)."""
    data = json.dumps(body, ensure_ascii=False).encode()
    url = f"{superior.push_url}{path}"
    headers = {
        "Authorization": f"Bearer {credentials.decrypt(superior.push_key_encrypted)}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    if superior.push_signing_secret_encrypted:
        timestamp = str(int(time.time()))
        secret = credentials.decrypt(superior.push_signing_secret_encrypted)
        headers["X-Sunlight-Timestamp"] = timestamp
        headers["X-Sunlight-Signature"] = credentials.signature(
            secret, timestamp=timestamp, method="POST", path=urllib.parse.urlsplit(url).path,
            body=data,
        )  # fmt: skip
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310 (http(s) only, checked when configured)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        answer = error.read()
        if error.code == 422:
            try:
                return error.code, json.loads(answer)
            except json.JSONDecodeError:
                pass
        raise PullFailed(
            f"上级平台拒绝了推送（HTTP {error.code}）：{_detail(answer)}", status=error.code
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = _reason(getattr(error, "reason", error))
        raise PullFailed(f"无法连接上级平台 {superior.push_url}：{reason}") from None
    except json.JSONDecodeError:
        raise PullFailed("上级平台返回的不是 JSON") from None
