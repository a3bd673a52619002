"""Reading the spreadsheets people actually have: .xlsx, .xls (Excel 97-2003), .ods and CSV.

The format is told by the bytes, never by the file name (a renamed file gets a clear message).
Zip-based files (.xlsx, .ods) pass the same checks as before any parser sees them: size, member
count, zip bombs, no DTD (spreadsheets.check_zip_bytes). Cells are read by python-calamine; CSV
by the standard library after its encoding is found: UTF-8 with or without BOM, UTF-16 with BOM
(Excel's "Unicode text"), else GB18030 — and a file mixing UTF-8 and GB lines is refused, since
some of its text would come out garbled whichever way it is read.

Formulas are never evaluated and never imported as values: in .xlsx their cells are named (the
rows say which columns), in .ods the file is refused (calamine does not say which cell), in CSV
a cell starting with "=" counts as a formula. Calamine cannot tell formulas in .xls apart: their
last computed values are read, as Excel shows them. No well-kept reader can say it either
(checked 2026-12-07): python-calamine 0.9.1, the newest release, reads values only (formula
reading is an open proposal upstream); fastexcel 0.21 (calamine too) gives defined names'
formulas, not cells'; xlrd 2.0.2 keeps a formula cell's cached result with no mark that it was
one (its formula decompiler runs only under a debug flag); xlrd2 1.3.4, which does keep cell
formulas, is a 2021 fork for macro-malware analysis, unmaintained since; python-calamine-plus
reads formulas from .xlsx only. Walking the file's BIFF records ourselves (olefile + our own
record parser) would be the hand-written parsing this module exists to avoid.

Merged cells are filled from their top-left cell, so a name merged over its sub-item rows, or a
header merged over two columns, reads the same in every cell it covers.
"""

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from sunlight.core.spreadsheets import (
    OLE_SIGNATURE,
    ZIP_SIGNATURE,
    SheetRow,
    SpreadsheetRefused,
    check_zip_bytes,
    read_limited,
    restore_text,
    sheet_rows,
    xlsx_open,
)

XLSX, XLS, ODS, CSV = "xlsx", "xls", "ods", "csv"
FORMAT_LABELS = {XLSX: "Excel (.xlsx)", XLS: "Excel 97-2003 (.xls)", ODS: "ODS", CSV: "CSV"}
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

_XLSX_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_XLSX_ERROR = re.compile(rb"""\st=["']e["']""")
_UTF8_NON_ASCII = re.compile(rb"[\x80-\xff]")


@dataclass
class Table:
    """One sheet's rows (1-based numbers, merged cells filled), and how the file was read."""

    format: str
    sheet_name: str
    rows: list[SheetRow]
    encoding: str = ""  # for CSV: the encoding found
    merged_ranges: int = 0

    @property
    def format_label(self) -> str:
        label = FORMAT_LABELS[self.format]
        return f"{label}，{self.encoding}" if self.encoding else label


def read_table(
    source: bytes | IO[bytes],
    *,
    sheet_names: tuple[str, ...] = (),
    max_bytes: int | None = None,
) -> Table:
    """The first sheet named in `sheet_names` that the file has, else its first sheet.
    Raises SpreadsheetRefused with a Chinese message for anything we will not read."""
    limit = settings.SUNLIGHT_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    data = read_limited(source, limit)
    if not data:
        raise SpreadsheetRefused("文件为空")
    if data.startswith(ZIP_SIGNATURE):
        kind = check_zip_bytes(data, max_bytes=limit)
        return _read_zip_workbook(data, kind, sheet_names)
    if data.startswith(OLE_SIGNATURE):
        return _read_calamine(data, XLS, sheet_names)
    return read_csv_bytes(data)


# ---------------------------------------------------------------- workbooks


def _read_zip_workbook(data: bytes, kind: str, sheet_names: tuple[str, ...]) -> Table:
    if kind == ODS:
        if b"table:formula=" in _zip_member(data, "content.xml"):
            raise SpreadsheetRefused("文件含有公式单元格，请把公式改为直接填写的内容后再导入")
        return _read_calamine(data, ODS, sheet_names)
    table = _read_calamine(data, XLSX, sheet_names)
    if _xlsx_has_formulas_or_errors(data):
        # Rare: name the exact cells with openpyxl (calamine shows formulas' cached values).
        _mark_formula_cells(data, table)
    return table


def _zip_member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            return archive.read(name)
        except KeyError as error:
            raise SpreadsheetRefused("文件缺少表格内容，无法读取") from error


