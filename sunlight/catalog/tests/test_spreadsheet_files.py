"""Files that are not a workbook we will open: refused before any XML is parsed, with a clear
Chinese reason, and nothing written. Also: openpyxl really parses through defusedxml."""

import io
import random
import zlib

import openpyxl
import pytest
from defusedxml import DefusedXmlException

from sunlight.catalog.imports import power_items_import
from sunlight.catalog.tests.sheets import counts, good_row, xlsx, zip_bytes
from sunlight.core import spreadsheets
from sunlight.core.spreadsheets import SpreadsheetRefused, restore_text, safe_text, xlsx_open
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db

CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="x"/>'


@pytest.fixture
def department():
    return org.department(code="031", name="测试局")


def refused_because(department, data) -> str:
    before = counts()
    report = power_items_import(actor=None, department=department, file=data)
    assert report.refused and counts() == before
    (problem,) = report.problems
    assert problem.field == "文件" and problem.row is None
    return problem.message


def test_binary_file_that_is_no_spreadsheet_is_refused(department):
    message = refused_because(department, b"%PDF-1.7\n\x00\x01\x02binary")
    assert message.startswith("不是可识别的表格文件")


def test_text_without_a_header_is_refused(department):
    message = refused_because(department, "随便写的一段文字\n第二行\n".encode())
    assert message.startswith("前15行中找不到表头")


def test_ole_file_that_is_no_xls_is_refused(department):
    message = refused_because(department, spreadsheets.OLE_SIGNATURE + b"\0" * 600)
    assert "无法作为 Excel 97-2003 (.xls) 文件读取" in message


def test_plain_zip_is_not_a_workbook(department):
    message = refused_because(department, zip_bytes({"readme.txt": b"hello"}))
    assert "缺少工作簿结构" in message


def test_truncated_zip_is_refused(department):
    data = xlsx([good_row(department)])
    assert "文件已损坏" in refused_because(department, data[: len(data) // 2])


def test_empty_file_is_refused(department):
    assert refused_because(department, b"") == "文件为空"


def test_oversize_file_is_refused(department, settings):
    settings.SUNLIGHT_IMPORT_MAX_BYTES = 2048
    message = refused_because(department, xlsx([good_row(department)]))
    assert message == "文件超过大小上限2KB"


def test_oversize_upload_is_refused_without_reading_it(department, settings):
    settings.SUNLIGHT_IMPORT_MAX_BYTES = 2048

    class Upload(io.BytesIO):
        size = 10**9

        def read(self, *args):
            raise AssertionError("an oversize upload must not be read")

    assert "超过大小上限" in refused_because(department, Upload())


def test_zip_bomb_by_ratio_is_refused(department):
    bomb = zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<a>" + b" " * (20 * 1024 * 1024) + b"</a>",
        }
    )
    assert len(bomb) < 100_000
    assert "疑似压缩炸弹" in refused_because(department, bomb)


def test_zip_bomb_by_total_size_is_refused(department, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UNCOMPRESSED_BYTES", 64 * 1024)
    noise = zlib.compress(bytes(range(256)) * 1024)  # incompressible-ish, 256 KB unpacked
    data = zip_bytes(
        {"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<w/>", "x.bin": noise * 200}
    )
    message = refused_because(department, data)
    assert "解压后达" in message and "疑似压缩炸弹" in message


def test_too_many_members_is_refused(department, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_MEMBERS", 5)
    members = {f"xl/part{n}.xml": b"<p/>" for n in range(6)}
    assert "疑似压缩炸弹" in refused_because(department, zip_bytes(members))


def test_xml_entity_declaration_is_refused(department):
    data = xlsx([good_row(department)])
    source = openpyxl.reader.excel.ZipFile(io.BytesIO(data))
    members = {name: source.read(name) for name in source.namelist()}
    members["xl/worksheets/sheet1.xml"] = (
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + members["xl/worksheets/sheet1.xml"]
    )
    assert "DTD" in refused_because(department, zip_bytes(members))


def test_entity_declaration_after_a_long_prolog_is_refused(department):
    data = xlsx([good_row(department)])
    source = openpyxl.reader.excel.ZipFile(io.BytesIO(data))
    members = {name: source.read(name) for name in source.namelist()}
    members["xl/styles.xml"] = (
        b"<!--"
        + random.Random(1).randbytes(1_500_000).hex().encode()
        + b'--><!DOCTYPE s [<!ENTITY a "a">]>'
        + members["xl/styles.xml"]
    )
    assert "DTD" in refused_because(department, zip_bytes(members))


def test_openpyxl_parses_through_defusedxml():
    """Our own DTD check aside, openpyxl itself refuses entities because defusedxml is used."""
    assert openpyxl.DEFUSEDXML
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY lol "lol">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData><row r='1'><c r='A1' t='inlineStr'><is><t>&lol;</t></is></c></row>"
        b"</sheetData></worksheet>"
    )
    workbook = openpyxl.Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = openpyxl.reader.excel.ZipFile(buffer)
    members = {name: source.read(name) for name in source.namelist()}
    members["xl/worksheets/sheet1.xml"] = sheet
    with pytest.raises(Exception) as caught:
        loaded = openpyxl.load_workbook(io.BytesIO(zip_bytes(members)), read_only=True)
        list(loaded.active.iter_rows(values_only=True))
    error = caught.value
    assert isinstance(error, DefusedXmlException) or isinstance(
        error.__cause__, DefusedXmlException
    )


def test_xlsx_open_refuses_before_openpyxl_sees_the_file(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("openpyxl must not open a refused file")

    monkeypatch.setattr(openpyxl, "load_workbook", fail)
    with pytest.raises(SpreadsheetRefused), xlsx_open(zip_bytes({"a.txt": b"x"})):
        pass


@pytest.mark.parametrize(
    "text",
    [
        "=SUM(A1:A9)",
        "+8613800000000",
        "-5",
        "@cmd",
        "\t缩进",
        "\n换行开头",
        "'单引号开头",
        "''两个单引号",
        "'",
        "普通文本",
        "_x000D_字面转义",
        "控制字符\x07在中间",
        "",
    ],
)
def test_safe_text_is_reversed_exactly(text):
    stored = safe_text(text)
    assert stored[:1] not in set("=+-@\t\r\n")
    assert restore_text(stored) == text


def test_carriage_returns_become_line_feeds():
    assert restore_text(safe_text("a\r\nb\rc")) == "a\nb\nc"
