"""Reading the cells of a department's real list into a `PowerDraft`.

Our own template (and export) is read exactly as before (spreadsheet.parse_row), so export →
import gives the same catalog. Any other list is read leniently, the way such lists are written:
time limits as text ("20个工作日", "即办", "30日", "三个月"), categories as codes, names or
letters, legal bases as free text naming one or more 《laws》, materials as numbered lines, service
objects as 法人/其他组织. Only what publication needs may be missing (a draft with gaps); what is
there but cannot be read is a problem of its row and cell.
"""

import re
from typing import Any

from django.db.models import TextChoices

from sunlight.catalog.choices import (
    CaseType,
    Category,
    ExerciseLevel,
    LimitUnit,
    ServiceObject,
)
from sunlight.catalog.drafts import LegalBasisDraft, MaterialDraft, PowerDraft
from sunlight.catalog.list_columns import Header
from sunlight.catalog.spreadsheet import (
    DRAFT_FIELDS,
    LOOKUPS,
    PARSERS,
    CellError,
    Layout,
    parse_row,
)
from sunlight.catalog.spreadsheet import cell_text as _text
from sunlight.catalog.spreadsheet import parse_legal_bases_strict as _parse_legal_bases
from sunlight.core.errors import FieldProblem
from sunlight.core.spreadsheets import SheetRow

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_NUMBER = r"(?P<n>\d{1,4}|[零〇一二两三四五六七八九十百]{1,6})"
_LIMIT = re.compile(
    _NUMBER + r"\s*(?:个)?\s*(?P<unit>工作日|自然日|个月|月|日|天|小时|分钟|工作小时)"
)
_INSTANT = re.compile(r"^(即办|当场办结|当场|即时办结|立即办理|即来即办|当日办结|当天办结)")
_NONE_WORDS = {"", "无", "/", "-", "—", "－", "——", "暂无", "无规定", "不适用", "无法定时限",
               "法律未规定", "未规定", "/ ", "空"}  # fmt: skip
_UNITS = {
    "工作日": LimitUnit.WORKING_DAY,
    "自然日": LimitUnit.NATURAL_DAY,
    "个月": LimitUnit.MONTH,
    "月": LimitUnit.MONTH,
    "小时": LimitUnit.HOUR,
    "工作小时": LimitUnit.HOUR,
    "分钟": LimitUnit.MINUTE,
}
_NUMBERING = re.compile(
    r"^\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*[.、．)）]\s*|^\s*[（(]\d{1,3}[）)]\s*"
)
_LAW = re.compile(r"《(?P<law>[^《》]{1,200})》")
_ARTICLE = re.compile(
    r"^\s*(?P<article>第[^，。；;,：:《]{1,40}?条(?:第[^，。；;,：:《]{1,10}?[款项])*)"
)
_NO_FEE = {"否", "不收费", "无", "免费", "0", "不收取", "无收费", "/", "-", "—"}
_SERVICE_ALIASES = {
    "公民": ServiceObject.PERSON, "个人": ServiceObject.PERSON, "自然人": ServiceObject.PERSON,
    "法人": ServiceObject.ENTERPRISE, "企业": ServiceObject.ENTERPRISE,
    "企业法人": ServiceObject.ENTERPRISE, "事业单位": ServiceObject.INSTITUTION,
    "事业单位法人": ServiceObject.INSTITUTION, "社会组织": ServiceObject.SOCIAL_ORG,
    "行政机关": ServiceObject.AUTHORITY, "机关": ServiceObject.AUTHORITY,
    "其他组织": ServiceObject.OTHER_ORG, "非法人组织": ServiceObject.OTHER_ORG,
}  # fmt: skip
_LEVEL_ALIASES = {
    "国家": ExerciseLevel.NATIONAL, "省": ExerciseLevel.PROVINCIAL, "市": ExerciseLevel.CITY,
    "设区市": ExerciseLevel.CITY, "地市级": ExerciseLevel.CITY, "县": ExerciseLevel.COUNTY,
    "区": ExerciseLevel.COUNTY, "区级": ExerciseLevel.COUNTY, "县区级": ExerciseLevel.COUNTY,
    "县（市、区）级": ExerciseLevel.COUNTY, "县(市、区)级": ExerciseLevel.COUNTY,
    "乡镇": ExerciseLevel.TOWNSHIP, "乡镇级": ExerciseLevel.TOWNSHIP,
    "乡镇（街道）级": ExerciseLevel.TOWNSHIP, "镇街": ExerciseLevel.TOWNSHIP,
    "村": ExerciseLevel.VILLAGE, "社区": ExerciseLevel.VILLAGE,
}  # fmt: skip
_CATEGORY_ALIASES = {
    "其他权力": Category.OTHER, "其他职权": Category.OTHER, "其他": Category.OTHER,
    "其他行政权力": Category.OTHER, "公共服务事项": Category.PUBLIC_SERVICE,
    "许可": Category.LICENSING, "处罚": Category.PENALTY, "强制": Category.COERCION,
    "征收": Category.LEVY, "给付": Category.PAYMENT, "检查": Category.INSPECTION,
    "确认": Category.CONFIRMATION, "奖励": Category.REWARD, "裁决": Category.ADJUDICATION,
}  # fmt: skip
_SPLIT_TOKENS = re.compile(r"[、,，;；/\s和及或]+")
_SPLIT_LINES = re.compile(r"[\n；;]+")
_REQUIRED_KEYS = {"name", "category"}


