"""Safe .xlsx handling for uploads and downloads, independent of what the sheet holds.

Reading: an upload is checked before any XML parser sees it — size limit, zip signature,
member count, total and ratio of uncompressed sizes (zip bombs), the parts an .xlsx must have,
and no DTD in any XML part — and only then opened with openpyxl in read-only mode. openpyxl
parses through defusedxml when it is installed (it is a dependency); the import below refuses to
run without it. Formula and error cells are reported, never evaluated.

Writing: text that a spreadsheet program would run as a formula (= + - @, tab, line breaks at the
start) gets a leading apostrophe (the OWASP "CSV injection" advice); reading removes it again, so
an export read back gives exactly the text that was written. Excel's own `_xHHHH_` escapes are
written for text that would otherwise be mistaken for one, and decoded on reading.
"""

import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from openpyxl.workbook.workbook import Workbook

from sunlight.core.errors import DomainError

if not openpyxl.DEFUSEDXML:
    # Without defusedxml openpyxl would parse uploaded XML with the standard library's parser.
    raise ImproperlyConfigured("defusedxml must be installed (openpyxl uses it for safe parsing)")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Zip-bomb limits. Real workbooks expand 5-20×; a 5,000-row catalog is a few MB unpacked.
MAX_MEMBERS = 1000
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
MAX_RATIO = 100
RATIO_CHECK_FROM = 1024 * 1024  # tiny parts compress absurdly well; only judge big ones
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls and encrypted .xlsx

# A text starting with one of these may run as a formula when the file is opened; the apostrophe
# itself is included so that escaping stays reversible.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n'")
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class SpreadsheetRefused(DomainError):
    """The upload is not a workbook we will open (too big, not .xlsx, a zip bomb, …)."""


@dataclass(frozen=True)
class SheetRow:
    """One worksheet row: 1-based row number, cell values (text already restored), and the
    0-based columns holding formulas or error values."""

    number: int
    values: tuple[Any, ...]
    formula_columns: tuple[int, ...] = ()
    error_columns: tuple[int, ...] = ()

    @property
    def is_empty(self) -> bool:
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in self.values)


# ---------------------------------------------------------------- writing


def safe_text(value: str) -> str:
    """Text as it should be stored in a cell: line breaks normalised, Excel escapes protected,
    and a leading apostrophe where the text could otherwise run as a formula."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "_x" in value:
        value = _EXCEL_ESCAPE.sub(lambda m: "_x005F" + m.group(0), value)
    if _ILLEGAL.search(value):
        # Control characters cannot be stored in XML; Excel writes them as _xHHHH_ too.
        value = _ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)
    if value and value[0] in FORMULA_TRIGGERS:
        value = "'" + value
    return value


def cell_value(value: Any) -> Any:
    """What to put in a cell for `value`: text is made safe, numbers and None pass."""
    return safe_text(value) if isinstance(value, str) else value


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- reading


def restore_text(value: str, *, excel_escapes: bool = True) -> str:
    """Inverse of `safe_text` for text read from a cell. Readers that decode Excel's
    `_xHHHH_` escapes themselves (calamine) pass `excel_escapes=False`."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_TRIGGERS:
        value = value[1:]
    if excel_escapes and "_x" in value:
        value = _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(0)[2:6], 16)), value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def read_limited(source: bytes | IO[bytes], limit: int) -> bytes:
    """The upload's bytes, refusing one larger than `limit` (without reading it when its size
    is known)."""
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        size = getattr(source, "size", None)  # uploads know their size: don't read a huge one
        if isinstance(size, int) and size > limit:
            raise SpreadsheetRefused(f"文件超过大小上限{_megabytes(limit)}")
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(limit + 1)
    if len(data) > limit:
        raise SpreadsheetRefused(f"文件超过大小上限{_megabytes(limit)}")
    return data


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f}MB" if size >= 1024 * 1024 else f"{size / 1024:.0f}KB"


def check_xlsx_bytes(data: bytes, *, max_bytes: int) -> None:
    """Refuse anything that is not a plausible, bounded .xlsx, without parsing its XML."""
    if not data:
        raise SpreadsheetRefused("文件为空")
    if len(data) > max_bytes:
        raise SpreadsheetRefused(f"文件超过大小上限{_megabytes(max_bytes)}")
    if data.startswith(OLE_SIGNATURE):
        raise SpreadsheetRefused(
            "这是旧版 .xls 文件或已加密的文件，请用 Excel 另存为 .xlsx 后再导入"
        )
    if not data.startswith(ZIP_SIGNATURE):
        raise SpreadsheetRefused(
            "不是 .xlsx 文件（文件不是 zip 格式），请上传 Excel 2007 及以上格式"
        )
    if check_zip_bytes(data, max_bytes=max_bytes) != "xlsx":
        raise SpreadsheetRefused("不是 .xlsx 文件（缺少工作簿结构），可能是其他格式的压缩包")


