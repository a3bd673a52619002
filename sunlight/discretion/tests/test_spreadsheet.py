"""Benchmark tables in and out: multi-sheet workbooks with merged headers and merged violation
cells as real tables have them; every bad row reported with its sheet and row and nothing
written; an export read back gives the same content."""

import io
from decimal import Decimal

import openpyxl
import pytest

from sunlight.core.errors import ValidationFailed
from sunlight.core.spreadsheets import SpreadsheetRefused
from sunlight.discretion.choices import AmountMode, PenaltyKind
from sunlight.discretion.imports import benchmark_export, benchmark_import
from sunlight.discretion.models import Benchmark, BenchmarkVersion, Violation
from sunlight.discretion.selectors import version_draft
from sunlight.discretion.services import benchmark_create
from sunlight.discretion.spreadsheet import benchmark_workbook
from sunlight.discretion.tests import factories

pytestmark = pytest.mark.django_db

HEADER_TOP = ["序号", "违法行为", "违法依据", "处罚依据", "违法程度", "裁量情形", "处罚种类"]
HEADER_SUB = ["计罚基数", "下限", "上限"]


def _sheet(workbook, title, violations, *, title_row=True):
    """A table as published: an optional merged title row, a two-row header with 处罚幅度
    merged over its sub-columns, violations and tiers merged down over their rows."""
    sheet = workbook.create_sheet(title)
    top = 1
    if title_row:
        sheet.cell(1, 1, f"《{title}》行政处罚裁量基准")
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=10)
        top = 2
    for column, text in enumerate(HEADER_TOP, start=1):
        sheet.cell(top, column, text)
        sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
    sheet.cell(top, 8, "处罚幅度")
    sheet.merge_cells(start_row=top, start_column=8, end_row=top, end_column=10)
    for column, text in enumerate(HEADER_SUB, start=8):
        sheet.cell(top + 1, column, text)
    row = top + 2
    for number, (name, legal, penalty, tiers) in enumerate(violations, start=1):
        first = row
        for tier_name, circumstances, penalties in tiers:
            tier_first = row
            for kind, base, lower, upper in penalties or [(None, None, None, None)]:
                for column, value in ((7, kind), (8, base), (9, lower), (10, upper)):
                    sheet.cell(row, column, value)
                row += 1
            sheet.cell(tier_first, 5, tier_name)
            sheet.cell(tier_first, 6, circumstances)
            if row - 1 > tier_first:
                for column in (5, 6):
                    sheet.merge_cells(
                        start_row=tier_first,
                        start_column=column,
                        end_row=row - 1,
                        end_column=column,
                    )
        for column, value in ((1, number), (2, name), (3, legal), (4, penalty)):
            sheet.cell(first, column, value)
            if row - 1 > first:
                sheet.merge_cells(
                    start_row=first, start_column=column, end_row=row - 1, end_column=column
                )
    return sheet


FOOD_ROWS = [
    (
        "用非食品原料生产食品",
        "《中华人民共和国食品安全法》第三十四条第（一）项",
        "《中华人民共和国食品安全法》第一百二十三条第一款",
        [
            ("不予处罚", "初次违法且危害后果轻微并及时改正", []),
            (
                "一般",
                "不具有从轻、从重情形",
                [("没收违法所得", None, None, None), ("罚款", "货值金额", 20, 25)],
            ),
            (
                "从重",
                "造成严重后果\n一年内再次违法",
                [("罚款", "货值金额", 25, 30), ("吊销许可证", None, None, None)],
            ),
        ],
    ),
    (
        "未按规定建立进货查验记录",
        "《中华人民共和国食品安全法》第五十三条",
        "《中华人民共和国食品安全法》第一百二十六条第一款",
        [
            (
                "一般",
                "责令改正后仍未建立",
                [("警告", None, None, None), ("罚款", None, 5000, 20000)],
            ),
            ("从重", "拒不改正", [("罚款", None, 20000, 50000)]),
        ],
    ),
]
QUALITY_ROWS = [
    (
        "在产品中掺杂、掺假",
        "《中华人民共和国产品质量法》第三十二条",
        "《中华人民共和国产品质量法》第五十条",
        [("一般", "", [("罚款", "货值金额", "0.5", 3)])],
    )
]


