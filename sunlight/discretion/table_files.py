"""Opening an uploaded benchmark table, whatever form it comes in: .xlsx, old .xls, .ods (read
by python-calamine) or CSV (UTF-8 or GB18030), as plain grids of cells with their merged
ranges — the rest of the import never sees the file format.

The format is told by the file's content, not its name (a "table.xls" saved by a web system is
often HTML; an .xlsx renamed .xls still opens). Before a reader sees a zip container it passes
the checks of core.spreadsheets (size, zip bomb, DTD) — .xlsx through `check_xlsx_bytes`, .ods
through the same kind of checks here. Formula and error cells of .xlsx are flagged from a
read-only openpyxl pass (calamine only gives cached values); .xls and .ods give the values the
program last calculated, which is what a reader of the printed table sees.
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import IO, Any

import defusedxml.ElementTree as DefusedET
from django.conf import settings
from python_calamine import CalamineWorkbook

from sunlight.core.spreadsheets import (
    MAX_MEMBERS,
    MAX_RATIO,
    OLE_SIGNATURE,
    RATIO_CHECK_FROM,
    ZIP_SIGNATURE,
    SpreadsheetRefused,
    check_xlsx_bytes,
    column_letter,
    restore_text,
    sheet_rows,
    xlsx_open,
)

# A benchmark table is small; calamine holds a whole workbook in memory.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000  # a bureau's whole table: ~1,000 violations of several rows each
MAX_COLUMNS = 60
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
CSV_SUFFIXES = (".csv", ".txt")
# Two Chinese characters in a row as UTF-8 writes them; GBK text practically never has this
# byte pattern (its second bytes are rarely below 0xC0 twice over).
_UTF8_CHINESE = re.compile(rb"(?:[\xe4-\xe9][\x80-\xbf]{2}){2}")

Cell = tuple[int, int]  # 0-based (row, column)


@dataclass
class SheetGrid:
    """A sheet's non-empty cells by 0-based (row, column), its merged ranges (top, left,
    bottom, right; inclusive), and the cells holding formulas or error values."""

    name: str
    cells: dict[Cell, Any] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas: set[Cell] = field(default_factory=set)
    errors: set[Cell] = field(default_factory=set)
    too_big: bool = False
    named_by_file: bool = False  # a CSV's "sheet" is named after the file, not a law

    def address(self, row: int, column: int) -> str:
        """处罚基准!C14 — the sheet and cell as a spreadsheet program names them."""
        return f"{self.name}!{column_letter(column)}{row + 1}"

    @property
    def rows(self) -> int:
        return max((r for r, _ in self.cells), default=-1) + 1


def read_table_file(source: bytes | IO[bytes], filename: str = "") -> list[SheetGrid]:
    """The sheets of an uploaded table. Raises SpreadsheetRefused, with a message saying what
    the file really is, for anything we will not open."""
    data = _read_limited(source)
    suffix = PurePath(filename or "").suffix.lower()
    if data.startswith(OLE_SIGNATURE):
        return _calamine_sheets(data, "旧版 Excel（.xls）")
    if data.startswith(ZIP_SIGNATURE):
        return _zip_sheets(data)
    if suffix in CSV_SUFFIXES:
        return [_csv_sheet(data, PurePath(filename).stem or "裁量基准")]
    claimed = f"文件名为“{suffix}”，但" if suffix else ""
    if data.lstrip()[:15].lower().startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        raise SpreadsheetRefused(
            f"{claimed}内容是网页或XML，不是电子表格；请用 Excel 或 WPS 打开后另存为 .xlsx 再导入"
        )
    raise SpreadsheetRefused(f"{claimed}内容不是可识别的电子表格（支持 .xlsx、.xls、.ods 和 CSV）")


def _read_limited(source: bytes | IO[bytes]) -> bytes:
    limit = settings.SUNLIGHT_IMPORT_MAX_BYTES
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        size = getattr(source, "size", None)
        if isinstance(size, int) and size > limit:
            raise SpreadsheetRefused(f"文件超过大小上限{_size(limit)}")
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(limit + 1)
    if not data:
        raise SpreadsheetRefused("文件为空")
    if len(data) > limit:
        raise SpreadsheetRefused(f"文件超过大小上限{_size(limit)}")
    return data


def _size(limit: int) -> str:
    return f"{limit / 1024 / 1024:.0f}MB" if limit >= 1024 * 1024 else f"{limit / 1024:.0f}KB"


# ---------------------------------------------------------------- zip containers


def _zip_sheets(data: bytes) -> list[SheetGrid]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            is_ods = "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, KeyError) as error:
        raise SpreadsheetRefused("文件已损坏，无法打开") from error
    if is_ods:
        _check_ods(data)
        sheets = _calamine_sheets(data, "OpenDocument 表格（.ods）")
        _mark_ods_formulas(data, sheets)
        return sheets
    check_xlsx_bytes(data, max_bytes=settings.SUNLIGHT_IMPORT_MAX_BYTES)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(m.file_size for m in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise SpreadsheetRefused("裁量基准表解压后超过20MB，请拆分后再导入")
    sheets = _calamine_sheets(data, "Excel（.xlsx）")
    _mark_xlsx_formulas(data, sheets)
    return sheets


def _check_ods(data: bytes) -> None:
    """The checks core.spreadsheets makes of an .xlsx, for an OpenDocument container."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise SpreadsheetRefused("文件已损坏，无法作为 .ods 打开") from error
    with archive:
        if len(members) > MAX_MEMBERS:
            raise SpreadsheetRefused(f"文件包含{len(members)}个部件，超过上限，疑似压缩炸弹")
        total = sum(m.file_size for m in members)
        packed = sum(m.compress_size for m in members)
        if total > MAX_UNPACKED_BYTES:
            raise SpreadsheetRefused("裁量基准表解压后超过20MB，疑似压缩炸弹或请拆分后再导入")
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size >= RATIO_CHECK_FROM and ratio > MAX_RATIO:
                raise SpreadsheetRefused(f"文件压缩比为{ratio:.0f}倍，疑似压缩炸弹")
        if total >= RATIO_CHECK_FROM and total / max(packed, 1) > MAX_RATIO:
            raise SpreadsheetRefused(f"文件压缩比为{total / max(packed, 1):.0f}倍，疑似压缩炸弹")
        if any(m.flag_bits & 0x1 for m in members):
            raise SpreadsheetRefused("文件已加密，请取消密码后再导入")
        if "content.xml" not in {m.filename for m in members}:
            raise SpreadsheetRefused("不是 .ods 文件（缺少表格内容）")
        for member in members:
            if member.filename.endswith(".xml"):
                body = archive.read(member).upper()
                if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
                    raise SpreadsheetRefused("文件包含不允许的 XML 文档类型声明（DTD/实体）")


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet holds a formula element (most tables hold none: then the slower
    openpyxl pass is not needed)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            if member.filename.startswith("xl/worksheets/") and _FORMULA_TAG.search(
                archive.read(member)
            ):
                return True
    return False


