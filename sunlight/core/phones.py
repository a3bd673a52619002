"""Phone numbers: the one place that says what a callable number is, how it is kept, and what a
person is told when it is not one. Every form, service, import and CLI that takes a typed number
asks this module.

A person's number (applicant, agent, staff member, complainant) is a mainland mobile (1[3-9] and
nine more digits, with or without +86) or a landline with its area code (0571-87654321,
(0571)87654321, 01062345678; an extension after 转, -, 分机 or ext). A number an organisation
publishes (`service=True`: a department's or a power's consultation and supervision lines) may
also be a service hotline (12345, 12315, 95598) or a 400/800 number. "123", "abc", "x" and
"{{7*7}}" are none of these.
"""

import re
import unicodedata
from functools import lru_cache

from sunlight.core.text import clean_line, has_visible

_MOBILE = re.compile(r"1[3-9]\d{9}")
# Three-digit area codes are 010 and 02X, the others have four; local numbers start with 2-9.
_LANDLINE = re.compile(r"(0[12]\d|0[3-9]\d{2})([2-9]\d{6,7})")
_HOTLINE = re.compile(r"1\d{4}|95\d{3,4}")
_FREEPHONE = re.compile(r"([48]00)(\d{3})(\d{4})")
_EXTENSION = re.compile(r"(?i)\s*(?:ext\.?|分机|-?转)\s*(\d{1,6})$")
_HYPHEN_EXTENSION = re.compile(r"^(.*\d)\s*-\s*(\d{1,6})$")
_SEPARATORS = re.compile(r"[\s\-－—()（）]")
_LIST_SEPARATORS = re.compile(r"[、,，;；/]")

PHONE_HINT = "请填写手机号码（11位）或带区号的固定电话，如 0571-87654321"
SERVICE_PHONE_HINT = "请填写带区号的固定电话（如 0571-87654321）、手机号码或 12345 等服务热线"


def _digits(text: str) -> str:
    digits = _SEPARATORS.sub("", text)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            return digits[len(prefix) :]
    if len(digits) == 13 and digits.startswith("86"):
        return digits[2:]
    return digits


def _landline(text: str, extension: str) -> str:
    match = _LANDLINE.fullmatch(_digits(text))
    if match is None:
        return ""
    return f"{match[1]}-{match[2]}" + (f"转{extension}" if extension else "")


def phone_normalise(value: str | None, *, service: bool = False) -> str:
    """The number as it is kept (a mobile as 11 digits, a landline as area code-number with
    转extension, a 400/800 number as 400-xxx-xxxx), or '' when `value` is not a number."""
    text = unicodedata.normalize("NFKC", clean_line(value))
    text = _EXTENSION.sub(r"转\1", text)
    main, _, extension = text.partition("转")
    digits = _digits(main)
    if not extension:
        if _MOBILE.fullmatch(digits):
            return digits
        if service and _HOTLINE.fullmatch(digits):
            return digits
        if service and (free := _FREEPHONE.fullmatch(digits)):
            return "-".join(free.groups())
    if kept := _landline(main, extension):
        return kept
    if not extension and (hyphen := _HYPHEN_EXTENSION.match(main)):
        return _landline(hyphen[1], hyphen[2])
    return ""


def phone_is_valid(value: str | None, *, service: bool = False) -> bool:
    return bool(phone_normalise(value, service=service))


def mobile_number(value: str | None) -> str:
    """The 11-digit mobile number in `value` (for SMS), or '' when it is not a mobile."""
    kept = phone_normalise(value)
    return kept if _MOBILE.fullmatch(kept) else ""


def _reason(typed: str, service: bool) -> str:
    """Why `typed` (not a number) was refused, as precisely as its shape allows."""
    shown = typed[:20]
    digits = _digits(unicodedata.normalize("NFKC", typed))
    if digits.isdigit() and digits.startswith("1") and len(digits) != 5:
        return f"“{shown}”不是有效的手机号码：手机号码应为11位、以13–19开头（现为{len(digits)}位）"
    if digits.isdigit() and digits[0] in "23456789" and 7 <= len(digits) <= 8:
        return f"“{shown}”缺少区号：固定电话须带区号，如 0571-87654321"
    return f"“{shown}”不是有效的电话号码：" + (SERVICE_PHONE_HINT if service else PHONE_HINT)


def phone_problem(
    value: str | None,
    *,
    several: bool = False,
    service: bool = False,
    required: bool = False,
) -> str | None:
    """None when `value` is a valid number (or is empty and not `required`); else what is wrong,
    in words a citizen understands. `several`: a list separated by 、 or commas (a department's
    hotlines), every one checked."""
    if value is not None and not isinstance(value, str):
        return _phone_problem(value, several, service, required)
    # A list import asks about the same few office numbers on thousands of rows: each distinct
    # question answered once (a pure function of its arguments).
    return _phone_problem_cached(value, several, service, required)


def _phone_problem(value: str | None, several: bool, service: bool, required: bool) -> str | None:
    if not has_visible(value):
        return ("请填写联系电话：" + PHONE_HINT.removeprefix("请填写")) if required else None
    text = clean_line(value)
    parts = [p.strip() for p in _LIST_SEPARATORS.split(text)] if several else [text]
    wrong = [p for p in parts if p and not phone_is_valid(p, service=service)]
    if not wrong:
        return None
    if len(wrong) == 1:
        return _reason(wrong[0], service)
    hint = SERVICE_PHONE_HINT if service else PHONE_HINT
    return f"“{'、'.join(wrong)[:40]}”不是有效的电话号码：{hint}"


_phone_problem_cached = lru_cache(maxsize=4096)(_phone_problem)
