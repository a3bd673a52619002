"""A department's power list in the shapes published lists come in, written by us in every
format a department may hold it in: .xlsx and old .xls (title rows above a two-row merged
header, an item name merged over its sub-item rows, a note merged across the foot), .ods and
CSV (one header row, sub-item rows leaving the item name blank), CSV in GB18030 and UTF-8."""

import io
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import xlwt

from sunlight.core.spreadsheets import workbook_bytes

TITLE = "清源市住房和城乡建设局权力清单（2026年版）"
SUBTITLE = "填报单位：清源市住房和城乡建设局        更新时间：2026年3月"
NOTE = "注：本清单所列时限均不含法定节假日，法律法规另有规定的从其规定。"

# (序号, 主项名称, 子项名称, 实施编码, 事项类型, 设定依据, 法定办结时限, 承诺时限, 实施主体,
#  承办机构, 收费标准, 咨询电话)
HEADER_TOP = ["序号", "事项名称", "事项名称", "实施编码", "事项类型", "设定依据", "办结时限",
              "办结时限", "实施主体", "承办机构", "收费标准", "咨询电话"]  # fmt: skip
HEADER_BOTTOM = ["序号", "主项名称", "子项名称", "实施编码", "事项类型", "设定依据", "法定办结时限",
                 "承诺时限", "实施主体", "承办机构", "收费标准", "咨询电话"]  # fmt: skip
BODY = "清源市住房和城乡建设局"
CODES = [
    "330A0123000000-338500000000-000-113385000012345678-1-00",
    "330A0124000000-338500000000-000-113385000012345678-2-01",
    "330A0124000000-338500000000-000-113385000012345678-2-02",
    "330B0301000000-338500000000-000-113385000012345678-3-00",
    "G-000012-003-338500000000-000-113385000012345678",
    "330J0910000000-338500000000-000-113385000012345678-4-00",
]
ROWS = [
    [1, "建筑工程施工许可证核发", "", CODES[0], "行政许可",
     "《中华人民共和国建筑法》第七条：建筑工程开工前，建设单位应当按照国家有关规定向工程所在地县级"
     "以上人民政府建设行政主管部门申请领取施工许可证。",
     "15个工作日", "7个工作日", BODY, "法规科", "不收费", "0571-87654321"],
    [2, "房地产开发企业资质核定", "二级资质核定", CODES[1], "XK",
     "《城市房地产开发经营管理条例》第九条\n《房地产开发企业资质管理规定》第十条",
     "20日", "10日", BODY, "法规科", "不收费", "0571-87654321"],
    [2, "房地产开发企业资质核定", "三级资质核定", CODES[2], "01",
     "《城市房地产开发经营管理条例》第九条", "二十个工作日", "", BODY, "法规科", "不收费",
     "0571-87654321"],
    [3, "对未取得施工许可证擅自施工的行政处罚", "", CODES[3], "02",
     "《中华人民共和国建筑法》第六十四条", "", "", BODY, "", "", ""],
    [4, "住房公积金政策咨询", "", CODES[4], "20", "", "即办", "", BODY, "", "", "12329"],
    [5, "建设工程竣工验收备案", "", CODES[5], "10 其他行政权力",
     "《建设工程质量管理条例》第四十九条", "15日", "", BODY, "法规科", "", ""],
]  # fmt: skip
SUB_ITEM_ROWS = (1, 2)  # indexes in ROWS of the two sub-items of one item
WIDTH = len(HEADER_TOP)


