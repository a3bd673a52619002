"""Is this a telephone number someone can call? Mainland mobile numbers (1[3-9] and nine more
digits), landlines with their area code (0571-87654321, (0571)87654321, with an extension
after - or 转), service hotlines (12345, 12315) and 400/800 numbers. "123" and "abc" are not."""

import re

_MOBILE = r"(?:\+?86[- ]?)?1[3-9]\d{9}"
_LANDLINE = r"(?:0\d{2,3}-?|[(（]0\d{2,3}[)）])[2-9]\d{6,7}(?:(?:-|转)\d{1,6})?"
_HOTLINE = r"1\d{4}|[48]00-?\d{3}-?\d{4}"
_NUMBER = re.compile(rf"^(?:{_MOBILE}|{_LANDLINE}|{_HOTLINE})$")
_SEPARATORS = re.compile(r"[、,，;；/]")

PHONE_HINT = "请填写手机号码（11位）或带区号的固定电话，如 0571-87654321"


def phone_is_valid(text: str) -> bool:
    return bool(_NUMBER.match(text.strip().replace(" ", "")))


def phone_problem(text: str, *, several: bool = False) -> str | None:
    """None when `text` is empty or every number in it is valid; else what is wrong.
    `several`: a list of numbers separated by 、 or commas (a department's hotlines)."""
    text = (text or "").strip()
    if not text:
        return None
    parts = [p.strip() for p in _SEPARATORS.split(text)] if several else [text]
    wrong = [p for p in parts if p and not phone_is_valid(p)]
    if wrong:
        return f"“{'、'.join(wrong)[:40]}”不是有效的电话号码：{PHONE_HINT}"
    return None
