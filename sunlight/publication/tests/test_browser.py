"""A visitor on a phone (360 px, JavaScript off) reads the 双公示 list, downloads it, and drills
down the statistics; Swagger UI runs from our own static files under our CSP."""

from pathlib import Path

import pytest

from sunlight.cases.tests import factories as case_factories
from sunlight.publication import services
from sunlight.publication.models import DoublePublicityEntry
from sunlight.publication.tests import factories


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 780}, java_script_enabled=False
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def published(live_site):
    licence = case_factories.office_with_power(code="041", category="01")
    penalty = case_factories.office_with_power(
        code="051", category="02", steps=[case_factories.LICENCE_STEPS[0]]
    )
    factories.concluded(licence, applicant=factories.company())
    factories.concluded(
        penalty, applicant=case_factories.person("王小明"), conclusion=factories.fined("2000")
    )
    services.double_publicity_collect()
    for entry, office, number in zip(
        DoublePublicityEntry.objects.order_by("id"),
        (licence, penalty),
        ("清建许〔2026〕1号", "清市监罚〔2026〕7号"),
        strict=True,
    ):
        services.double_publicity_publish(
            actor=office.clerk, entry_id=entry.pk, decision_number=number
        )
    return licence


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.browser
def test_phone_reader_filters_and_downloads_double_publicity(
    live_site, phone, published, screenshot
):
    phone.goto(f"{live_site.url}/double-publicity/")
    screenshot(phone, "double_publicity_phone")
    assert phone.locator(".dp-entry").count() == 2
    assert "王**" in phone.content() and "王小明" not in phone.content()
    assert _fits(phone)

    phone.select_option("select[name=kind]", "penalty")
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    assert phone.locator(".dp-entry").count() == 1

    with phone.expect_download() as download:
        phone.click("a.download:text('CSV')")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "清市监罚〔2026〕7号" in text and "清建许〔2026〕1号" not in text
    assert "王小明" not in text

    phone.click("a.dp-number")
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text().startswith("行政处罚信息")
    assert _fits(phone)


@pytest.mark.browser
def test_phone_reader_drills_down_the_statistics(live_site, phone, published, screenshot):
    phone.goto(f"{live_site.url}/statistics/?period=year")
    screenshot(phone, "statistics_city_phone")
    assert phone.locator("figure.chart svg").count() == 2
    assert _fits(phone)

    phone.click(f"table.stat-table a:text('{published.department.name}')")
    phone.wait_for_load_state()
    assert published.department.name in phone.locator("h1").inner_text()
    phone.locator("table.stat-table tbody th a").first.click()
    phone.wait_for_load_state()
    screenshot(phone, "statistics_power_phone")
    assert phone.locator("table.stat-table tbody tr").count() == 12  # the months of the year
    assert _fits(phone)
    assert phone.locator("nav.breadcrumb a").count() == 2


@pytest.mark.browser
def test_swagger_ui_runs_offline_under_our_csp(live_site, page):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    outside = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_site.url) else None,
    )

    page.goto(f"{live_site.url}/api/v1/docs/")
    page.wait_for_selector(".opblock-tag", timeout=20000)

    assert "/api/v1/powers/" in page.content()
    assert outside == [] and problems == []
