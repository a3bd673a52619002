"""Penalty standards written as text (处罚标准) read into penalty kinds and amounts — pure
functions, no Django models.

Real benchmark tables write "处警告，并处五万元以上十万元以下罚款", "货值金额一倍以上三倍以下",
"总投资额百分之一以上百分之五以下" or "千分之五", with Chinese numerals (一二三…十百千万, 两,
〇/零, 壹贰叁…) or Arabic ones. `parse_standard` turns such a text into penalties: fines as a
range in yuan, a multiple of a named base (倍) or a share of it (percent); other measures
(警告, 没收违法所得, 责令停产停业, 吊销许可证 …) as their kind. A clause it cannot read is kept
as its text with mode TEXT, for the officer to settle (nothing is dropped).
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from sunlight.discretion.choices import AmountMode, PenaltyKind

_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "貳": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "叁": 3,
    "參": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "陸": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_NUMERAL_CHARS = "".join([*_DIGITS, *_SMALL_UNITS, *_BIG_UNITS])
# A number as written: Arabic (with decimals) and Chinese characters, mixed ("1.5万").
_NUMBER_CORE = "".join([*_DIGITS, *_SMALL_UNITS])
NUM = rf"(?:[\d.{_NUMERAL_CHARS}]*[\d{_NUMBER_CORE}][\d.{_NUMERAL_CHARS}]*)"
_ARABIC = re.compile(r"\d+(?:\.\d+)?")


def chinese_number(text: str) -> Decimal | None:
    """The value of a number written in Arabic or Chinese numerals or a mix of both:
    "五万" → 50000, "2000" → 2000, "1.5万" → 15000, "两千五百" → 2500, "一百零五" → 105,
    "二〇二四" → 2024, "壹拾贰" → 12. None when `text` is not a number."""
    text = unicodedata.normalize("NFKC", text or "").replace(",", "").replace(" ", "").strip()
    if not text:
        return None
    if _ARABIC.fullmatch(text):
        return Decimal(text)
    if len(text) > 1 and all(ch in _DIGITS for ch in text):
        # Digit by digit, as years and codes are written: 二〇二四.
        return Decimal("".join(str(_DIGITS[ch]) for ch in text))
    total = Decimal(0)
    section = Decimal(0)
    number: Decimal | None = None
    position = 0
    seen_digit = False
    while position < len(text):
        arabic = _ARABIC.match(text, position)
        if arabic:
            if number is not None:
                return None  # two numbers in a row: not one number
            number = Decimal(arabic.group(0))
            position = arabic.end()
            seen_digit = True
            continue
        char = text[position]
        position += 1
        if char in _DIGITS:
            digit = _DIGITS[char]
            seen_digit = True
            if digit == 0:
                continue  # 一百零五: the zero only marks a gap
            if number is not None:
                return None
            number = Decimal(digit)
            seen_digit = True
        elif char in _SMALL_UNITS:
            section += (number if number is not None else Decimal(1)) * _SMALL_UNITS[char]
            number = None
            seen_digit = True
        elif char in _BIG_UNITS:
            if number is None and section == 0 and total == 0:
                return None  # a unit without a number before it
            unit = _BIG_UNITS[char]
            section += number or 0
            if unit > 10_000:
                total = (total + section) * unit
            else:
                total += section * unit
            section, number = Decimal(0), None
        else:
            return None
    if not seen_digit:
        return None
    return total + section + (number or 0)


@dataclass(frozen=True)
class ParsedPenalty:
    """One penalty read from a standard. Fixed amounts are yuan, multiples are 倍 of
    `base_name`, shares are percent of it; `upper` None means no upper limit (…以上).
    `text` is the clause it came from, as written."""

    kind: str
    mode: str = AmountMode.NONE
    base_name: str = ""
    lower: Decimal | None = None
    upper: Decimal | None = None
    text: str = ""

    @property
    def understood(self) -> bool:
        return self.mode != AmountMode.TEXT


# Measures other than fines, by the words real standards use for them (first match wins per
# kind; several kinds may be in one clause: "警告、通报批评").
_KIND_PATTERNS = [
    (PenaltyKind.WARNING, re.compile(r"警告")),
    (PenaltyKind.CRITICISM, re.compile(r"通报批评")),
    (PenaltyKind.CONFISCATE_GAINS, re.compile(r"没收[^，；]*?违法所得")),
    (
        PenaltyKind.CONFISCATE_PROPERTY,
        re.compile(
            r"非法财物|没收(?!违法所得)[^，；]*?(?:工具|设备|原料|物品|产品|食品|财物|器材)"
        ),
    ),
    (PenaltyKind.SUSPEND_BUSINESS, re.compile(r"停产停业|责令停业|停业整顿|停止营业")),
    (PenaltyKind.CLOSE, re.compile(r"责令关闭")),
    (PenaltyKind.SUSPEND_LICENCE, re.compile(r"暂扣[^，；]*?(?:许可证|执照|证件|证书|驾驶证)")),
    (
        PenaltyKind.REVOKE_LICENCE,
        re.compile(r"吊销[^，；]*?(?:许可证|执照|证件|证书|驾驶证)|撤销[^，；]*?许可"),
    ),
    (PenaltyKind.DOWNGRADE, re.compile(r"降低资质等级")),
    (PenaltyKind.RESTRICT_BUSINESS, re.compile(r"限制开展生产经营活动|限制生产经营")),
    (PenaltyKind.BAN_PRACTICE, re.compile(r"限制从业|禁止从业|禁业|不得从事")),
    (PenaltyKind.DETENTION, re.compile(r"拘留")),
]
_NO_PENALTY = re.compile(r"^(?:依法)?(?:不予|免予|免于)(?:行政)?处罚")
_FINE_WORD = re.compile(r"罚款|罚金")

_TO = r"(?:以上|至|到|-|~|—)"
_YUAN = r"(?:元|块)"
_PCT = (
    rf"(?:百分之(?P<{{n}}b>{NUM})|千分之(?P<{{n}}t>{NUM})"
    rf"|万分之(?P<{{n}}w>{NUM})|(?P<{{n}}p>{NUM})%)"
)
_BASE = r"(?P<base>[^\d%，；。、]{0,24}?)的?"

_FIXED_RANGE = re.compile(rf"(?P<lo>{NUM}){_YUAN}?{_TO}(?P<hi>{NUM}){_YUAN}(?:以下)?")
_FIXED_BARE_RANGE = re.compile(rf"^(?P<lo>{NUM})(?:-|~|至|到)(?P<hi>{NUM})$")
_FIXED_AT_MOST = re.compile(
    rf"(?:不超过|不高于|最高|最多)(?P<hi>{NUM}){_YUAN}|(?P<hi2>{NUM}){_YUAN}(?:以下|以内)"
)
_FIXED_AT_LEAST = re.compile(rf"(?P<lo>{NUM}){_YUAN}以上")
_FIXED_ONE = re.compile(rf"(?P<v>{NUM}){_YUAN}")

_TIMES_RANGE = re.compile(rf"{_BASE}(?P<lo>{NUM})倍?{_TO}(?P<hi>{NUM})倍(?:以下)?")
_TIMES_NOT_OVER = re.compile(rf"不超过{_BASE}(?P<hi>{NUM})倍")
_TIMES_AT_MOST = re.compile(rf"{_BASE}(?P<hi>{NUM})倍以下")
_TIMES_AT_LEAST = re.compile(rf"{_BASE}(?P<lo>{NUM})倍以上")
_TIMES_ONE = re.compile(rf"{_BASE}(?P<v>{NUM})倍")

_LO_PCT = _PCT.format(n="lo")
_HI_PCT = _PCT.format(n="hi")
_SHARE_RANGE = re.compile(rf"{_BASE}{_LO_PCT}{_TO}{_HI_PCT}(?:以下)?")
_SHARE_NOT_OVER = re.compile(rf"不超过{_BASE}{_HI_PCT}")
_SHARE_AT_MOST = re.compile(rf"{_BASE}{_HI_PCT}(?:以下|以内)")
_SHARE_AT_LEAST = re.compile(rf"{_BASE}{_LO_PCT}以上")
_SHARE_ONE = re.compile(rf"{_BASE}{_LO_PCT}")

# Words before a base name that are not part of it: "并处违法所得…" → 违法所得.
_BASE_LEAD = re.compile(r"^.*?(?:处以|处|按照|按|依照|依|计|为|以)(?=.{2,})")
_CONDITION_END = re.compile(r"的$")
# Commas end a clause, except between the digits of 20,000.
_CLAUSE_SPLIT = re.compile(r"(?:[，；;。\n]|(?<![\d０-９]),|,(?![\d０-９]{3}(?![\d０-９])))+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def _base_name(raw: str) -> str:
    name = raw.strip()
    name = _BASE_LEAD.sub("", name)
    name = name.removeprefix("的").removesuffix("的").strip()
    return name


def _share_value(match: re.Match, prefix: str) -> Decimal | None:
    """Percent: 百分之五 → 5, 千分之五 → 0.5, 万分之五 → 0.05, 5% → 5."""
    for suffix, scale in (("b", 1), ("t", Decimal("0.1")), ("w", Decimal("0.01")), ("p", 1)):
        text = match.group(prefix + suffix)
        if text is not None:
            value = chinese_number(text)
            return None if value is None else value * scale
    return None


_SHARES = [
    (_SHARE_RANGE, "range"),
    (_SHARE_NOT_OVER, "most"),
    (_SHARE_AT_MOST, "most"),
    (_SHARE_AT_LEAST, "least"),
    (_SHARE_ONE, "one"),
]
_TIMES = [
    (_TIMES_RANGE, "range"),
    (_TIMES_NOT_OVER, "most"),
    (_TIMES_AT_MOST, "most"),
    (_TIMES_AT_LEAST, "least"),
    (_TIMES_ONE, "one"),
]
_FIXED = [
    (_FIXED_RANGE, "range"),
    (_FIXED_BARE_RANGE, "range"),
    (_FIXED_AT_MOST, "most"),
    (_FIXED_AT_LEAST, "least"),
    (_FIXED_ONE, "one"),
]


def _fine(clause: str) -> ParsedPenalty | None:
    """The fine a clause states (yuan, multiple or share), or None when it states none.
    Cheap word checks first: the patterns with a base name are slow to try everywhere."""
    if "分之" in clause or "%" in clause:
        for pattern, shape in _SHARES:
            match = pattern.search(clause)
            if match:
                return _share(match, shape)
    if "倍" in clause:
        for pattern, shape in _TIMES:
            match = pattern.search(clause)
            if match:
                groups = match.groupdict()
                lower, upper = _bounds(groups, shape)
                if lower is None and upper is None:
                    return None
                base = _base_name(groups.get("base") or "")
                return ParsedPenalty(PenaltyKind.FINE, AmountMode.MULTIPLE, base, lower, upper)
    for pattern, shape in _FIXED:
        match = pattern.search(clause)
        if match:
            lower, upper = _bounds(match.groupdict(), shape)
            if lower is None and upper is None:
                return None
            return ParsedPenalty(PenaltyKind.FINE, AmountMode.FIXED, "", lower, upper)
    return None


def _share(match: re.Match, shape: str) -> ParsedPenalty | None:
    base = match.groupdict().get("base") or ""
    lower = _share_value(match, "lo") if shape in ("range", "least", "one") else Decimal(0)
    upper = _share_value(match, "hi") if shape in ("range", "most") else None
    if shape == "one":
        upper = lower
    if lower is None or (shape in ("range", "most") and upper is None):
        return None
    return ParsedPenalty(PenaltyKind.FINE, AmountMode.SHARE, _base_name(base), lower, upper)


def _bounds(groups: dict, shape: str) -> tuple[Decimal | None, Decimal | None]:
    def value(*names: str) -> Decimal | None:
        for name in names:
            if groups.get(name) is not None:
                return chinese_number(groups[name])
        return None

    if shape == "range":
        return value("lo"), value("hi")
    if shape == "most":
        upper = value("hi", "hi2")
        return (Decimal(0), upper) if upper is not None else (None, None)
    if shape == "least":
        return value("lo"), None
    one = value("v")
    return one, one


def _normalised(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = _THOUSANDS.sub("", text)
    return re.sub(r"[ \t\u3000]+", "", text)


def parse_standard(text: str) -> list[ParsedPenalty]:
    """The penalties a standard's text states, in order. A clause ending in 的 is a condition
    ("货值金额不足一万元的"): it stays in the text of the penalties after it. A clause that
    names no penalty and no amount comes back as kind OTHER, mode TEXT."""
    penalties: list[ParsedPenalty] = []
    for sentence in re.split(r"[；;。\n]+", text or ""):
        condition = ""
        for raw in _CLAUSE_SPLIT.split(sentence):
            original = raw.strip()
            clause = _normalised(original)
            if not clause:
                continue
            if _NO_PENALTY.match(clause):
                continue
            if _CONDITION_END.search(clause) and not _FINE_WORD.search(clause):
                condition = f"{condition}，{original}" if condition else original
                continue
            shown = f"{condition}，{original}" if condition else original
            found = _clause_penalties(clause, shown)
            penalties += found or [ParsedPenalty(PenaltyKind.OTHER, AmountMode.TEXT, text=shown)]
    return penalties


def _clause_penalties(clause: str, shown: str) -> list[ParsedPenalty]:
    found: list[tuple[int, ParsedPenalty]] = []
    rest = clause
    fine = _fine(clause)
    if fine is not None:
        found.append((_position_of_fine(clause), _with_text(fine, shown)))
    elif _FINE_WORD.search(clause):
        found.append(
            (
                _FINE_WORD.search(clause).start(),  # type: ignore[union-attr]
                ParsedPenalty(PenaltyKind.FINE, AmountMode.TEXT, text=shown),
            )
        )
    for kind, pattern in _KIND_PATTERNS:
        match = pattern.search(rest)
        if match is None:
            continue
        found.append((match.start(), ParsedPenalty(kind, AmountMode.NONE, text=shown)))
    found.sort(key=lambda pair: pair[0])
    return [penalty for _, penalty in found]


def _position_of_fine(clause: str) -> int:
    match = re.search(rf"{NUM}", clause)
    return match.start() if match else 0


def _with_text(penalty: ParsedPenalty, text: str) -> ParsedPenalty:
    return ParsedPenalty(
        penalty.kind, penalty.mode, penalty.base_name, penalty.lower, penalty.upper, text
    )
