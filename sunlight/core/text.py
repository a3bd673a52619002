"""Typed text made safe to keep and to judge: Unicode NFC, invisible characters don't count as
content, bidirectional controls never reach a name. (Phone numbers: core.phones.)

One definition serves the services (refusal reasons, 不同意 opinions, other required text), the
forms, and the supervision rules' SQL (`sql_blank`), so "empty" means the same everywhere:
a text is blank when it has no character outside the format (Cf), control (Cc) and separator
(Zs, Zl, Zp) categories and the Hangul/braille fillers that render as nothing.
"""

import re
import unicodedata
from functools import cache

from sunlight.core.errors import FieldProblem, ValidationFailed

# Characters that render as nothing although their category is a letter or symbol.
FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
# Embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) and the marks
# (LRM, RLM, ALM): they reorder what is displayed, e.g. a name shown reversed.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_KEEP_IN_TEXT = frozenset("\n\t")
_SPACES = re.compile(r" {2,}")


def is_visible(ch: str) -> bool:
    return unicodedata.category(ch) not in _INVISIBLE_CATEGORIES and ch not in FILLERS


def has_visible(text: str | None) -> bool:
    """Does `text` hold anything a reader can see? U+FEFF or U+200B alone does not."""
    return any(is_visible(ch) for ch in text or "")


def _drop_invisible(text: str, keep: frozenset[str]) -> str:
    return "".join(
        ch for ch in text if ch in keep or unicodedata.category(ch) not in ("Cc", "Cf") or ch == " "
    )


def clean_line(text: str | None) -> str:
    """A name or other one-line value: NFC, format and control characters (bidirectional
    controls, zero-width spaces, BOM) removed, runs of spaces made one, ends trimmed."""
    value = unicodedata.normalize("NFC", text or "")
    if not value.isprintable():
        # isprintable() is false for every Cc, Cf, Zs (but the space), Zl and Zp character:
        # a printable text has nothing to drop or turn into a space (the common case, in C).
        value = _drop_invisible(value, frozenset())
        value = "".join(
            " " if unicodedata.category(ch) in ("Zs", "Zl", "Zp") else ch for ch in value
        )
    if "  " in value:
        value = _SPACES.sub(" ", value)
    return _trim(value)


def clean_text(text: str | None) -> str:
    """Free text (reasons, opinions, notes): NFC, line ends as \\n, format and control characters
    other than line breaks and tabs removed, ends trimmed."""
    value = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    return _trim(_drop_invisible(value, _KEEP_IN_TEXT))


def _trim(value: str) -> str:
    start, end = 0, len(value)
    while start < end and not is_visible(value[start]):
        start += 1
    while end > start and not is_visible(value[end - 1]):
        end -= 1
    return value[start:end]


def required_text_problem(value: str | None, field: str, message: str = "") -> FieldProblem | None:
    """A FieldProblem when `value` has no visible character, for services collecting problems."""
    if has_visible(value):
        return None
    return FieldProblem(field, message or "不能为空（空格和不可见字符不算内容）")


def require_text(value: str | None, field: str, message: str = "") -> str:
    """The cleaned text, or ValidationFailed when it has no visible character."""
    problem = required_text_problem(value, field, message)
    if problem is not None:
        raise ValidationFailed([problem])
    return clean_text(value)


# ---------------------------------------------------------------- SQL


@cache
def invisible_code_points() -> tuple[int, ...]:
    """Every code point `is_visible` rejects. Planes 0, 1 and 14 hold them all (2 and 3 are
    ideographs, 15 and 16 private use), which keeps this under 0.1 s, once."""
    planes = (range(1, 0xD800), range(0xE000, 0x20000), range(0xE0000, 0xF0000))
    return tuple(point for plane in planes for point in plane if not is_visible(chr(point)))


def sql_blank(expression: str, vendor: str) -> str:
    """SQL true when `expression` (a text column) has no visible character — the same test as
    `has_visible`, for the supervision rules. SQLite calls our Python function (registered on
    each connection by core.apps); PostgreSQL deletes the invisible characters with translate()
    (NUL cannot occur in its text)."""
    if vendor == "postgresql":
        escaped = "".join(
            f"\\{p:04X}" if p <= 0xFFFF else f"\\+{p:06X}" for p in invisible_code_points()
        )
        return f"(translate(COALESCE({expression}, ''), U&'{escaped}', '') = '')"
    return f"(sunlight_blank({expression}) = 1)"


def sqlite_blank(value: str | None) -> int:
    return 0 if has_visible(value) else 1
