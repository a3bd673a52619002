"""A department's real power list, as it comes: every format, the layouts real lists use, rows
lacking what publication needs, and re-imports that go through review."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from sunlight.catalog.choices import CaseType, Category, ItemStatus, LimitUnit, VersionStatus
from sunlight.catalog.imports import power_items_import
from sunlight.catalog.list_import import CREATE, FLAGGED, UNCHANGED, UPDATE, list_import_plan
from sunlight.catalog.list_values import parse_time_limit
from sunlight.catalog.models import PowerItem, PowerVersion
from sunlight.catalog.services import power_version_transition
from sunlight.catalog.spreadsheet import CellError
from sunlight.catalog.tests import real_lists
from sunlight.catalog.tests.sheets import counts
from sunlight.core.errors import ValidationFailed
from sunlight.core.spreadsheets import workbook_bytes
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db

EXPECTED = [
    # name, sub-item, category, statutory (count, unit), promised, gaps
    ("建筑工程施工许可证核发", "", Category.LICENSING, (15, LimitUnit.WORKING_DAY), 7, []),
    ("房地产开发企业资质核定", "二级资质核定", Category.LICENSING, (20, LimitUnit.WORKING_DAY), 10,
     []),
    ("房地产开发企业资质核定", "三级资质核定", Category.LICENSING, (20, LimitUnit.WORKING_DAY),
     None, []),
    ("对未取得施工许可证擅自施工的行政处罚", "", Category.PENALTY, (None, LimitUnit.WORKING_DAY),
     None, ["法定时限"]),
    ("住房公积金政策咨询", "", Category.PUBLIC_SERVICE, (0, LimitUnit.WORKING_DAY), None,
     ["设定依据"]),
    ("建设工程竣工验收备案", "", Category.OTHER, (15, LimitUnit.NATURAL_DAY), None, []),
]  # fmt: skip

FILES = {
    "xlsx": real_lists.real_xlsx,
    "xls": real_lists.real_xls,
    "ods": real_lists.real_ods,
    "csv-gb18030": lambda: real_lists.real_csv("gb18030"),
    "csv-utf8-bom": lambda: real_lists.real_csv("utf-8", bom=True),
    "csv-utf8": lambda: real_lists.real_csv("utf-8"),
}


@pytest.fixture
def department():
    housing = org.department(code="051", name="清源市住房和城乡建设局")
    org.section(of=housing, code="001", name="法规科")
    return housing


@pytest.fixture
def clerk(department):
    return org.user("clerk", department=department)


def planned_content(plan):
    return [
        (
            r.draft.name,
            r.draft.sub_item_name,
            r.draft.category,
            (r.draft.statutory_limit, r.draft.statutory_limit_unit),
            r.draft.promised_limit,
            r.gaps,
        )
        for r in plan.rows
    ]


@pytest.mark.parametrize("kind", FILES)
def test_every_format_reads_the_same_list(department, clerk, kind):
    before = counts()
    plan = list_import_plan(actor=clerk, department=department, file=FILES[kind]())
    assert counts() == before  # planning writes nothing
    assert not plan.problems, plan.problems
    assert planned_content(plan) == EXPECTED
    assert [r.draft.national_code for r in plan.rows] == real_lists.CODES
    assert all(r.action == CREATE for r in plan.rows)


def test_header_found_below_title_rows_across_two_merged_rows(department, clerk):
    plan = list_import_plan(actor=clerk, department=department, file=real_lists.real_xlsx())
    assert (plan.header.first_row, plan.header.last_row) == (3, 4)
    guessed = {c.header: c.field for c in plan.header.columns}
    assert guessed["事项名称/主项名称"] == "name"
    assert guessed["事项名称/子项名称"] == "sub_item_name"
    assert guessed["办结时限/法定办结时限"] == "statutory_limit"
    assert guessed["办结时限/承诺时限"] == "promised_limit"
    assert guessed["实施编码"] == "national_code" and guessed["序号"] == ""
    assert plan.skipped == [(11, "说明行：" + real_lists.NOTE[:30])]
    assert plan.table.merged_ranges >= 10


def test_import_creates_drafts_with_codes_and_national_codes(department, clerk):
    report = power_items_import(actor=clerk, department=department, file=real_lists.real_xlsx())
    assert report.created == 6 and not report.problems
    items = list(PowerItem.objects.filter(department=department).order_by("code"))
    by_national = {item.national_code: item for item in items}
    assert set(by_national) == set(real_lists.CODES)  # kept exactly as given
    first = by_national[real_lists.CODES[0]]
    assert first.code == "3385000510100100" and first.status == ItemStatus.DRAFT
    # Sub-items share their item's number: sub-item 01 and 02.
    assert by_national[real_lists.CODES[1]].code == "3385000510100201"
    assert by_national[real_lists.CODES[2]].code == "3385000510100202"
    service = by_national[real_lists.CODES[4]]
    assert service.code == "3385000512000100"
    version = service.working_version
    assert version.case_type == CaseType.INSTANT and version.statutory_limit == 0
    assert version.contact_phone == "12329"
    licence = first.working_version
    assert licence.handling_section.name == "法规科" and licence.charges_fee is False
    (basis,) = licence.legal_bases.all()
    assert (basis.law_name, basis.article) == ("中华人民共和国建筑法", "第七条")
    assert basis.text.startswith("建筑工程开工前")


def test_incomplete_draft_cannot_be_submitted_until_completed(department, clerk):
    power_items_import(actor=clerk, department=department, file=real_lists.real_xlsx())
    penalty = PowerItem.objects.get(national_code=real_lists.CODES[3])
    version = penalty.working_version
    assert version.statutory_limit is None
    with pytest.raises(ValidationFailed) as refused:
        power_version_transition(actor=clerk, version=version, action="submit")
    assert "缺少法定时限，请补全后再提交" in str(refused.value.problems[0].message)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def _publish(item, department):
    head = org.user("approver", department=department)
    legal_office = org.department(code="099", name="司法局")
    legal = org.user("legal", department=legal_office, in_region=department.region)
    version = item.working_version
    power_version_transition(actor=org.user("clerk", department=department), version=version,
                             action="submit")  # fmt: skip
    power_version_transition(actor=head, version=version, action="sign_off", opinion="同意")
    power_version_transition(actor=legal, version=version, action="legal_approve", opinion="同意")
    power_version_transition(actor=legal, version=version, action="publish")
    item.refresh_from_db()
    return item


def test_reimporting_the_same_list_changes_nothing(department, clerk):
    power_items_import(actor=clerk, department=department, file=real_lists.real_xlsx())
    before = counts()
    report = power_items_import(actor=clerk, department=department, file=real_lists.real_xls())
    assert not report.problems and report.created == 0 and report.updated == 0
    assert {r.action for r in report.plan.rows} == {UNCHANGED}
    assert counts() == before


def test_reimport_shows_each_changed_field_and_goes_through_review(department, clerk):
    power_items_import(actor=clerk, department=department, file=real_lists.real_xlsx())
    licence = _publish(PowerItem.objects.get(national_code=real_lists.CODES[0]), department)
    published = licence.current_version
    rows = [list(row) for row in real_lists.ROWS]
    rows[0][6], rows[0][7] = "12个工作日", "5个工作日"  # the licence's limits shortened
    rows[3][6] = "90日"  # the penalty's missing limit filled in
    changed = real_lists.real_xlsx(rows)

    before = counts()
    dry = power_items_import(actor=clerk, department=department, file=changed, dry_run=True)
    assert counts() == before
    actions = {r.draft.national_code: r for r in dry.plan.rows}
    licence_row = actions[real_lists.CODES[0]]
    assert licence_row.action == UPDATE
    assert [(c.label, c.old, c.new) for c in licence_row.changes] == [
        ("法定时限", "15", "12"),
        ("承诺时限", "7", "5"),
    ]
    assert "须经审核后发布" in licence_row.note
    assert actions[real_lists.CODES[3]].action == UPDATE
    assert actions[real_lists.CODES[3]].gaps == []

    report = power_items_import(actor=clerk, department=department, file=changed)
    assert report.updated == 2 and report.created == 0
    licence.refresh_from_db()
    assert licence.current_version_id == published.pk  # the published version is untouched
    published.refresh_from_db()
    assert (published.statutory_limit, published.status) == (15, VersionStatus.PUBLISHED)
    working = licence.working_version
    assert (working.number, working.status, working.statutory_limit) == (2, "draft", 12)
    assert working.change_reason == "按部门权力清单重新导入"
    penalty = PowerItem.objects.get(national_code=real_lists.CODES[3])
    assert penalty.working_version.number == 1  # still a draft: updated in place
    assert penalty.working_version.statutory_limit == 90


def test_reimport_of_an_item_under_review_is_flagged_not_written(department, clerk):
    power_items_import(actor=clerk, department=department, file=real_lists.real_xlsx())
    licence = PowerItem.objects.get(national_code=real_lists.CODES[0])
    power_version_transition(actor=clerk, version=licence.working_version, action="submit")
    rows = [list(row) for row in real_lists.ROWS]
    rows[0][6] = "12个工作日"
    before = PowerVersion.objects.count()
    report = power_items_import(actor=clerk, department=department, file=real_lists.real_xlsx(rows))
    flagged = [r for r in report.plan.rows if r.action == FLAGGED]
    assert [r.draft.national_code for r in flagged] == [real_lists.CODES[0]]
    assert "正在审核" in flagged[0].note
    assert PowerVersion.objects.count() == before


def test_clerk_corrects_the_guessed_mapping(department, clerk):
    plan = list_import_plan(actor=clerk, department=department, file=real_lists.real_xlsx())
    phone = next(c for c in plan.header.columns if c.header == "咨询电话")
    corrected = power_items_import(
        actor=clerk,
        department=department,
        file=real_lists.real_xlsx(),
        fields={phone.index: "supervision_phone"},
    )
    assert corrected.created == 6
    item = PowerItem.objects.get(national_code=real_lists.CODES[0])
    assert item.working_version.supervision_phone == "0571-87654321"
    assert item.working_version.contact_phone == ""


def test_a_column_mapped_twice_is_refused(department, clerk):
    plan = list_import_plan(actor=clerk, department=department, file=real_lists.real_xlsx())
    phone = next(c for c in plan.header.columns if c.header == "咨询电话")
    report = power_items_import(
        actor=clerk, department=department, file=real_lists.real_xlsx(),
        fields={phone.index: "name"},
    )  # fmt: skip
    assert report.refused and "都对应这一项" in report.problems[0].message


def test_bad_national_code_is_reported_with_row_and_column(department, clerk):
    rows = [list(row) for row in real_lists.ROWS]
    rows[0][3] = "330A0123 000000"
    report = power_items_import(actor=clerk, department=department, file=real_lists.real_xlsx(rows))
    assert report.refused
    (problem,) = report.problems
    assert (problem.row, problem.field) == (5, "实施编码")
    assert "不是有效的实施编码" in problem.message


def test_unreadable_time_limit_names_its_cell(department, clerk):
    rows = [list(row) for row in real_lists.ROWS]
    rows[1][6] = "尽快"
    report = power_items_import(actor=clerk, department=department, file=real_lists.real_xlsx(rows))
    assert report.refused
    assert [(p.row, p.field) for p in report.problems] == [(6, "法定时限")]
    assert "读不出时限" in report.problems[0].message


def test_formula_cell_in_a_real_list_is_named(department, clerk):
    workbook = openpyxl.load_workbook(io.BytesIO(real_lists.real_xlsx()))
    workbook.active["G5"] = "=10+5"
    report = power_items_import(actor=clerk, department=department, file=workbook_bytes(workbook))
    assert report.refused
    assert [(p.row, p.field) for p in report.problems] == [(5, "法定时限")]
    assert "含公式" in report.problems[0].message


def test_ods_with_a_formula_is_refused(department, clerk):
    report = power_items_import(
        actor=clerk, department=department, file=real_lists.real_ods(formula=True)
    )
    assert report.refused and "公式" in report.problems[0].message


def test_mixed_encodings_are_refused(department, clerk):
    data = real_lists.real_csv("utf-8") + "补充,行政许可\n".encode("gb18030")
    report = power_items_import(actor=clerk, department=department, file=data)
    assert report.refused
    assert "混用了不同的文字编码" in report.problems[0].message


def test_word_document_renamed_as_a_list_is_refused(department, clerk):
    from sunlight.catalog.tests.sheets import zip_bytes

    docx = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    report = power_items_import(actor=clerk, department=department, file=docx)
    assert report.refused and "不是电子表格文件" in report.problems[0].message


@pytest.mark.parametrize(
    ("text", "category", "expected"),
    [
        ("20个工作日", "", (20, LimitUnit.WORKING_DAY, False)),
        ("即办", "", (0, LimitUnit.WORKING_DAY, True)),
        ("30日", Category.LICENSING, (30, LimitUnit.WORKING_DAY, False)),
        ("30日", Category.PENALTY, (30, LimitUnit.NATURAL_DAY, False)),
        ("三个月", "", (3, LimitUnit.MONTH, False)),
        ("法定60个自然日", "", (60, LimitUnit.NATURAL_DAY, False)),
        ("一百二十天", Category.PENALTY, (120, LimitUnit.NATURAL_DAY, False)),
        ("无", "", (None, "", False)),
        (15, "", (15, "", False)),
    ],
)
def test_time_limits_written_as_text(text, category, expected):
    assert parse_time_limit(text, category=category) == expected


def test_time_limit_that_says_no_number_is_an_error():
    with pytest.raises(CellError):
        parse_time_limit("依申请人要求")


def test_dry_run_command_lists_what_would_happen_and_writes_nothing(department, tmp_path):
    path = tmp_path / "清单.xls"
    path.write_bytes(real_lists.real_xls())
    out = io.StringIO()
    before = counts()
    call_command(
        "import_catalog", str(path), "--department", department.full_code, "--dry-run",
        stdout=out,
    )  # fmt: skip
    assert counts() == before
    text = out.getvalue()
    assert "文件格式：Excel 97-2003 (.xls)" in text
    assert "B列“事项名称/主项名称” → 事项名称" in text
    assert (
        "第8行 新建草稿 3385000510200100 对未取得施工许可证擅自施工的行政处罚：缺少法定时限" in text
    )
    assert "新建6项，更新0项，无变化0项，需处理0项；其中2项缺少发布所需内容" in text
    assert "未写入任何数据" in text


def test_dry_run_command_exits_1_on_problems(department, tmp_path):
    rows = [list(row) for row in real_lists.ROWS]
    rows[0][4] = "审批"
    path = tmp_path / "清单.xlsx"
    path.write_bytes(real_lists.real_xlsx(rows))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_catalog", str(path), "--department", department.full_code, "--dry-run",
            stdout=out,
        )  # fmt: skip
    assert "第5行 权力类别：“审批”不是有效值" in out.getvalue()


def test_national_code_is_searchable_and_shown_on_the_public_page(department, clerk, client):
    from django.urls import reverse

    power_items_import(actor=clerk, department=department, file=real_lists.real_xlsx())
    licence = _publish(PowerItem.objects.get(national_code=real_lists.CODES[0]), department)
    client.force_login(clerk)
    staff = client.get(reverse("catalog:item_list"), {"q": real_lists.CODES[0][:20]})
    assert licence.code in staff.content.decode()
    client.logout()
    page = client.get(reverse("public:power_detail", args=[licence.code])).content.decode()
    assert f"统一编码 {licence.code}" in page and f"实施编码 {real_lists.CODES[0]}" in page
    found = client.get(reverse("public:power_list"), {"q": real_lists.CODES[0]}).content.decode()
    assert "建筑工程施工许可证核发" in found
    missing = client.get(reverse("public:power_list"), {"q": "999X-0000"}).content.decode()
    assert "建筑工程施工许可证核发" not in missing


def test_ods_zip_bomb_is_refused_before_parsing(department, clerk):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", b"<a>" + b" " * (20 * 1024 * 1024) + b"</a>")
    before = counts()
    report = power_items_import(actor=clerk, department=department, file=buffer.getvalue())
    assert report.refused and "疑似压缩炸弹" in report.problems[0].message
    assert counts() == before


def test_old_xls_encrypted_or_broken_is_refused_clearly(department, clerk):
    data = real_lists.real_xls()
    report = power_items_import(actor=clerk, department=department, file=data[:2048])
    assert report.refused
    assert "Excel 97-2003 (.xls)" in report.problems[0].message


def test_staff_page_of_an_incomplete_draft_says_what_is_missing(department, clerk, client):
    from django.urls import reverse

    power_items_import(actor=clerk, department=department, file=real_lists.real_xlsx())
    penalty = PowerItem.objects.get(national_code=real_lists.CODES[3])
    client.force_login(clerk)
    page = client.get(reverse("catalog:item_detail", args=[penalty.pk])).content.decode()
    assert "草稿缺少法定时限（导入的清单未提供），补全后才能提交审核" in page
    assert f'实施编码 <span class="national-code">{real_lists.CODES[3]}</span>' in page


def _many_rows(count: int, start: int) -> list[list]:
    """`count` items in the shape of the real list's first row, each its own 实施编码."""
    first = real_lists.ROWS[0]
    code = "330A{:04d}000000-338500000000-000-113385000012345678-1-00"
    rows = [
        [n, f"{first[1]}（第{n}项）", "", code.format(n), *first[4:]]
        for n in range(start, start + count)
    ]
    # real_csv writes the list's second and third rows as sub-items of one item.
    rows[2][:3] = [rows[1][0], rows[1][1], "乙类"]
    rows[1][2] = "甲类"
    return rows


def test_import_runs_the_same_queries_for_ten_rows_as_for_forty(department, clerk):
    """No query per row: matching, code generation, validation, the write and the audit
    entries are set-based (benchmarks/list_import.py measures the time)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counted = []
    other = org.department(code="052", name="清源市交通运输局")
    org.section(of=other, code="001", name="法规科")
    for count, start, into in ((10, 1, department), (40, 100, other)):
        data = real_lists.real_csv("gb18030", _many_rows(count, start))
        with CaptureQueriesContext(connection) as queries:
            report = power_items_import(actor=None, department=into, file=data)
        assert report.created == count and not report.problems
        counted.append(len(queries))
    assert counted[0] == counted[1]
