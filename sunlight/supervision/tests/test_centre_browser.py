"""A supervisor opens the supervision centre in a real browser: the live counts, the department
table and the trend charts are there, and a screenshot is left for a person to look at."""

import pytest

from sunlight.core import clock
from sunlight.org.tests import factories as org
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.centre_world import build_world
from sunlight.supervision.tests.fixtures import at


def _sign_in(page, base_url, user):
    page.goto(f"{base_url}/staff/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", org.TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/staff/")


@pytest.mark.browser
def test_a_supervisor_sees_the_centre_with_counts_and_charts(live_site, page, screenshot):
    # Given a week of scans over late and nearly late cases
    world = build_world()
    for day in (20, 25):
        with clock.frozen(at(2026, 3, day, 8)):
            scan_run(trigger="worker")
    with clock.frozen(at(2026, 3, 25, 9)):
        # When the supervisor signs in and follows 电子监察
        _sign_in(page, live_site.url, world.supervisor)
        page.click("header a:has-text('电子监察')")
        page.wait_for_url("**/staff/supervision/")
        # Then the three lights show their counts, in words as well as colours
        red = page.locator(".light.red")
        assert red.locator(".light-label").inner_text() == "红灯（报警）"
        assert int(red.locator(".light-count").inner_text()) >= 3
        # And the department table, the charts with their titles, and their data tables
        assert page.locator("table.counts tr:has-text('测试局041')").count() == 1
        assert page.locator("svg.chart").count() == 3
        assert page.locator("svg.chart title").first.text_content() == "各部门未解除预警"
        screenshot(page, "supervision_centre")
        page.locator("details.chart-data summary").nth(1).click()
        assert page.locator("details.chart-data table").nth(1).is_visible()
        # And a count leads to the alerts behind it
        page.locator("table.counts a.n-red").first.click()
        page.wait_for_url("**/staff/supervision/alerts/?department=*")
        assert page.locator("table.alerts tbody tr").count() >= 1
