"""The past-case template (docs/past-cases.md): one table of cases, one of steps, as two sheets
of an .xlsx workbook (办件, 环节) or two CSV files (UTF-8 or GB18030). Headers are matched by
name, in any order; unknown columns are reported. Workbooks go through the platform's safe
reader (size, zip bomb and DTD checks; formula cells reported, never evaluated; merged cells
filled from their top-left cell). A joint application (并联申请) is one line per part, the
parts sharing a 并联申请编号, one of them the 主办件 (history_rows.RecordBuilder)."""

from collections.abc import Iterable, Iterator
from typing import IO, Any

import openpyxl
from django.conf import settings

from sunlight.cases.history_rows import CASE_SHEET, STEP_SHEET, CaseLine, ReadBatch, StepLine
from sunlight.cases.history_source import CsvSource
from sunlight.core.errors import FieldProblem
from sunlight.core.spreadsheets import (
    cell_value,
    column_letter,
    read_limited,
    workbook_bytes,
)
from sunlight.core.tables import read_table

CASES_SHEET_NAME = "办件"
STEPS_SHEET_NAME = "环节"

# (key, header, required, note) — the note is the template's second line and the docs' table.
CASE_COLUMNS: tuple[tuple[str, str, bool, str], ...] = (
    ("source_number", "原编号", True, "原系统或登记簿中的办件编号，环节表据此对应；不能重复补录"),
    ("power", "事项编码", True, "本部门权力事项的统一编码；办件按收件时在用的版本办理"),
    ("applicant_kind", "申请人类型", False, "自然人（默认）或法人或其他组织"),
    ("applicant_name", "申请人", True, "姓名或单位名称"),
    ("id_number", "证件号码", False, "身份证号码或统一社会信用代码；档案中没有的留空，导入时提示"),
    ("phone", "联系电话", False, ""),
    ("address", "联系地址", False, ""),
    ("agent_name", "代办人", False, ""),
    ("agent_id_number", "代办人证件号码", False, ""),
    ("agent_phone", "代办人电话", False, ""),
    ("channel", "提交渠道", False, "窗口（默认）、网上、信函、电子数据交换、其他"),
    (
        "state",
        "办件状态",
        False,
        "待受理、补正中、办理中、待办结、已办结、不予受理；留空按时间推断",
    ),
    ("received_at", "收件时间", True, "如 2025-03-02 09:30，北京时间"),
    ("accepted_at", "受理时间", False, ""),
    ("concluded_at", "办结时间", False, "已办结或不予受理的办件填写"),
    ("conclusion_code", "办结类型", False, "出证办结、退回办结……、办结（默认）"),
    ("decision", "办理结果", False, "准予、不予、给予处罚、不予处罚、其他（默认）"),
    ("opinion", "办结意见", False, "不予许可、不予处罚须写明理由"),
    ("penalty_kind", "处罚种类", False, ""),
    ("penalty_amount", "罚款金额", False, "元"),
    ("fee_due", "应收费用", False, "元"),
    ("fee_paid", "实收费用", False, "元"),
    ("not_accepted_reason", "不予受理理由", False, ""),
    ("correction_items", "补正内容", False, "补正中的办件须填写"),
    ("materials", "已收材料", False, "收件时收到的申请材料名称，用“、”或换行分隔"),
    ("registered_by", "登记人", False, "平台用户名（可不填）"),
    (
        "fields",
        "办件字段",
        False,
        '流程条件用到的字段，JSON，如 {"site_inspection_required": true}',
    ),
    (
        "joint_number",
        "并联申请编号",
        False,
        "联办件（并联审批）的编号：同一编号的各行是同一件申请的各部分，每个事项一行，"
        "各有原编号与环节；非联办件留空",
    ),
    (
        "joint_lead",
        "主办件",
        False,
        "联办件中代表整件申请的那一部分填“是”（申请人、收件时间、提交渠道、登记人以它为准），"
        "每件恰好一行；其余部分留空或填“否”",
    ),
    (
        "joint_item",
        "联办事项",
        False,
        "主办件一行可填联办事项名称；留空时按各部分的事项找本部门牵头的联办事项",
    ),
)
STEP_COLUMNS: tuple[tuple[str, str, bool, str], ...] = (
    ("source_number", "原编号", True, "所属办件的原编号"),
    ("key", "序号", False, "本办件内环节的序号；“上一环节”引用它"),
    ("activity", "环节", True, "流程中的环节名称；或 补正、特别程序、延长审批（记为暂停与延长）"),
    ("node_id", "环节ID", False, "流程图中的环节ID；同名环节时必填"),
    ("started_at", "开始时间", False, "开始与完成时间至少填一项"),
    ("finished_at", "完成时间", False, "进行中的环节留空"),
    ("resource", "办理人", False, "平台用户名，或“姓名(用户名)”，或姓名"),
    ("state", "环节状态", False, "已办理、办理中、已退回、已取消；留空按完成时间推断"),
    ("result", "办理结果", False, "同意、不同意、受理、退回……"),
    ("opinion", "办理意见", False, "补正、特别程序、延长审批：事由"),
    ("previous", "上一环节", False, "打开本环节的环节序号；留空按流程和时间推断"),
    ("via_edge", "顺序流", False, "流程图中的顺序流ID（可不填）"),
    ("documents", "文书", False, "本环节形成的文书名称（纸质归档），用“、”分隔"),
    (
        "procedure",
        "特别程序种类",
        False,
        "听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审、实地核查",
    ),
    ("limit_days", "程序时限", False, "特别程序的时限（工作日）"),
    ("extension_days", "延长天数", False, "延长审批的天数"),
)


