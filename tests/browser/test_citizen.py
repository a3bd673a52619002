"""The citizen's side in a real browser: apply online → 补正 notice by SMS → upload the missing
material from the lookup page → accepted; the lookup at 360 px and with JavaScript off."""

import re

import pytest

from sunlight.cases import services
from sunlight.cases.choices import CaseState, Channel
from sunlight.cases.models import Case
from sunlight.cases.tests import factories
from sunlight.cases.tests.sample_files import minimal_pdf
from sunlight.notifications.models import OutboxMessage

PDF = minimal_pdf()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
def test_apply_online_then_correction_uploaded_from_the_lookup_page(
    live_site, browser, tmp_path, settings, screenshot
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SUNLIGHT_SITE_URL = live_site.url
    office = factories.office_with_power()
    scan = tmp_path / "申请书.pdf"
    scan.write_bytes(PDF)
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(PDF + b"% licence\n")
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 780})
    page = context.new_page()
    base = live_site.url

    page.goto(f"{base}/apply/{office.code}/")
    page.fill("#id_applicant-name", "赵小明")
    page.fill("#id_applicant-id_number", factories.resident_id())
    page.fill("#id_applicant-phone", "13912345678")
    page.set_input_files("input[name='materials-m0_file']", str(scan))
    screenshot(page, "citizen_apply_phone")
    page.click("button:has-text('提交申请')")
    page.wait_for_url("**/done/")
    case = Case.objects.get()
    assert case.query_code in page.locator(".receipt").inner_text()

    services.case_request_correction(actor=office.clerk, case=case, items="请补交营业执照复印件")
    sms = OutboxMessage.objects.filter(source_id=case.number).order_by("id").last()
    assert "请补交营业执照复印件" in sms.body and sms.address == "13912345678"
    link = re.search(r"https?://\S+", sms.body).group(0)

    page.goto(link)
    assert "需要补正材料" in page.inner_text("main")
    assert _fits(page)
    screenshot(page, "citizen_correction_phone")
    page.set_input_files("input[name='materials-m1_file']", str(licence))
    page.click("button:has-text('提交补正材料')")
    page.wait_for_load_state()
    assert "补正材料已提交" in page.inner_text("main")
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED

    services.case_accept(actor=office.clerk, case=case)
    page.reload()
    main = page.inner_text("main")
    assert "办理中" in main and "承诺办结" in main and "赵**" in main and "赵小明" not in main
    assert _fits(page)
    screenshot(page, "citizen_progress_phone")
    context.close()


@pytest.mark.browser
def test_lookup_without_javascript_at_360_px(live_site, browser, screenshot):
    office = factories.office_with_power()
    case = factories.register(office)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 780}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_site.url}/")
    assert _fits(page)
    screenshot(page, "citizen_home_phone")
    page.fill("#progress-number", case.number)
    page.fill("#progress-code", "WRONG123")
    page.click("#progress-lookup button:has-text('查询进度')")
    page.wait_for_load_state()
    assert "办件编号或查询码不正确" in page.inner_text("main")
    page.fill("#progress-number", case.number)
    page.fill("#progress-code", case.query_code.lower())
    page.click("button:has-text('查询进度')")
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert case.number in main and "待受理" in main and "收件" in main
    assert _fits(page)
    screenshot(page, "citizen_lookup_nojs")
    context.close()


