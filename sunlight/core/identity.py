"""Applicants' identity numbers: checks with messages that name what is wrong, and masking
for anything shown beyond the case's own staff (public pages, exports, logs).

- 公民身份号码 (GB 11643-1999): 6-digit region + birth date YYYYMMDD + 3-digit sequence + check
  character (ISO 7064 MOD 11-2, 10 written X).
- 统一社会信用代码 (GB 32100-2015): registration authority, organisation kind, 6-digit region,
  9-character organisation code, check character (mod 31 over 0-9A-Y without I O Z S V).

python-stdnum computes both check characters; the structure checks and every message are ours,
because an applicant at the window needs to hear which part to re-read.
"""

import datetime as dt
import re

from stdnum.cn import ric, uscc

from sunlight.core import clock
from sunlight.core.regions import PROVINCE_CODES

_RESIDENT_BODY = re.compile(r"^\d{17}[\dX]$")
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_FORBIDDEN = "IOZSV"
_CENTRAL_REGION = "10"  # credit codes of central bodies carry 100000 as their region
_EARLIEST_BIRTH = dt.date(1900, 1, 1)


def normalize_resident_id(value: str) -> str:
    """Upper-case, without spaces: the form stored and compared (a typed x means X)."""
    return re.sub(r"\s+", "", value or "").upper()


def normalize_credit_code(value: str) -> str:
    return re.sub(r"[\s-]+", "", value or "").upper()


def resident_id_problems(value: str, *, today: dt.date | None = None) -> list[str]:
    """Every way `value` fails to be a GB 11643 citizen ID number; empty when valid."""
    number = normalize_resident_id(value)
    if len(number) != 18:
        message = f"长度应为18位，实际为{len(number)}位"
        if len(number) == 15:
            message += "（15位为第一代身份证号码，请填写18位号码）"
        return [message]
    if not _RESIDENT_BODY.match(number):
        return ["格式错误：前17位应为数字，第18位（校验码）应为数字或X"]
    problems = []
    if number[:2] not in PROVINCE_CODES:
        problems.append(f"地区码“{number[:6]}”错误：前两位“{number[:2]}”不是有效的省级代码")
    problems += _birth_date_problems(number[6:14], today or clock.today_local())
    if number[17] != ric.calc_check_digit(number):
        problems.append("校验码错误：第18位与前17位不符，请逐位核对号码")
    return problems


def _birth_date_problems(text: str, today: dt.date) -> list[str]:
    try:
        born = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return [f"出生日期“{text}”不是真实存在的日期"]
    if born > today:
        return [f"出生日期“{text}”晚于今天"]
    if born < _EARLIEST_BIRTH:
        return [f"出生日期“{text}”早于1900年"]
    return []


def resident_id_birth_date(value: str) -> dt.date | None:
    """The birth date of a valid number (None if `value` has problems)."""
    number = normalize_resident_id(value)
    if resident_id_problems(number):
        return None
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def credit_code_problems(value: str) -> list[str]:
    """Every way `value` fails to be a GB 32100 unified social credit code; empty when valid."""
    code = normalize_credit_code(value)
    problems = []
    if len(code) != 18:
        problems.append(f"长度应为18位，实际为{len(code)}位")
    forbidden = sorted({c for c in code if c in _CREDIT_FORBIDDEN})
    others = sorted({c for c in code if c not in _CREDIT_ALPHABET and c not in _CREDIT_FORBIDDEN})
    if forbidden:
        problems.append(
            f"含有不使用的字母“{'、'.join(forbidden)}”（统一社会信用代码不使用I、O、Z、S、V）"
        )
    if others:
        problems.append(f"含有无效字符“{'、'.join(others)}”：只能是数字和大写字母")
    if problems:
        return problems
    region = code[2:8]
    if not region.isdigit():
        problems.append(f"第3–8位登记管理机关行政区划码“{region}”应为6位数字")
    elif region[:2] not in PROVINCE_CODES and region[:2] != _CENTRAL_REGION:
        problems.append(f"第3–8位行政区划码“{region}”错误：前两位不是有效的省级代码")
    if code[17] != uscc.calc_check_digit(code):
        problems.append("校验码错误：第18位与前17位不符，请逐位核对代码")
    return problems


# ------------------------------------------------------------------ masking


def mask_resident_id(value: str) -> str:
    """330102199001011234 → 330102********1234: region kept, birth date and sequence hidden."""
    number = normalize_resident_id(value)
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_credit_code(value: str) -> str:
    """Organisations' codes are public (双公示 publishes them): returned as they are."""
    return normalize_credit_code(value)


def mask_name(value: str) -> str:
    """张三丰 → 张**: the first character kept (a one-character name is hidden entirely)."""
    name = (value or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678; landlines keep the area code and the last four digits."""
    text = re.sub(r"[\s()（）]+", "", value or "")
    prefix = ""
    if text.startswith("+86"):
        prefix, text = "+86", text[3:]
    if re.fullmatch(r"1\d{10}", text):
        return f"{prefix}{text[:3]}****{text[-4:]}"
    if "-" in text:
        area, _, rest = text.partition("-")
        return f"{prefix}{area}-{_mask_tail(rest)}"
    return prefix + _mask_tail(text)


def _mask_tail(digits: str) -> str:
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


# Administrative levels of a Chinese address, from province down to street/town. A part of an
# address is kept when it ends in one of its level's suffixes, deeper than the part before it.
_LEVELS = (
    ("特别行政区", "自治区", "省"),
    ("自治州", "地区", "市", "州", "盟"),
    ("自治县", "自治旗", "区", "县", "市", "旗"),
    ("街道", "镇", "乡"),
)
# Characters that end a division, so cannot sit inside one's name (州 and 市 can: 杭州市, 市中区).
_SUFFIX_CHARS = set("省区县旗镇乡")
_NOT_IN_NAME = set("0123456789０１２３４５６７８９路巷弄号栋幢楼室单元组#-")
_LONGEST_NAME = 12


def mask_address(value: str) -> str:
    """Keep the administrative part down to the district and street/town (街道/镇/乡), drop the
    rest: 浙江省杭州市西湖区文三路90号 → 浙江省杭州市西湖区****."""
    text = re.sub(r"\s+", "", value or "")
    kept, position, level = "", 0, 0
    while position < len(text) and level < len(_LEVELS):
        match = None
        for depth in range(level, len(_LEVELS)):
            match = _admin_part(text, position, _LEVELS[depth])
            if match:
                level = depth + 1
                break
        if not match:
            break
        kept += match
        position += len(match)
    if position >= len(text):
        return kept
    return kept + "****"


def _admin_part(text: str, start: int, suffixes: tuple[str, ...]) -> str | None:
    """The shortest name at `start` ending in one of `suffixes`, if it looks like a division."""
    for end in range(start + 2, min(len(text), start + _LONGEST_NAME) + 1):
        part = text[start:end]
        for suffix in suffixes:
            if not part.endswith(suffix) or len(part) == len(suffix):
                continue
            stem = part[: -len(suffix)]
            if _NOT_IN_NAME & set(stem) or _SUFFIX_CHARS & set(stem) or "街道" in stem:
                return None
            return part
    return None
