"""The power-catalog spreadsheet: one row per power item, Chinese column headers.

This module only translates between cells and `PowerDraft`s (imports.py builds the workbook); the
rules a draft must satisfy live in drafts.py and services.py. Export → import is exact: every
`PowerDraft` field written by `draft_cells` comes back unchanged from `parse_row` (line breaks
are normalised to "\\n").

Lists inside one cell (设定依据, 申请材料, 责任事项) put one entry per line. A line starting with
a backslash continues the previous entry on a new line, so texts with line breaks survive.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import TextChoices

from sunlight.catalog.choices import (
    CATEGORY_LETTER_CODES,
    BodyNature,
    CaseType,
    Category,
    DisclosureForm,
    DisclosureFrequency,
    DisclosureScope,
    ExerciseLevel,
    HandlingForm,
    LimitUnit,
    ServiceObject,
)
from sunlight.catalog.drafts import LABELS, DutyDraft, LegalBasisDraft, MaterialDraft, PowerDraft
from sunlight.catalog.models import PowerVersion
from sunlight.core.errors import FieldProblem
from sunlight.core.spreadsheets import SheetRow, column_letter

DATA_SHEET = "权力事项"
SEP = "｜"
CONTINUATION = "\\"
_SPLIT_PARTS = re.compile(r"[｜|]")
_SPLIT_MULTI = re.compile(r"[、,，;；\n]+")
_SPACES = re.compile(r"\s+")
_BASIS = re.compile(r"^《(?P<law>[^》]*)》(?P<rest>.*)$", re.DOTALL)
_COUNT = {"原件": re.compile(r"^(?:原件)?\s*(\d{1,3})\s*份?$"),
          "复印件": re.compile(r"^(?:复印件)?\s*(\d{1,3})\s*份?$")}  # fmt: skip
_INTEGER = re.compile(r"^[+-]?\d{1,9}$")
_COLON = re.compile(r"[:：]")

# Code tables whose cells show "code label" (numeric GB/T 39046 codes); the rest show labels.
_CODED: tuple[type[TextChoices], ...] = (
    Category,
    BodyNature,
    ExerciseLevel,
    ServiceObject,
    HandlingForm,
    CaseType,
)


def _choice_text(choices: type[TextChoices], code: str) -> str:
    label = str(choices(code).label)
    return f"{code} {label}" if choices in _CODED else label


def _choice_lookup(choices: type[TextChoices], extra: dict[str, str] | None = None) -> dict:
    """Every spelling accepted for a code: code, label, "code label", half/full-width parens."""
    lookup: dict[str, str] = {}
    for code, label in choices.choices:
        labels = {str(label), str(label).replace("(", "（").replace(")", "）")}
        for text in labels:
            lookup.update({text: code, f"{code} {text}": code, f"{code}{text}": code})
        lookup[code] = code
        if code.isdigit() and code.startswith("0"):
            lookup[code.lstrip("0")] = code  # Excel turns "01" typed as a number into 1
    for alias, code in (extra or {}).items():
        lookup[alias] = code
        lookup[alias.lower()] = code
        lookup[f"{alias} {choices(code).label}"] = code
    return lookup


def _options(choices: type[TextChoices]) -> list[str]:
    return [_choice_text(choices, code) for code in choices.values]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 14
    options: tuple[str, ...] = ()
    note: str = ""
    multiline: bool = False
    numeric: bool = False


CHOICE_FIELDS: dict[str, type[TextChoices]] = {
    "category": Category,
    "body_nature": BodyNature,
    "exercise_level": ExerciseLevel,
    "case_type": CaseType,
    "statutory_limit_unit": LimitUnit,
    "promised_limit_unit": LimitUnit,
    "disclosure_form": DisclosureForm,
    "disclosure_scope": DisclosureScope,
    "disclosure_frequency": DisclosureFrequency,
}
MULTI_FIELDS: dict[str, type[TextChoices]] = {
    "service_objects": ServiceObject,
    "handling_forms": HandlingForm,
}
LOOKUPS: dict[type[TextChoices], dict[str, str]] = {
    choices: _choice_lookup(choices, CATEGORY_LETTER_CODES if choices is Category else None)
    for choices in {*CHOICE_FIELDS.values(), *MULTI_FIELDS.values()}
}
FEE = {"是": True, "否": False, "收费": True, "不收费": False, "1": True, "0": False}
IMPORTANCE = {"重要": True, "非重要": False, "是": True, "否": False}
MANDATORY = {"必要": True, "非必要": False, "是": True, "否": False, "": True}

_MULTI_NOTE = "可填多项，用顿号或换行分隔；每项可填代码、名称或“代码 名称”"
_CHOICE_NOTE = "可填代码、名称或“代码 名称”；留空按默认"

COLUMNS: tuple[Column, ...] = (
    Column("code", LABELS["code"], True, 22, note="6-24位数字或大写字母；不得与已有事项重复"),
    Column("national_code", LABELS["national_code"], width=40,
           note="省级事项库的实施编码，照原样填写（连字符连接，31-60位）；重新导入时按它或统一编码"
                "匹配已有事项；可留空"),
    Column("basic_code", LABELS["basic_code"], width=18, note="事项基本编码，照原样填写；可留空"),
    Column("name", LABELS["name"], True, 30, note="不超过200字"),
    Column("sub_item_name", LABELS["sub_item_name"], width=24, note="无子项留空"),
    Column("category", LABELS["category"], True, 14, tuple(_options(Category)),
           "可填代码（01）、名称（行政许可）、“01 行政许可”或字母代码（XK、CF、QZ…）"),
    Column("implementing_body", LABELS["implementing_body"], True, 20, note="不超过100字"),
    Column("body_nature", LABELS["body_nature"], options=tuple(_options(BodyNature)),
           note=_CHOICE_NOTE + "（法定机关）"),
    Column("handling_section_name", LABELS["handling_section_name"], width=16,
           note="须为本部门已有科室的名称；可留空"),
    Column("exercise_level", LABELS["exercise_level"], options=tuple(_options(ExerciseLevel)),
           note=_CHOICE_NOTE + "（市级）"),
    Column("service_objects", LABELS["service_objects"], width=20,
           options=tuple(_options(ServiceObject)), note=_MULTI_NOTE + "；留空按自然人"),
    Column("handling_forms", LABELS["handling_forms"], width=20,
           options=tuple(_options(HandlingForm)), note=_MULTI_NOTE + "；留空按窗口办理"),
    Column("case_type", LABELS["case_type"], options=tuple(_options(CaseType)),
           note=_CHOICE_NOTE + "（承诺件）"),
    Column("statutory_limit", LABELS["statutory_limit"], True, 10, numeric=True,
           note="0-3650的整数"),
    Column("statutory_limit_unit", LABELS["statutory_limit_unit"],
           options=tuple(_options(LimitUnit)), note="留空按工作日"),
    Column("promised_limit", LABELS["promised_limit"], width=10, numeric=True,
           note="0-3650的整数，不得长于法定时限；无承诺留空"),
    Column("promised_limit_unit", LABELS["promised_limit_unit"],
           options=tuple(_options(LimitUnit)), note="留空按工作日"),
    Column("charges_fee", LABELS["charges_fee"], width=10, options=("是", "否"),
           note="是/否；留空按否"),
    Column("fee_basis", LABELS["fee_basis"], width=24, multiline=True,
           note="收费事项必填；不超过2000字"),
    Column("fee_standard", LABELS["fee_standard"], width=24, multiline=True,
           note="不超过2000字"),
    Column("legal_bases", LABELS["legal_bases"], True, 50, multiline=True,
           note="每行一条：《法律法规名称》第X条：条文内容。至少一条"),
    Column("materials", LABELS["materials"], width=40, multiline=True,
           note="每行一项：材料名称｜必要或非必要｜原件N｜复印件N｜备注；后几段可省略"
                "（默认必要、原件1、复印件0）"),
    Column("conditions", LABELS["conditions"], width=30, multiline=True,
           note="不超过4000字"),
    Column("duties", LABELS["duties"], width=40, multiline=True,
           note="每行一条：环节｜责任事项｜追责情形"),
    Column("important", LABELS["important"], width=10, options=("重要", "非重要"),
           note="重要/非重要；留空按非重要"),
    Column("disclosure_form", LABELS["disclosure_form"], options=tuple(_options(DisclosureForm)),
           note="留空按网络公开"),
    Column("disclosure_scope", LABELS["disclosure_scope"],
           options=tuple(_options(DisclosureScope)), note="社会/内部；留空按社会"),
    Column("disclosure_frequency", LABELS["disclosure_frequency"],
           options=tuple(_options(DisclosureFrequency)), note="留空按随时"),
    Column("contact_phone", LABELS["contact_phone"], width=16, note="数字、-、括号、“转”"),
    Column("supervision_phone", LABELS["supervision_phone"], width=16,
           note="数字、-、括号、“转”"),
    Column("change_reason", LABELS["change_reason"], width=20, multiline=True,
           note="变更事项的原因；新事项留空"),
    Column("region_code", "区划代码", width=10,
           note="可留空；填写时须与导入的目标部门一致（6位行政区划代码）"),
    Column("department_code", "部门编码", width=10,
           note="可留空；填写时须与目标部门一致（3位部门编码或9位完整编码）"),
    Column("status", "状态", width=10, note="导出时显示事项状态，导入时忽略（导入的事项均为草稿）"),
)  # fmt: skip
COLUMN_BY_HEADER = {column.header: column for column in COLUMNS}
REQUIRED_HEADERS = [column.header for column in COLUMNS if column.required]


# ---------------------------------------------------------------- drafts → cells


def _join_entries(entries: Iterable[str]) -> str:
    """One entry per line; an entry's own line breaks become continuation lines."""
    lines: list[str] = []
    for entry in entries:
        first, *rest = entry.replace("\r\n", "\n").split("\n")
        lines.append(first)
        lines += [CONTINUATION + line for line in rest]
    return "\n".join(lines)


