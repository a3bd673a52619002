"""The change feed: every changed case in the exchange tables' shapes, paged by the audit
chain's sequence — and what it sends is what exchange_ingest takes."""

import pytest

from sunlight.cases import services as case_services
from sunlight.cases.tests import factories as case_factories
from sunlight.core import clock
from sunlight.core.errors import ValidationFailed
from sunlight.exchange.models import ExchangeRecord
from sunlight.exchange.services import exchange_ingest
from sunlight.rollup.feed import changes_since, cursor_decode
from sunlight.rollup.tests import scenario

pytestmark = pytest.mark.django_db


def test_a_concluded_case_comes_whole_in_the_exchange_shapes():
    office = scenario.catalog()
    case = scenario.concluded_case(office)

    page = changes_since(cursor="")

    assert list(page.records) == ["case_basic", "case_process", "case_result"]
    (basic,) = page.records["case_basic"]
    assert basic["external_id"] == case.number and basic["power_code"] == scenario.POWER_CODE
    assert [r["step_name"] for r in page.records["case_process"]] == ["受理", "审查", "决定"]
    (result,) = page.records["case_result"]
    assert result["case_external_id"] == case.number and result["result"] == case.conclusion_code
    assert not page.more and cursor_decode(page.next_cursor) > 0


def test_nothing_changed_since_the_cursor_gives_an_empty_page_and_the_same_cursor():
    office = scenario.catalog()
    scenario.concluded_case(office)
    first = changes_since(cursor="")

    again = changes_since(cursor=first.next_cursor)

    assert again.records == {} and again.next_cursor == first.next_cursor


def test_pages_follow_each_other_without_losing_a_case():
    office = scenario.catalog()
    numbers = {scenario.concluded_case(office).number for _ in range(3)}

    seen, cursor, pages = set(), "", 0
    while True:
        page = changes_since(cursor=cursor, limit=2)
        seen |= {r["external_id"] for r in page.records.get("case_basic", [])}
        cursor, pages = page.next_cursor, pages + 1
        if not page.more:
            break

    assert seen == numbers and pages > 2


def test_the_feed_is_taken_by_exchange_ingest_and_a_second_time_changes_nothing():
    office = scenario.catalog()
    scenario.concluded_case(office)
    source = scenario.lower_source(office, code="county", name="清源县平台")
    page = changes_since(cursor="")

    for _ in range(2):
        for table, rows in page.records.items():
            result = exchange_ingest(source=source, table=table, records=rows)
            assert result.accepted, [a.errors for a in result.acks if a.errors]

    assert ExchangeRecord.objects.filter(table="case_basic").count() == 1
    assert ExchangeRecord.objects.filter(table="case_process").count() == 3
    assert ExchangeRecord.objects.filter(table="case_result").count() == 1


def test_a_later_change_comes_with_a_higher_data_version():
    office = scenario.catalog()
    case = case_factories.register(office)
    before = changes_since(cursor="").records["case_basic"][0]
    case_services.case_accept(actor=office.clerk, case=case)

    after = changes_since(cursor="").records["case_basic"][0]

    assert after["data_version"] > before["data_version"] and after["accepted_at"]


@pytest.mark.parametrize("cursor", ["x", "v1.", "v2.5", "v1.-3", "v1.12345678901234567890"])
def test_a_bad_cursor_is_refused(cursor):
    with pytest.raises(ValidationFailed, match="since"):
        changes_since(cursor=cursor)


def test_an_alert_raised_by_a_scan_goes_up_in_the_next_page():
    from sunlight.supervision.tests import orders_world

    w = orders_world.world()
    with clock.frozen(orders_world.at(2026, 3, 16, 18)):
        before = changes_since(cursor="")
    orders_world.red_alert(w)

    with clock.frozen(orders_world.at(2026, 3, 17, 1)):
        after = changes_since(cursor=before.next_cursor)

    (alert,) = after.records["supervision_alert"]
    assert alert["case_external_id"] == w.case.number and alert["rule_code"] == "case-red"
    assert alert["state"] == "raised" and alert["level"] == "red"
    assert "case_basic" not in after.records  # the scan changed no case


def test_every_data_version_fits_the_exchange_s_nine_digits():
    from sunlight.supervision.tests import orders_world

    w = orders_world.world()
    orders_world.red_alert(w)

    page = changes_since(cursor="")

    versions = [r["data_version"] for rows in page.records.values() for r in rows]
    assert versions and all(1 <= v <= 999_999_999 for v in versions)


def test_a_page_reads_the_same_number_of_queries_for_one_case_or_many():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    office = scenario.catalog()
    scenario.concluded_case(office)
    with CaptureQueriesContext(connection) as one:
        changes_since(cursor="")
    for _ in range(4):
        scenario.concluded_case(office)

    with CaptureQueriesContext(connection) as five:
        page = changes_since(cursor="")

    assert len(page.records["case_basic"]) == 5
    assert len(five.captured_queries) == len(one.captured_queries)
