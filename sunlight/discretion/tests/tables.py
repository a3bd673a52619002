"""Discretion tables in the shapes bureaus publish, written by us in every format the import
takes: .xlsx (openpyxl), old .xls (xlwt, BIFF8), .ods (the OpenDocument XML written out here)
and CSV (GB18030, merged cells left blank below their first row, as a CSV export does)."""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
import xlwt


@dataclass
class Sheet:
    """Cell values by 0-based row and column, and merged ranges (top, left, bottom, right)."""

    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    def put(self, row: int, column: int, value: Any) -> None:
        if value is not None and value != "":
            self.cells[(row, column)] = value

    def span(self, top: int, bottom: int, column: int, value: Any) -> None:
        """A value merged down over rows top..bottom (one row: no merge)."""
        self.put(top, column, value)
        if bottom > top:
            self.merges.append((top, column, bottom, column))

    def across(self, row: int, left: int, right: int, value: Any) -> None:
        self.put(row, left, value)
        self.merges.append((row, left, row, right))

    @property
    def height(self) -> int:
        return max((r for r, _ in self.cells), default=-1) + 1

    @property
    def width(self) -> int:
        return max((c for _, c in self.cells), default=-1) + 1


# ---------------------------------------------------------------- shapes

BUREAU_HEADER = ["序号", "违法行为名称", "法律依据", "处罚依据", "违法程度", "具体情形"]
BUREAU_HEADER += ["处罚标准", "备注"]
FOOD_LAW = "《中华人民共和国食品安全法》"


TWELVE = ["一千", "两千", "三千", "四千", "五千", "六千", "七千", "八千", "九千", "一万"]
TWELVE += ["一万一千", "一万二千"]


def bureau_sheet(name: str = "裁量基准汇总") -> Sheet:
    """One sheet for all of a market regulation bureau's table: a merged title row, violations
    merged down over many rows, two circumstances per tier, penalties as text, 备注; a
    violation with two legal paragraphs each with its own tiers (the same tier names again);
    one with twelve tiers; one no power of the bureau answers to; one standard nobody can read
    into amounts."""
    sheet = Sheet(name)
    sheet.across(0, 0, 7, "清源市市场监督管理局行政处罚裁量基准（2026年版）")
    for column, title in enumerate(BUREAU_HEADER):
        sheet.put(1, column, title)
    # 1. three tiers of two rows each; one standard per tier merged over its two rows
    sheet.span(2, 7, 0, 1)
    sheet.span(2, 7, 1, "用非食品原料生产食品")
    sheet.span(2, 7, 2, f"{FOOD_LAW}第三十四条第（一）项")
    sheet.span(2, 7, 3, f"{FOOD_LAW}第一百二十三条第一款")
    sheet.span(2, 7, 7, "货值金额不足一万元的，按一万元计算")
    for top, tier, (first, second), standard in (
        (
            2,
            "轻微",
            ("初次违法", "货值金额较小且及时改正"),
            "没收违法所得，并处货值金额十倍以上十五倍以下罚款",
        ),
        (
            4,
            "一般",
            ("不具有从轻、从重情形", "配合调查"),
            "没收违法所得，并处货值金额十五倍以上二十倍以下罚款",
        ),
        (
            6,
            "严重",
            ("造成严重后果", "一年内再次违法"),
            "吊销许可证，并处货值金额二十倍以上三十倍以下罚款",
        ),
    ):
        sheet.span(top, top + 1, 4, tier)
        sheet.put(top, 5, first)
        sheet.put(top + 1, 5, second)
        sheet.span(top, top + 1, 6, standard)
    # 2. two paragraphs, each its own ladder; tier names repeat
    sheet.span(8, 12, 0, 2)
    sheet.span(8, 12, 1, "未按规定建立进货查验记录")
    sheet.span(8, 12, 2, f"{FOOD_LAW}第五十三条")
    sheet.span(8, 10, 3, f"{FOOD_LAW}第一百二十六条第一款")
    sheet.span(11, 12, 3, "《中华人民共和国食品安全法实施条例》第七十五条")
    for row, tier, circumstance, standard in (
        (8, "轻微", "首次被发现", "警告"),
        (9, "一般", "责令改正后仍未建立", "处五千元以上一万元以下罚款"),
        (10, "严重", "拒不改正", "处一万元以上五万元以下罚款；情节严重的，责令停产停业"),
        (11, "轻微", "单位负责人初次违法", "处2000元以上1万元以下的罚款"),
        (
            12,
            "一般",
            "单位负责人故意实施",
            "处其上一年度从本单位取得收入的百分之一以上百分之十以下罚款",
        ),
    ):
        sheet.put(row, 4, tier)
        sheet.put(row, 5, circumstance)
        sheet.put(row, 6, standard)
    # 3. twelve tiers
    sheet.span(13, 24, 0, 3)
    sheet.span(13, 24, 1, "未按规定公示年度报告")
    sheet.span(13, 24, 2, "《企业信息公示暂行条例》第八条")
    sheet.span(13, 24, 3, "《企业信息公示暂行条例》第十八条")
    for index in range(12):
        sheet.put(13 + index, 4, f"第{index + 1}档")
        sheet.put(13 + index, 5, f"逾期{index + 1}个月")
        sheet.put(13 + index, 6, f"处{TWELVE[index]}元罚款")
    # 4. a violation none of the bureau's powers answers to
    sheet.put(25, 0, 4)
    sheet.put(25, 1, "发布虚假广告")
    sheet.put(25, 2, "《中华人民共和国广告法》第二十八条")
    sheet.put(25, 3, "《中华人民共和国广告法》第五十五条")
    sheet.put(25, 4, "一般")
    sheet.put(25, 5, "首次发布")
    sheet.put(25, 6, "处广告费用三倍以上五倍以下的罚款")
    # 5. a share of a named base, and a standard that is only words
    sheet.span(26, 27, 0, 5)
    sheet.span(26, 27, 1, "建设项目未依法报批环评文件擅自开工")
    sheet.span(26, 27, 2, "《中华人民共和国环境影响评价法》第二十五条")
    sheet.span(26, 27, 3, "《中华人民共和国环境影响评价法》第三十一条第一款")
    sheet.put(26, 4, "一般")
    sheet.put(26, 5, "未造成环境污染")
    sheet.put(26, 6, "处建设项目总投资额百分之一以上百分之五以下的罚款")
    sheet.put(27, 4, "从重")
    sheet.put(27, 5, "造成环境污染")
    sheet.put(27, 6, "按照有关规定从重处罚")
    sheet.put(27, 7, "报请本级人民政府批准")
    return sheet


