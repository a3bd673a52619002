"""The staff's daily work, in a real browser (issue 14): the workbench says what to do next,
step limits agree with the promised limit, a review shows what a new version changes, joint
approval is set up by search, the pages use the trade's words and print — and the demo city,
built on its own day, has a few overdue cases among many due soon.

Screenshots go where the `screenshot` fixture puts them (conftest.py: $SUNLIGHT_SCREENSHOT_DIR),
for CI to keep as artifacts."""

import datetime as dt
from dataclasses import replace

import pytest

from sunlight.cases import services as case_services
from sunlight.cases.joint import joint_item_create
from sunlight.cases.models import ExtensionRequest
from sunlight.cases.tests import factories
from sunlight.cases.tests.sample_files import minimal_pdf
from sunlight.catalog import services as catalog_services
from sunlight.catalog.drafts import MaterialDraft
from sunlight.catalog.tests import factories as catalog
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.flows.services import flow_save_from_steps, power_change_with_flow
from sunlight.flows.steps import StepRow
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.browser


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


def test_the_workbench_says_what_to_do_next(live_site, page, monday_the_30th, settings, screenshot):
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
    screenshot(page, "workbench_home")

    page.click(".queue-cards a:has-text('已超期')")
    assert "今日工作 · 已超期" in page.inner_text("main")
    page.click("main table a >> nth=0")
    page.wait_for_url("**/staff/cases/*/")
    assert page.locator("#step-panel, .step-panel").count() >= 1
    screenshot(page, "workbench_red_case")

    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_site.url}/staff/")
    assert page.locator(".work-queue").is_visible()
    screenshot(page, "workbench_home_360")


STEPS = [StepRow("1", "受理", "clerk", 5), StepRow("2", "审查", "approver", 30),
         StepRow("3", "决定", "approver", 10)]  # fmt: skip


def test_limits_agree_and_the_review_shows_what_changed(
    live_site, page, monday_the_30th, screenshot
):
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
    screenshot(page, "limits_refused_with_path")

    page.goto(f"{live_site.url}/staff/flows/{item.pk}/v{v2.number}/")
    page.click("button:has-text('按承诺时限压缩环节时限')")
    page.wait_for_load_state()
    assert page.locator(".message.success").count() == 1
    screenshot(page, "limits_scaled")
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
    screenshot(page, "review_shows_changes")


def test_joint_approval_is_set_up_by_search(live_site, page, monday_the_30th, screenshot):
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
    screenshot(page, "joint_found_by_department")
    page.click("button:text-is('保存')")
    page.wait_for_url("**/staff/cases/joint/")
    assert set(joint.powers.values_list("pk", flat=True)) == {
        planning.item.pk, housing.item.pk, fire.item.pk,
    }  # fmt: skip


def test_pages_speak_the_trade_s_words_and_print(
    live_site, page, monday_the_30th, settings, screenshot
):
    settings.MEDIA_ROOT = "/tmp/sunlight-browser-media"  # noqa: S108
    office = factories.office_with_power(code="061", category="02")
    case = factories.register(office)

    _sign_in(page, live_site.url, office.clerk)
    page.goto(f"{live_site.url}/staff/cases/{case.number}/")
    assert "当事人" in page.inner_text("main")
    page.goto(f"{live_site.url}/staff/cases/{case.number}/receipt/")
    assert page.locator("button:has-text('打印回执')").is_visible()
    screenshot(page, "receipt_with_print_button")
    page.emulate_media(media="print")
    assert not page.locator("button:has-text('打印回执')").is_visible()
    page.emulate_media(media="screen")


def test_the_demo_city_lives_on_its_day(live_site, page, screenshot):
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
        screenshot(page, "demo_clerk_home")
        page.goto(f"{live_site.url}/staff/cases/?tab=mine")
        rows = page.locator("main table tbody tr")
        late = page.locator("main table tbody tr.overdue")
        assert rows.count() > late.count()
        screenshot(page, "demo_clerk_cases")