@pytest.mark.browser
def test_bundle_applied_for_once_from_the_home_page_then_accepted_and_looked_up(
    live_site, browser, tmp_path, settings, screenshot
):
    """一件事: from the portal home, one form for both powers (data once, the shared 申请书
    once), the receipt listing the parts; accepted by the lead window; the 受理 SMS link shows
    the parts — at 360 px, without JavaScript."""
    from sunlight.cases.joint import joint_case_accept, joint_item_create

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SUNLIGHT_SITE_URL = live_site.url
    lead = factories.office_with_power(code="071")
    other = factories.office_with_power(code="072")
    joint_item_create(
        actor=None,
        name="开办餐饮店一件事",
        lead_department=lead.department,
        powers=[lead.item, other.item],
        limit_days=10,
    )
    scan = tmp_path / "申请书.pdf"
    scan.write_bytes(PDF)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 780}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_site.url}/")
    page.click("a:has-text('一次申请全部事项')")
    main = page.inner_text("main")
    assert "开办餐饮店一件事" in main and lead.department.name in main
    assert page.locator("input[type='file']").count() == 2  # 申请书 and 营业执照, once each
    page.fill("#id_applicant-name", "钱小红")
    page.fill("#id_applicant-id_number", factories.resident_id())
    page.fill("#id_applicant-phone", "13912345678")
    page.set_input_files("input[name='materials-m0_file']", str(scan))
    assert _fits(page)
    screenshot(page, "citizen_bundle_apply_phone")
    page.click("button:has-text('提交申请')")
    page.wait_for_url("**/done/")
    receipt = page.locator(".receipt").inner_text()
    parent = Case.objects.get(joint_parent__isnull=True)
    parts = list(parent.joint_parts.order_by("number"))
    assert parent.query_code in receipt and "包含事项" in receipt
    assert all(p.number in receipt for p in parts)
    screenshot(page, "citizen_bundle_receipt_phone")
    assert _fits(page)

    joint_case_accept(actor=lead.clerk, parent=parent)
    sms = OutboxMessage.objects.filter(source_id=parent.number).order_by("id").last()
    assert "已受理" in sms.body and "开办餐饮店一件事" in sms.body
    page.goto(re.search(r"https?://\S+", sms.body).group(0))
    main = page.inner_text("main")
    assert "包含事项" in main and "办理中" in main and "钱**" in main and "钱小红" not in main
    assert _fits(page)
    screenshot(page, "citizen_bundle_progress_phone")
    page.click("a:has-text('查看该事项进度') >> nth=0")
    assert parts[0].number in page.inner_text("main")
    context.close()


@pytest.mark.browser
def test_bundle_correction_told_once_and_uploaded_for_every_part_without_javascript(
    live_site, browser, tmp_path, settings, screenshot
):
    """一件事 补正: the lead window lists what each part lacks; the one SMS's link opens the
    parent's lookup, where the applicant uploads each part's file in one form — at 360 px,
    without JavaScript — which ends the pause on every part; then accepted as a whole."""
    from sunlight.cases.joint import joint_case_accept, joint_case_register
    from sunlight.cases.joint_correction import joint_case_request_correction

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SUNLIGHT_SITE_URL = live_site.url
    lead, other, joint = factories.restaurant_bundle(codes=("081", "082"))
    parent = joint_case_register(
        actor=None,
        joint=joint,
        request=services.CaseRequest(
            power_code=lead.code, applicant=factories.person(), channel=Channel.ONLINE
        ),
        materials_by_power={
            lead.code: factories.all_materials(lead),
            other.code: factories.all_materials(other),
        },
    )
    parts = list(parent.joint_parts.order_by("number"))
    joint_case_request_correction(
        actor=lead.clerk,
        parent=parent,
        items_by_part={parts[0].number: "请补交申请书签字页", parts[1].number: "请补交营业执照"},
    )
    told = OutboxMessage.objects.filter(source_id=parent.number).order_by("id")
    assert told.count() == 2 and "请补交营业执照" in told.last().body
    scan = tmp_path / "申请书.pdf"
    scan.write_bytes(PDF)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 780}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(re.search(r"https?://\S+", told.last().body).group(0))
    main = page.inner_text("main")
    assert "需要补正材料" in main and "请补交申请书签字页" in main and "请补交营业执照" in main
    assert _fits(page)
    screenshot(page, "citizen_bundle_correction_phone")
    for part in parts:
        page.set_input_files(f"input[name='materials-{part.number}-m0_file']", str(scan))
    page.click("button:has-text('提交补正材料')")
    page.wait_for_load_state()
    assert "补正材料已提交" in page.inner_text("main")
    assert {c.state for c in Case.objects.all()} == {CaseState.SUBMITTED}
    parent.refresh_from_db()
    joint_case_accept(actor=lead.clerk, parent=parent)
    page.reload()
    assert "办理中" in page.inner_text("main")
    context.close()
