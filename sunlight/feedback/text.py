"""Free text from the public: what counts as written, how long it may be, and how it is masked
before it goes on a public page."""

import re
import unicodedata

from sunlight.core.identity import mask_phone

_MOBILE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<!\d)\d{15}(?!\d)")


def visible_length(text: str) -> int:
    """Characters a reader would see: not spaces, separators, control or format characters
    (zero-width spaces and the like, which make a comment look written when it is empty)."""
    return sum(1 for char in text if unicodedata.category(char)[0] not in "ZC")


def clean(text: str | None) -> str:
    """Trim, drop format characters, and normalise line ends (what is stored)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return text.strip()


def text_problem(text: str, *, maximum: int, required: bool, raw: str | None = None) -> str | None:
    """Why this (cleaned) text is refused, or None. Something typed with nothing visible in it
    (zero-width characters) is refused even when the text is optional: the writer meant to say
    something and it did not arrive. Plain blanks count as nothing typed."""
    typed = bool((raw if raw is not None else text).strip())
    if not text and not typed:
        return "不能为空" if required else None
    if visible_length(text) == 0:
        return "请填写文字内容（不能只有空格或不可见字符）"
    if len(text) > maximum:
        return f"不能超过{maximum}字（现为{len(text)}字）"
    return None


def mask_free_text(text: str) -> str:
    """Phone and ID numbers written inside a message, masked for a public page."""
    text = _RESIDENT_ID.sub(lambda m: m.group(0)[:6] + "*" * (len(m.group(0)) - 10)
                            + m.group(0)[-4:], text)  # fmt: skip
    text = _MOBILE.sub(lambda m: mask_phone(m.group(0)), text)
    return _LANDLINE.sub(lambda m: mask_phone(m.group(0)), text)
