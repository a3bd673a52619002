"""At the window: a clerk registers an application with its materials, accepts it and prints
the receipt; the department head completes 审查; the case page shows the timeline and the
current step highlighted in the flow drawing."""

import datetime as dt

import pytest

from sunlight.cases import services
from sunlight.cases.choices import SpecialProcedure
from sunlight.cases.models import Case
from sunlight.cases.tests import factories
from sunlight.cases.tests.sample_files import minimal_pdf
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.org.calendar_services import calendar_seed_from_package
from sunlight.org.tests import factories as org

PDF = minimal_pdf()


def _sign_in(page, base_url, user):
    page.goto(f"{base_url}/staff/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", org.TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/staff/")


def _sign_out(page):
    page.click("header button:has-text('退出')")
    page.wait_for_url("**/staff/login/")


@pytest.mark.browser
def test_window_registration_to_review(live_site, page, tmp_path, settings, screenshot):
    settings.MEDIA_ROOT = tmp_path / "media"
    office = factories.office_with_power()
    base = live_site.url
    scan = tmp_path / "申请书.pdf"
    scan.write_bytes(PDF)

    _sign_in(page, base, office.clerk)
    page.click("header a:has-text('办件')")
    page.click("main a:has-text('窗口登记')")
    page.fill("input[name=q]", office.code)
    page.click("main button:has-text('查找')")
    page.click(f"tr:has-text('{office.code}') a:has-text('登记')")
    page.check("input[name='applicant-kind'][value='person']")
    page.fill("#id_applicant-name", "张三")
    page.fill("#id_applicant-id_number", factories.resident_id())
    page.fill("#id_applicant-phone", "13800000000")
    page.fill("#id_applicant-address", "清源市人民路1号")
    page.check("input[name='materials-m0_original']")
    page.check("input[name='materials-m1_copy']")
    page.set_input_files("input[name='materials-m0_file']", str(scan))
    screenshot(page, "cases_register")
    page.click("main button:has-text('登记')")
    page.wait_for_url("**/staff/cases/*/")
    case = Case.objects.get()
    assert page.locator(".message.success").count() == 1
    screenshot(page, "cases_submitted")

    page.locator("form:has(button:has-text('受理'))").first.locator("textarea").fill("材料齐全")
    page.click("form button:text-is('受理')")
    page.wait_for_load_state()
    assert page.locator(".message.success").count() == 1, page.content()

    page.click("a:has-text('办件回执')")
    page.wait_for_url(f"**/staff/cases/{case.number}/receipt/")
    case.refresh_from_db()
    assert case.query_code in page.locator(".receipt").inner_text()
    assert page.locator(".receipt svg").count() == 1
    screenshot(page, "cases_receipt")
    page.emulate_media(media="print")
    screenshot(page, "cases_receipt_print")
    page.emulate_media(media="screen")
    _sign_out(page)

    _sign_in(page, base, office.head)
    page.goto(f"{base}/staff/cases/")
    assert page.locator(f"tr:has-text('{case.number}')").count() == 1
    screenshot(page, "cases_workbench")
    page.click(f"a:has-text('{case.number}')")
    panel = page.locator(".step-panel:has-text('当前环节：审查')")
    panel.locator("textarea").first.fill("经审查，申请材料齐全，符合法定形式。")
    panel.locator("button:has-text('提交办理意见')").click()
    page.wait_for_load_state()
    assert page.locator(".message.success").count() == 1, page.content()
    assert page.locator(".timeline li:has-text('审查')").count() == 1
    assert page.locator(".timeline").inner_text().count("经审查，申请材料齐全") == 1
    assert page.locator(".flow-drawing .highlighted").count() >= 1
    assert "当前环节（图中突出显示）：决定" in page.locator(".flow-figure figcaption").inner_text()
    screenshot(page, "cases_detail")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "cases_detail_phone")
    screenshot(page.locator(".step-panel"), "cases_step_phone")
    screenshot(page.locator("#timeline"), "cases_timeline_phone")


@pytest.mark.browser
def test_case_clock_is_explained_day_by_day(live_site, page, screenshot):
    calendar_seed_from_package(actor=None)
    office = factories.office_with_power()
    with clock.frozen(dt.datetime(2025, 9, 26, 10, tzinfo=SHANGHAI)):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
    with clock.frozen(dt.datetime(2025, 10, 13, 9, tzinfo=SHANGHAI)):
        services.case_pause_start(
            actor=office.head,
            case=case,
            procedure=SpecialProcedure.TESTING,
            reason="样品送检",
            limit_days=5,
        )
    with clock.frozen(dt.datetime(2025, 10, 16, 17, tzinfo=SHANGHAI)):
        services.case_pause_end(actor=office.head, case=case)
    with clock.frozen(dt.datetime(2025, 10, 20, 9, tzinfo=SHANGHAI)):
        services.case_extend(actor=office.head, case=case, days=5, reason="检测结果需复核")
    with clock.frozen(dt.datetime(2025, 10, 24, 9, tzinfo=SHANGHAI)):
        services.step_complete(actor=office.head, step=case.steps.get(state="open"))
    _sign_in(page, live_site.url, office.head)
    page.goto(f"{live_site.url}/staff/cases/{case.number}/")
    text = page.locator("#clock").inner_text()
    assert "国庆节" in text and "调休上班" in text and "暂停（特别程序：检测）" in text
    screenshot(page.locator("#clock"), "cases_clock")
    screenshot(page.locator("#timeline"), "cases_timeline")


@pytest.mark.browser
def test_online_application_page(live_site, page, tmp_path, settings, screenshot):
    settings.MEDIA_ROOT = tmp_path / "media"
    office = factories.office_with_power()
    base = live_site.url
    page.goto(f"{base}/powers/{office.code}/")
    screenshot(page, "cases_power_page")
    page.click("a:has-text('在线申请')")
    page.fill("#id_applicant-name", "赵小明")
    good = factories.resident_id()
    page.fill("#id_applicant-id_number", good[:-1] + ("1" if good[-1] == "0" else "0"))
    page.fill("#id_applicant-phone", "13900000000")
    page.click("button:has-text('提交申请')")
    page.wait_for_load_state()
    assert page.locator(".errorlist").count() >= 1
    assert page.input_value("#id_applicant-name") == "赵小明"
    screenshot(page, "cases_apply_error")
    page.fill("#id_applicant-id_number", good)
    page.check("input[name='materials-m0_how'][value='window']")
    page.click("button:has-text('提交申请')")
    page.wait_for_url("**/done/")
    case = Case.objects.get()
    assert case.number in page.locator(".receipt").inner_text()
    screenshot(page, "cases_apply_receipt")
