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
from sunlight.catalog.list_import import (
    DEFAULT_CHANGE_REASON,
    ListPlan,
    list_import_apply,
    list_import_plan,
)
from sunlight.catalog.models import LegalBasis, Material, PowerItem, PowerVersion, StepDuty
from sunlight.catalog.permissions import require_visible
from sunlight.catalog.spreadsheet import (
    COLUMNS,
    DATA_SHEET,
    draft_cells,
    draft_from_version,
)
from sunlight.core.errors import FieldProblem, NotFound
from sunlight.core.spreadsheets import (
    cell_value,
    column_letter,
    workbook_bytes,
)
from sunlight.org.models import Department

FILE = "文件"

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What an import did: rows read, items created and updated, and every problem found (row
    numbers are the spreadsheet's; file-level problems have none). `plan` has the details."""

    total_rows: int = 0
    created: int = 0
    updated: int = 0
    problems: list[FieldProblem] = field(default_factory=list)
    plan: ListPlan | None = None

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems if p.row is not None})

    @property
    def written(self) -> bool:
        return self.created > 0 or self.updated > 0

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
    fields: dict[int, str] | None = None,
    dry_run: bool = False,
    change_reason: str = DEFAULT_CHANGE_REASON,
) -> ImportReport:
    """Import a department's list (.xlsx, .xls, .ods or CSV; our template or a real list).

    New items become drafts, re-imported ones are updated through the review lifecycle (see
    list_import). Every problem of every row is reported (row, column, reason). If there is
    any, nothing is written — or, with `good_rows_only`, exactly the rows without problems
    are. Problems with the file itself always stop the import. `dry_run` only plans."""
    plan = list_import_plan(
        actor=actor,
        department=department,
        file=file,
        fields=fields,
        progress=progress,
        # Writing at once without skipping bad rows: the write checks every rule itself.
        validate=dry_run or good_rows_only,
    )
    if not dry_run:
        list_import_apply(
            actor=actor,
            department=department,
            plan=plan,
            good_rows_only=good_rows_only,
            change_reason=change_reason,
        )
    return ImportReport(
        total_rows=len(plan.rows),
        created=plan.created,
        updated=plan.updated,
        problems=list(plan.problems),
        plan=plan,
    )


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
_TEXT_KEYS = {
    "code",
    "national_code",
    "basic_code",
    "region_code",
    "department_code",
    "contact_phone",
    "supervision_phone",
}


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
