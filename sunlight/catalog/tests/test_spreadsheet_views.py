"""Staff pages: template download, export download, and the upload form with its report."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sunlight.catalog.models import PowerItem
from sunlight.catalog.spreadsheet import DATA_SHEET
from sunlight.catalog.tests import factories as catalog
from sunlight.catalog.tests.sheets import counts, good_row, xlsx
from sunlight.core.spreadsheets import XLSX_CONTENT_TYPE
from sunlight.org.models import User
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db

IMPORT = "catalog:catalog_sheet:import"
CONFIRM = "catalog:catalog_sheet:confirm"
TEMPLATE = "catalog:catalog_sheet:template"
EXPORT = "catalog:catalog_sheet:export"


@pytest.fixture
def department():
    return org.department(code="061", name="住房和城乡建设局")


@pytest.fixture
def clerk_client(client, department):
    client.force_login(org.user("clerk", department=department))
    return client


def upload(client, data: bytes, department, **fields):
    """Upload: the preview page, nothing written yet."""
    file = SimpleUploadedFile("清单.xlsx", data, content_type=XLSX_CONTENT_TYPE)
    return client.post(reverse(IMPORT), {"department": department.pk, "file": file, **fields})


def confirm(client, preview, **fields):
    """Press 确认导入 on a preview page."""
    token = preview.context["token"]
    return client.post(reverse(CONFIRM), {"token": token, "action": "import", **fields})


def test_template_downloads_as_xlsx(clerk_client):
    response = clerk_client.get(reverse(TEMPLATE))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == [DATA_SHEET, "说明"]


def test_export_downloads_the_department_catalog(clerk_client, department):
    item = catalog.item(department=department)
    response = clerk_client.get(reverse(EXPORT), {"department": department.pk})
    assert response.status_code == 200
    assert "338500061" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))[DATA_SHEET]
    assert sheet["A2"].value == item.code


def test_export_of_another_department_is_404(clerk_client):
    other = org.department(code="062")
    catalog.item(department=other)
    assert clerk_client.get(reverse(EXPORT), {"department": other.pk}).status_code == 404


def test_import_page_offers_the_form_and_the_export(clerk_client, department):
    page = clerk_client.get(reverse(IMPORT)).content.decode()
    assert "只导入无误的行" in page and 'enctype="multipart/form-data"' in page
    assert "csrfmiddlewaretoken" in page
    assert "338500061" in page


def test_good_upload_reports_the_count(clerk_client, department):
    preview = upload(clerk_client, xlsx([good_row(department), good_row(department)]), department)
    assert preview.status_code == 200 and "尚未写入任何数据" in preview.content.decode()
    assert "新建2项" in preview.content.decode()
    assert not PowerItem.objects.filter(department=department).exists()
    response = confirm(clerk_client, preview)
    assert response.status_code == 302
    page = clerk_client.get(response["Location"]).content.decode()
    assert "已导入2项权力事项" in page
    assert PowerItem.objects.filter(department=department).count() == 2


def test_bad_upload_lists_every_problem_and_writes_nothing(clerk_client, department):
    rows = [good_row(department) | {"权力类别": "XX"}, good_row(department) | {"法定时限": "快"}]
    before = counts()
    preview = upload(clerk_client, xlsx(rows), department)
    response = confirm(clerk_client, preview)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<th scope="col">行</th><th scope="col">列</th><th scope="col">原因</th>' in page
    assert "<td>2</td><td>权力类别</td>" in page and "<td>3</td><td>法定时限</td>" in page
    assert "发现2个问题" in page
    assert counts() == before


def test_good_rows_only_checkbox_imports_the_good_rows(clerk_client, department):
    rows = [good_row(department), good_row(department) | {"权力类别": "XX"}]
    preview = upload(clerk_client, xlsx(rows), department, good_rows_only="on")
    assert "<td>3</td><td>权力类别</td>" in preview.content.decode()
    response = confirm(clerk_client, preview, good_rows_only="on")
    page = clerk_client.get(response["Location"]).content.decode()
    assert "已导入1项权力事项（草稿）到“住房和城乡建设局”，跳过有误的1行" in page
    assert PowerItem.objects.filter(department=department).count() == 1


def test_not_a_spreadsheet_is_reported(clerk_client, department):
    page = upload(clerk_client, b"\x00\x01 binary", department).content.decode()
    assert "不是可识别的表格文件" in page


def test_another_department_cannot_be_chosen(clerk_client, department):
    other = org.department(code="063")
    response = upload(clerk_client, xlsx([good_row(other)]), other)
    assert response.status_code == 200
    assert not PowerItem.objects.filter(department=other).exists()


def test_pages_require_sign_in(client):
    for name in (IMPORT, TEMPLATE, EXPORT):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_user_without_a_role_is_forbidden(client):
    # Django's own user creation: the org services refuse a staff user without a role.
    client.force_login(User.objects.create_user(username="nobody", password=org.TEST_PASSWORD))
    assert client.get(reverse(IMPORT)).status_code == 403


def test_supervisor_may_export_but_sees_no_import_form(client, department):
    client.force_login(org.user("supervisor", in_region=department.region))
    page = client.get(reverse(IMPORT)).content.decode()
    assert "上传并导入" not in page and "338500061" in page


def test_upload_without_csrf_token_is_refused(department):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.user("clerk", department=department))
    response = upload(client, xlsx([good_row(department)]), department)
    assert response.status_code == 403
    assert not PowerItem.objects.filter(department=department).exists()


@pytest.mark.browser
def test_clerk_uploads_in_a_browser_and_sees_the_problems(live_site, page, tmp_path, screenshot):
    department = org.department(code="064", name="住房和城乡建设局")
    clerk = org.user("clerk", department=department, full_name="王经办")
    bad = tmp_path / "清单.xlsx"
    bad.write_bytes(
        xlsx([good_row(department), good_row(department) | {"权力类别": "XX", "承诺时限": 99}])
    )
    page.goto(f"{live_site.url}{reverse('staff:login')}")
    page.fill("input[name=username]", clerk.username)
    page.fill("input[name=password]", org.TEST_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_site.url}{reverse(IMPORT)}")

    page.set_input_files("input[name=file]", str(bad))
    page.click("text=上传并预览")
    page.wait_for_load_state()
    screenshot(page, "sheet_import_problems")
    rows = page.locator("table.sheet-problems tbody tr")
    assert rows.count() == 2
    assert rows.first.inner_text().split("\t")[:2] == ["3", "权力类别"]
    page.click("text=确认导入")
    page.wait_for_load_state()
    assert not PowerItem.objects.filter(department=department).exists()

    page.check("input[name=good_rows_only]")
    page.click("text=确认导入")
    page.wait_for_load_state()
    assert "已导入1项权力事项（草稿）到“住房和城乡建设局”，跳过有误的1行" in page.content()
    assert PowerItem.objects.filter(department=department).count() == 1


def test_preview_lets_the_clerk_correct_a_column_before_importing(clerk_client, department):
    from sunlight.catalog.tests import real_lists

    org.section(of=department, code="001", name="法规科")
    preview = upload(clerk_client, real_lists.real_xlsx(), department)
    page = preview.content.decode()
    assert "表头在第3行至第4行" in page
    assert '<option value="contact_phone" selected>咨询电话</option>' in page
    assert real_lists.CODES[0] in page and "缺少法定时限" in page
    phone = next(c for c in preview.context["plan"].header.columns if c.header == "咨询电话")
    again = clerk_client.post(
        reverse(CONFIRM),
        {"token": preview.context["token"], "action": "preview", f"col_{phone.index}": ""},
    )
    assert '<option value="" selected>（不导入）</option>' in again.content.decode()
    assert not PowerItem.objects.filter(department=department).exists()
    response = confirm(clerk_client, again, **{f"col_{phone.index}": ""})
    assert response.status_code == 302
    item = PowerItem.objects.get(national_code=real_lists.CODES[0])
    assert item.working_version.contact_phone == ""
    # The staged file is gone once imported.
    assert confirm(clerk_client, again).status_code == 404


def test_someone_elses_staged_file_is_not_found(clerk_client, department):
    preview = upload(clerk_client, xlsx([good_row(department)]), department)
    other = Client()
    other.force_login(org.user("clerk", department=department))
    response = other.post(reverse(CONFIRM), {"token": preview.context["token"], "action": "import"})
    assert response.status_code == 404
    assert not PowerItem.objects.filter(department=department).exists()
