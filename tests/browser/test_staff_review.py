"""Four people take a new power item from draft to published in a real browser."""

import pytest

from sunlight.catalog.models import PowerItem
from sunlight.org.tests import factories as org


def _sign_in(page, base_url, username):
    page.goto(f"{base_url}/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", org.TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/staff/")


def _sign_out(page):
    page.click("header button:has-text('退出')")
    page.wait_for_url("**/staff/login/")


def _take_action(page, button, opinion=""):
    form = page.locator(f"form:has(button:has-text('{button}'))")
    if opinion:
        form.locator("textarea").fill(opinion)
    form.locator("button").click()
    page.wait_for_load_state()
    assert page.locator(".message.success").count() == 1, page.content()


@pytest.mark.browser
def test_item_is_drafted_reviewed_and_published_by_four_people(live_site, page, screenshot):
    housing = org.department(code="011", name="清源市住房和城乡建设局")
    org.section(of=housing, code="003", name="物业管理科")
    region = housing.region
    people = {
        "clerk": org.user("clerk", department=housing, username="wang.jb", full_name="王经办"),
        "head": org.user("approver", department=housing, username="li.jz", full_name="李局长"),
        "legal": org.user("legal", in_region=region, username="chen.fz", full_name="陈法制"),
        "admin": org.user("admin", in_region=region, username="zhou.gl", full_name="周管理"),
    }
    base = live_site.url

    _sign_in(page, base, "wang.jb")
    page.click("main a:has-text('新建权力事项')")
    page.fill("#id_name", "物业服务企业资质核定")
    page.select_option("#id_handling_section_name", "物业管理科")
    page.check("input[name=service_objects][value='2']")
    page.fill("#id_statutory_limit", "20")
    page.fill("#id_promised_limit", "15")
    page.fill("#id_conditions", "具有独立法人资格；有符合规定的专业技术人员。")
    page.fill("input[name='bases-0-law_name']", "物业管理条例")
    page.fill("input[name='bases-0-article']", "第三十二条")
    page.fill("textarea[name='bases-0-text']", "从事物业管理活动的企业应当具有独立的法人资格。")
    page.fill("input[name='materials-0-name']", "资质申请表")
    page.fill("input[name='materials-1-name']", "营业执照")
    page.uncheck("input[name='materials-1-mandatory']")
    page.fill("input[name='materials-1-originals']", "0")
    page.fill("input[name='materials-1-copies']", "1")
    page.fill("input[name='duties-0-step_name']", "受理")
    page.fill("textarea[name='duties-0-responsibility']", "一次性告知需要补正的全部材料。")
    screenshot(page, "staff_draft_form")
    page.click("button:has-text('保存草稿')")
    page.wait_for_url("**/staff/catalog/*/")
    item = PowerItem.objects.get()
    assert item.code.startswith(f"{housing.full_code}01")
    _take_action(page, "提交审核")
    _sign_out(page)

    detail = f"{base}/staff/catalog/{item.pk}/"
    for username, button, opinion in (
        ("li.jz", "签发", "同意报送"),
        ("chen.fz", "法制审核通过", "依据充分，符合法定权限"),
        ("zhou.gl", "发布", ""),
    ):
        _sign_in(page, base, username)
        page.goto(detail)
        _take_action(page, button, opinion)
        _sign_out(page)

    _sign_in(page, base, "wang.jb")
    page.goto(detail)
    timeline = page.locator(".timeline").inner_text()
    for person in people.values():
        assert person.full_name in timeline
    assert "依据充分，符合法定权限" in timeline
    assert page.locator(".badge.published").first.inner_text() == "在用"
    screenshot(page, "staff_item_detail")
