"""A platform admin on a phone (360 px, JavaScript off) opens 上报汇总, pulls a lower platform
that cannot be reached, and reads why — the page still fits the screen."""

from pathlib import Path

import pytest

from sunlight.org.models import User
from sunlight.org.tests import factories as org
from sunlight.rollup.services import lower_register
from sunlight.rollup.tests import scenario

SHOTS = Path("/tmp/shots")  # noqa: S108 - where screenshots for a person go


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 780}, java_script_enabled=False
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.browser
def test_an_admin_pulls_a_lower_platform_and_reads_why_it_failed(live_site, phone):
    office = scenario.catalog()
    source = scenario.lower_source(office, code="county-platform", name="清源县平台")
    lower_register(
        actor=None,
        code="county",
        name="清源县平台",
        base_url="http://county.test",
        source=source,
        key="slx_0123abcd_secret",
    )
    admin = User.objects.get(role="admin")

    phone.goto(f"{live_site.url}/staff/login/")
    phone.fill("#id_username", admin.username)
    phone.fill("#id_password", org.TEST_PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_site.url}/staff/")
    phone.goto(f"{live_site.url}/staff/rollup/")
    assert "尚未拉取" in phone.inner_text("main")
    phone.click("button:has-text('立即拉取')")
    phone.wait_for_url("**/staff/rollup/")

    text = phone.inner_text("main")
    assert "拉取失败" in text and "无法连接下级平台" in text
    SHOTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(SHOTS / "rollup_phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
