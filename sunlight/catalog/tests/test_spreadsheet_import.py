"""Importing a department's power list from .xlsx: every bad row or file refused with a clear
Chinese reason (row, column) and nothing written; the good-rows option; accepted spellings."""

import pytest

from sunlight.catalog.choices import LimitUnit
from sunlight.catalog.drafts import PowerDraft
from sunlight.catalog.imports import power_items_import
from sunlight.catalog.models import PowerItem
from sunlight.catalog.tests import factories as catalog
from sunlight.catalog.tests.sheets import HEADERS, counts, good_row, representative_drafts, xlsx
from sunlight.core.errors import NotFound, PermissionDenied
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


@pytest.fixture
def department():
    housing = org.department(code="021", name="住房和城乡建设局")
    org.section(of=housing, code="001", name="法规科")
    return housing


@pytest.fixture
def clerk(department):
    return org.user("clerk", department=department)


def refused(department, clerk, data: bytes, **options):
    """Import `data`, assert nothing was written, and return the report."""
    before = counts()
    report = power_items_import(actor=clerk, department=department, file=data, **options)
    assert report.refused, report
    assert report.created == 0
    assert counts() == before
    return report


def messages(report, field: str, row: int | None = None) -> str:
    return " ".join(p.message for p in report.problems if p.field == field and p.row == row)


# ---------------------------------------------------------------- bad rows


def test_missing_required_column_is_refused(department, clerk):
    headers = [h for h in HEADERS if h != "事项名称"]
    report = refused(department, clerk, xlsx([good_row(department)], headers=headers))
    assert "找不到这一列" in messages(report, "事项名称", row=1)


def test_unknown_category_code_is_refused(department, clerk):
    report = refused(department, clerk, xlsx([good_row(department) | {"权力类别": "99"}]))
    assert "“99”不是有效值" in messages(report, "权力类别", row=2)
    assert "01 行政许可" in messages(report, "权力类别", row=2)


def test_region_code_of_another_region_is_refused(department, clerk):
    report = refused(department, clerk, xlsx([good_row(department) | {"区划代码": "330100"}]))
    assert "“330100”不是目标部门的区划代码338500" in messages(report, "区划代码", row=2)


def test_department_code_of_another_department_is_refused(department, clerk):
    report = refused(department, clerk, xlsx([good_row(department) | {"部门编码": "338500099"}]))
    assert "不是目标部门的编码338500021" in messages(report, "部门编码", row=2)


def test_duplicate_code_within_file_is_refused(department, clerk):
    first = good_row(department)
    second = good_row(department) | {"统一编码": first["统一编码"]}
    report = refused(department, clerk, xlsx([first, second]))
    assert "与第2行重复" in messages(report, "统一编码", row=3)
    assert report.bad_rows == [3]


def test_code_of_another_departments_item_is_refused(department, clerk):
    other = org.department(code="022", name="交通运输局")
    existing = catalog.item(department=other)
    report = refused(department, clerk, xlsx([good_row(department, code=existing.code)]))
    assert "属于另一部门（交通运输局）" in messages(report, "统一编码", row=2)


def test_non_numeric_limit_is_refused(department, clerk):
    report = refused(department, clerk, xlsx([good_row(department) | {"法定时限": "二十天"}]))
    assert messages(report, "法定时限", row=2) == "“二十天”不是数字，应填0-3650的整数"


def test_negative_limit_is_refused(department, clerk):
    report = refused(department, clerk, xlsx([good_row(department) | {"承诺时限": -5}]))
    assert "应为0-3650的整数" in messages(report, "承诺时限", row=2)


def test_promised_limit_longer_than_statutory_is_refused(department, clerk):
    row = good_row(department) | {"法定时限": 10, "承诺时限": 15}
    report = refused(department, clerk, xlsx([row]))
    assert "承诺时限15不能长于法定时限10" in messages(report, "承诺时限", row=2)