def real_xlsx(rows: list[list] | None = None) -> bytes:
    """Title and subtitle rows, a two-row header with merged cells, the item name and number
    merged over its sub-item rows, and a note merged across the foot."""
    rows = ROWS if rows is None else rows
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "住建局权力清单"
    sheet.append([TITLE])
    sheet.append([SUBTITLE])
    sheet.append(HEADER_TOP)
    sheet.append(HEADER_BOTTOM)
    for row in rows:
        sheet.append(row)
    sheet.append([NOTE])
    last = chr(ord("A") + WIDTH - 1)
    sheet.merge_cells(f"A1:{last}1")
    sheet.merge_cells(f"A2:{last}2")
    for column in "ADEFIJKL":  # single headers span both header rows
        sheet.merge_cells(f"{column}3:{column}4")
    sheet.merge_cells("B3:C3")
    sheet.merge_cells("G3:H3")
    first_sub = 5 + SUB_ITEM_ROWS[0]
    sheet.merge_cells(f"A{first_sub}:A{first_sub + 1}")
    sheet.merge_cells(f"B{first_sub}:B{first_sub + 1}")
    note_row = 5 + len(rows)
    sheet.merge_cells(f"A{note_row}:{last}{note_row}")
    return workbook_bytes(workbook)


def real_xls(rows: list[list] | None = None) -> bytes:
    """The same list as an Excel 97-2003 (.xls, BIFF8) workbook, merges included."""
    rows = ROWS if rows is None else rows
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("住建局权力清单")
    sheet.write_merge(0, 0, 0, WIDTH - 1, TITLE)
    sheet.write_merge(1, 1, 0, WIDTH - 1, SUBTITLE)
    for index, (top, bottom) in enumerate(zip(HEADER_TOP, HEADER_BOTTOM, strict=True)):
        if top == bottom:
            sheet.write_merge(2, 3, index, index, top)
        else:
            sheet.write(3, index, bottom)
    sheet.write_merge(2, 2, 1, 2, "事项名称")
    sheet.write_merge(2, 2, 6, 7, "办结时限")
    first_sub = 4 + SUB_ITEM_ROWS[0]
    for offset, row in enumerate(rows):
        for index, value in enumerate(row):
            if offset in SUB_ITEM_ROWS and index in (0, 1):
                continue
            sheet.write(4 + offset, index, value)
    sheet.write_merge(first_sub, first_sub + 1, 0, 0, rows[SUB_ITEM_ROWS[0]][0])
    sheet.write_merge(first_sub, first_sub + 1, 1, 1, rows[SUB_ITEM_ROWS[0]][1])
    sheet.write_merge(4 + len(rows), 4 + len(rows), 0, WIDTH - 1, NOTE)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _flat_rows(rows: list[list]) -> list[list]:
    """One header row; sub-item rows leave the item name and number blank (no merges)."""
    flat = []
    for offset, row in enumerate(rows):
        row = list(row)
        if offset == SUB_ITEM_ROWS[1]:
            row[0], row[1] = "", ""
        flat.append(row)
    return flat


FLAT_HEADER = ["序号", "权力名称", "子项名称", "事项编码", "权力类别", "法律依据", "法定时限",
               "承诺时限", "实施主体", "承办科室", "收费标准", "咨询电话"]  # fmt: skip


def real_csv(encoding: str, rows: list[list] | None = None, *, bom: bool = False) -> bytes:
    rows = ROWS if rows is None else rows
    buffer = io.StringIO()
    import csv

    writer = csv.writer(buffer)
    writer.writerow([TITLE])
    writer.writerow(FLAT_HEADER)
    writer.writerows(_flat_rows(rows))
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def real_ods(rows: list[list] | None = None, *, formula: bool = False) -> bytes:
    """An OpenDocument spreadsheet, written as its specification lays it out."""
    rows = ROWS if rows is None else rows

    def cell(value: object) -> str:
        if isinstance(value, int):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        if value in ("", None):
            return "<table:table-cell/>"
        paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in str(value).split("\n"))
        return f'<table:table-cell office:value-type="string">{paragraphs}</table:table-cell>'

    lines = [[TITLE], FLAT_HEADER, *_flat_rows(rows)]
    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in line) + "</table:table-row>"
        for line in lines
    )
    if formula:
        body += (
            '<table:table-row><table:table-cell table:formula="of:=1+1" '
            'office:value-type="float" office:value="2"><text:p>2</text:p>'
            "</table:table-cell></table:table-row>"
        )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="权力清单">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
