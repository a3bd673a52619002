"""Which column of a department's list holds which field: header names as real lists write them.

Published power lists (权力清单) name their columns in many ways — 事项名称, 权力名称, 职权名称;
设定依据, 法律依据, 实施依据; 法定时限, 法定办结时限 … — often under a title row or two, with
headers merged across two rows ("时限" over "法定" and "承诺"). `find_header` picks the row (or
pair of rows) that names the most fields and guesses each column's field; the clerk confirms or
corrects the guess on the preview page (`ColumnGuess.field` is what the import then uses).
"""

import re
from dataclasses import dataclass, field
from functools import cached_property

from sunlight.catalog.spreadsheet import COLUMNS, Column
from sunlight.core.errors import FieldProblem
from sunlight.core.spreadsheets import SheetRow, column_letter

HEADER_SEARCH_ROWS = 15  # title rows, notes and blank rows above the header
IGNORE = ""  # the field of a column the import does not read

COLUMN_BY_KEY = {column.key: column for column in COLUMNS}

# Names real lists use, besides our own template's header (each column's own header is added
# below). Matched after removing spaces, "*" and anything in brackets.
_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("本平台编码", "内部编码"),
    "national_code": ("事项编码", "事项实施编码", "实施清单编码", "实施码"),
    "basic_code": ("事项基本编码", "基本码"),
    "name": ("权力名称", "职权名称", "权力事项名称", "事项名", "主项名称", "主项", "项目名称",
             "权力事项", "主项事项名称", "行政权力名称", "服务事项名称", "事项"),
    "sub_item_name": ("子项", "子项名称", "子项事项名称", "权力子项", "子项目名称"),
    "category": ("事项类型", "事项类别", "权力类型", "职权类别", "职权类型", "权力类别", "类别",
                 "类型", "权力分类", "事项分类"),
    "implementing_body": ("实施机关", "实施部门", "实施单位", "行使主体", "责任主体",
                          "实施主体名称", "执法主体", "办理机构", "实施机构"),
    "body_nature": ("主体性质", "实施主体类型"),
    "handling_section_name": ("承办机构", "承办处室", "承办科室", "内设机构", "责任科室",
                              "责任处室", "承办单位", "具体承办机构", "责任股室"),
    "exercise_level": ("实施层级", "层级", "行使层级"),
    "service_objects": ("服务对象", "办理对象", "行政相对人", "适用对象"),
    "handling_forms": ("办理方式",),
    "case_type": ("办件类别",),
    "statutory_limit": ("法定办结时限", "法定期限", "法定时限", "法定办理时限", "法定"),
    "promised_limit": ("承诺办结时限", "承诺期限", "承诺时限", "承诺办理时限", "承诺"),
    "charges_fee": ("是否收费",),
    "fee_basis": ("收费依据",),
    "fee_standard": ("收费标准", "收费标准及依据", "收费情况"),
    "legal_bases": ("法律依据", "实施依据", "设定和实施依据", "设定依据", "法定依据", "依据",
                    "法律法规依据", "政策依据"),
    "materials": ("申请材料", "申报材料", "申请材料目录", "所需材料", "材料"),
    "conditions": ("受理条件", "申请条件", "办理条件"),
    "duties": ("责任事项", "责任事项内容"),
    "contact_phone": ("咨询电话", "咨询方式", "联系电话", "咨询"),
    "supervision_phone": ("监督电话", "投诉电话", "监督投诉电话", "监督投诉方式", "监督"),
    "change_reason": ("变更原因", "调整原因"),
}  # fmt: skip
_BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_NOISE = re.compile(r"[\s*＊:：/]")


def normalise_header(text: object) -> str:
    value = "" if text is None else str(text)
    return _NOISE.sub("", _BRACKETS.sub("", value))


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for key, names in _ALIASES.items():
        for name in names:
            lookup.setdefault(normalise_header(name), key)
    for column in COLUMNS:
        lookup[normalise_header(column.header)] = column.key  # our template's names win
    return lookup


HEADER_LOOKUP = _build_lookup()
FIELD_CHOICES: list[tuple[str, str]] = [(IGNORE, "（不导入）")] + [
    (column.key, column.header) for column in COLUMNS if column.key != "status"
]
_UNIT_HINTS = (
    ("工作日", "working_day"),
    ("自然日", "natural_day"),
    ("小时", "hour"),
    ("月", "month"),
)


@dataclass
class ColumnGuess:
    """One column of the file: its header as read, and the field it goes to ("" = ignored)."""

    index: int
    header: str
    field: str
    sample: str = ""
    unit_hint: str = ""  # "法定时限（工作日）": a unit named in the header

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    @property
    def field_label(self) -> str:
        return COLUMN_BY_KEY[self.field].header if self.field else "（不导入）"


