"""The citizen's side of feedback in a real browser, phone-sized and without JavaScript: a
complaint filed with its SMS code, answered by the department, its reply read by lookup; a
rating given from the public page; every public feedback page fits 360 px."""

import re

import pytest

from sunlight.feedback.models import Petition, Rating
from sunlight.feedback.tests.world import world
from sunlight.notifications.models import OutboxMessage
from sunlight.org.tests import factories as org

PHONE = {"width": 360, "height": 740}


def _phone(browser, *, javascript: bool = False):
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, java_script_enabled=javascript, is_mobile=True
    )
    return context, context.new_page()


def _code_sent_to(phone: str) -> str:
    body = (
        OutboxMessage.objects.filter(address=phone)
        .order_by("-id")
        .values_list("body", flat=True)[0]
    )
    return re.search(r"验证码为(\d{6})", body).group(1)


def _sign_in(page, base_url, user):
    page.goto(f"{base_url}/staff/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", org.TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/staff/")


@pytest.mark.browser
def test_a_complaint_is_filed_answered_and_read_by_lookup(live_site, browser, page, screenshot):
    w = world()
    base = live_site.url
    context, phone = _phone(browser)

    # The complainant, on a phone without JavaScript, files a complaint about their case.
    phone.goto(f"{base}/feedback/new/complaint/")
    phone.check("input[name=about][value=case]")
    phone.fill("#id_case_number", w.case.number)
    phone.fill("#id_case_query_code", w.case.query_code)
    phone.fill("#id_title", "窗口人员态度差")
    phone.fill("#id_content", "窗口人员不耐烦，材料说明前后不一。")
    phone.fill("#id_name", "张三")
    phone.fill("#id_id_number", "330102199001011234")
    phone.fill("#id_phone", "13900001234")
    phone.check("#id_publish_consent")
    phone.click("button[name=send_code]")
    assert "验证码已发送到 139****1234" in phone.content()
    phone.fill("#id_phone_code", "000000" if _code_sent_to("13900001234") != "000000" else "1")
    phone.click("button[name=submit]")
    assert "验证码不正确" in phone.content() and not Petition.objects.exists()
    phone.fill("#id_phone_code", _code_sent_to("13900001234"))
    phone.click("button[name=submit]")
    phone.wait_for_url("**/feedback/done/")
    petition = Petition.objects.get()
    assert petition.number in phone.content() and petition.query_code in phone.content()
    screenshot(phone, "feedback_complaint_done_360")

    # The department signs it and replies, upholding it.
    _sign_in(page, base, w.office.clerk)
    page.goto(f"{base}/staff/feedback/")
    page.click(f"a:has-text('{petition.number}')")
    page.click("main button:has-text('签收')")
    page.fill("#id_reply", "经核实情况属实，已对窗口人员批评教育，并统一了材料清单说明。")
    page.select_option("#id_upheld", "yes")
    page.click("main button:has-text('提交答复')")
    assert "已答复，并已短信通知" in page.content()

    # The complainant was told by SMS and reads the reply by lookup.
    sms = OutboxMessage.objects.get(address="13900001234", source_type="feedback.petition")
    assert petition.number in sms.body
    phone.goto(f"{base}/feedback/lookup/")
    phone.fill("#id_number", petition.number)
    phone.fill("#id_code", petition.query_code)
    phone.click("main button:has-text('查询')")
    text = phone.content()
    assert "已统一了材料清单说明" in text or "统一了材料清单说明" in text
    assert "投诉属实" in text
    screenshot(phone, "feedback_lookup_reply_360")
    context.close()


@pytest.mark.browser
def test_a_rating_from_the_public_page(live_site, browser, screenshot):
    w = world()
    base = live_site.url
    context, phone = _phone(browser)
    phone.goto(f"{base}/rate/")
    phone.fill("#id_number", w.done.number)
    phone.fill("#id_code", w.done.query_code)
    phone.click("main button:has-text('下一步')")
    assert "评价办结环节的服务" in phone.content()
    form = phone.locator("form.rating-form").filter(has_text="提交评价").last
    form.locator("input[name=level][value='1']").check()
    form.locator("textarea[name=comment]").fill("办得很快，谢谢！")
    form.locator("button:has-text('提交评价')").click()
    assert "感谢您的评价" in phone.content()
    assert Rating.objects.get().level == "1"
    screenshot(phone, "feedback_rated_360")

    # A wrong query code never reaches someone else's case.
    phone.goto(f"{base}/rate/?number={w.case.number}&code=WRONG999")
    assert "编号或查询码不正确" in phone.content()
    context.close()


@pytest.mark.browser
def test_the_public_feedback_pages_fit_a_phone(live_site, browser):
    w = world()
    base = live_site.url
    context, phone = _phone(browser, javascript=True)  # to measure the layout
    for path in (
        "/rate/",
        f"/rate/?number={w.done.number}&code={w.done.query_code}",
        "/feedback/",
        "/feedback/new/consultation/",
        "/feedback/new/complaint/",
        "/feedback/lookup/",
        "/feedback/board/",
    ):
        response = phone.goto(f"{base}{path}")
        assert response.status == 200, path
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide"
    context.close()
