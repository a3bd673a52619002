"""Importing a department's power list from .xlsx, and exporting it back.

The import reads every row into a `PowerDraft`, then lets the catalog services judge them: the
same `power_drafts_problems` and `power_items_create` the staff form uses. Nothing is written
when any row is bad, unless the caller asks for exactly the good rows.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl
from django.db.models import Prefetch
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from sunlight.catalog.choices import ItemStatus
from sunlight.catalog.drafts import PowerDraft
from sunlight.catalog.models import LegalBasis, Material, PowerItem, PowerVersion, StepDuty
from sunlight.catalog.permissions import require_can_draft, require_visible
from sunlight.catalog.services import power_drafts_problems, power_items_create
from sunlight.catalog.spreadsheet import (
    COLUMNS,
    DATA_SHEET,
    Layout,
    draft_cells,
    draft_from_version,
    parse_row,
    read_header,
)
from sunlight.core.errors import FieldProblem, NotFound, ValidationFailed
from sunlight.core.spreadsheets import (
    SpreadsheetRefused,
    cell_value,
    column_letter,
    sheet_rows,
    workbook_bytes,
    xlsx_open,
)
from sunlight.org.models import Department

MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 10  # a title line or two above the header is common in office sheets
FILE = "文件"

Progress = Callable[[int, int], None]
_COLUMN_ORDER = {column.header: position for position, column in enumerate(COLUMNS)}


@dataclass
class ImportReport:
    """What an import did: rows read, items created, and every problem found (row numbers are
    the spreadsheet's; file-level problems have none)."""

    total_rows: int = 0
    created: int = 0
    problems: list[FieldProblem] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems if p.row is not None})

    @property
    def written(self) -> bool:
        return self.created > 0

    @property
    def refused(self) -> bool:
        """Problems were found and nothing was written."""
        return bool(self.problems) and not self.written


def department_get_by_full_code(*, full_code: str) -> Department:
    """The department whose region code + 3-digit code is `full_code` (e.g. 338500001)."""
    code = (full_code or "").strip()
    department = (
        Department.objects.select_related("region")
        .filter(region_id=code[:6], code=code[6:])
        .first()
        if len(code) == 9 and code.isdigit()
        else None
    )
    if department is None:
        raise NotFound(f"没有编码为“{code}”的部门（应为6位区划代码加3位部门编码）")
    return department


# ---------------------------------------------------------------- import