def format_legal_bases(bases: Iterable[LegalBasisDraft]) -> str:
    return _join_entries(
        f"《{b.law_name}》{b.article}" + (f"：{b.text}" if b.text else "") for b in bases
    )


def format_materials(materials: Iterable[MaterialDraft]) -> str:
    return _join_entries(
        SEP.join(
            [m.name, "必要" if m.mandatory else "非必要", f"原件{m.originals}", f"复印件{m.copies}"]
            + ([m.notes] if m.notes else [])
        )
        for m in materials
    )


def format_duties(duties: Iterable[DutyDraft]) -> str:
    return _join_entries(
        SEP.join([d.step_name, d.responsibility] + ([d.accountability] if d.accountability else []))
        for d in duties
    )


def draft_cells(
    draft: PowerDraft, *, region_code: str = "", department_code: str = "", status: str = ""
) -> list[Any]:
    """The row for `draft`, in COLUMNS order (text not yet made formula-safe)."""
    values: dict[str, Any] = {
        "legal_bases": format_legal_bases(draft.legal_bases),
        "materials": format_materials(draft.materials),
        "duties": format_duties(draft.duties),
        "charges_fee": "是" if draft.charges_fee else "否",
        "important": "重要" if draft.important else "非重要",
        "region_code": region_code,
        "department_code": department_code,
        "status": status,
    }
    for name, choices in CHOICE_FIELDS.items():
        values[name] = _choice_text(choices, getattr(draft, name))
    for name, choices in MULTI_FIELDS.items():
        values[name] = "、".join(_choice_text(choices, code) for code in getattr(draft, name))
    return [
        values[column.key] if column.key in values else getattr(draft, column.key)
        for column in COLUMNS
    ]


