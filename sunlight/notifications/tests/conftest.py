"""Fixtures for the notifications tests: staff with addresses, SMS kept in memory, a real local
SMTP server (aiosmtpd) and a tiny local SMS gateway (http.server)."""

import email
import email.policy
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from sunlight.notifications import sms
from sunlight.notifications.tests.helpers import free_port
from sunlight.org.tests import factories as org


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """SMS go to `sms.outbox` unless a test picks another backend."""
    settings.SUNLIGHT_SMS_BACKEND = "sunlight.notifications.sms.locmem.SmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def region(db):
    return org.region()


@pytest.fixture
def department(region):
    return org.department(code="021", name="市场监督管理局", in_region=region)


@pytest.fixture
def head(department):
    """A department head with an e-mail address and a mobile number on record."""
    return org.user(
        "approver",
        department=department,
        full_name="李科长",
        email="li@example.gov.cn",
        phone="13800000001",
    )


@pytest.fixture
def clerk(department):
    return org.user("clerk", department=department, full_name="王窗口", email="wang@example.gov.cn")


@pytest.fixture
def admin(region):
    return org.user("admin", in_region=region, full_name="周管理")


# ---------------------------------------------------------------- SMTP


@dataclass
class Received:
    """What the local SMTP server accepted."""

    envelopes: list[Any] = field(default_factory=list)

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(e.original_content, policy=email.policy.default)
            for e in self.envelopes
        ]


class _Handler:
    def __init__(self, received: Received) -> None:
        self.received = received

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.received.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port, with Django's SMTP backend pointed at it."""
    received = Received()
    port = free_port()
    controller = Controller(_Handler(received), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield received
    controller.stop()


@pytest.fixture
def smtp_down(settings):
    """The SMTP backend pointed at a local port nothing listens on."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2


# ---------------------------------------------------------------- SMS gateway


@dataclass
class Gateway:
    """A local SMS gateway: answers each POST with the next queued status (200 when none)."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


@pytest.fixture
def sms_gateway(settings):
    gateway = Gateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's hook name)
            length = int(self.headers.get("Content-Length", 0))
            payload = json.loads(self.rfile.read(length))
            gateway.requests.append({"json": payload, "headers": dict(self.headers)})
            status = gateway.statuses.pop(0) if gateway.statuses else 200
            body = json.dumps({"id": f"gw-{len(gateway.requests)}"} if status == 200 else {})
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    settings.SUNLIGHT_SMS_BACKEND = "sunlight.notifications.sms.http.SmsBackend"
    settings.SUNLIGHT_SMS_GATEWAY_URL = gateway.url
    settings.SUNLIGHT_SMS_GATEWAY_TOKEN = "test-token"
    settings.SUNLIGHT_SMS_TIMEOUT = 5
    yield gateway
    server.shutdown()
    server.server_close()