PER_LAW_TOP = ["序号", "违法行为", "违法依据", "处罚依据", "裁量阶次", "适用情形", "处罚种类"]


def per_law_sheet(name: str, violations: list[tuple[str, str, str, list]]) -> Sheet:
    """One sheet per law: a title, a two-row header with 处罚幅度 merged over 计罚基数/下限/
    上限, penalties in columns. `violations`: (name, legal, penalty, [(tier, circumstance,
    [(kind, base, lower, upper)])])."""
    sheet = Sheet(name)
    sheet.across(0, 0, 9, f"《{name}》行政处罚裁量基准")
    for column, title in enumerate(PER_LAW_TOP):
        sheet.span(1, 2, column, title)
    sheet.across(1, 7, 9, "处罚幅度")
    for column, title in enumerate(["计罚基数", "下限（元或倍数）", "上限"], start=7):
        sheet.put(2, column, title)
    row = 3
    for number, (title, legal, penalty, tiers) in enumerate(violations, start=1):
        first = row
        for tier, circumstance, penalties in tiers:
            tier_first = row
            for kind, base, lower, upper in penalties or [(None, None, None, None)]:
                for column, value in ((6, kind), (7, base), (8, lower), (9, upper)):
                    sheet.put(row, column, value)
                row += 1
            sheet.span(tier_first, row - 1, 4, tier)
            sheet.span(tier_first, row - 1, 5, circumstance)
        for column, value in ((0, number), (1, title), (2, legal), (3, penalty)):
            sheet.span(first, row - 1, column, value)
    return sheet


