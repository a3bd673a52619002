"""Real discretion tables in: every format a bureau sends (.xlsx, old .xls, .ods, GB18030 CSV),
both layouts (one sheet per law, one sheet for all), merged multi-row cells, text amounts,
several paragraphs per violation, more than ten tiers, 备注 — and every cell accounted for."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from sunlight.core.spreadsheets import SpreadsheetRefused
from sunlight.discretion.choices import AmountMode, PenaltyKind
from sunlight.discretion.drafts import draft_normalised
from sunlight.discretion.sheet_reader import column_key, read_benchmark
from sunlight.discretion.tests import tables

D = Decimal


def _read(data, filename):
    result = read_benchmark(data, filename)
    return result, draft_normalised(result.draft)


@pytest.fixture(params=sorted(tables.FORMATS))
def bureau(request):
    """The bureau's one-sheet table in each format."""
    fmt = request.param
    return fmt, tables.FORMATS[fmt]([tables.bureau_sheet()])


def test_a_bureau_table_reads_in_every_format(bureau):
    fmt, data = bureau

    result, draft = _read(data, f"裁量基准汇总.{fmt}")

    assert result.problems == []
    names = [v.name for v in draft.violations]
    assert names == [
        "用非食品原料生产食品",
        "未按规定建立进货查验记录",
        "未按规定公示年度报告",
        "发布虚假广告",
        "建设项目未依法报批环评文件擅自开工",
    ]
    food, records, reports, advert, works = draft.violations
    # One sheet for all: the law comes from the legal basis.
    assert [v.law for v in draft.violations] == [
        "食品安全法",
        "食品安全法",
        "企业信息公示暂行条例",
        "广告法",
        "环境影响评价法",
    ]
    # Merged over six rows: three tiers, each with both of its circumstances, in order.
    assert [t.name for t in food.tiers] == ["轻微", "一般", "严重"]
    assert [t.circumstances.split("\n") for t in food.tiers] == [
        ["初次违法", "货值金额较小且及时改正"],
        ["不具有从轻、从重情形", "配合调查"],
        ["造成严重后果", "一年内再次违法"],
    ]
    assert food.notes == "货值金额不足一万元的，按一万元计算"
    severe = food.tiers[2].penalties
    assert [(p.kind, p.mode, p.base_name, p.lower, p.upper) for p in severe] == [
        (PenaltyKind.REVOKE_LICENCE, AmountMode.NONE, "", None, None),
        (PenaltyKind.FINE, AmountMode.MULTIPLE, "货值金额", D(20), D(30)),
    ]
    # Two paragraphs, each with its own ladder; 轻微 and 一般 come back under the second.
    first = f"{tables.FOOD_LAW}第一百二十六条第一款"
    second = "《中华人民共和国食品安全法实施条例》第七十五条"
    assert [(t.paragraph, t.name) for t in records.tiers] == [
        (first, "轻微"),
        (first, "一般"),
        (first, "严重"),
        (second, "轻微"),
        (second, "一般"),
    ]
    assert records.penalty_basis.count("\n") == 1  # both paragraphs
    share = records.tiers[4].penalties[0]
    assert (share.mode, share.base_name, share.lower, share.upper) == (
        AmountMode.SHARE,
        "其上一年度从本单位取得收入",
        D(1),
        D(10),
    )
    # More than ten tiers.
    assert len(reports.tiers) == 12
    assert [t.penalties[0].lower for t in reports.tiers][-3:] == [D(10000), D(11000), D(12000)]
    assert advert.tiers[0].penalties[0].base_name == "广告费用"
    # A share of the total investment, and a standard that is only words: kept, flagged.
    assert works.tiers[0].penalties[0].mode == AmountMode.SHARE
    words = works.tiers[1].penalties[0]
    assert (words.kind, words.mode, words.text) == (
        PenaltyKind.OTHER,
        AmountMode.TEXT,
        "按照有关规定从重处罚",
    )
    assert works.notes == "报请本级人民政府批准"


def test_every_non_empty_cell_is_accounted_for(bureau):
    """Counted independently from what we wrote: each non-empty cell is in the draft, a title
    or header, or a problem — none is dropped without a word."""
    fmt, data = bureau
    sheet = tables.bureau_sheet()
    written = len(sheet.cells)

    result, _ = _read(data, f"裁量基准汇总.{fmt}")

    assert result.cells == written
    assert len(result.accounted) == written
    assert set(result.accounted.values()) <= {"draft", "header"}
    headers = sum(1 for state in result.accounted.values() if state == "header")
    assert headers == 1 + len(tables.BUREAU_HEADER)  # the title and the header row
    assert [n.address for n in result.notices if n.field == "标题"] == ["裁量基准汇总!A1"]


def test_cells_outside_any_violation_are_listed_with_their_address():
    sheet = tables.bureau_sheet()
    sheet.put(29, 0, "注：本基准自2026年1月1日起施行")  # a footnote under the table
    sheet.put(5, 9, "草稿批注")  # a stray note beside it, in no column

    result, _ = _read(tables.xlsx_bytes([sheet]), "x.xlsx")

    places = {p.address: p.message for p in result.problems}
    assert "裁量基准汇总!A30" in places and "未导入" in places["裁量基准汇总!A30"]
    assert "裁量基准汇总!J6" in places
    assert len(result.accounted) == len(sheet.cells)
    assert sum(1 for state in result.accounted.values() if state == "problem") == 2