def test_an_extension_is_asked_by_the_handler_and_approved_by_the_head(
    live_site, page, monday_the_30th, settings, screenshot
):
    settings.MEDIA_ROOT = "/tmp/sunlight-browser-media"  # noqa: S108
    office = factories.office_with_power()
    case = factories.register(office)
    case_services.case_accept(actor=office.clerk, case=case)
    case.refresh_from_db()
    before = case.statutory_deadline

    _sign_in(page, live_site.url, office.clerk)
    page.goto(f"{live_site.url}/staff/cases/{case.number}/")
    asking = page.locator("form:has(h3:text-is('申请延长审批期限'))")
    asking.locator("input[name$='days']").fill("5")
    asking.locator("textarea[name$='reason']").fill("   ")  # passes the browser's check only
    asking.locator("button:has-text('提交延长申请')").click()
    page.wait_for_load_state()
    assert not ExtensionRequest.objects.exists()
    screenshot(page, "extension_without_reason")
    asking = page.locator("form:has(h3:text-is('申请延长审批期限'))")
    asking.locator("input[name$='days']").fill("5")
    asking.locator("textarea[name$='reason']").fill("需要专家论证")
    asking.locator("button:has-text('提交延长申请')").click()
    page.wait_for_load_state()
    assert page.locator(".extension-pending").is_visible()
    page.click("header button:has-text('退出')")
    page.wait_for_url("**/staff/login/")

    _sign_in(page, live_site.url, office.head)
    page.goto(f"{live_site.url}/staff/cases/{case.number}/")
    pending = page.locator(".extension-pending")
    assert "申请延长 5 天：需要专家论证" in pending.inner_text()
    screenshot(page, "extension_pending_for_the_head")
    pending.locator("button.confirm:has-text('批准延长')").click()
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.extension_days == 5 and case.statutory_deadline > before
    assert "含延长 5 天" in page.inner_text("main")


def test_scores_tell_departments_apart(live_site, page, screenshot):
    from sunlight.supervision.scan import scan_run
    from sunlight.supervision.scores import scores_compute
    from sunlight.supervision.tests.fixtures import enable_only
    from sunlight.supervision.tests.scores_world import AFTER, MARCH, at, build_city

    city = build_city()
    enable_only("case-red")
    with clock.frozen(at(3, 31, 21)):
        scan_run(full=True)
    with clock.frozen(AFTER):
        scores_compute(month=MARCH)
        _sign_in(page, live_site.url, city.supervisor)
        page.goto(f"{live_site.url}/staff/supervision/scores/?month=2026-03")
        main = page.inner_text("main")
        assert "部门间分布" in main and "最低" in main
        assert "仅看当月办结的办件" in main and "含在办超期" in main  # a line under each header
        assert "84.36" in main and "79.79" in main  # two departments, two different totals
        screenshot(page, "scores_month")
        page.click(f"main a:has-text('{city.a.department.name}')")
        page.wait_for_load_state()
        assert "暂无数据（本月无好差评），不计分" in page.inner_text("main")
        screenshot(page, "scores_department")


def test_stage_forms_and_receipts_print_as_pages(
    live_site, browser, page, monday_the_30th, settings, screenshot, tmp_path
):
    from sunlight.cases.reports import stage_reports_generate

    settings.MEDIA_ROOT = "/tmp/sunlight-browser-media"  # noqa: S108
    office = factories.office_with_power(important=True)
    case = factories.register(office)
    case_services.case_accept(actor=office.clerk, case=case)
    stage_reports_generate(now=clock.now())

    _sign_in(page, live_site.url, office.clerk)
    page.goto(f"{live_site.url}/staff/cases/reports/")
    page.click("main a:has-text('查看打印')")
    page.wait_for_url("**/staff/cases/reports/*/")
    sheet = page.locator("article.report-sheet")
    assert "重要行政权力动态运行情况登记表（受理）" in sheet.inner_text()
    assert case.number in sheet.inner_text()
    assert page.locator("a:has-text('下载Excel')").is_visible()
    button = page.locator("button:has-text('打印本表')")
    assert button.is_visible()
    screenshot(page, "stage_form_page")
    page.emulate_media(media="print")
    assert not button.is_visible() and not page.locator("header.masthead").is_visible()
    assert sheet.evaluate("s => getComputedStyle(s).color") == "rgb(0, 0, 0)"
    screenshot(page, "stage_form_print")
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 360, "height": 780})
    fits = "document.documentElement.scrollWidth <= window.innerWidth + 1"
    assert page.evaluate(fits)
    screenshot(page, "stage_form_360")

    # The applicant's receipt after applying online: a print button, and the page says how to
    # print where scripts are off.
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 780})
    citizen = context.new_page()
    citizen.goto(f"{live_site.url}/apply/{office.code}/")
    citizen.fill("#id_applicant-name", "赵小明")
    citizen.fill("#id_applicant-id_number", factories.resident_id())
    citizen.fill("#id_applicant-phone", "13912345678")
    pdf = tmp_path / "申请书.pdf"
    pdf.write_bytes(minimal_pdf())
    citizen.set_input_files("input[name='materials-m0_file']", str(pdf))
    citizen.click("button:has-text('提交申请')")
    citizen.wait_for_url("**/done/")
    receipt_button = citizen.locator("button:has-text('打印回执')")
    assert receipt_button.is_visible() and "Ctrl+P" in citizen.inner_text("main")
    screenshot(citizen, "public_receipt_360")
    assert citizen.evaluate(fits)
    citizen.emulate_media(media="print")
    assert not receipt_button.is_visible() and citizen.locator(".receipt").is_visible()
    context.close()
