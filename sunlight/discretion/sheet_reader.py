"""Reading benchmark tables (the layout of `spreadsheet.py`, and what such tables look like
in the wild: a title row above the header, header synonyms such as 违法程度 or 裁量情形,
unmerged cells left blank or repeated below the first), reporting every problem with its sheet
and row. Uploads pass core.spreadsheets' checks (size, zip bomb, DTD, formulas) before openpyxl
sees them; they are opened in full (not read-only) mode because only that mode knows the merged
ranges (a merged range's value is in its top-left cell), so a tighter unpacked-size limit
applies.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import openpyxl
from django.conf import settings

from sunlight.core.spreadsheets import SpreadsheetRefused, check_xlsx_bytes, sheet_rows
from sunlight.discretion.choices import AmountMode
from sunlight.discretion.drafts import (
    BenchmarkDraft,
    PenaltyDraft,
    SheetProblem,
    TierDraft,
    ViolationDraft,
    Where,
    kind_code,
)

# Full-mode openpyxl keeps every cell in memory: benchmark tables are small, so refuse big ones.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 60
HEADER_SEARCH_ROWS = 10

# Header titles (notes in brackets and spaces removed) → what the column holds.
LABELS = {
    "序号": "seq",
    "违法行为": "violation",
    "违法依据": "legal_basis",
    "处罚依据": "penalty_basis",
    "裁量阶次": "tier",
    "裁量等次": "tier",
    "裁量档次": "tier",
    "违法程度": "tier",
    "违法情节": "tier",
    "情节": "tier",
    "阶次": "tier",
    "适用情形": "circumstances",
    "裁量情形": "circumstances",
    "具体情形": "circumstances",
    "情形": "circumstances",
    "处罚种类": "kind",
    "计罚基数": "base",
    "基数": "base",
    "下限": "lower",
    "上限": "upper",
}
TITLES = {
    "violation": "违法行为",
    "legal_basis": "违法依据",
    "penalty_basis": "处罚依据",
    "tier": "裁量阶次",
    "circumstances": "适用情形",
    "kind": "处罚种类",
    "base": "计罚基数",
    "lower": "下限",
    "upper": "上限",
}
REQUIRED = ("violation", "legal_basis", "penalty_basis", "tier", "kind", "lower", "upper")
_NOTE = re.compile(r"[（(][^）)]*[）)]")
_SPACE = re.compile(r"\s+")


@dataclass
class _Grid:
    """A sheet's values with merged ranges filled from their top-left cells."""

    values: dict[int, list[Any]] = field(default_factory=dict)
    anchor: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    formulas: set[tuple[int, int]] = field(default_factory=set)
    errors: set[tuple[int, int]] = field(default_factory=set)

    def get(self, row: int, column: int) -> Any:
        cells = self.values.get(row, [])
        return cells[column] if column < len(cells) else None

    def text(self, row: int, column: int | None) -> str:
        if column is None:
            return ""
        value = self.get(row, column)
        if value is None:
            return ""
        return value.strip() if isinstance(value, str) else str(value).strip()


