"""Export → import gives the same catalog; exported text can never run as a formula; the
template explains itself."""

import io

import openpyxl
import pytest
from django.db import transaction

from sunlight.catalog import services
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.drafts import DutyDraft, LegalBasisDraft, MaterialDraft
from sunlight.catalog.imports import power_items_export, power_items_import, power_items_template
from sunlight.catalog.models import PowerItem, PowerVersion
from sunlight.catalog.spreadsheet import COLUMNS, DATA_SHEET
from sunlight.catalog.tests import factories as catalog
from sunlight.catalog.tests.sheets import representative_drafts
from sunlight.core.errors import NotFound
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db

TRICKY = {
    "name": '=HYPERLINK("http://evil","点我")',
    "sub_item_name": "@SUM(1+1)",
    "conditions": "\t缩进开头\n=第二行也像公式\n\n'单引号\n_x000D_字面转义\n控制字符\x07",
    "fee_basis": "-1+1",
    "fee_standard": "+86 按次收费",
    "contact_phone": "+86 13800138000",
    "supervision_phone": "+8613800138001",
    "change_reason": "'由旧系统迁移",
}


def _rich_catalog(department):
    """Items in every state, with every kind of field content an export must carry."""
    tricky = catalog.published_item(
        department=department,
        **TRICKY,
        category="02",
        implementing_body="@实施主体",
        body_nature="3",
        handling_section_name="法规科",
        exercise_level="5",
        service_objects=["6", "1", "4"],
        handling_forms=["9"],
        case_type="4",
        statutory_limit=48,
        statutory_limit_unit="hour",
        promised_limit=None,
        promised_limit_unit="minute",
        charges_fee=True,
        important=True,
        disclosure_form="board",
        disclosure_scope="internal",
        disclosure_frequency="quarterly",
        legal_bases=[
            LegalBasisDraft(
                "中华人民共和国建筑法", "第六十四条", "第一段\n\\以反斜杠开头\n《另一部法》开头的行"
            ),
            LegalBasisDraft("建设工程质量管理条例", "", ""),
            LegalBasisDraft("物业管理条例", "", "=只有条文，没有条款"),
            LegalBasisDraft("浙江省物业管理条例", "第二十条", ""),
        ],
        materials=[
            MaterialDraft("=申请书", mandatory=False, originals=0, copies=3, notes="@注意\n第二行"),
            MaterialDraft("身份证明", mandatory=True, originals=2, copies=0),
        ],
        duties=[
            DutyDraft("受理", "1.受理责任\n2.告知责任", ""),
            DutyDraft("决定", "-依法决定", "+滥用职权的，依法追究"),
        ],
    )
    changed = catalog.published_item(department=department)
    services.power_version_create_next(
        actor=None,
        item=changed,
        draft=catalog.draft(department=department, code=changed.code, change_reason="名称调整"),
    )
    suspended = catalog.published_item(department=department)
    services.power_item_transition(
        actor=None, item=suspended, action=TransitionAction.SUSPEND, reason="暂停"
    )
    revoked = catalog.published_item(department=department)
    services.power_item_transition(
        actor=None, item=revoked, action=TransitionAction.REVOKE, reason="取消"
    )
    catalog.item(department=department, handling_section_name="综合科")  # a plain draft
    return tricky


@pytest.fixture
def department():
    housing = org.department(code="041", name="住房和城乡建设局")
    org.section(of=housing, code="001", name="法规科")
    org.section(of=housing, code="002", name="综合科")
    return housing


def test_export_then_import_into_the_empty_department_gives_the_same_catalog(department):
    clerk = org.user("clerk", department=department)
    with transaction.atomic():
        _rich_catalog(department)
        expected = representative_drafts(department)
        data = power_items_export(actor=clerk, department=department)
        transaction.set_rollback(True)  # the department is empty again, its codes unused
    assert not PowerItem.objects.filter(department=department).exists()
    assert len(expected) == 5

    report = power_items_import(actor=clerk, department=department, file=data)

    assert report.problems == [] and report.created == 5
    assert representative_drafts(department) == expected


def test_formula_like_text_is_stored_as_text_not_formula(department):
    _rich_catalog(department)
    data = power_items_export(actor=None, department=department)
    sheet = openpyxl.load_workbook(io.BytesIO(data))[DATA_SHEET]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not [text for text in texts if text[0] in "=+-@\t\r\n"]
    assert "'" + TRICKY["name"] in texts


def test_export_shows_the_published_version_of_a_changed_item(department):
    item = catalog.published_item(department=department, name="原名称")
    services.power_version_create_next(
        actor=None,
        item=item,
        draft=catalog.draft(
            department=department, code=item.code, name="新名称", change_reason="改名"
        ),
    )
    sheet = openpyxl.load_workbook(
        io.BytesIO(power_items_export(actor=None, department=department))
    )
    row = [cell.value for cell in sheet[DATA_SHEET][2]]
    assert "原名称" in row and "新名称" not in row and "在用" in row


def test_export_of_a_department_the_user_cannot_see_is_not_found(department):
    outsider = org.user("clerk", department=org.department(code="042"))
    with pytest.raises(NotFound):
        power_items_export(actor=outsider, department=department)


def test_legal_office_of_the_region_may_export(department):
    catalog.item(department=department)
    legal = org.user("legal", in_region=department.region)
    assert power_items_export(actor=legal, department=department)[:2] == b"PK"


def test_template_has_chinese_headers_instructions_and_lists():
    workbook = openpyxl.load_workbook(io.BytesIO(power_items_template()))
    assert workbook.sheetnames == [DATA_SHEET, "说明"]
    sheet = workbook[DATA_SHEET]
    assert [cell.value for cell in sheet[1]] == [column.header for column in COLUMNS]
    assert sheet.max_row == 1
    instructions = [c for row in workbook["说明"].iter_rows(values_only=True) for c in row if c]
    for column in COLUMNS:
        assert column.header in instructions
    assert any("《法律法规名称》第X条：条文内容" in str(text) for text in instructions)
    lists = {
        str(v.sqref).split(":")[0][:-1]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    assert "01 行政许可" in lists["F"] and "重要" in lists["Y"]


def test_the_template_as_downloaded_has_no_data_rows(department):
    report = power_items_import(actor=None, department=department, file=power_items_template())
    assert report.refused
    assert [p.message for p in report.problems] == ["表格中没有数据行（表头以下为空）"]


def test_a_real_list_exported_and_imported_again_is_identical(department):
    """Real list in → export → import into the empty department: the same drafts, 实施编码,
    sub-items and incomplete drafts included."""
    from sunlight.catalog.tests import real_lists

    clerk = org.user("clerk", department=department)
    with transaction.atomic():
        first = power_items_import(actor=clerk, department=department, file=real_lists.real_xlsx())
        assert first.created == 6
        expected = representative_drafts(department)
        data = power_items_export(actor=clerk, department=department)
        transaction.set_rollback(True)
    report = power_items_import(actor=clerk, department=department, file=data)
    assert report.problems == [] and report.created == 6
    assert representative_drafts(department) == expected
    assert {d.national_code for d in expected} == set(real_lists.CODES)


def test_reimporting_the_export_into_the_same_department_changes_nothing(department):
    clerk = org.user("clerk", department=department)
    _rich_catalog(department)
    data = power_items_export(actor=clerk, department=department)
    before = PowerVersion.objects.count()
    report = power_items_import(actor=clerk, department=department, file=data)
    assert report.problems == [] and report.created == report.updated == 0
    assert PowerVersion.objects.count() == before
