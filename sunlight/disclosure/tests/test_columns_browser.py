"""The portal's columns on a phone (360 px) with JavaScript off, in a real browser: 机构概况,
工作动态, 公告公示 and the disclosure archive with a correction; a member of staff writes an
announcement that appears only after another passes it; the internal board stays closed to a
visitor."""

from pathlib import Path

import pytest

from sunlight.core import clock
from sunlight.disclosure import announcements, services
from sunlight.disclosure.tests import factories
from sunlight.org.profile import LeaderDraft, department_profile_update
from sunlight.org.tests import factories as org
from sunlight.supervision.tests.fixtures import at

SHOTS = Path("/tmp/shots")  # noqa: S108 - where the brief asks screenshots to go
WIDTH = 360


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": WIDTH, "height": 780}, java_script_enabled=False
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def city(live_site):
    office = factories.office(name="清源市市场监督管理局")
    department_profile_update(
        actor=office.head,
        department_id=office.department.pk,
        functions="负责市场综合监督管理，统一登记市场主体并建立信息公示和共享机制。" * 3,
        address="清源市人民路188号市民中心B座",
        office_hours="工作日 8:30—12:00，14:00—17:30",
        phone="0571-87001234",
        leaders=[LeaderDraft("周明远", "局长", "主持全面工作"), LeaderDraft("钱思齐", "副局长")],
    )
    matter = factories.matter(office, frequency="anytime", content="行政事业性收费标准调整情况")
    with clock.frozen(at(2026, 3, 2)):
        first = services.disclosure_publish(
            actor=office.clerk, matter_id=matter.pk, body="营业执照工本费标准：免收。"
        )
    with clock.frozen(at(2026, 3, 3)):
        services.archive_correct(
            actor=office.clerk, entry_id=first.pk, body="营业执照工本费：免收（含补领）。",
            reason="补充补领情形",
        )  # fmt: skip
    internal = factories.matter(office, frequency="anytime", scope="internal", content="会议费")
    services.disclosure_publish(actor=office.clerk, matter_id=internal.pk, body="会议费 3 千元")
    return office, first


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def _sign_in(page, base_url, user):
    page.goto(f"{base_url}/staff/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", org.TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/staff/")


@pytest.mark.browser
def test_phone_reader_walks_the_columns_without_javascript(live_site, phone, city):
    office, first = city
    SHOTS.mkdir(exist_ok=True)
    phone.goto(f"{live_site.url}/")
    phone.click("nav >> text=机构概况")
    phone.click(f"text={office.department.name}")
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == office.department.name
    for text in ("清源市人民路188号市民中心B座", "周明远", "14:00—17:30", "0571-87001234"):
        assert phone.get_by_text(text, exact=False).first.is_visible()
    _fits(phone)
    phone.screenshot(path=str(SHOTS / "disclosure_department_phone.png"), full_page=True)

    phone.click("nav >> text=公开存档")
    rows = phone.locator(".archive-list li")
    assert rows.count() == 2  # the internal 会议费 is not there
    assert "（更正）" in rows.first.inner_text() and "更正" in rows.first.inner_text()
    assert "已更正" in rows.nth(1).inner_text()
    _fits(phone)
    phone.screenshot(path=str(SHOTS / "disclosure_archive_phone.png"), full_page=True)
    rows.nth(1).locator("a").click()
    assert phone.get_by_text("本条已被更正").is_visible()
    phone.click("p.correction a")
    assert phone.get_by_text("补充补领情形", exact=False).is_visible()

    phone.goto(f"{live_site.url}/staff/disclosure/board/")
    assert "/staff/login/" in phone.url  # a visitor is sent to sign in


@pytest.mark.browser
def test_an_announcement_is_public_only_after_another_passes_it(live_site, phone, city):
    office, _ = city
    _sign_in(phone, live_site.url, office.clerk)
    phone.goto(f"{live_site.url}/staff/disclosure/announcements/")
    phone.select_option("select[name=kind]", "notice")
    phone.fill("input[name=title]", "关于窗口延时服务的公告")
    phone.fill("textarea[name=body]", "每周三窗口延时服务至19:00。")
    phone.click("button:has-text('保存草稿')")
    phone.click("button:has-text('提交审核')")
    phone.screenshot(
        path=str(SHOTS / "disclosure_announcement_submitted_phone.png"), full_page=True
    )
    assert "状态：待审核" in phone.locator("article").inner_text()
    _fits(phone)
    phone.goto(f"{live_site.url}/notices/")
    assert phone.locator(".announcement-list").inner_text().strip() == "暂无内容。"

    item = announcements.announcement_review(
        actor=office.head,
        announcement_id=_latest_id(),
        passed=True,
        opinion="同意",
    )
    phone.goto(f"{live_site.url}/notices/")
    phone.click("text=关于窗口延时服务的公告")
    assert phone.get_by_text("每周三窗口延时服务至19:00。").is_visible()
    assert phone.get_by_text(f"发布日期 {item.published_at.astimezone(clock.SHANGHAI):%Y-%m-%d}",
                             exact=False).is_visible()  # fmt: skip
    _fits(phone)
    phone.screenshot(path=str(SHOTS / "disclosure_notice_phone.png"), full_page=True)


def _latest_id() -> int:
    from sunlight.disclosure.models import Announcement

    return Announcement.objects.latest("id").pk


@pytest.mark.browser
def test_a_corrected_announcement_shows_its_corrected_text_on_a_phone(
    live_site, phone, city, screenshot
):
    office, _ = city
    item = announcements.announcement_save(
        actor=office.clerk, kind="notice", title="关于窗口延时服务的公告",
        body="每周三窗口延时服务至19:00。",
    )  # fmt: skip
    announcements.announcement_submit(actor=office.clerk, announcement_id=item.pk)
    with clock.frozen(at(2026, 3, 2, 9)):
        item = announcements.announcement_review(
            actor=office.head, announcement_id=item.pk, passed=True, opinion="同意"
        )
    with clock.frozen(at(2026, 3, 5, 16, 20)):
        services.archive_correct(
            actor=office.clerk, entry_id=item.archive_entry_id,
            body="每周三、周五窗口延时服务至19:30。", reason="增加周五延时服务",
        )  # fmt: skip
    phone.goto(f"{live_site.url}/notices/{item.pk}/")
    article = phone.locator("article").inner_text()
    assert "每周三、周五窗口延时服务至19:30。" in article
    assert "每周三窗口延时服务至19:00。" not in article
    note = phone.locator("p.correction")
    assert note.is_visible()
    assert "本公告已于 2026-03-05 16:20 更正" in note.inner_text()
    assert "增加周五延时服务" in note.inner_text()
    _fits(phone)
    screenshot(phone, "disclosure_corrected_notice_360")
    phone.click("text=查看存档及更正记录")
    assert "本条更正" in phone.content()
    _fits(phone)