def power_items_import(
    *,
    actor: Any,
    department: Department,
    file: bytes | IO[bytes],
    good_rows_only: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Create draft power items for `department` from an .xlsx file.

    Every problem of every row is reported (row, Chinese column header, reason). If there is
    any, nothing is written — or, with `good_rows_only`, exactly the rows without problems are
    created. Problems with the file itself (type, size, zip bomb, missing columns) always stop
    the import."""
    require_can_draft(actor, department)
    report = ImportReport()
    try:
        with xlsx_open(file) as workbook:
            drafts, rows = _read_drafts(workbook, department, report, progress)
    except SpreadsheetRefused as error:
        report.problems.append(FieldProblem(FILE, error.message))
        return report
    if not drafts:
        return report  # the file or its header is unusable: no row can be trusted
    if not report.problems:
        # Every cell was readable: let the service validate and write in one pass (the usual
        # case, and the one the benchmark measures).
        try:
            report.created = len(_create(actor, department, drafts, rows))
            return report
        except ValidationFailed as error:
            report.problems = list(error.problems)
    else:
        read_problems = {(p.row, p.field) for p in report.problems}
        report.problems += [
            problem
            for problem in power_drafts_problems(department, drafts, rows)
            if (problem.row, problem.field) not in read_problems
        ]
    report.problems.sort(key=lambda p: (p.row or 0, _COLUMN_ORDER.get(p.field, 99)))
    bad = set(report.bad_rows)
    good = [(draft, row) for draft, row in zip(drafts, rows, strict=True) if row not in bad]
    if not good_rows_only or not good:
        return report
    try:
        report.created = len(
            _create(actor, department, [d for d, _ in good], [row for _, row in good])
        )
    except ValidationFailed as error:
        # Someone took a code between our check and the write: report it, nothing written.
        report.problems += error.problems
    return report


def _create(
    actor: Any, department: Department, drafts: list[PowerDraft], rows: list[int]
) -> list[PowerItem]:
    return power_items_create(actor=actor, department=department, drafts=drafts, rows=rows)


def _read_drafts(
    workbook: Any, department: Department, report: ImportReport, progress: Progress | None
) -> tuple[list[PowerDraft], list[int]]:
    names = workbook.sheetnames
    sheet = workbook[DATA_SHEET] if DATA_SHEET in names else workbook.worksheets[0]
    layout = _find_header(sheet)
    if layout is None:
        report.problems.append(FieldProblem(FILE, f"工作表“{sheet.title}”为空，没有表头和数据"))
        return [], []
    if layout.problems:
        report.problems += layout.problems
        return [], []
    header_row = layout.header_row
    total = max((sheet.max_row or 0) - header_row, 0)
    drafts: list[PowerDraft] = []
    rows: list[int] = []
    region_code, department_code = department.region_id, department.code
    done = 0
    for done, row in enumerate(
        sheet_rows(sheet, min_row=header_row + 1, max_col=layout.width), start=1
    ):
        if progress is not None and done % 250 == 0:
            progress(done, total)
        if row.is_empty and not row.formula_columns and not row.error_columns:
            continue
        if len(drafts) >= MAX_ROWS:
            report.problems.append(
                FieldProblem(FILE, f"数据超过{MAX_ROWS}行，请分成几个文件导入", row.number)
            )
            return [], []
        draft, problems = parse_row(
            row, layout, region_code=region_code, department_code=department_code
        )
        drafts.append(draft)
        rows.append(row.number)
        report.problems += problems
    report.total_rows = len(drafts)
    if progress is not None:
        progress(done, max(done, total))
    if not drafts:
        report.problems.append(FieldProblem(FILE, "表格中没有数据行（表头以下为空）"))
    return drafts, rows


@dataclass
class _HeaderLayout(Layout):
    header_row: int = 1


def _find_header(sheet: Any) -> _HeaderLayout | None:
    """The layout from the first row naming 统一编码 (within the first rows), else row 1."""
    first: _HeaderLayout | None = None
    for row in sheet_rows(sheet, max_col=200):
        if row.number > HEADER_SEARCH_ROWS:
            break
        if row.is_empty:
            continue
        layout = read_header(row)
        found = _HeaderLayout(layout.columns, layout.problems, header_row=row.number)
        if any(column.key == "code" for column in layout.columns.values()):
            return found
        first = first or found
    return first


# ---------------------------------------------------------------- export and template


def power_items_export(*, actor: Any, department: Department) -> bytes:
    """The department's catalog as .xlsx: for each item, its published version, else its
    working version. Raises NotFound when the actor may not see the department."""
    require_visible(actor, department)
    items = list(
        PowerItem.objects.filter(department=department)
        .only("code", "status", "current_version_id", "working_version_id")
        .order_by("code")
    )
    version_ids = [item.current_version_id or item.working_version_id for item in items]
    versions = {
        version.pk: version
        for version in PowerVersion.objects.filter(pk__in=[v for v in version_ids if v])
        .select_related("item", "handling_section")
        .prefetch_related(
            Prefetch("legal_bases", queryset=LegalBasis.objects.order_by("position")),
            Prefetch("materials", queryset=Material.objects.order_by("position")),
            Prefetch("duties", queryset=StepDuty.objects.order_by("position")),
        )
    }
    rows = (
        draft_cells(
            draft_from_version(versions[version_id]),
            region_code=department.region_id,
            department_code=department.code,
            status=ItemStatus(item.status).label,
        )
        for item, version_id in zip(items, version_ids, strict=True)
        if version_id in versions
    )
    return catalog_workbook(rows)


def power_items_template() -> bytes:
    """The empty import template: the header row and the 说明 sheet."""
    return catalog_workbook([])


def export_filename(department: Department) -> str:
    return f"权力事项_{department.full_code}_{department.name}.xlsx"


_HEADER_FILL = PatternFill("solid", fgColor="FFEEF2F7")
_REQUIRED_FONT = Font(bold=True, color="FFB71C1C")
_HEADER_FONT = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_TEXT_KEYS = {"code", "region_code", "department_code", "contact_phone", "supervision_phone"}


def catalog_workbook(rows: Iterable[Sequence[Any]]) -> bytes:
    """A workbook with the data sheet (header + `rows` in COLUMNS order) and the 说明 sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.append([column.header for column in COLUMNS])
    for cell, column in zip(sheet[1], COLUMNS, strict=True):
        cell.font = _REQUIRED_FONT if column.required else _HEADER_FONT
        cell.fill = _HEADER_FILL
    count = 0
    for values in rows:
        sheet.append([cell_value(v) for v in values])
        count += 1
    for index, column in enumerate(COLUMNS):
        letter = column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if not column.numeric:
            dimension.number_format = "@"  # typed codes like 001 stay text
        if count and (column.multiline or column.key in _TEXT_KEYS):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
                if column.multiline:
                    cell.alignment = _WRAP
                else:
                    cell.number_format = "@"
        _add_validation(sheet, column, letter, last_row=count + 1000)
    sheet.freeze_panes = "C2"
    _instructions(workbook.create_sheet("说明"))
    return workbook_bytes(workbook)


def _add_validation(sheet: Any, column: Any, letter: str, *, last_row: int) -> None:
    if not column.options:
        return
    listed = ",".join(column.options)
    if len(listed) > 250 or '"' in listed:  # Excel's limit for an inline list
        return
    validation = DataValidation(
        type="list",
        formula1=f'"{listed}"',
        allow_blank=True,
        errorStyle="warning",  # other accepted spellings (XK, 行政许可…) stay possible
        errorTitle="请核对",
        error=f"建议从列表中选择{column.header}",
    )
    validation.add(f"{letter}2:{letter}{last_row}")
    sheet.add_data_validation(validation)


def _instructions(sheet: Any) -> None:
    lines = [
        ["权力事项导入模板说明"],
        ["1. 在“权力事项”工作表中每行填写一个权力事项，第1行为表头，请勿修改列名；"
         "红色列名为必填列。"],
        ["2. 导入时逐行检查，每个问题都会列出行号、列名和原因；只要有一行有误，默认不导入任何数据。"
         "勾选“只导入无误的行”（命令行 --good-rows-only）时，只导入没有问题的行。"],
        ["3. 导入的事项均为草稿，需按流程提交、签发、法制审核后发布。"
         "统一编码一经使用不可重复使用。"],
        ["4. 设定依据、申请材料、责任事项一个单元格可写多条，每条占一行（单元格内换行：Alt+回车）。"
         "某条内容本身需要换行时，续行以反斜杠“\\”开头。"],
        ["5. 不要使用公式：含公式的单元格会被拒绝。导出文件中以 = + - @ 开头的内容前加了单引号 '，"
         "导入时会自动去掉。"],
        ["6. 区划代码、部门编码两列可留空；填写时必须与导入的目标部门一致。"
         "“状态”列仅供查看，导入时忽略。"],
        [],
        ["示例"],
        ["设定依据", "《中华人民共和国行政许可法》第十二条：下列事项可以设定行政许可……\n"
                     "《浙江省物业管理条例》第二十条：物业服务企业应当……"],
        ["申请材料", "申请书｜必要｜原件1｜复印件0\n营业执照｜非必要｜原件0｜复印件1｜加盖公章"],
        ["责任事项", "受理｜依法受理或不予受理，并一次性告知补正材料｜不依法受理的，追究相应责任\n"
                     "审查｜对申请材料进行审查，提出审查意见"],
        [],
        ["列名", "是否必填", "填写说明", "可选值"],
    ]  # fmt: skip
    for number, line in enumerate(lines, start=1):
        sheet.append([cell_value(v) for v in line])
        if len(line) == 1:
            sheet.merge_cells(f"A{number}:D{number}")
        elif len(line) == 2:
            sheet.merge_cells(f"B{number}:D{number}")
    header_row = len(lines)
    for column in COLUMNS:
        sheet.append(
            [
                column.header,
                "必填" if column.required else "",
                cell_value(column.note),
                "、".join(column.options),
            ]
        )
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[header_row]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _WRAP
    for letter, width in (("A", 16), ("B", 10), ("C", 60), ("D", 60)):
        sheet.column_dimensions[letter].width = width
