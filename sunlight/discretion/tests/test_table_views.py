"""The whole-table import page (preview, then import exactly the previewed file) and the page
where an officer assigns violations that matched no penalty power."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sunlight.cases.tests.ui import client_of
from sunlight.discretion.models import Benchmark, UnassignedViolation
from sunlight.discretion.tests import tables
from sunlight.discretion.tests.test_table_import import Bureau
from sunlight.org.tests import factories as org_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return Bureau()


def _upload(sheet=None, name="汇总.xls"):
    return SimpleUploadedFile(name, tables.xls_bytes([sheet or tables.bureau_sheet()]))


def test_preview_writes_nothing_then_confirm_imports_the_previewed_file(bureau):
    client = client_of(bureau.legal)
    url = reverse("discretion:table_import")

    preview = client.post(url, {"department": bureau.department.pk, "file": _upload()})

    html = preview.content.decode()
    assert "预览（尚未写入）" in html
    assert "发布虚假广告" in html and "裁量基准汇总!B26" in html  # unmatched, with its place
    assert "待核定" in html
    assert not Benchmark.objects.exists()
    token = preview.context["token"]

    done = client.post(
        url, {"action": "confirm", "token": token, "department": bureau.department.pk}
    )

    assert done.status_code == 302 and done["Location"] == reverse("discretion:unassigned")
    assert Benchmark.objects.count() == 4
    assert UnassignedViolation.objects.count() == 1
    again = client.post(
        url, {"action": "confirm", "token": token, "department": bureau.department.pk}
    )
    assert again.status_code == 404  # the kept file is gone once imported


def test_a_bad_table_is_shown_with_its_cells_and_cannot_be_confirmed(bureau):
    sheet = tables.bureau_sheet()
    sheet.put(9, 6, "处十万元以上五万元以下罚款")

    page = client_of(bureau.legal).post(
        reverse("discretion:table_import"),
        {"department": bureau.department.pk, "file": _upload(sheet)},
    )

    html = page.content.decode()
    assert "未导入任何数据" in html and "裁量基准汇总!G10" in html
    assert "确认导入" not in html
    assert not Benchmark.objects.exists()


def test_a_file_that_is_not_a_table_gets_a_chinese_message(bureau):
    upload = SimpleUploadedFile("基准.xls", b"<html><table><tr><td>x</td></tr></table></html>")

    page = client_of(bureau.legal).post(
        reverse("discretion:table_import"), {"department": bureau.department.pk, "file": upload}
    )

    assert "内容是网页" in page.content.decode()


def test_a_confirm_token_of_someone_else_is_not_found(bureau):
    client = client_of(bureau.legal)
    preview = client.post(
        reverse("discretion:table_import"),
        {"department": bureau.department.pk, "file": _upload()},
    )
    other = org_factories.user("admin", in_region=bureau.region)

    stolen = client_of(other).post(
        reverse("discretion:table_import"),
        {
            "action": "confirm",
            "token": preview.context["token"],
            "department": bureau.department.pk,
        },
    )

    assert stolen.status_code == 404
    assert not Benchmark.objects.exists()


def test_clerks_cannot_import(bureau):
    clerk = org_factories.user("clerk", department=bureau.department)

    assert client_of(clerk).get(reverse("discretion:table_import")).status_code == 403


def test_the_officer_assigns_an_unmatched_violation_on_the_page(bureau):
    client = client_of(bureau.legal)
    url = reverse("discretion:table_import")
    preview = client.post(url, {"department": bureau.department.pk, "file": _upload()})
    client.post(
        url,
        {
            "action": "confirm",
            "token": preview.context["token"],
            "department": bureau.department.pk,
        },
    )
    waiting = UnassignedViolation.objects.get()

    assert "待归入的违法行为（1）" in client.get(reverse("discretion:list")).content.decode()
    listing = client.get(reverse("discretion:unassigned")).content.decode()
    assert "发布虚假广告" in listing and "对生产经营标签不符合规定的食品的处罚" in listing

    done = client.post(
        reverse("discretion:unassigned_assign", args=[waiting.pk]),
        {"power_item": bureau.powers["labels"].pk},
    )

    benchmark = bureau.benchmark("labels")
    assert done.status_code == 302 and done["Location"] == reverse(
        "discretion:detail", args=[benchmark.pk]
    )
    detail = client.get(done["Location"]).content.decode()
    assert "发布虚假广告" in detail and "广告费用的3至5倍" in detail
    assert "没有待归入的违法行为" in client.get(reverse("discretion:unassigned")).content.decode()


def test_the_detail_page_shows_paragraphs_notes_and_what_is_to_be_settled(bureau):
    client = client_of(bureau.legal)
    url = reverse("discretion:table_import")
    preview = client.post(url, {"department": bureau.department.pk, "file": _upload()})
    client.post(
        url,
        {
            "action": "confirm",
            "token": preview.context["token"],
            "department": bureau.department.pk,
        },
    )

    records = client.get(
        reverse("discretion:detail", args=[bureau.benchmark("records").pk])
    ).content.decode()
    works = client.get(
        reverse("discretion:detail", args=[bureau.benchmark("works").pk])
    ).content.decode()
    food = client.get(
        reverse("discretion:detail", args=[bureau.benchmark("food").pk])
    ).content.decode()

    assert records.count('class="paragraph"') == 2
    assert "待核定" in works and "按照有关规定从重处罚" in works
    assert "总投资额的1至5%" in works
    assert "货值金额不足一万元的，按一万元计算" in food


def test_a_file_over_the_size_limit_is_refused_without_reading_it_all(bureau, settings):
    settings.SUNLIGHT_IMPORT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("基准.csv", b"a" * 5000)

    page = client_of(bureau.legal).post(
        reverse("discretion:table_import"), {"department": bureau.department.pk, "file": upload}
    )

    assert "超过大小上限" in page.content.decode()
    assert not Benchmark.objects.exists()
