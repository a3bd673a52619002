""".xlsx export of a month's department scores: one row per department with every indicator
(as a percentage cell), each item's points, deductions, bonuses and the total; a second sheet
with each indicator's formula and terms; a third with the scheme (weights, the indicators that
judge each item, deduction and bonus rules). Text cells go through core.spreadsheets.safe_text."""

from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from sunlight.core.clock import SHANGHAI
from sunlight.core.spreadsheets import cell_value, workbook_bytes
from sunlight.supervision.indicators import INDICATORS
from sunlight.supervision.models import DepartmentScore
from sunlight.supervision.scores_scheme import ITEMS, params_of
from sunlight.supervision.scores_selectors import scheme_view

BOLD = Font(bold=True)
PERCENT = "0.0%"


def _points(values: list[dict[str, Any]]) -> float:
    return float(sum((Decimal(v.get("points", "0")) for v in values), Decimal(0)))


def _header(sheet: Worksheet, titles: list[str], widths: list[int]) -> None:
    sheet.append(titles)
    for cell in sheet[1]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "C2"


def _scores_sheet(sheet: Worksheet, scores: list[DepartmentScore]) -> None:
    titles = ["名次", "部门"]
    titles += [f"{i.name}（{i.numerator_label}/{i.denominator_label}）" for i in INDICATORS]
    titles += [f"{item.name}得分" for item in ITEMS]
    titles += ["扣分合计", "加分合计", "总分", "计算时间"]
    _header(sheet, titles, [6, 24] + [16] * (len(INDICATORS) + len(ITEMS)) + [10, 10, 10, 18])
    for rank, score in enumerate(sorted(scores, key=lambda s: -s.total), start=1):
        stored = (score.indicators or {}).get("values", {})
        items = {row["code"]: row for row in (score.indicators or {}).get("items", [])}
        row: list[Any] = [rank, cell_value(score.department.name)]
        row += [stored.get(i.code, {}).get("value") for i in INDICATORS]
        row += [
            float(Decimal(items[i.code]["score"]))
            if i.code in items and items[i.code]["score"] is not None
            else "暂无数据"
            for i in ITEMS
        ]
        deducted = sum((Decimal(r["deducted"]) for r in items.values()), Decimal(0))
        row += [float(deducted), _points(score.bonuses or []), float(score.total),
                score.computed_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")]  # fmt: skip
        sheet.append(row)
        for column in range(3, 3 + len(INDICATORS)):
            sheet.cell(row=sheet.max_row, column=column).number_format = PERCENT


def _formula_sheet(sheet: Worksheet, scores: list[DepartmentScore]) -> None:
    _header(sheet, ["指标", "公式", "口径说明", "分子", "分母"], [16, 60, 80, 20, 20])
    params = params_of(scores[0].scheme.bonuses) if scores else params_of({})
    for indicator in INDICATORS:
        sheet.append(
            [
                cell_value(indicator.name),
                cell_value(indicator.formula_text(params)),
                cell_value("\n".join(indicator.terms_text(params))),
                cell_value(indicator.numerator_label),
                cell_value(indicator.denominator_label),
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _scheme_sheet(sheet: Worksheet, scores: list[DepartmentScore]) -> None:
    view = scheme_view(scores[0].scheme) if scores else scheme_view()
    _header(sheet, ["考核项目", "权重（分）", "评价指标", "说明"], [14, 10, 60, 50])
    if view is None:
        return
    for item in view.items:
        names = "、".join(i["name"] + ("（越低越好，按 1 − 比率计）" if i["lower"] else "")
                         for i in item["indicators"])  # fmt: skip
        note = "按各指标比率的平均数乘以权重计分" if item["indicators"] else item["note"]
        sheet.append(
            [cell_value(item["name"]), item["weight"], cell_value(names), cell_value(note)]
        )
    sheet.append([])
    for label, value in view.deductions + view.bonuses:
        sheet.append([cell_value(label), cell_value(value) if isinstance(value, str) else value])


def month_workbook(scores: list[DepartmentScore]) -> bytes:
    """The month's scores as .xlsx bytes (scores visible to the requester, scheme included)."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None  # a new workbook has its first sheet
    first.title = "部门考核"
    _scores_sheet(first, scores)
    _formula_sheet(workbook.create_sheet("指标公式"), scores)
    _scheme_sheet(workbook.create_sheet("计分方案"), scores)
    return workbook_bytes(workbook)