def test_an_unknown_column_lands_in_the_notes_with_a_notice():
    sheet = tables.bureau_sheet()
    sheet.put(1, 8, "执法主体")
    sheet.put(2, 8, "市场监管局")

    result, draft = _read(tables.xlsx_bytes([sheet]), "x.xlsx")

    assert result.problems == []
    assert "执法主体：市场监管局" in draft.violations[0].notes
    assert any("执法主体" in str(n) for n in result.notices)


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_one_sheet_per_law_with_a_two_row_merged_header(fmt):
    data = tables.FORMATS[fmt](tables.per_law_sheets())

    result, draft = _read(data, f"x.{fmt}")

    assert result.problems == []
    assert [(v.law, v.name) for v in draft.violations] == [
        ("食品安全法", "用非食品原料生产食品"),
        ("企业信息公示暂行条例", "未按规定公示年度报告"),
    ]
    food, reports = draft.violations
    assert [t.name for t in food.tiers] == ["不予处罚", "一般", "从重"]
    assert food.tiers[0].penalties == []
    fines = [(p.mode, p.base_name, p.lower, p.upper) for p in food.tiers[1].penalties]
    assert fines == [
        (AmountMode.NONE, "", None, None),
        (AmountMode.MULTIPLE, "货值金额", D(15), D(20)),
    ]
    # "1万" in the upper-limit column
    assert reports.tiers[0].penalties[1].upper == D(10000)
    assert len(result.accounted) == sum(len(s.cells) for s in tables.per_law_sheets())


def test_gb18030_and_utf8_csv_read_the_same():
    sheet = tables.bureau_sheet()

    _, gb = _read(tables.csv_bytes(sheet, "gb18030"), "表.csv")
    _, utf8 = _read(tables.csv_bytes(sheet, "utf-8-sig"), "表.csv")

    assert gb == utf8
    assert len(gb.violations) == 5


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("序号", "seq"),
        ("违法行为", "violation"),
        ("违法行为名称", "violation"),
        ("法律依据", "legal_basis"),
        ("违法依据", "legal_basis"),
        ("处罚依据", "penalty_basis"),
        ("处 罚 依 据", "penalty_basis"),
        ("裁量阶次", "tier"),
        ("违法程度", "tier"),
        ("情节", "tier"),
        ("适用情形", "circumstances"),
        ("具体情形", "circumstances"),
        ("裁量标准", "circumstances"),
        ("处罚标准", "standard"),
        ("处罚幅度", "standard"),
        ("裁量基准", "standard"),
        ("处罚种类", "kind"),
        ("计罚基数（按倍数时填写）", "base"),
        ("下限", "lower"),
        ("上限", "upper"),
        ("备注", "notes"),
        ("处罚事项", "power"),
        ("执法主体", None),
    ],
)
def test_header_names_as_real_tables_write_them(label, key):
    assert column_key(label) == key


# ---------------------------------------------------------------- bad input


def _html_as_xls():
    return "<html><body><table><tr><td>违法行为</td></tr></table></body></html>".encode()