def chinese_number(text: str) -> int:
    """Arabic digits, or a Chinese numeral up to the hundreds (二十, 一百二十, 十五)."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            current = _CN_DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            raise CellError(f"“{text}”不是数字")
    return total + current


def parse_time_limit(value: Any, *, category: str = "") -> tuple[int | None, str, bool]:
    """(count, unit, instant) from a time-limit cell. A bare 日/天 counts working days for
    licensing (行政许可法第八十二条: 期限以工作日计算) and natural days otherwise. An empty cell
    or "无" gives (None, "", False): a gap, not an error."""
    if isinstance(value, bool):
        raise CellError("应为时限，如“20个工作日”")
    if isinstance(value, int | float):
        if value < 0 or int(value) != value:
            raise CellError(f"“{value}”不是有效的天数")
        return int(value), "", False
    text = re.sub(r"\s+", "", _text(value))
    if text in _NONE_WORDS:
        return None, "", False
    if _INSTANT.match(text):
        return 0, LimitUnit.WORKING_DAY, True
    if text.isdigit():
        return int(text), "", False
    match = _LIMIT.search(text)
    if match is None:
        raise CellError(f"“{text[:30]}”读不出时限，应写成如“20个工作日”“30日”“即办”")
    count = chinese_number(match["n"])
    unit_word = match["unit"]
    if unit_word in ("日", "天"):
        unit = LimitUnit.WORKING_DAY if category == Category.LICENSING else LimitUnit.NATURAL_DAY
    else:
        unit = _UNITS[unit_word]
    return count, unit, False


def _choice_or_alias(value: Any, choices: type[TextChoices], aliases: dict[str, str]) -> str:
    text = re.sub(r"\s+", "", _text(value))
    lookup = LOOKUPS[choices]
    code = lookup.get(text) or lookup.get(text.upper()) or aliases.get(text)
    if code is None:
        match = re.match(r"^0?(\d{1,2})(?:\D|$)", text)  # "01行政许可", "1.行政许可"
        if match:
            code = lookup.get(match.group(1).zfill(2)) or lookup.get(match.group(1))
    if code is None:
        allowed = "、".join(str(label) for label in choices.labels)
        raise CellError(f"“{text[:30]}”不是有效值（可填：{allowed}，或其代码）")
    return code


def parse_category(value: Any) -> str:
    return _choice_or_alias(value, Category, _CATEGORY_ALIASES)


def parse_service_objects(value: Any) -> list[str]:
    codes: list[str] = []
    for token in _SPLIT_TOKENS.split(_text(value)):
        if not token:
            continue
        code = _SERVICE_ALIASES.get(token) or LOOKUPS[ServiceObject].get(token)
        if code is None:
            raise CellError(f"服务对象“{token[:20]}”无法识别（可填自然人、法人、其他组织等）")
        if code not in codes:
            codes.append(code)
    return codes


def parse_level(value: Any) -> str:
    text = re.sub(r"\s+", "", _text(value))
    if "、" in text or "，" in text or "分级" in text:
        return ExerciseLevel.TIERED
    return _choice_or_alias(text, ExerciseLevel, _LEVEL_ALIASES)


def parse_legal_bases(value: Any) -> list[LegalBasisDraft]:
    """Our own syntax when it fits; else every 《law》 in the text starts a basis, with the
    article that follows it and the rest of its text. Text naming no law is one basis whose
    law name is the text itself (up to 200 characters)."""
    text = _text(value).strip()
    if not text:
        return []
    try:
        return _parse_legal_bases(text)
    except CellError:
        pass
    matches = list(_LAW.finditer(text))
    if not matches:
        lines = [line.strip() for line in _SPLIT_LINES.split(text) if line.strip()]
        if any(len(line) > 200 for line in lines):
            raise CellError(
                "读不出法律法规名称：请用书名号写明，如《中华人民共和国行政许可法》第十二条"
            )
        return [LegalBasisDraft(_NUMBERING.sub("", line)) for line in lines]
    bases = []
    for position, match in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        rest = text[match.end() : end]
        article_match = _ARTICLE.match(rest)
        article = article_match["article"] if article_match else ""
        body = rest[article_match.end() :] if article_match else rest
        body = body.strip().lstrip("：:，,").strip().rstrip("；;、和及").strip()
        body = _NUMBERING.sub("", body) if body else body
        bases.append(LegalBasisDraft(match["law"].strip(), article[:100], body[:4000]))
    return bases


def parse_materials(value: Any) -> list[MaterialDraft]:
    materials = []
    for line in _SPLIT_LINES.split(_text(value)):
        name = _NUMBERING.sub("", line).strip().rstrip("。")
        if name and name not in _NONE_WORDS:
            materials.append(MaterialDraft(name[:200]))
    return materials


def _lenient(key: str, value: Any) -> Any:
    if key == "category":
        return parse_category(value)
    if key == "service_objects":
        return parse_service_objects(value)
    if key == "exercise_level":
        return parse_level(value)
    if key == "legal_bases":
        return parse_legal_bases(value)
    if key == "materials":
        return parse_materials(value)
    if key in ("code", "national_code", "basic_code", "contact_phone", "supervision_phone"):
        return re.sub(r"\s+", "", _text(value)) if key != "contact_phone" else _text(value).strip()
    parser = PARSERS.get(key)
    return parser(value) if parser else _text(value).strip()


def parse_list_row(
    row: SheetRow, header: Header, *, region_code: str, department_code: str, department_name: str
) -> tuple[PowerDraft, set[str], list[FieldProblem]]:
    """The draft a data row describes, the fields the row gave (a re-import updates only
    those), and the problems reading its cells."""
    mapping = header.mapping
    if header.is_template:
        draft, problems = parse_row(
            row, Layout(mapping), region_code=region_code, department_code=department_code
        )
        given = {c.key for c in mapping.values() if c.key in DRAFT_FIELDS}
        if draft.statutory_limit is None:
            given.discard("statutory_limit")
        return draft, given, problems
    problems: list[FieldProblem] = []
    values: dict[str, Any] = {"code": "", "name": "", "category": "", "statutory_limit": None}
    given: set[str] = set()
    cells = row.values
    for index in (*row.formula_columns, *row.error_columns):
        column = mapping.get(index)
        label = column.header if column else f"第{index + 1}列"
        reason = "单元格含公式，请改为直接填写内容" if index in row.formula_columns else (
            "单元格为错误值（如#N/A），请改正")  # fmt: skip
        problems.append(FieldProblem(label, reason, row.number))
    skip = {*row.formula_columns, *row.error_columns}
    limits: dict[str, Any] = {}
    for index, column in mapping.items():
        key = column.key
        value = cells[index] if index < len(cells) else None
        if index in skip or key in ("region_code", "department_code", "status"):
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            if key in _REQUIRED_KEYS:
                problems.append(FieldProblem(column.header, "不能为空", row.number))
            continue
        if key in ("statutory_limit", "promised_limit"):
            limits[key] = (column, value)
            continue
        try:
            values[key] = _lenient(key, value)
            given.add(key)
        except CellError as error:
            problems.append(FieldProblem(column.header, str(error), row.number))
    category = values.get("category", "")
    for key, (column, value) in limits.items():
        try:
            count, unit, instant = parse_time_limit(value, category=category)
        except CellError as error:
            problems.append(FieldProblem(column.header, str(error), row.number))
            continue
        if count is None:
            continue
        values[key] = count
        given.add(key)
        unit_key = f"{key}_unit"
        unit = unit or header.unit_hint(key)
        if unit and unit_key not in given:
            values[unit_key] = unit
            given.add(unit_key)
        if instant and key == "statutory_limit" and "case_type" not in given:
            values["case_type"] = CaseType.INSTANT
            given.add("case_type")
    if "implementing_body" not in given:
        values["implementing_body"] = department_name
    fee_text = values.get("fee_standard", "")
    if "charges_fee" not in given and fee_text:
        values["charges_fee"] = fee_text.strip() not in _NO_FEE
        given.add("charges_fee")
    return PowerDraft(**values), given, problems