def check_zip_bytes(data: bytes, *, max_bytes: int) -> str:
    """Check a zip-based workbook without parsing its XML and say which it is: "xlsx" or "ods".
    Refuses zip bombs, encrypted members, DTDs and zips that are neither."""
    if len(data) > max_bytes:
        raise SpreadsheetRefused(f"文件超过大小上限{_megabytes(max_bytes)}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise SpreadsheetRefused("文件已损坏，无法作为 .xlsx 打开") from error
    with archive:
        if len(members) > MAX_MEMBERS:
            raise SpreadsheetRefused(f"文件包含{len(members)}个部件，超过上限，疑似压缩炸弹")
        total = sum(m.file_size for m in members)
        packed = sum(m.compress_size for m in members)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise SpreadsheetRefused(
                f"文件解压后达{_megabytes(total)}，超过上限{_megabytes(MAX_UNCOMPRESSED_BYTES)}，"
                "疑似压缩炸弹"
            )
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size >= RATIO_CHECK_FROM and ratio > MAX_RATIO:
                raise SpreadsheetRefused(
                    f"文件中的“{member.filename[:60]}”压缩比为{ratio:.0f}倍，疑似压缩炸弹"
                )
        if total >= RATIO_CHECK_FROM and total / max(packed, 1) > MAX_RATIO:
            raise SpreadsheetRefused(f"文件压缩比为{total / max(packed, 1):.0f}倍，疑似压缩炸弹")
        if any(m.flag_bits & 0x1 for m in members):
            raise SpreadsheetRefused("文件已加密，请取消密码后再导入")
        names = {m.filename for m in members}
        if all(part in names for part in REQUIRED_PARTS):
            kind = "xlsx"
        elif "content.xml" in names and "mimetype" in names and _is_ods(archive):
            kind = "ods"
        else:
            raise SpreadsheetRefused(
                "不是电子表格文件（缺少工作簿结构），可能是其他格式的压缩包或文档"
            )
        for member in members:
            if member.filename.endswith((".xml", ".rels", ".vml")) and _declares_dtd(
                archive, member
            ):
                raise SpreadsheetRefused("文件包含不允许的 XML 文档类型声明（DTD/实体）")
    return kind


def _is_ods(archive: zipfile.ZipFile) -> bool:
    with archive.open("mimetype") as part:
        return part.read(100).strip() == b"application/vnd.oasis.opendocument.spreadsheet"


def _declares_dtd(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Whether an XML part contains a DTD (entity expansion, external entities). Markup in text
    is escaped, so a literal "<!DOCTYPE" can only be a declaration. The whole part is scanned:
    a prolog can be padded past any fixed prefix."""
    tail = b""
    try:
        with archive.open(member) as part:
            while chunk := part.read(1 << 20):
                window = (tail + chunk).upper()
                if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                    return True
                tail = chunk[-16:]
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError) as error:
        raise SpreadsheetRefused("文件已损坏，无法作为 .xlsx 打开") from error
    return False


@contextmanager
def xlsx_open(source: bytes | IO[bytes], *, max_bytes: int | None = None) -> Iterator[Workbook]:
    """Check an uploaded workbook and open it read-only. Raises SpreadsheetRefused."""
    limit = settings.SUNLIGHT_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    data = read_limited(source, limit)
    check_xlsx_bytes(data, max_bytes=limit)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception as error:
        # openpyxl raises many kinds (KeyError, ValueError, defusedxml's, zipfile's) for a
        # malformed or hostile file; the user only needs to know it cannot be read.
        raise SpreadsheetRefused("无法读取该 .xlsx 文件，请用 Excel 重新保存后再试") from error
    try:
        yield workbook
    finally:
        workbook.close()


def sheet_rows(
    worksheet: Any, *, min_row: int = 1, max_col: int | None = None
) -> Iterator[SheetRow]:
    """Rows of a read-only worksheet with text restored and formula/error cells flagged."""
    number = min_row
    for cells in worksheet.iter_rows(min_row=min_row, max_col=max_col):
        values = []
        formulas: list[int] = []
        errors: list[int] = []
        for index, cell in enumerate(cells):
            value = cell.value
            kind = cell.data_type
            if kind == "f":
                formulas.append(index)
            elif kind == "e":
                errors.append(index)
            elif isinstance(value, str):
                value = restore_text(value)
            values.append(value)
        yield SheetRow(number, tuple(values), tuple(formulas), tuple(errors))
        number += 1


def column_letter(index: int) -> str:
    """0-based column index → spreadsheet letters (A, B, …, AA)."""
    return openpyxl.utils.get_column_letter(index + 1)
