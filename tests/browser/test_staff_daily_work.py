"""The staff's daily work, in a real browser (issue 14): the workbench says what to do next,
step limits agree with the promised limit, a review shows what a new version changes, joint
approval is set up by search, the pages use the trade's words and print — and the demo city,
built on its own day, has a few overdue cases among many due soon.

Screenshots go to $SUNLIGHT_SCREENSHOT_DIR (default test-artifacts/screenshots, ignored by
git) for CI to keep as artifacts."""

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path

import pytest

from sunlight.cases import services as case_services
from sunlight.cases.joint import joint_item_create
from sunlight.cases.tests import factories
from sunlight.catalog import services as catalog_services
from sunlight.catalog.drafts import MaterialDraft
from sunlight.catalog.tests import factories as catalog
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.flows.services import flow_save_from_steps, power_change_with_flow
from sunlight.flows.steps import StepRow
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.browser


def _shots() -> Path:
    folder = Path(os.environ.get("SUNLIGHT_SCREENSHOT_DIR", "test-artifacts/screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shot(page, name: str) -> None:
    page.screenshot(path=str(_shots() / f"{name}.png"), full_page=True)


def _sign_in(page, base_url, user, password=org.TEST_PASSWORD):
    page.goto(f"{base_url}/staff/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/staff/")


@pytest.fixture
def monday_the_30th():
    """Monday 30 November 2026, 10:00 in Shanghai, for the server thread too."""
    with clock.frozen(dt.datetime(2026, 11, 30, 10, tzinfo=SHANGHAI)):
        yield


def test_the_workbench_says_what_to_do_next(live_site, page, monday_the_30th, settings):
    settings.MEDIA_ROOT = "/tmp/sunlight-browser-media"  # noqa: S108
    office = factories.office_with_power()
    for received in ("2026-11-16", "2026-11-23", "2026-11-25"):  # red, due today, yellow
        with clock.frozen(dt.datetime.fromisoformat(received).replace(hour=10, tzinfo=SHANGHAI)):
            case = factories.register(office)
            case_services.case_accept(actor=office.clerk, case=case)

    _sign_in(page, live_site.url, office.head)
    queue = page.locator(".work-queue")
    assert queue.is_visible()
    cards = queue.locator(".queue-cards").inner_text()
    assert "已超期" in cards and "今日到期" in cards and "即将到期" in cards
    assert queue.locator(".next-items tr.tone-red").count() == 1
    _shot(page, "workbench_home")

    page.click(".queue-cards a:has-text('已超期')")
    assert "今日工作 · 已超期" in page.inner_text("main")
    page.click("main table a >> nth=0")
    page.wait_for_url("**/staff/cases/*/")
    assert page.locator("#step-panel, .step-panel").count() >= 1
    _shot(page, "workbench_red_case")

    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_site.url}/staff/")
    assert page.locator(".work-queue").is_visible()
    _shot(page, "workbench_home_360")


STEPS = [StepRow("1", "受理", "clerk", 5), StepRow("2", "审查", "approver", 30),
         StepRow("3", "决定", "approver", 10)]  # fmt: skip


def test_limits_agree_and_the_review_shows_what_changed(live_site, page, monday_the_30th):
    department = org.department(code="071", name="清源市测试局")
    clerk = org.user("clerk", department=department)
    head = org.user("approver", department=department)
    item = catalog.item(department=department, statutory_limit=60, promised_limit=45)
    flow_save_from_steps(actor=clerk, version=item.working_version, steps=STEPS)
    for action in ("submit", "sign_off", "legal_approve", "publish"):
        item.refresh_from_db()
        catalog_services.power_version_transition(
            actor=None, version=item.working_version, action=action, opinion="同意"
        )
    item.refresh_from_db()
    draft = replace(
        catalog.draft(department=department, code=item.code, name=item.current_version.name,
                      statutory_limit=60),
        promised_limit=22,
        materials=[MaterialDraft("申请书", mandatory=True, originals=1, copies=0)],
        change_reason="压缩承诺时限",
    )  # fmt: skip
    v2 = power_change_with_flow(actor=clerk, item=item, draft=draft)

    _sign_in(page, live_site.url, clerk)
    page.goto(f"{live_site.url}/staff/catalog/{item.pk}/")
    page.locator("form:has(button:has-text('提交'))").locator("button").first.click()
    page.wait_for_load_state()
    assert "超过承诺时限 22天" in page.inner_text("main")
    assert "受理（5天）→审查（30天）→决定（10天）" in page.inner_text("main")
    _shot(page, "limits_refused_with_path")

    page.goto(f"{live_site.url}/staff/flows/{item.pk}/v{v2.number}/")
    page.click("button:has-text('按承诺时限压缩环节时限')")
    page.wait_for_load_state()
    assert page.locator(".message.success").count() == 1
    _shot(page, "limits_scaled")
    page.goto(f"{live_site.url}/staff/catalog/{item.pk}/")
    page.locator("form:has(button:has-text('提交'))").locator("button").first.click()
    page.wait_for_load_state()
    assert page.locator(".message.success").count() == 1, page.inner_text("main")
    page.click("header button:has-text('退出')")
    page.wait_for_url("**/staff/login/")

    _sign_in(page, live_site.url, head)
    page.goto(f"{live_site.url}/staff/catalog/{item.pk}/")
    main = page.inner_text("main")
    assert "显示第2版" in main and "本版变化（第2版 对比 第1版）" in main
    assert "45工作日" in main and "22工作日" in main
    assert page.locator(".flow-drawing .highlighted").count() >= 1
    sign, back = page.locator("button.confirm").first, page.locator("button.danger").first
    assert sign.evaluate("b => getComputedStyle(b).backgroundColor") != back.evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )
    _shot(page, "review_shows_changes")


