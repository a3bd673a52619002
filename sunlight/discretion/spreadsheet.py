"""Benchmark tables as .xlsx, laid out the way real 裁量基准 tables are: one sheet per law
(sheet name = the law's short name), a two-row header ("处罚幅度" merged over 计罚基数/下限/
上限, the other titles merged over both rows), and each violation's cells merged down over its
tier rows, each tier's over its penalty rows; a violation with several legal paragraphs has its
处罚依据 merged over each paragraph's tiers. Shares are written as percent ("5%"), a missing
upper limit (…以上) as an empty cell, and a standard still to be settled (待核定) as its words in
处罚标准原文. `sheet_reader.py` reads such tables back.
"""

from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from sunlight.core.spreadsheets import cell_value, workbook_bytes
from sunlight.discretion.choices import AmountMode
from sunlight.discretion.drafts import BenchmarkDraft, ViolationDraft, kind_label, number_text

# (top title, sub title) of each column, in order; the sub title is "" for merged-down titles.
COLUMNS = [
    ("序号", ""),
    ("违法行为", ""),
    ("违法依据", ""),
    ("处罚依据", ""),
    ("裁量阶次", ""),
    ("适用情形", ""),
    ("处罚种类", ""),
    ("处罚幅度", "计罚基数（按倍数时填写）"),
    ("处罚幅度", "下限"),
    ("处罚幅度", "上限"),
    ("处罚标准原文", ""),
    ("备注", ""),
]
WIDTHS = [6, 30, 40, 40, 12, 40, 16, 16, 12, 12, 40, 30]
HEADER_ROWS = 2


# ---------------------------------------------------------------- writing


def benchmark_workbook(draft: BenchmarkDraft) -> bytes:
    """The .xlsx of a benchmark's content: one sheet per law, merged as real tables are."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    laws: dict[str, list[ViolationDraft]] = {}
    for violation in draft.violations:
        laws.setdefault(violation.law, []).append(violation)
    if not laws:
        _header(workbook.create_sheet("裁量基准"))
    for law, violations in laws.items():
        sheet = workbook.create_sheet(law)
        _header(sheet)
        row = HEADER_ROWS + 1
        for number, violation in enumerate(violations, start=1):
            row = _write_violation(sheet, row, number, violation)
    return workbook_bytes(workbook)


_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")


def _header(sheet: Any) -> None:
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8EEF7")
    for index, (top, sub) in enumerate(COLUMNS, start=1):
        for row, text in ((1, top), (2, sub)):
            cell = sheet.cell(row=row, column=index, value=text or None)
            cell.font, cell.fill, cell.border = bold, fill, _BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if not sub:
            sheet.merge_cells(start_row=1, start_column=index, end_row=2, end_column=index)
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = WIDTHS[index - 1]
    spanned = [i for i, (top, _) in enumerate(COLUMNS, start=1) if top == "处罚幅度"]
    sheet.merge_cells(start_row=1, start_column=spanned[0], end_row=1, end_column=spanned[-1])
    sheet.freeze_panes = "C3"


def _put(sheet: Any, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row=row, column=column, value=cell_value(value))
    cell.alignment, cell.border = _WRAP, _BORDER


def _merge_down(sheet: Any, first: int, last: int, columns: range) -> None:
    if last > first:
        for column in columns:
            sheet.merge_cells(start_row=first, start_column=column, end_row=last, end_column=column)


def _write_violation(sheet: Any, row: int, number: int, violation: ViolationDraft) -> int:
    first = row
    for value, column in (
        (number, 1),
        (violation.name, 2),
        (violation.legal_basis, 3),
        (violation.notes or None, 12),
    ):
        _put(sheet, row, column, value)
    paragraph_first, paragraph = row, None
    for tier in violation.tiers:
        tier_paragraph = tier.paragraph or violation.penalty_basis
        if tier_paragraph != paragraph:
            _merge_down(sheet, paragraph_first, row - 1, range(4, 5))
            paragraph_first, paragraph = row, tier_paragraph
            _put(sheet, row, 4, tier_paragraph)
        tier_first = row
        _put(sheet, row, 5, tier.name)
        _put(sheet, row, 6, tier.circumstances or None)
        for penalty in tier.penalties or [None]:
            if penalty is not None:
                _put(sheet, row, 7, kind_label(penalty.kind))
                based = penalty.mode in (AmountMode.MULTIPLE, AmountMode.SHARE)
                _put(sheet, row, 8, penalty.base_name if based else None)
                _put(sheet, row, 9, _limit(penalty, penalty.lower))
                _put(sheet, row, 10, _limit(penalty, penalty.upper))
                _put(sheet, row, 11, penalty.text or None)
            else:
                for column in (7, 8, 9, 10, 11):
                    _put(sheet, row, column, None)
            row += 1
        _merge_down(sheet, tier_first, row - 1, range(5, 7))
    if row == first:  # a violation without tiers still gets its row
        _put(sheet, row, 4, violation.penalty_basis)
        row += 1
    else:
        _merge_down(sheet, paragraph_first, row - 1, range(4, 5))
    _merge_down(sheet, first, row - 1, range(1, 4))
    _merge_down(sheet, first, row - 1, range(12, 13))
    return row


def _limit(penalty: Any, value: Any) -> Any:
    """A limit as written in the table: yuan or times as a number, a share as "5%"."""
    if value is None:
        return None
    if penalty.mode == AmountMode.SHARE:
        return f"{number_text(value)}%"
    return value
