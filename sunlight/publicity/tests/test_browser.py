"""批前公示 in a real browser: a visitor on a phone (360 px, JavaScript off) finds the notice on
the map, objects (an empty and an invisible objection are refused first), the handler answers
on the case page, the clock ends the window and the case goes on; the public page then shows
the answer and the progress, and no longer takes objections."""

import datetime as dt

import pytest

from sunlight.cases import services as case_services
from sunlight.cases.choices import CaseState, StepState
from sunlight.core import clock
from sunlight.org.tests import factories as org
from sunlight.publicity.models import Objection
from sunlight.publicity.services import publicity_windows_close
from sunlight.publicity.tests.world import MONDAY, published, world

pytestmark = pytest.mark.browser
DAY = dt.timedelta(days=1)


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 780}, java_script_enabled=False
    )
    page = context.new_page()
    yield page
    context.close()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def _sign_in(page, base_url, user):
    page.goto(f"{base_url}/staff/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", org.TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/staff/")


def test_objection_answered_window_ends_case_goes_on(live_site, phone, page):
    w = world()
    notice = published(w)
    with clock.frozen(MONDAY + DAY):
        phone.goto(f"{live_site.url}/publicity/")
        assert _fits(phone)
        assert "张三" not in phone.content()
        phone.click(f"svg a[href='/publicity/{notice.pk}/']")
        phone.wait_for_load_state()
        assert phone.locator("h1").inner_text() == notice.title
        assert _fits(phone)

        for bad in ("", "\u200b\u200b"):
            phone.fill("#id_text", bad)
            phone.click("button:text('提交异议')")
            phone.wait_for_load_state()
            assert "请写明异议内容" in phone.content()
        assert Objection.objects.count() == 0

        phone.fill("#id_text", "项目楼高可能遮挡我小区采光，请公开日照分析。")
        phone.fill("#id_contact", "13912345678")
        phone.click("button:text('提交异议')")
        phone.wait_for_load_state()
        assert "您的异议已提交" in phone.content() and "待答复" in phone.content()
        assert "13912345678" not in phone.content()
        assert _fits(phone)

    with clock.frozen(MONDAY + 2 * DAY):
        _sign_in(page, live_site.url, w.office.clerk)
        assert "公示异议待答复" in page.content()
        page.goto(f"{live_site.url}/staff/cases/{w.case.number}/")
        assert "公示中" in page.content()
        page.click("a.button:text('答复')")
        page.fill("#id_reply", "经复核，日照分析符合国家标准，摘要已在现场张贴。")
        page.click("button:text('保存答复')")
        page.wait_for_url(f"**/staff/cases/{w.case.number}/")
        assert "经复核，日照分析符合国家标准" in page.content()

    # The window ends at 24:00 on the 23rd: the worker's job, run after it, lets the case go on.
    with clock.frozen(MONDAY + 8 * DAY):
        assert publicity_windows_close() == 1
        w.case.refresh_from_db()
        assert w.case.state == CaseState.IN_PROGRESS
        step = w.case.steps.get(state=StepState.OPEN)
        case_services.step_complete(actor=w.office.head, step=step)
        page.goto(f"{live_site.url}/staff/cases/{w.case.number}/")
        assert "公示期满" in page.content() and "办理中" in page.content()

        phone.goto(f"{live_site.url}/publicity/{notice.pk}/")
        text = phone.content()
        assert "公示期已结束，不再受理异议" in text and "提交异议" not in text
        assert "经复核，日照分析符合国家标准" in text
        assert "批中" in text and "审查 · 已办理" in text
        assert _fits(phone)


def test_an_admin_loads_a_citys_districts_on_a_phone_and_the_map_draws_them(
    live_site, phone, screenshot
):
    """The DataV-shaped file: uploaded, previewed (the map drawn from it, nothing stored yet),
    confirmed; then the public map of the demo city's loaded outlines with its marker."""
    from sunlight.publicity.models import DistrictOutline
    from sunlight.publicity.tests.test_districts import FIXTURE, hangzhou

    hangzhou()
    admin = org.user("admin", in_region=org.region("330100", "杭州市"))
    _sign_in(phone, live_site.url, admin)
    phone.goto(f"{live_site.url}/staff/publicity/districts/")
    phone.set_input_files("#id_file", str(FIXTURE))
    phone.click("button:text('上传并预览')")
    phone.wait_for_load_state()
    preview = phone.locator("#preview svg.publicity-map")
    assert preview.is_visible()
    assert phone.locator("#preview svg .district").count() == 3
    assert DistrictOutline.objects.count() == 0
    assert _fits(phone)
    screenshot(phone, "publicity_districts_preview_360")
    phone.click("button:text('确认载入')")
    phone.wait_for_load_state()
    assert "已载入3个区县的边界" in phone.content()
    assert DistrictOutline.objects.filter(region__code__startswith="3301").count() == 3

    w = world()  # the demo city's two districts, loaded through the same service
    notice = published(w)
    with clock.frozen(MONDAY + DAY):
        phone.goto(f"{live_site.url}/publicity/")
        svg = phone.locator("svg.publicity-map")
        assert svg.is_visible()
        assert phone.locator("svg.publicity-map .district").count() == 2
        marker = phone.locator(f"svg a[href='/publicity/{notice.pk}/'] circle")
        box, area = marker.bounding_box(), svg.bounding_box()
        assert area["x"] <= box["x"] and box["x"] + box["width"] <= area["x"] + area["width"]
        assert _fits(phone)
        screenshot(phone, "publicity_map_360")
