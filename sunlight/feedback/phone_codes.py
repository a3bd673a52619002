"""The one-time SMS codes that prove a complainant's phone (实名投诉). The code service itself
belongs to the applicant sign-in (issue 11, point 2: 6 digits, expiry, limited tries and sends);
this module is the one place feedback calls it, so a complaint form never checks codes itself.
Until that service is installed, no code can be proven: online complaints are refused with a
clear message and the page points to the 12345 hotline, which registers complaints by phone."""

from importlib import import_module
from typing import Any

SERVICE = "sunlight.cases.phone_codes"


def _service() -> Any | None:
    try:
        return import_module(SERVICE)
    except ModuleNotFoundError:
        return None


def phone_codes_available() -> bool:
    return _service() is not None


def phone_code_check(*, phone: str, code: str) -> bool:
    """True when `code` is the live one-time code last sent to `phone` (and uses it up)."""
    service = _service()
    if service is None or not phone or not code:
        return False
    return bool(service.phone_code_verify(phone=phone, code=code))