def _mark_xlsx_formulas(data: bytes, sheets: list[SheetGrid]) -> None:
    if not _has_formulas(data):
        return
    by_name = {sheet.name: sheet for sheet in sheets}
    with xlsx_open(data) as workbook:
        for worksheet in workbook.worksheets:
            sheet = by_name.get(worksheet.title)
            if sheet is None or sheet.too_big:
                continue
            for row in sheet_rows(worksheet, max_col=MAX_COLUMNS):
                if row.number > MAX_ROWS:
                    break
                for column in row.formula_columns:
                    sheet.formulas.add((row.number - 1, column))
                    # calamine shows a formula without a cached value as empty: keep its text
                    # so that the cell is reported, not skipped.
                    sheet.cells.setdefault((row.number - 1, column), str(row.values[column]))
                for column in row.error_columns:
                    sheet.errors.add((row.number - 1, column))


_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_T = "{" + _TABLE_NS + "}"


def _mark_ods_formulas(data: bytes, sheets: list[SheetGrid]) -> None:
    """Formula cells of an .ods (table:formula), found with defusedxml (the container passed
    `_check_ods`): calamine gives only their last values."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if b"table:formula" not in archive.read("content.xml"):
            return
        content = archive.read("content.xml")
    by_name = {sheet.name: sheet for sheet in sheets}
    try:
        _walk_ods(content, by_name)
    except (DefusedET.ParseError, ValueError) as error:
        raise SpreadsheetRefused("文件已损坏，无法作为 .ods 打开") from error


def _walk_ods(content: bytes, by_name: dict[str, SheetGrid]) -> None:
    sheet: SheetGrid | None = None
    row = column = 0
    for event, element in DefusedET.iterparse(io.BytesIO(content), events=("start", "end")):
        tag = element.tag
        if event == "start" and tag == _T + "table":
            sheet, row = by_name.get(element.get(_T + "name", "")), 0
        elif event == "start" and tag == _T + "table-row":
            column = 0
        elif event == "end" and tag == _T + "table-row":
            row += int(element.get(_T + "number-rows-repeated", "1"))
            element.clear()
        elif event == "end" and tag in (_T + "table-cell", _T + "covered-table-cell"):
            repeated = int(element.get(_T + "number-columns-repeated", "1"))
            if sheet is not None and element.get(_T + "formula") and row < MAX_ROWS:
                for offset in range(min(repeated, MAX_COLUMNS)):
                    sheet.formulas.add((row, column + offset))
                    sheet.cells.setdefault((row, column + offset), element.get(_T + "formula"))
            column += repeated


# ---------------------------------------------------------------- calamine


def _calamine_sheets(data: bytes, kind: str) -> list[SheetGrid]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:
        # calamine raises its own error kinds for every malformed file; the user needs to know
        # only that this one cannot be read.
        raise SpreadsheetRefused(
            f"无法读取该{kind}文件，请用 Excel 或 WPS 重新保存后再试"
        ) from error
    sheets = []
    try:
        for name in workbook.sheet_names:
            sheets.append(_calamine_sheet(workbook, name, kind))
    finally:
        workbook.close()
    return sheets


def _calamine_sheet(workbook: Any, name: str, kind: str) -> SheetGrid:
    grid = SheetGrid(name=name)
    try:
        sheet = workbook.get_sheet_by_name(name)
        if sheet.total_height > MAX_ROWS or sheet.total_width > MAX_COLUMNS * 4:
            grid.too_big = True
            return grid
        rows = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except Exception as error:
        raise SpreadsheetRefused(f"无法读取{kind}文件中的工作表“{name}”") from error
    for r, values in enumerate(rows):
        for c, value in enumerate(values[:MAX_COLUMNS]):
            cleaned = _cell(value)
            if cleaned is not None:
                grid.cells[(r, c)] = cleaned
    for (top, left), (bottom, right) in merged:
        if top < MAX_ROWS and left < MAX_COLUMNS:
            grid.merged.append((top, left, min(bottom, MAX_ROWS - 1), min(right, MAX_COLUMNS - 1)))
    return grid


def _cell(value: Any) -> Any:
    """A cell's value as the import uses it: None for empty, text restored, numbers exact
    (calamine returns floats: 2000.0 → 2000, 0.5 → Decimal("0.5")), dates as ISO text."""
    if value is None:
        return None
    if isinstance(value, str):
        text = restore_text(value)
        return text if text.strip() else None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return int(value) if value.is_integer() else Decimal(repr(value))
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return str(value)


# ---------------------------------------------------------------- CSV


def _csv_sheet(data: bytes, name: str) -> SheetGrid:
    if b"\x00" in data[:4096]:
        raise SpreadsheetRefused("文件名为 .csv，但内容不是文本（可能是其他格式的文件）")
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    grid = SheetGrid(name=name[:31], named_by_file=True)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for r, values in enumerate(reader):
            if r >= MAX_ROWS:
                grid.too_big = True
                break
            for c, value in enumerate(values[:MAX_COLUMNS]):
                if value.strip():
                    if value.startswith("=") and len(value) > 1:
                        grid.formulas.add((r, c))
                    grid.cells[(r, c)] = restore_text(value)
    except csv.Error as error:
        raise SpreadsheetRefused(f"CSV 文件格式有误：{error}") from error
    return grid


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (which covers GBK and GB2312, what Excel in
    Chinese saves CSV as). Anything else is refused rather than guessed, and so is a file
    mixing both (rows pasted from two sources): GB18030 would read its UTF-8 part as wrong
    characters without an error."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if _UTF8_CHINESE.search(data):
        raise SpreadsheetRefused(
            "CSV 文件中同时含有 UTF-8 和 GB18030（GBK）两种编码的文字，无法可靠识别；"
            "请用 Excel 或 WPS 打开后统一另存为一种编码"
        )
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    raise SpreadsheetRefused("CSV 文件的编码无法识别，请另存为 UTF-8 或 GB18030（GBK）编码")