def _xlsx_has_formulas_or_errors(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                part = archive.read(member)
                if _XLSX_FORMULA.search(part) or _XLSX_ERROR.search(part):
                    return True
    return False


def _mark_formula_cells(data: bytes, table: Table) -> None:
    with xlsx_open(data) as workbook:
        names = workbook.sheetnames
        sheet = workbook[table.sheet_name] if table.sheet_name in names else workbook.worksheets[0]
        flagged = {
            row.number: row for row in sheet_rows(sheet) if row.formula_columns or row.error_columns
        }
    if not flagged:
        return
    rows = []
    for row in table.rows:
        marked = flagged.get(row.number)
        if marked is None:
            rows.append(row)
        else:
            values = list(row.values)
            for index in (*marked.formula_columns, *marked.error_columns):
                if index < len(values):
                    values[index] = None
            rows.append(SheetRow(row.number, tuple(values), marked.formula_columns,
                                 marked.error_columns))  # fmt: skip
    last = table.rows[-1].number if table.rows else 0
    rows += [row for number, row in sorted(flagged.items()) if number > last]
    table.rows = rows


def _read_calamine(data: bytes, kind: str, sheet_names: tuple[str, ...]) -> Table:
    label = FORMAT_LABELS[kind]
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as error:
        raise SpreadsheetRefused("文件已加密，请取消密码后再导入") from error
    except (CalamineError, ValueError, OSError) as error:
        if kind == XLS:
            raise SpreadsheetRefused(
                "无法作为 Excel 97-2003 (.xls) 文件读取：文件可能已损坏、已加密，或是其他程序的文件"
            ) from error
        raise SpreadsheetRefused(f"无法读取该 {label} 文件，请用表格软件重新保存后再试") from error
    try:
        names = workbook.sheet_names
        if not names:
            raise SpreadsheetRefused("文件中没有工作表")
        name = next((n for n in sheet_names if n in names), names[0])
        try:
            sheet = workbook.get_sheet_by_name(name)
            cells = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except PasswordError as error:
            raise SpreadsheetRefused("文件已加密，请取消密码后再导入") from error
        except (CalamineError, ValueError, OSError) as error:
            raise SpreadsheetRefused(f"无法读取工作表“{name}”：文件可能已损坏") from error
    finally:
        workbook.close()
    _fill_merged(cells, merged)
    rows = [
        SheetRow(number, tuple(_cell(value) for value in values))
        for number, values in enumerate(cells, start=1)
    ]
    return Table(kind, name, rows, merged_ranges=len(merged))


def _fill_merged(cells: list[list[Any]], merged: list[Any]) -> None:
    for (top, left), (bottom, right) in merged:
        if top >= len(cells):
            continue
        value = cells[top][left] if left < len(cells[top]) else ""
        for row in range(top, min(bottom, len(cells) - 1) + 1):
            line = cells[row]
            for column in range(left, min(right, len(line) - 1) + 1):
                line[column] = value


def _cell(value: Any) -> Any:
    """Calamine's value as the readers upstream expect: text restored (calamine has already
    decoded Excel's _xHHHH_ escapes), whole floats as int, empty text as None."""
    if isinstance(value, str):
        return restore_text(value, excel_escapes=False) if value else None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime) and not value.time():
        return value.date()
    return value


# ---------------------------------------------------------------- CSV


def read_csv_bytes(data: bytes) -> Table:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SpreadsheetRefused(
            "不是可识别的表格文件：请上传 .xlsx、.xls、.ods 或 CSV（逗号或制表符分隔的文本）"
        )
    text, encoding = decode_text(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            formulas = tuple(i for i, v in enumerate(values) if v.startswith("="))
            cells = tuple(
                None if (not v or i in formulas) else restore_text(v, excel_escapes=False)
                for i, v in enumerate(values)
            )
            rows.append(SheetRow(number, cells, formulas))
    except csv.Error as error:
        raise SpreadsheetRefused(f"CSV 格式有误（第{reader.line_num}行）：{error}") from error
    return Table(CSV, "CSV", rows, encoding=encoding)


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and the name of its encoding: BOMs first, then UTF-8, then GB18030 (which covers
    GBK and GB2312). Lines of both kinds in one file are refused."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "UTF-8（带BOM）"
        except UnicodeDecodeError as error:
            raise _mixed(data, error) from error
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as error:
            raise SpreadsheetRefused("文件声明为 UTF-16 编码，但内容无法按该编码读取") from error
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    if _has_utf8_lines(data):
        raise _mixed(data, utf8_error)
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as error:
        raise SpreadsheetRefused(
            "无法识别文件的文字编码（既不是 UTF-8，也不是 GB18030/GBK），请另存为 UTF-8 的 CSV"
        ) from error


def _has_utf8_lines(data: bytes) -> bool:
    """Whether some line with Chinese text is valid UTF-8 (in a file that as a whole is not):
    GB-encoded Chinese is practically never valid UTF-8, so such a file mixes encodings."""
    for line in data.splitlines():
        if _UTF8_NON_ASCII.search(line):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            return True
    return False


def _mixed(data: bytes, error: UnicodeDecodeError) -> SpreadsheetRefused:
    line = data[: error.start].count(b"\n") + 1
    return SpreadsheetRefused(
        f"文件中混用了不同的文字编码（第{line}行起与前文不同，如 UTF-8 与 GBK 混杂），"
        "请在表格软件中统一另存为 UTF-8 的 CSV 后再导入"
    )