def _zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (_html_as_xls(), "基准.xls", "内容是网页"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "基准.csv", "不是文本"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "基准.xlsx", "不是可识别的电子表格"),
        (b"PK\x03\x04garbage", "基准.xlsx", "损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "基准.xls", "无法读取"),
        (_zip_bomb(), "基准.xlsx", "压缩"),
        (b"", "基准.xlsx", "为空"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused_in_chinese(data, filename, message):
    with pytest.raises(SpreadsheetRefused, match=message):
        read_benchmark(data, filename)


def test_a_formula_cell_is_a_problem_not_a_value():
    data = tables.xlsx_bytes([tables.bureau_sheet()])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    workbook.active["G10"] = '="处"&"五千元罚款"'
    buffer = io.BytesIO()
    workbook.save(buffer)

    result, _ = _read(buffer.getvalue(), "x.xlsx")

    assert [(p.address, p.message) for p in result.problems] == [
        ("裁量基准汇总!G10", "不接受公式，请填写数值或文字")
    ]


def test_a_sheet_without_a_recognisable_header_is_reported():
    sheet = tables.Sheet("工作表1")
    sheet.put(0, 0, "姓名")
    sheet.put(0, 1, "电话")
    sheet.put(1, 0, "张三")

    result, draft = _read(tables.xlsx_bytes([sheet, tables.bureau_sheet()]), "x.xlsx")

    assert any("未找到可识别的表头" in p.message for p in result.problems)
    assert len(draft.violations) == 5  # the other sheet is read
    assert len(result.accounted) == 3 + len(tables.bureau_sheet().cells)


def test_an_xlsx_named_xls_is_read_for_what_it_is():
    result, draft = _read(tables.xlsx_bytes([tables.bureau_sheet()]), "基准.xls")

    assert result.problems == [] and len(draft.violations) == 5


def test_an_ods_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", b" " * (40 * 1024 * 1024))

    with pytest.raises(SpreadsheetRefused, match="压缩炸弹"):
        read_benchmark(buffer.getvalue(), "基准.ods")


def test_an_ods_with_a_dtd_is_refused():
    data = tables.ods_bytes([tables.bureau_sheet()])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "content.xml":
                body = body.replace(
                    b"<office:document-content",
                    b'<!DOCTYPE x [<!ENTITY a "aaaa">]><office:document-content',
                    1,
                )
            target.writestr(item, body)

    with pytest.raises(SpreadsheetRefused, match="DTD"):
        read_benchmark(buffer.getvalue(), "基准.ods")


def test_a_csv_mixing_utf8_and_gbk_is_refused_not_garbled():
    sheet = tables.bureau_sheet()
    data = tables.csv_bytes(sheet, "gb18030") + "6,后来粘贴的违法行为,依据\r\n".encode()

    with pytest.raises(SpreadsheetRefused, match="两种编码"):
        read_benchmark(data, "基准.csv")


def test_a_first_data_row_that_reads_like_a_title_stays_data():
    sheet = tables.Sheet("食品安全法")
    for column, title in enumerate(
        ["序号", "违法行为", "违法依据", "处罚依据", "违法程度", "处罚标准"]
    ):
        sheet.put(0, column, title)
    for column, value in enumerate(
        ["1", "某违法行为", "《某法》第一条", "《某法》第九条", "违法程度较轻", "警告"]
    ):
        sheet.put(1, column, value)

    result, draft = _read(tables.csv_bytes(sheet, "utf-8"), "基准.csv")

    assert result.problems == []
    assert [t.name for t in draft.violations[0].tiers] == ["违法程度较轻"]


def test_merged_kinds_standards_and_circumstances_apply_to_every_row_and_tier():
    """处罚种类 merged over rows with their own limits; one standard and one circumstance
    merged over two tiers."""
    sheet = tables.Sheet("食品安全法")
    header = [
        "违法行为",
        "违法依据",
        "处罚依据",
        "裁量阶次",
        "适用情形",
        "处罚种类",
        "下限",
        "上限",
    ]
    for column, title in enumerate(header):
        sheet.put(0, column, title)
    sheet.span(1, 3, 0, "某违法行为")
    sheet.span(1, 3, 1, "《某法》第一条")
    sheet.span(1, 3, 2, "《某法》第九条")
    for row, tier in ((1, "轻微"), (2, "一般"), (3, "严重")):
        sheet.put(row, 3, tier)
    sheet.span(1, 2, 4, "初次违法")
    sheet.put(3, 4, "再次违法")
    sheet.span(1, 3, 5, "罚款")
    for row, (lower, upper) in zip(
        (1, 2, 3), ((1000, 2000), (2000, 5000), (5000, 10000)), strict=True
    ):
        sheet.put(row, 6, lower)
        sheet.put(row, 7, upper)

    result, draft = _read(tables.xlsx_bytes([sheet]), "x.xlsx")

    assert result.problems == []
    tiers = draft.violations[0].tiers
    assert [t.circumstances for t in tiers] == ["初次违法", "初次违法", "再次违法"]
    assert [(p.kind, p.lower, p.upper) for t in tiers for p in t.penalties] == [
        (PenaltyKind.FINE, D(1000), D(2000)),
        (PenaltyKind.FINE, D(2000), D(5000)),
        (PenaltyKind.FINE, D(5000), D(10000)),
    ]


def test_long_tier_names_as_real_tables_write_them_are_kept():
    sheet = tables.bureau_sheet()
    sheet.put(25, 4, "违法行为轻微并及时改正，没有造成危害后果的情形")

    result, draft = _read(tables.xlsx_bytes([sheet]), "x.xlsx")

    assert result.problems == []
    assert draft.violations[3].tiers[0].name == "违法行为轻微并及时改正，没有造成危害后果的情形"


def test_an_instructions_sheet_is_noted_not_imported_and_an_empty_sheet_is_skipped():
    notes = tables.Sheet("填表说明")
    notes.put(0, 0, "1. 违法行为按法律法规分列")
    notes.put(1, 0, "2. 处罚标准可写文字")
    empty = tables.Sheet("Sheet3")

    result, draft = _read(tables.xlsx_bytes([notes, tables.bureau_sheet(), empty]), "x.xlsx")

    assert result.problems == [] and len(draft.violations) == 5
    assert any(n.sheet == "填表说明" and "说明页" in n.message for n in result.notices)
    assert result.accounted[("填表说明", 0, 0)] == "title"


def test_a_formula_cell_of_an_ods_is_a_problem_too():
    sheet = tables.bureau_sheet()
    sheet.cells[(9, 6)] = 'of:="处"&"五千元罚款"'

    result, _ = _read(tables.ods_bytes([sheet]), "x.ods")

    assert [(p.address, p.message) for p in result.problems] == [
        ("裁量基准汇总!G10", "不接受公式，请填写数值或文字")
    ]