def draft_from_version(version: PowerVersion) -> PowerDraft:
    """A version's content as a draft (children in position order)."""
    return PowerDraft(
        code=version.item.code,
        national_code=version.item.national_code,
        basic_code=version.item.basic_code,
        name=version.name,
        sub_item_name=version.sub_item_name,
        category=version.category,
        implementing_body=version.implementing_body,
        body_nature=version.body_nature,
        handling_section_name=version.handling_section.name if version.handling_section else "",
        exercise_level=version.exercise_level,
        service_objects=version.service_object_codes,
        handling_forms=version.handling_form_codes,
        case_type=version.case_type,
        statutory_limit=version.statutory_limit,
        statutory_limit_unit=version.statutory_limit_unit,
        promised_limit=version.promised_limit,
        promised_limit_unit=version.promised_limit_unit,
        charges_fee=version.charges_fee,
        fee_basis=version.fee_basis,
        fee_standard=version.fee_standard,
        conditions=version.conditions,
        important=version.important,
        disclosure_form=version.disclosure_form,
        disclosure_scope=version.disclosure_scope,
        disclosure_frequency=version.disclosure_frequency,
        contact_phone=version.contact_phone,
        supervision_phone=version.supervision_phone,
        change_reason=version.change_reason,
        legal_bases=[
            LegalBasisDraft(b.law_name, b.article, b.text)
            for b in sorted(version.legal_bases.all(), key=lambda b: b.position)
        ],
        materials=[
            MaterialDraft(m.name, m.mandatory, m.originals, m.copies, m.notes, m.deferrable)
            for m in sorted(version.materials.all(), key=lambda m: m.position)
        ],
        duties=[
            DutyDraft(d.step_name, d.responsibility, d.accountability)
            for d in sorted(version.duties.all(), key=lambda d: d.position)
        ],
    )