def per_law_sheets() -> list[Sheet]:
    return [
        per_law_sheet(
            "食品安全法",
            [
                (
                    "用非食品原料生产食品",
                    f"{FOOD_LAW}第三十四条第（一）项",
                    f"{FOOD_LAW}第一百二十三条第一款",
                    [
                        ("不予处罚", "初次违法且危害后果轻微并及时改正", []),
                        (
                            "一般",
                            "不具有从轻、从重情形",
                            [("没收违法所得", None, None, None), ("罚款", "货值金额", 15, 20)],
                        ),
                        (
                            "从重",
                            "造成严重后果",
                            [("罚款", "货值金额", 20, 30), ("吊销许可证", None, None, None)],
                        ),
                    ],
                ),
            ],
        ),
        per_law_sheet(
            "企业信息公示暂行条例",
            [
                (
                    "未按规定公示年度报告",
                    "《企业信息公示暂行条例》第八条",
                    "《企业信息公示暂行条例》第十八条",
                    [
                        (
                            "一般",
                            "逾期未公示",
                            [("警告", None, None, None), ("罚款", None, 1000, "1万")],
                        )
                    ],
                ),
            ],
        ),
    ]


# ---------------------------------------------------------------- writers


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.name)
        for (row, column), value in spec.cells.items():
            sheet.cell(row + 1, column + 1, value)
        for top, left, bottom, right in spec.merges:
            sheet.merge_cells(
                start_row=top + 1, start_column=left + 1, end_row=bottom + 1, end_column=right + 1
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls_bytes(sheets: list[Sheet]) -> bytes:
    """Old Excel (BIFF8), as offices still send it."""
    workbook = xlwt.Workbook(encoding="utf-8")
    for spec in sheets:
        sheet = workbook.add_sheet(spec.name)
        anchors = {
            (top, left): (top, left, bottom, right) for top, left, bottom, right in spec.merges
        }
        for (row, column), value in spec.cells.items():
            if (row, column) in anchors:
                top, left, bottom, right = anchors[(row, column)]
                sheet.write_merge(top, bottom, left, right, value)
            else:
                sheet.write(row, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods_bytes(sheets: list[Sheet]) -> bytes:
    """OpenDocument spreadsheet (LibreOffice, WPS): merged cells as spans over covered cells."""
    tables = []
    for spec in sheets:
        spans = {(t, left): (b - t + 1, r - left + 1) for t, left, b, r in spec.merges}
        covered = {
            (row, column)
            for t, left, b, r in spec.merges
            for row in range(t, b + 1)
            for column in range(left, r + 1)
            if (row, column) != (t, left)
        }
        rows = []
        for row in range(spec.height):
            cells = []
            for column in range(spec.width):
                if (row, column) in covered:
                    cells.append("<table:covered-table-cell/>")
                    continue
                value = spec.cells.get((row, column))
                span = spans.get((row, column))
                attributes = (
                    f' table:number-rows-spanned="{span[0]}" '
                    f'table:number-columns-spanned="{span[1]}"'
                    if span
                    else ""
                )
                if value is None:
                    cells.append(f"<table:table-cell{attributes}/>")
                elif isinstance(value, str) and value.startswith("of:="):
                    cells.append(
                        f'<table:table-cell table:formula="{escape(value, {chr(34): "&quot;"})}" '
                        f'office:value-type="string"{attributes}><text:p>结果</text:p>'
                        "</table:table-cell>"
                    )
                elif isinstance(value, int | float):
                    cells.append(
                        f'<table:table-cell office:value-type="float" office:value="{value}"'
                        f"{attributes}><text:p>{value}</text:p></table:table-cell>"
                    )
                else:
                    cells.append(
                        f'<table:table-cell office:value-type="string"{attributes}>'
                        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
                    )
            rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        tables.append(
            f'<table:table table:name="{escape(spec.name)}">{"".join(rows)}</table:table>'
        )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} '
        f'office:version="1.2"><office:body><office:spreadsheet>{"".join(tables)}'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def csv_bytes(sheet: Sheet, encoding: str = "gb18030") -> bytes:
    """A CSV as Excel in Chinese saves one: GB18030, merged values in their first row only."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in range(sheet.height):
        writer.writerow(
            [
                "" if sheet.cells.get((row, c)) is None else sheet.cells[(row, c)]
                for c in range(sheet.width)
            ]
        )
    return buffer.getvalue().encode(encoding)


FORMATS = {
    "xlsx": lambda sheets: xlsx_bytes(sheets),
    "xls": lambda sheets: xls_bytes(sheets),
    "ods": lambda sheets: ods_bytes(sheets),
    "csv": lambda sheets: csv_bytes(sheets[0]),
}