def read_workbook(source: bytes | IO[bytes], *, max_bytes: int | None = None) -> ReadBatch:
    """Both sheets of a template workbook (SpreadsheetRefused for a file that is not one), read
    by core.tables: merged cells filled from their top-left cell (a joint application's number
    or applicant merged over its parts' rows reads the same on each), formula cells named."""
    limit = settings.SUNLIGHT_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    data = read_limited(source, limit)
    read = ReadBatch()
    for sheet_name, columns, sheet, make in (
        (CASES_SHEET_NAME, CASE_COLUMNS, CASE_SHEET, CaseLine),
        (STEPS_SHEET_NAME, STEP_COLUMNS, STEP_SHEET, StepLine),
    ):
        table = read_table(data, sheet_names=(sheet_name,), max_bytes=limit)
        if table.sheet_name != sheet_name:
            read.problems.append(FieldProblem(sheet, f"工作簿中没有名为“{sheet_name}”的工作表"))
            continue
        lines = _lines(table.rows, columns, sheet, read.problems, make)
        (read.cases if make is CaseLine else read.steps).extend(lines)
    return read


def read_csv(cases: bytes, steps: bytes | None) -> CsvSource:
    """The two CSV files, indexed (history_source.py): read a chunk of cases at a time."""
    return CsvSource(cases, steps, CASE_COLUMNS, STEP_COLUMNS)


def header_layout(
    values: Any, columns: Any, sheet: str, problems: list[FieldProblem], number: int
) -> list[str | None] | None:
    """The template keys of a header row's columns; None for a blank row (the header is further
    down), an empty list when required columns are missing (listed in `problems`)."""
    by_header = {header: key for key, header, _required, _note in columns}
    headers = [str(v).strip() if v is not None else "" for v in values]
    if not any(headers):
        return None
    layout = [by_header.get(h) for h in headers]
    unknown = [h for h in headers if h and h not in by_header]
    if unknown:
        problems.append(FieldProblem(sheet, f"不认识的列：{'、'.join(unknown)}", number))
    missing = [h for key, h, required, _ in columns if required and key not in layout]
    if missing:
        problems.append(FieldProblem(sheet, f"缺少必需的列：{'、'.join(missing)}", number))
        return []
    return layout


def _lines(
    rows: Iterable[Any], columns: Any, sheet: str, problems: list[FieldProblem], make: type
) -> Iterator[Any]:
    layout: list[str | None] | None = None
    for row in rows:
        values = row.values
        if layout is None:
            layout = header_layout(values, columns, sheet, problems, row.number)
            if layout == []:
                return
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if values and str(values[0]).startswith("#"):
            continue  # the template's explanation line
        for index in (*row.formula_columns, *row.error_columns):
            problems.append(
                FieldProblem(
                    f"{sheet}·{column_letter(index)}列",
                    "公式或错误值单元格不能导入，请粘贴为数值",
                    row.number,
                )
            )
        yield make(
            row.number,
            {key: values[i] for i, key in enumerate(layout) if key and i < len(values)},
        )


def template_workbook() -> bytes:
    """An empty template: headers, and a first line explaining each column (starts with #)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, columns in ((CASES_SHEET_NAME, CASE_COLUMNS), (STEPS_SHEET_NAME, STEP_COLUMNS)):
        sheet = workbook.create_sheet(name)
        sheet.append([header for _, header, _, _ in columns])
        sheet.append(
            [cell_value("# " + (("必填。" if req else "") + note)) for _, _, req, note in columns]
        )
    return workbook_bytes(workbook)