def _workbook(*sheets):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        _sheet(workbook, title, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def setup():
    po = factories.penalty_office()
    benchmark = benchmark_create(actor=po.legal, power_item=po.item, region=po.region)
    return po, benchmark


def test_a_multi_sheet_table_with_merged_cells_is_read_into_the_draft(setup):
    po, benchmark = setup
    data = _workbook(("食品安全法", FOOD_ROWS), ("产品质量法", QUALITY_ROWS))

    version = benchmark_import(actor=po.legal, benchmark=benchmark, file=data)

    draft = version_draft(version)
    assert [(v.law, v.name) for v in draft.violations] == [
        ("食品安全法", "用非食品原料生产食品"),
        ("食品安全法", "未按规定建立进货查验记录"),
        ("产品质量法", "在产品中掺杂、掺假"),
    ]
    food = draft.violations[0]
    assert [t.name for t in food.tiers] == ["不予处罚", "一般", "从重"]
    assert food.legal_basis == "《中华人民共和国食品安全法》第三十四条第（一）项"
    assert food.tiers[0].penalties == []
    assert food.tiers[2].circumstances == "造成严重后果\n一年内再次违法"
    heavy_fine, revoke = food.tiers[2].penalties
    assert (heavy_fine.mode, heavy_fine.base_name, heavy_fine.lower, heavy_fine.upper) == (
        AmountMode.MULTIPLE,
        "货值金额",
        Decimal(25),
        Decimal(30),
    )
    assert revoke.kind == PenaltyKind.REVOKE_LICENCE  # "吊销许可证" as tables write it
    docs_fine = draft.violations[1].tiers[0].penalties[1]
    assert (docs_fine.mode, docs_fine.lower, docs_fine.upper) == (AmountMode.FIXED, 5000, 20000)
    assert draft.violations[2].tiers[0].penalties[0].lower == Decimal("0.5")


def test_every_bad_row_is_reported_with_sheet_and_row_and_nothing_is_written(setup):
    po, benchmark = setup
    bad_food = [
        (
            "用非食品原料生产食品",
            "",  # no legal basis (row 4, the violation's first row)
            "《中华人民共和国食品安全法》第一百二十三条",
            [
                ("一般", "", [("罚款", None, 30000, 20000)]),  # row 4: lower > upper
                (
                    "从重",
                    "",
                    [("打板子", None, None, None), ("罚款", None, "很多", 5)],
                ),  # rows 5, 6
            ],
        )
    ]
    data = _workbook(("食品安全法", bad_food), ("产品质量法", QUALITY_ROWS))

    with pytest.raises(ValidationFailed) as refused:
        benchmark_import(actor=po.legal, benchmark=benchmark, file=data)

    found = {(p.sheet, p.row, p.field) for p in refused.value.problems}
    assert ("食品安全法", 4, "违法依据") in found
    assert ("食品安全法", 4, "下限") in found
    assert ("食品安全法", 6, "下限") in found
    assert "食品安全法!I6" in str(refused.value)  # sheet and cell
    assert not Violation.objects.exists()
    assert BenchmarkVersion.objects.count() == 1


def test_a_sheet_without_the_required_columns_is_reported(setup):
    po, benchmark = setup
    workbook = openpyxl.Workbook()
    workbook.active.title = "食品安全法"
    workbook.active.append(["违法行为", "违法依据"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(ValidationFailed, match="未找到可识别的表头"):
        benchmark_import(actor=po.legal, benchmark=benchmark, file=buffer.getvalue())


def test_formulas_are_refused_not_evaluated(setup):
    po, benchmark = setup
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    sheet = _sheet(workbook, "产品质量法", QUALITY_ROWS, title_row=False)
    sheet["J3"] = "=2*3"
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(ValidationFailed, match="不接受公式"):
        benchmark_import(actor=po.legal, benchmark=benchmark, file=buffer.getvalue())


def test_a_file_that_is_not_xlsx_is_refused(setup):
    po, benchmark = setup

    with pytest.raises(SpreadsheetRefused):
        benchmark_import(actor=po.legal, benchmark=benchmark, file=b"not a workbook")


def test_export_then_import_gives_the_same_content(setup):
    po, _ = setup
    source = factories.published_benchmark(
        item=factories.penalty_office(code="052").item, region=po.region, actor=po.legal
    )
    exported = benchmark_export(actor=po.legal, version=source.current_version)
    target = Benchmark.objects.get(power_item=po.item)

    version = benchmark_import(actor=po.legal, benchmark=target, file=exported)

    assert version_draft(version) == version_draft(source.current_version)


def test_export_lays_out_one_sheet_per_law_with_merged_cells(setup):
    data = benchmark_workbook(factories.sample_draft())

    workbook = openpyxl.load_workbook(io.BytesIO(data))

    assert workbook.sheetnames == ["食品安全法", "食品经营许可管理办法"]
    merged = {str(r) for r in workbook["食品安全法"].merged_cells.ranges}
    assert "H1:J1" in merged  # 处罚幅度 over its sub-columns
    assert "B3:B8" in merged  # the violation over its six tier rows