def test_empty_legal_basis_comes_in_as_an_incomplete_draft(department, clerk):
    row = good_row(department) | {"设定依据": None}
    report = power_items_import(actor=clerk, department=department, file=xlsx([row]))
    assert report.created == 1 and not report.problems
    (planned,) = report.plan.rows
    assert planned.gaps == ["设定依据"]


def test_legal_basis_without_law_title_marks_is_refused(department, clerk):
    row = good_row(department) | {"设定依据": "行政许可法第十二条"}
    report = refused(department, clerk, xlsx([row]))
    assert "应写成：《法律法规名称》第X条：条文内容" in messages(report, "设定依据", row=2)


def test_overlong_name_is_refused(department, clerk):
    report = refused(department, clerk, xlsx([good_row(department) | {"事项名称": "长" * 201}]))
    assert "长度201字，超过上限200字" in messages(report, "事项名称", row=2)


def test_formula_cell_is_refused(department, clerk):
    report = refused(department, clerk, xlsx([good_row(department) | {"事项名称": "=B1&C1"}]))
    assert "单元格含公式" in messages(report, "事项名称", row=2)


def test_error_value_cell_is_refused(department, clerk):
    report = refused(department, clerk, xlsx([good_row(department) | {"法定时限": "#N/A"}]))
    assert "错误值" in messages(report, "法定时限", row=2)


def test_unknown_section_is_refused(department, clerk):
    report = refused(department, clerk, xlsx([good_row(department) | {"承办科室": "不存在科"}]))
    assert "本部门没有名为“不存在科”的科室" in messages(report, "承办科室", row=2)


def test_unknown_service_object_is_refused(department, clerk):
    row = good_row(department) | {"服务对象": "自然人、外星人"}
    report = refused(department, clerk, xlsx([row]))
    assert "“外星人”不是有效值" in messages(report, "服务对象", row=2)


def test_bad_material_count_is_refused(department, clerk):
    row = good_row(department) | {"申请材料": "申请书｜必要｜原件两份"}
    report = refused(department, clerk, xlsx([row]))
    assert "应写成原件N" in messages(report, "申请材料", row=2)


def test_fee_without_basis_comes_in_as_an_incomplete_draft(department, clerk):
    row = good_row(department) | {"是否收费": "是", "收费依据": None}
    report = power_items_import(actor=clerk, department=department, file=xlsx([row]))
    assert report.created == 1 and report.plan.rows[0].gaps == ["收费依据"]


def test_unreadable_yes_no_is_refused(department, clerk):
    report = refused(department, clerk, xlsx([good_row(department) | {"是否收费": "可能"}]))
    assert "应填是或否" in messages(report, "是否收费", row=2)


def test_bad_phone_is_refused(department, clerk):
    report = refused(department, clerk, xlsx([good_row(department) | {"咨询电话": "请拨打"}]))
    assert messages(report, "咨询电话", row=2)


def test_empty_required_cell_is_refused(department, clerk):
    report = refused(department, clerk, xlsx([good_row(department) | {"统一编码": None}]))
    assert messages(report, "统一编码", row=2) == "不能为空"


def test_sheet_with_header_only_is_refused(department, clerk):
    report = refused(department, clerk, xlsx([]))
    assert "没有数据行" in messages(report, "文件")


def test_blank_sheet_is_refused(department, clerk):
    report = refused(department, clerk, xlsx([], headers=[]))
    assert "为空" in messages(report, "文件")


def test_every_bad_row_is_reported_with_row_and_column(department, clerk):
    rows = [
        good_row(department),
        good_row(department) | {"权力类别": "XX", "法定时限": "很快"},
        good_row(department),
        good_row(department) | {"设定依据": None},
        good_row(department) | {"办件类型": "急件"},
    ]
    report = refused(department, clerk, xlsx(rows))
    found = [(p.row, p.field) for p in report.problems]
    assert found == [(3, "权力类别"), (3, "法定时限"), (6, "办件类型")]