def read_workbook_bytes(source: bytes | IO[bytes]) -> Any:
    """Check an upload with core.spreadsheets and open it in full mode (merged ranges)."""
    limit = settings.SUNLIGHT_IMPORT_MAX_BYTES
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        size = getattr(source, "size", None)
        if isinstance(size, int) and size > limit:
            raise SpreadsheetRefused("文件超过大小上限")
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(limit + 1)
    check_xlsx_bytes(data, max_bytes=limit)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(m.file_size for m in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise SpreadsheetRefused("裁量基准表解压后超过20MB，请拆分后再导入")
    try:
        return openpyxl.load_workbook(
            io.BytesIO(data), read_only=False, data_only=False, keep_links=False
        )
    except Exception as error:
        # openpyxl raises many kinds for a malformed or hostile file; the user only needs to
        # know it cannot be read.
        raise SpreadsheetRefused("无法读取该 .xlsx 文件，请用 Excel 重新保存后再试") from error


def read_benchmark(source: bytes | IO[bytes]) -> tuple[BenchmarkDraft, list[SheetProblem]]:
    """The draft a benchmark table describes, and every problem found (sheet and row).
    Raises SpreadsheetRefused for a file that is not a workbook we will open."""
    workbook = read_workbook_bytes(source)
    violations: list[ViolationDraft] = []
    problems: list[SheetProblem] = []
    try:
        for sheet in workbook.worksheets:
            if "说明" in sheet.title:
                continue
            found, sheet_problems = _read_sheet(sheet)
            violations += found
            problems += sheet_problems
    finally:
        workbook.close()
    if not violations and not problems:
        problems.append(SheetProblem("违法行为", "文件中没有任何违法行为", None, sheet=""))
    return BenchmarkDraft(violations=violations), problems


def _grid(sheet: Any) -> _Grid:
    grid = _Grid()
    for row in sheet_rows(sheet, max_col=MAX_COLUMNS):
        grid.values[row.number] = list(row.values)
        grid.formulas |= {(row.number, c) for c in row.formula_columns}
        grid.errors |= {(row.number, c) for c in row.error_columns}
    for merged in sheet.merged_cells.ranges:
        top, left = merged.min_row, merged.min_col - 1
        value = grid.get(top, left)
        for r in range(merged.min_row, min(merged.max_row, MAX_ROWS) + 1):
            cells = grid.values.setdefault(r, [])
            for c in range(left, min(merged.max_col, MAX_COLUMNS)):
                cells.extend([None] * (c + 1 - len(cells)))
                cells[c] = value
                grid.anchor[(r, c)] = (top, left)
    return grid


def _label(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    return _SPACE.sub("", _NOTE.sub("", text))


def _columns(grid: _Grid, header: int) -> tuple[dict[str, int], int]:
    """Which column holds what, and the first data row, from a one- or two-row header."""
    top = grid.values.get(header, [])
    below = grid.values.get(header + 1, [])
    two_rows = any(
        LABELS.get(_label(v)) in ("lower", "upper", "base") and (header + 1, c) not in grid.anchor
        for c, v in enumerate(below)
    )
    columns: dict[str, int] = {}
    for index in range(max(len(top), len(below) if two_rows else 0)):
        names = [_label(below[index]) if two_rows and index < len(below) else ""]
        names.append(_label(top[index]) if index < len(top) else "")
        for name in names:
            key = LABELS.get(name)
            if key:
                columns.setdefault(key, index)
                break
    return columns, header + (2 if two_rows else 1)


def _read_sheet(sheet: Any) -> tuple[list[ViolationDraft], list[SheetProblem]]:
    title = sheet.title
    if sheet.max_row > MAX_ROWS:
        return [], [SheetProblem("工作表", f"超过{MAX_ROWS}行，请拆分", None, sheet=title)]
    grid = _grid(sheet)
    header = next(
        (
            r
            for r in range(1, HEADER_SEARCH_ROWS + 1)
            if any(_label(v) == "违法行为" for v in grid.values.get(r, []))
        ),
        None,
    )
    if header is None:
        if all(v is None or str(v).strip() == "" for vs in grid.values.values() for v in vs):
            return [], []  # an empty sheet
        return [], [SheetProblem("表头", "未找到“违法行为”列，不是裁量基准表", None, sheet=title)]
    columns, start = _columns(grid, header)
    missing = [TITLES[key] for key in REQUIRED if key not in columns]
    if missing:
        message = "缺少" + "、".join(f"“{m}”" for m in missing) + "列"
        return [], [SheetProblem("表头", message, header, sheet=title)]
    return _SheetReader(title, grid, columns).read(start)


class _SheetReader:
    """Groups a sheet's data rows into violations → tiers → penalties."""

    def __init__(self, title: str, grid: _Grid, columns: dict[str, int]) -> None:
        self.title, self.grid, self.columns = title, grid, columns
        self.problems: list[SheetProblem] = []
        self.violations: list[ViolationDraft] = []

    def problem(self, row: int, key: str, message: str) -> None:
        self.problems.append(SheetProblem(TITLES.get(key, key), message, row, sheet=self.title))

    def cell(self, row: int, key: str) -> str:
        return self.grid.text(row, self.columns.get(key))

    def group_key(self, row: int, key: str, previous: Any, texts: tuple[str, ...]) -> Any:
        """Rows of one violation (or tier): one merged range, or blank / repeated cells below
        the first unmerged one."""
        column = self.columns[key]
        anchor = self.grid.anchor.get((row, column))
        if anchor is not None:
            return ("merged", anchor)
        if not any(texts):
            return previous
        if previous is not None and previous[0] == "rows" and previous[2] == texts:
            return previous
        return ("rows", row, texts)

    def read(self, start: int) -> tuple[list[ViolationDraft], list[SheetProblem]]:
        mapped = set(self.columns.values())
        violation_key: Any = None
        tier_key: Any = None
        violation: ViolationDraft | None = None
        tier: TierDraft | None = None
        last = max(self.grid.values, default=0)
        for row in range(start, last + 1):
            if all(self.grid.text(row, c) == "" for c in mapped):
                continue
            for key, column in self.columns.items():
                if (row, column) in self.grid.formulas:
                    self.problem(row, key, "不接受公式，请填写数值或文字")
                if (row, column) in self.grid.errors:
                    self.problem(row, key, "单元格是错误值")
            texts = (self.cell(row, "violation"), self.cell(row, "legal_basis"))
            key = self.group_key(row, "violation", violation_key, texts)
            if key is None:
                self.problem(row, "violation", "不能为空")
                continue
            if key != violation_key:
                violation = ViolationDraft(
                    law=self.title,
                    name=self.cell(row, "violation"),
                    legal_basis=self.cell(row, "legal_basis"),
                    penalty_basis=self.cell(row, "penalty_basis"),
                    where=Where(self.title, row),
                )
                self.violations.append(violation)
                violation_key, tier_key, tier = key, None, None
            else:
                self._same_violation(row, violation)
            tier_texts = (self.cell(row, "tier"),)
            new_tier_key = self.group_key(row, "tier", tier_key, tier_texts)
            if new_tier_key is None:
                self.problem(row, "tier", "不能为空")
                continue
            if new_tier_key != tier_key:
                anchor = new_tier_key[1] if new_tier_key[0] == "merged" else None
                if anchor is not None and violation.where and anchor[0] < violation.where.row:
                    self.problem(row, "tier", "裁量阶次的合并单元格跨越了两个违法行为")
                tier = TierDraft(
                    name=self.cell(row, "tier"),
                    circumstances=self.cell(row, "circumstances"),
                    where=Where(self.title, row),
                )
                violation.tiers.append(tier)
                tier_key = new_tier_key
            penalty = self._penalty(row)
            if penalty is not None and tier is not None:
                tier.penalties.append(penalty)
        return self.violations, self.problems

    def _same_violation(self, row: int, violation: ViolationDraft | None) -> None:
        if violation is None:
            return
        for key, value in (
            ("legal_basis", violation.legal_basis),
            ("penalty_basis", violation.penalty_basis),
        ):
            text = self.cell(row, key)
            if text and text != value:
                self.problem(row, key, "与同一违法行为第一行的内容不一致")

    def _penalty(self, row: int) -> PenaltyDraft | None:
        kind = self.cell(row, "kind")
        base = self.cell(row, "base")
        lower = self._number(row, "lower")
        upper = self._number(row, "upper")
        if not kind:
            if base or lower is not None or upper is not None:
                self.problem(row, "kind", "填写了处罚幅度，但没有处罚种类")
            return None
        if base:
            mode = AmountMode.MULTIPLE
        elif lower is not None or upper is not None:
            mode = AmountMode.FIXED
        else:
            mode = AmountMode.NONE
        return PenaltyDraft(
            kind=kind_code(kind),
            mode=mode,
            base_name=base,
            lower=lower,
            upper=upper,
            where=Where(self.title, row),
        )

    def _number(self, row: int, key: str) -> Decimal | None:
        column = self.columns.get(key)
        value = None if column is None else self.grid.get(row, column)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            self.problem(row, key, "应为数字")
            return None
        if isinstance(value, int | float | Decimal):
            value = str(value)
        text = str(value).strip().replace(",", "").replace("，", "")
        text = text.removesuffix("元").removesuffix("倍").strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.problem(row, key, f"“{str(value)[:20]}”不是数字")
            return None
        return number
