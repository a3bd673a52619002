"""A clerk draws a draft's flow from a step table in a real browser, and the public sees a
published power's flow — on a desktop and on a phone."""

import pytest

from sunlight.catalog.tests import factories as catalog
from sunlight.flows.steps import StepRow
from sunlight.flows.tests.flow_data import item_with_flow
from sunlight.org.tests import factories as org


def _sign_in(page, base_url, username):
    page.goto(f"{base_url}/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", org.TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/staff/")


def _fill_step(page, index, **values):
    for name, value in values.items():
        selector = f"[name='steps-{index}-{name}']"
        if name in ("role", "limit_unit", "risk_level") or name.endswith(("_field", "_op")):
            page.select_option(selector, label=value) if name.endswith(
                ("_field", "_op")
            ) else page.select_option(selector, value)
        elif name.endswith("_default"):
            page.check(selector)
        else:
            page.fill(selector, value)


@pytest.mark.browser
def test_clerk_draws_a_drafts_flow_from_a_step_table(live_site, page, screenshot):
    housing = org.department(code="011", name="清源市住房和城乡建设局")
    org.user("clerk", department=housing, username="wang.jb", full_name="王经办")
    item = catalog.item(department=housing, name="物业服务企业资质核定")
    base = live_site.url

    _sign_in(page, base, "wang.jb")
    page.goto(f"{base}/staff/catalog/{item.pk}/")
    assert page.locator("#flow").inner_text().count("还没有流程图") == 1
    page.click("#flow a:has-text('编制流程图')")
    page.click("a:has-text('用步骤表编辑')")
    _fill_step(
        page,
        0,
        name="受理",
        role="clerk",
        org_unit="政务服务中心窗口",
        limit="2",
        risk_level="medium",
        risk_point="对不符合条件的申请违规受理",
        control_measure="受理条件公开，一次性告知",
        required_documents="受理通知书",
        # The branch builder: a field, a comparison and a value picked from lists.
        b1_label="不予受理",
        b1_field="是否受理",
        b1_op="等于",
        b1_value="否",
        b1_target="结束",
        b2_label="予以受理",
        b2_target="2",
        b2_default="on",
    )
    _fill_step(page, 1, name="审查", role="clerk", org_unit="物业管理科", limit="8")
    _fill_step(page, 2, name="决定", role="approver", limit="3", required_documents="资质证书")
    screenshot(page, "flows_step_editor")
    page.click("button:has-text('保存流程图')")
    page.wait_for_url(f"**/staff/flows/{item.pk}/v1/")

    assert page.locator(".message.success").inner_text().strip() == "流程图已保存"
    drawing = page.locator(".flow-drawing svg")
    for bpmn_id in ("StartEvent_1", "Task_1", "Gateway_1", "Task_2", "Task_3", "EndEvent_1"):
        assert drawing.locator(f"[data-bpmn-id='{bpmn_id}']").count() == 1, bpmn_id
    assert "对不符合条件的申请违规受理" in page.locator("table").inner_text()
    assert "是否受理为“否”" in drawing.text_content()  # the condition is shown in words
    screenshot(page, "flows_staff_flow_page")
    page.goto(f"{base}/staff/catalog/{item.pk}/")
    assert page.locator("#flow svg [data-bpmn-id='Task_3']").count() == 1


@pytest.mark.browser
def test_public_power_page_shows_the_published_flow(live_site, browser, screenshot):
    housing = org.department(code="011", name="清源市住房和城乡建设局")
    clerk = org.user("clerk", department=housing, full_name="王经办")
    item = item_with_flow(housing, clerk, published=True, name="物业服务企业资质核定")

    for label, viewport in (
        ("desktop", {"width": 1280, "height": 900}),
        ("phone", {"width": 390, "height": 844}),
    ):
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        page = context.new_page()
        page.goto(f"{live_site.url}/powers/{item.code}/")
        section = page.locator("#flow")
        assert section.locator("h2").inner_text() == "办理流程"
        assert section.locator("svg [data-bpmn-id='Task_decide']").count() == 1
        steps = section.locator("table.flow-steps tbody tr")
        assert steps.count() == 3
        assert "对不符合条件的申请予以受理" in steps.nth(0).inner_text()
        assert section.locator("table.flow-steps tbody tr th").nth(1).is_visible()
        screenshot(page, f"flows_public_{label}")
        context.close()


@pytest.mark.browser
def test_a_wide_flow_fits_its_box_and_zooms_to_full_size_on_desktop_and_phone(
    live_site, browser, screenshot
):
    housing = org.department(code="011", name="清源市住房和城乡建设局")
    clerk = org.user("clerk", department=housing, full_name="王经办")
    names = [
        "受理",
        "初审",
        "现场核查",
        "专家评审",
        "复审",
        "法制审核",
        "集体讨论",
        "决定",
        "制证",
        "送达",
        "归档",
        "公示",
    ]
    steps = [
        StepRow(key=f"s{i}", name=name, role="clerk", limit=0.5) for i, name in enumerate(names)
    ]
    item = item_with_flow(housing, clerk, steps=steps, published=True, name="建设工程规划许可")

    for label, viewport in (
        ("desktop", {"width": 1280, "height": 900}),
        ("phone", {"width": 360, "height": 780}),
    ):
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        page = context.new_page()
        page.goto(f"{live_site.url}/powers/{item.code}/")
        box = page.locator("#flow .flow-drawing")
        svg = box.locator("svg")
        natural = float(svg.get_attribute("width"))
        assert natural > viewport["width"]  # wider than the screen: it must be fitted
        fitted = svg.bounding_box()
        assert fitted["width"] <= box.bounding_box()["width"] + 1  # the whole flow is in view
        screenshot(page, f"flows_wide_fit_{label}")

        page.click("#flow .zoom-label")
        assert abs(svg.bounding_box()["width"] - natural) < 1  # full size, labels readable
        last = svg.locator("[data-bpmn-id='Task_s11']")
        last.scroll_into_view_if_needed()  # panning reaches the last step
        assert last.is_visible() and box.evaluate("b => b.scrollLeft") > 0
        screenshot(page, f"flows_wide_zoomed_{label}")
        context.close()