# ---------------------------------------------------------------- the good-rows option


def test_good_rows_only_creates_exactly_the_good_rows(department, clerk):
    rows = [
        good_row(department),
        good_row(department) | {"权力类别": "XX"},
        good_row(department),
    ]
    before = PowerItem.objects.count()
    report = power_items_import(
        actor=clerk, department=department, file=xlsx(rows), good_rows_only=True
    )
    assert report.created == 2 and report.bad_rows == [3]
    assert messages(report, "权力类别", row=3)
    codes = set(PowerItem.objects.values_list("code", flat=True))
    assert PowerItem.objects.count() == before + 2
    assert {rows[0]["统一编码"], rows[2]["统一编码"]} <= codes
    assert rows[1]["统一编码"] not in codes


def test_good_rows_only_still_refuses_a_file_level_problem(department, clerk):
    headers = [h for h in HEADERS if h != "权力类别"]
    report = refused(
        department, clerk, xlsx([good_row(department)], headers=headers), good_rows_only=True
    )
    assert "找不到这一列" in messages(report, "权力类别", row=1)


def test_good_file_creates_drafts_with_audit_entries(department, clerk):
    before_items, before_versions, before_audit = counts()
    report = power_items_import(
        actor=clerk, department=department, file=xlsx([good_row(department) for _ in range(3)])
    )
    assert report.created == 3 and not report.problems and report.total_rows == 3
    assert counts() == (before_items + 3, before_versions + 3, before_audit + 3)


# ---------------------------------------------------------------- what is accepted


@pytest.mark.parametrize("spelling", ["02", "02 行政处罚", "行政处罚", "CF", "cf", 2, "2"])
def test_category_accepts_code_label_and_letter_code(department, clerk, spelling):
    row = good_row(department) | {"权力类别": spelling}
    report = power_items_import(actor=clerk, department=department, file=xlsx([row]))
    assert not report.problems
    assert representative_drafts(department)[0].category == "02"


def test_only_required_columns_fill_in_defaults(department, clerk):
    required = ["统一编码", "事项名称", "权力类别", "实施主体", "法定时限", "设定依据"]
    row = good_row(department) | {"承诺时限": None}
    report = power_items_import(
        actor=clerk, department=department, file=xlsx([row], headers=required)
    )
    assert not report.problems
    (draft,) = representative_drafts(department)
    defaults = PowerDraft(code="", name="", category="", implementing_body="", statutory_limit=0)
    assert draft.service_objects == defaults.service_objects
    assert draft.case_type == defaults.case_type
    assert draft.statutory_limit_unit == LimitUnit.WORKING_DAY
    assert draft.materials == [] and draft.duties == []


def test_title_rows_above_the_header_are_skipped(department, clerk):
    data = xlsx([good_row(department)], above=[["清源市住建局权力清单"], []])
    report = power_items_import(actor=clerk, department=department, file=data)
    assert not report.problems and report.created == 1


def test_problem_rows_count_title_rows(department, clerk):
    data = xlsx([good_row(department) | {"权力类别": "99"}], above=[["清源市住建局权力清单"]])
    report = refused(department, clerk, data)
    assert messages(report, "权力类别", row=3)


# ---------------------------------------------------------------- who may import


def test_clerk_of_another_department_gets_not_found(department):
    outsider = org.user("clerk", department=org.department(code="022"))
    with pytest.raises(NotFound):
        power_items_import(actor=outsider, department=department, file=xlsx([]))


def test_supervisor_may_not_import(department):
    supervisor = org.user("supervisor", in_region=department.region)
    with pytest.raises(PermissionDenied):
        power_items_import(actor=supervisor, department=department, file=xlsx([]))


def test_progress_is_reported_up_to_the_last_row(department, clerk):
    calls = []
    rows = [good_row(department) for _ in range(3)]
    power_items_import(
        actor=clerk,
        department=department,
        file=xlsx(rows),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[-1] == (3, 3)
