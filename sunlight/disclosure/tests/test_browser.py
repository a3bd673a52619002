"""A visitor on a phone browses the public catalog in a real browser."""

import pytest

from sunlight.catalog.drafts import DutyDraft, LegalBasisDraft, MaterialDraft
from sunlight.catalog.tests import factories as catalog
from sunlight.org.tests import factories as org


@pytest.mark.browser
def test_phone_visitor_searches_and_opens_a_power(live_site, page, screenshot):
    housing = org.department(code="012", name="清源市住房和城乡建设局")
    org.section(of=housing, code="003", name="建筑市场监管科")
    wanted = catalog.published_item(
        department=housing,
        name="建筑工程施工许可证核发",
        sub_item_name="新办",
        handling_section_name="建筑市场监管科",
        legal_bases=[
            LegalBasisDraft(
                "中华人民共和国建筑法",
                "第七条",
                "建筑工程开工前，建设单位应当按照国家有关规定向工程所在地县级以上人民政府"
                "建设行政主管部门申请领取施工许可证。",
            )
        ],
        materials=[
            MaterialDraft("建筑工程施工许可申请表", originals=1),
            MaterialDraft("建设工程规划许可证", originals=0, copies=1),
            MaterialDraft("施工合同及中标通知书", mandatory=False, originals=0, copies=1),
        ],
        duties=[
            DutyDraft("受理", "公示应当提交的材料，一次性告知补正材料。", "对符合条件的不予受理的"),
            DutyDraft(
                "审查", "对申请材料进行审查，必要时组织现场核查。", "不符合条件作出准予许可的"
            ),
        ],
    )
    for index in range(35):
        catalog.published_item(department=housing, name=f"对建设单位违法行为的行政处罚{index}")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_site.url}/powers/")
    screenshot(page, "public_list_phone")
    assert page.locator(".power-results li").count() == 30

    page.fill("input[name=q]", "施工许可")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    screenshot(page, "public_search_phone")
    results = page.locator(".power-results li")
    assert results.count() == 1

    results.first.locator("a.power-name").click()
    page.wait_for_load_state()
    screenshot(page, "public_detail_phone")
    assert page.locator("h1").inner_text().startswith("建筑工程施工许可证核发")
    assert wanted.code in page.content()
    assert page.get_by_text("中华人民共和国建筑法").is_visible()
    # Nothing wider than the phone: no sideways scrolling of the page itself.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{live_site.url}/")
    screenshot(page, "public_home_phone")