@dataclass
class Header:
    """Where the header is (its first and last row) and the guessed mapping."""

    first_row: int
    last_row: int
    columns: list[ColumnGuess] = field(default_factory=list)

    # Asked once per data row: computed once (a corrected mapping is a new Header, with_fields).
    @cached_property
    def mapping(self) -> dict[int, Column]:
        return {c.index: COLUMN_BY_KEY[c.field] for c in self.columns if c.field}

    @cached_property
    def is_template(self) -> bool:
        """Our own template or export — its 统一编码 and 法定时限单位 columns under their own
        names: cells follow its syntax exactly (no lenient reading)."""
        own = {(c.field, c.header) for c in self.columns}
        return all((key, COLUMN_BY_KEY[key].header) in own
                   for key in ("code", "statutory_limit_unit"))  # fmt: skip

    def unit_hint(self, key: str) -> str:
        return next((c.unit_hint for c in self.columns if c.field == key and c.unit_hint), "")

    def problems(self) -> list[FieldProblem]:
        """Columns mapped twice, and the fields an import cannot do without."""
        problems = []
        seen: dict[str, ColumnGuess] = {}
        for column in self.columns:
            if not column.field:
                continue
            if column.field in seen:
                first = seen[column.field]
                problems.append(
                    FieldProblem(
                        column.field_label,
                        f"{first.letter}列“{first.header}”和{column.letter}列“{column.header}”"
                        "都对应这一项，请只保留一列",
                        self.last_row,
                    )
                )
            seen[column.field] = column
        for key in ("name", "category"):
            if key not in seen:
                problems.append(
                    FieldProblem(
                        COLUMN_BY_KEY[key].header,
                        "找不到这一列（可在预览页指定哪一列是它）",
                        self.last_row,
                    )
                )
        return problems

    def with_fields(self, fields: dict[int, str]) -> "Header":
        """The same header with the clerk's corrections (column index → field, "" = ignore)."""
        columns = [
            ColumnGuess(c.index, c.header, fields.get(c.index, c.field), c.sample, c.unit_hint)
            for c in self.columns
        ]
        return Header(self.first_row, self.last_row, columns)


def _guess(text: str) -> str:
    return HEADER_LOOKUP.get(normalise_header(text), IGNORE)


def _unit_hint(text: str) -> str:
    inside = "".join(_BRACKETS.findall(text or ""))
    return next((unit for word, unit in _UNIT_HINTS if word in inside), "")


def _cell_text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _columns_of(upper: SheetRow, lower: SheetRow | None) -> list[ColumnGuess]:
    """Guesses for a one-row header (`lower` None) or a two-row one: for each column the lower
    cell, the two joined either way, then the upper cell, whichever names a field first."""
    width = max(len(upper.values), len(lower.values) if lower else 0)
    columns = []
    for index in range(width):
        top = _cell_text(upper.values[index]) if index < len(upper.values) else ""
        bottom = ""
        if lower is not None and index < len(lower.values):
            bottom = _cell_text(lower.values[index])
        candidates = [bottom, top + bottom, bottom + top, top] if lower else [top]
        key, shown = IGNORE, top if not bottom else (bottom if not top or top == bottom else
                                                     f"{top}/{bottom}")  # fmt: skip
        for candidate in candidates:
            if candidate and (key := _guess(candidate)):
                break
        if not shown:
            continue
        columns.append(ColumnGuess(index, shown, key, unit_hint=_unit_hint(top + bottom)))
    return columns


def _score(columns: list[ColumnGuess]) -> int:
    return len({c.field for c in columns if c.field})


def find_header(rows: list[SheetRow]) -> Header | None:
    """The header among the first rows: the row, or pair of rows, naming the most fields (at
    least two). A single row wins a tie. None when no row looks like a header."""
    head = [row for row in rows[:HEADER_SEARCH_ROWS] if not row.is_empty]
    best: Header | None = None
    best_score = 1
    for position, row in enumerate(head):
        single = _columns_of(row, None)
        score = _score(single)
        if score > best_score:
            best, best_score = Header(row.number, row.number, single), score
        following = head[position + 1] if position + 1 < len(head) else None
        if following is not None and following.number == row.number + 1:
            double = _columns_of(row, following)
            upper, lower = _score(single), _score(_columns_of(following, None))
            score = _score(double)
            # Two rows when both name fields (not a title above a header, nor a header above
            # data) and together they name at least as much as either alone.
            if upper and lower and score >= max(upper, lower, best_score):
                best, best_score = Header(row.number, following.number, double), score
    if best is not None:
        _add_samples(best, rows)
    return best


def _add_samples(header: Header, rows: list[SheetRow]) -> None:
    """The first non-empty value under each column, shown on the preview page."""
    data = [row for row in rows if row.number > header.last_row][:50]
    for column in header.columns:
        for row in data:
            value = row.values[column.index] if column.index < len(row.values) else None
            text = _cell_text(value)
            if text:
                column.sample = text if len(text) <= 40 else text[:40] + "…"
                break