def test_joint_approval_is_set_up_by_search(live_site, page, monday_the_30th):
    planning = factories.office_with_power(code="051")
    housing = factories.office_with_power(code="052")
    fire = factories.office_with_power(code="053")
    joint = joint_item_create(
        actor=None, name="建设工程施工许可并联审批", lead_department=planning.department,
        powers=[planning.item, housing.item], limit_days=20,
    )  # fmt: skip
    admin = org.user("admin", in_region=planning.department.region)

    _sign_in(page, live_site.url, admin)
    page.goto(f"{live_site.url}/staff/cases/joint/{joint.pk}/edit/")
    assert page.locator("input[name=powers]").count() == 2
    page.select_option("select[name=find_department]", str(fire.department.pk))
    page.click("button:has-text('查找')")
    page.wait_for_load_state()
    page.check(f"input[name=powers][value='{fire.item.pk}']")
    _shot(page, "joint_found_by_department")
    page.click("button:text-is('保存')")
    page.wait_for_url("**/staff/cases/joint/")
    assert set(joint.powers.values_list("pk", flat=True)) == {
        planning.item.pk, housing.item.pk, fire.item.pk,
    }  # fmt: skip


def test_pages_speak_the_trade_s_words_and_print(live_site, page, monday_the_30th, settings):
    settings.MEDIA_ROOT = "/tmp/sunlight-browser-media"  # noqa: S108
    office = factories.office_with_power(code="061", category="02")
    case = factories.register(office)

    _sign_in(page, live_site.url, office.clerk)
    page.goto(f"{live_site.url}/staff/cases/{case.number}/")
    assert "当事人" in page.inner_text("main")
    page.goto(f"{live_site.url}/staff/cases/{case.number}/receipt/")
    assert page.locator("button:has-text('打印回执')").is_visible()
    _shot(page, "receipt_with_print_button")
    page.emulate_media(media="print")
    assert not page.locator("button:has-text('打印回执')").is_visible()
    page.emulate_media(media="screen")


def test_the_demo_city_lives_on_its_day(live_site, page):
    """Built on Friday 20 November 2026 and opened that evening: the clerk's first page mixes
    work due today and soon with a few overdue cases."""
    from sunlight.cases.choices import OPEN_STATES
    from sunlight.cases.models import Case
    from sunlight.demo import city, timeline
    from sunlight.demo.tests.helpers import seed
    from sunlight.org.models import User

    seed(as_of=dt.date(2026, 11, 20))
    with clock.frozen(dt.datetime(2026, 11, 20, 17, tzinfo=SHANGHAI)):
        open_cases = Case.objects.filter(state__in=OPEN_STATES)
        overdue = open_cases.filter(promised_deadline__lt=timeline.day()).count()
        assert 0 < overdue <= open_cases.count() / 10

        clerk = User.objects.get(username="zjj_clerk")
        _sign_in(page, live_site.url, clerk, password=city.DEMO_PASSWORD)
        assert page.locator(".work-queue").is_visible()
        _shot(page, "demo_clerk_home")
        page.goto(f"{live_site.url}/staff/cases/?tab=mine")
        rows = page.locator("main table tbody tr")
        late = page.locator("main table tbody tr.overdue")
        assert rows.count() > late.count()
        _shot(page, "demo_clerk_cases")
