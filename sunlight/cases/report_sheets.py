"""The reporting forms as .xlsx files: one form per file, a Chinese title row, a bordered table,
printable on A4. Cells get text only through core.spreadsheets.cell_value, so nothing a case
holds can run as a formula when the file is opened."""

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from sunlight.cases.models import ReportKind, StageReport
from sunlight.core.spreadsheets import cell_value, column_letter, workbook_bytes

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TITLE = Font(name="宋体", size=16, bold=True)
_BOLD = Font(name="宋体", size=11, bold=True)
_PLAIN = Font(name="宋体", size=11)
_LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_STEP_WIDTHS = (6, 16, 12, 20, 20, 12, 36)
_FILING_WIDTHS = (6, 22, 28, 24, 10, 20, 20, 28, 16, 16, 22)


def report_workbook(report: StageReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if report.kind == ReportKind.STAGE_REGISTRATION:
        _stage_sheet(sheet, report.content)
    else:
        _filing_sheet(sheet, report.content)
    workbook.properties.title = str(report.content.get("title", ""))
    workbook.properties.creator = "阳光政务"
    return workbook_bytes(workbook)


def report_filename(report: StageReport) -> str:
    content = report.content
    if report.kind == ReportKind.STAGE_REGISTRATION:
        name = f"{content['title']}-{content['case_number']}-{content['stage_label']}"
    else:
        name = f"{content['title']}-{content['department']}-{content['period']}"
    return _file_safe(name) + ".xlsx"


def _file_safe(name: str) -> str:
    return "".join("_" if ch in '\\/:*?"<>|\r\n\t' else ch for ch in name)[:150]


def _put(
    sheet: Worksheet,
    row: int,
    column: int,
    value: Any,
    *,
    span: int = 1,
    font: Font = _PLAIN,
    align: Alignment = _LEFT,
    fill: PatternFill | None = None,
    border: bool = True,
) -> None:
    """Write one cell (merged over `span` columns), every covered cell bordered."""
    cell = sheet.cell(row=row, column=column, value=cell_value(value))
    cell.font = font
    cell.alignment = align
    if fill is not None:
        cell.fill = fill
    if span > 1:
        sheet.merge_cells(
            start_row=row, start_column=column, end_row=row, end_column=column + span - 1
        )
    if border:
        for offset in range(span):
            sheet.cell(row=row, column=column + offset).border = _BORDER


def _table_row(sheet: Worksheet, row: int, values: list[str]) -> None:
    """A numbered table row; the sequence number (序号) goes in as a number, not as text."""
    number, *rest = values
    _put(sheet, row, 1, int(number) if number.isdigit() else number, align=_CENTER)
    for column, value in enumerate(rest, start=2):
        _put(sheet, row, column, value)


def _table(
    sheet: Worksheet, row: int, headers: list[str], rows: list[list[str]], *, empty: str
) -> int:
    """A header row and numbered rows (or one line saying there are none); returns the next row."""
    for column, header in enumerate(headers, start=1):
        _put(sheet, row, column, header, font=_BOLD, align=_CENTER, fill=_LABEL_FILL)
    row += 1
    if not rows:
        _put(sheet, row, 1, empty, span=len(headers), align=_CENTER)
        row += 1
    for values in rows:
        _table_row(sheet, row, values)
        row += 1
    return row


def _signatures(
    sheet: Worksheet, row: int, *, spans: tuple[int, int, int], width: int, generated_at: str
) -> None:
    """The signature line under a form (负责人, 填报人, 日期) and the generated-by line."""
    column = 1
    for label, span in zip(
        ("部门负责人（签字）：", "填报人（签字）：", "报送日期："), spans, strict=True
    ):
        _put(sheet, row, column, label, span=span, border=False)
        column += span
    _put(sheet, row + 1, 1, f"本表由系统于{generated_at}自动生成。", span=width, border=False)


def _title(sheet: Worksheet, text: str, subtitle: str, width: int) -> int:
    _put(sheet, 1, 1, text, span=width, font=_TITLE, align=_CENTER, border=False)
    sheet.row_dimensions[1].height = 32
    _put(sheet, 2, 1, subtitle, span=width, border=False)
    return 3


def _setup(sheet: Worksheet, widths: tuple[int, ...], *, landscape: bool) -> None:
    for index, width in enumerate(widths):
        sheet.column_dimensions[column_letter(index)].width = width
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True


def _stage_sheet(sheet: Worksheet, content: dict[str, Any]) -> None:
    width = len(_STEP_WIDTHS)
    sheet.title = f"{content['stage_label']}登记"
    _setup(sheet, _STEP_WIDTHS, landscape=False)
    row = _title(
        sheet,
        f"{content['title']}（{content['stage_label']}）",
        f"填报单位：{content['department']}　　到达环节时间：{content['reached_at']}"
        f"　　报送期限：{content['due_date']}",
        width,
    )
    for label, value in content["fields"]:
        _put(sheet, row, 1, label, span=2, font=_BOLD, fill=_LABEL_FILL)
        _put(sheet, row, 3, value, span=width - 2)
        row += 1
    _put(sheet, row, 1, "办理环节与办理人", span=width, font=_BOLD, align=_CENTER, fill=_LABEL_FILL)
    row += 1
    row = _table(sheet, row, content["step_columns"], content["steps"], empty="（无）")
    _signatures(sheet, row + 1, spans=(3, 2, 2), width=width, generated_at=content["generated_at"])
    sheet.print_title_rows = "1:2"


def _filing_sheet(sheet: Worksheet, content: dict[str, Any]) -> None:
    width = len(content["columns"])
    sheet.title = "备案表"
    _setup(sheet, _FILING_WIDTHS, landscape=True)
    row = _title(
        sheet,
        f"{content['title']}（{content['period']}）",
        f"报送期限：{content['due_date']}",
        width,
    )
    pairs = content["fields"]
    for start in range(0, len(pairs), 3):
        column = 1
        for label, value in pairs[start : start + 3]:
            _put(sheet, row, column, label, span=2, font=_BOLD, fill=_LABEL_FILL)
            _put(sheet, row, column + 2, value, span=2 if column < 9 else 1)
            column += 4
        row += 1
    header_row = row
    row = _table(sheet, row, content["columns"], content["rows"], empty="本期无办结办件")
    _signatures(sheet, row + 1, spans=(4, 3, 3), width=width, generated_at=content["generated_at"])
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