# ---------------------------------------------------------------- cells → drafts


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message is for the user."""


@dataclass
class Layout:
    """Which column index holds which field, read from the header row."""

    columns: dict[int, Column] = field(default_factory=dict)
    problems: list[FieldProblem] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max(self.columns, default=-1) + 1


def read_header(row: SheetRow) -> Layout:
    layout = Layout()
    seen: set[str] = set()
    for index, value in enumerate(row.values):
        header = _SPACES.sub("", str(value or "")).strip("*＊")
        column = COLUMN_BY_HEADER.get(header)
        if column is None:
            continue  # extra columns (序号, 备注…) are allowed and ignored
        if header in seen:
            layout.problems.append(FieldProblem(header, "该列出现了两次", row.number))
        seen.add(header)
        layout.columns[index] = column
    for header in REQUIRED_HEADERS:
        if header not in seen:
            layout.problems.append(FieldProblem(header, "缺少必填列", row.number))
    return layout


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def _short(text: str) -> str:
    return text if len(text) <= 30 else text[:30] + "…"


def _parse_choice(value: Any, choices: type[TextChoices]) -> str:
    text = _SPACES.sub(" ", _text(value).strip())
    lookup = LOOKUPS[choices]
    code = lookup.get(text) or lookup.get(text.upper())
    if code is None:
        allowed = "、".join(_options(choices))
        raise CellError(f"“{_short(text)}”不是有效值（可填：{allowed}）")
    return code


def _parse_multi(value: Any, choices: type[TextChoices]) -> list[str]:
    return [_parse_choice(token, choices) for token in _SPLIT_MULTI.split(_text(value)) if token]


def _parse_limit(value: Any) -> int | None:
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(f"“{value}”不是整数")
    text = _text(value).strip()
    if not text:
        return None
    if not _INTEGER.match(text):
        raise CellError(f"“{_short(text)}”不是数字，应填0-3650的整数")
    return int(text)


def _parse_flag(value: Any, words: dict[str, bool]) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).strip()
    if text not in words:
        raise CellError(f"“{_short(text)}”无效，应填{'或'.join(k for k in words if k)}")
    return words[text]


def _entries(value: Any) -> list[str]:
    entries: list[str] = []
    for line in _text(value).split("\n"):
        if line.startswith(CONTINUATION):
            if not entries:
                raise CellError("第1行以“\\”开头，但“\\”只用于续写上一条的换行内容")
            entries[-1] += "\n" + line[1:]
        elif line.strip():
            entries.append(line)
    return entries


def _parse_legal_bases(value: Any) -> list[LegalBasisDraft]:
    bases = []
    for index, entry in enumerate(_entries(value), start=1):
        match = _BASIS.match(entry.strip())
        if match is None:
            raise CellError(f"第{index}条“{_short(entry)}”应写成：《法律法规名称》第X条：条文内容")
        rest = match["rest"]
        colon = _COLON.search(rest)
        article, text = (rest[: colon.start()], rest[colon.end() :]) if colon else (rest, "")
        bases.append(LegalBasisDraft(match["law"].strip(), article.strip(), text.strip()))
    return bases


def _count(part: str, label: str, index: int) -> int:
    match = _COUNT[label].match(part.strip())
    if match is None:
        raise CellError(f"第{index}项的“{_short(part)}”应写成{label}N（N为份数）")
    return int(match.group(1))


def _parse_materials(value: Any) -> list[MaterialDraft]:
    materials = []
    for index, entry in enumerate(_entries(value), start=1):
        parts = [p.strip() for p in _SPLIT_PARTS.split(entry, maxsplit=4)]
        parts += [""] * (5 - len(parts))
        name, needed, originals, copies, notes = parts
        if needed not in MANDATORY:
            raise CellError(f"第{index}项的“{_short(needed)}”应为必要或非必要")
        materials.append(
            MaterialDraft(
                name=name,
                mandatory=MANDATORY[needed],
                originals=_count(originals, "原件", index) if originals else 1,
                copies=_count(copies, "复印件", index) if copies else 0,
                notes=notes,
            )
        )
    return materials


def _parse_duties(value: Any) -> list[DutyDraft]:
    duties = []
    for entry in _entries(value):
        parts = [p.strip() for p in _SPLIT_PARTS.split(entry, maxsplit=2)]
        parts += [""] * (3 - len(parts))
        duties.append(DutyDraft(*parts))
    return duties


def _code_text(value: Any, width: int) -> str:
    text = _text(value).strip()
    return text.zfill(width) if text.isdigit() and len(text) < width else text


PARSERS: dict[str, Callable[[Any], Any]] = {
    **{name: (lambda v, c=c: _parse_choice(v, c)) for name, c in CHOICE_FIELDS.items()},
    **{name: (lambda v, c=c: _parse_multi(v, c)) for name, c in MULTI_FIELDS.items()},
    "code": lambda v: _text(v).strip(),
    "national_code": lambda v: _text(v).strip(),
    "basic_code": lambda v: _text(v).strip(),
    "statutory_limit": _parse_limit,
    "promised_limit": _parse_limit,
    "charges_fee": lambda v: _parse_flag(v, FEE),
    "important": lambda v: _parse_flag(v, IMPORTANCE),
    "legal_bases": _parse_legal_bases,
    "materials": _parse_materials,
    "duties": _parse_duties,
}
DRAFT_FIELDS = set(PowerDraft.__dataclass_fields__)
_REQUIRED_DRAFT_ARGS = {"code": "", "name": "", "category": "", "implementing_body": ""}


def parse_row(
    row: SheetRow, layout: Layout, *, region_code: str, department_code: str
) -> tuple[PowerDraft, list[FieldProblem]]:
    """The draft a data row describes, and the problems reading its cells (the draft's own
    rules are checked later, by the service). Empty cells keep PowerDraft's defaults."""
    problems: list[FieldProblem] = []
    values: dict[str, Any] = {**_REQUIRED_DRAFT_ARGS, "statutory_limit": None}
    cells = row.values
    for index in row.formula_columns:
        header = layout.columns[index].header if index in layout.columns else _letter(index)
        problems.append(FieldProblem(header, "单元格含公式，请改为直接填写内容", row.number))
    for index in row.error_columns:
        header = layout.columns[index].header if index in layout.columns else _letter(index)
        problems.append(FieldProblem(header, "单元格为错误值（如#N/A），请改正", row.number))
    skip = set(row.formula_columns) | set(row.error_columns)
    for index, column in layout.columns.items():
        value = cells[index] if index < len(cells) else None
        if index in skip:
            continue
        try:
            if column.key == "region_code":
                if _code_text(value, 6) not in ("", region_code):
                    raise CellError(f"“{_short(_text(value))}”不是目标部门的区划代码{region_code}")
                continue
            if column.key == "department_code":
                text = _code_text(value, 3)
                if text not in ("", department_code, region_code + department_code):
                    raise CellError(
                        f"“{_short(text)}”不是目标部门的编码{region_code}{department_code}"
                    )
                continue
            if column.key not in DRAFT_FIELDS:
                continue
            if value is None or (isinstance(value, str) and not value.strip()):
                if column.required and column.key not in ("legal_bases", "statutory_limit"):
                    raise CellError("不能为空")
                continue  # keep PowerDraft's default (the 说明 sheet lists them)
            parser = PARSERS.get(column.key)
            values[column.key] = parser(value) if parser else _text(value)
        except CellError as error:
            problems.append(FieldProblem(column.header, str(error), row.number))
    return PowerDraft(**values), problems


def _letter(index: int) -> str:
    return f"{column_letter(index)}列"


# Shared with the lenient reader of real lists (list_values), which tries our syntax first.
cell_text = _text
parse_legal_bases_strict = _parse_legal_bases
