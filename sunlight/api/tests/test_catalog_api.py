"""The catalog read API: only in-use public powers, filters, pages, BPMN, and clear errors."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sunlight.cases.tests.factories import office_with_power
from sunlight.catalog import services
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.tests import factories as catalog
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


@pytest.fixture
def housing():
    return org.department(code="012", name="清源市住房和城乡建设局")


def test_list_serves_published_public_powers_only(client, housing):
    shown = catalog.published_item(department=housing, name="建筑工程施工许可证核发")
    catalog.item(department=housing, name="草稿中的事项")
    suspended = catalog.published_item(department=housing, name="已暂停的事项")
    services.power_item_transition(
        actor=None, item=suspended, action=TransitionAction.SUSPEND, reason="法律修订"
    )

    response = client.get("/api/v1/powers/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [row["code"] for row in body["results"]] == [shown.code]
    assert body["results"][0]["department"] == "清源市住房和城乡建设局"


def test_list_filters_by_category_department_and_words(client, housing):
    police = org.department(code="005", name="清源市公安局")
    licence = catalog.published_item(department=housing, name="建筑工程施工许可", category="01")
    catalog.published_item(department=housing, name="对违法建设的处罚", category="02")
    catalog.published_item(department=police, name="治安处罚", category="02")

    by_category = client.get("/api/v1/powers/", {"category": "01"}).json()
    by_department = client.get("/api/v1/powers/", {"department": police.pk}).json()
    by_words = client.get("/api/v1/powers/", {"q": "施工 许可"}).json()

    assert [r["code"] for r in by_category["results"]] == [licence.code]
    assert [r["department"] for r in by_department["results"]] == ["清源市公安局"]
    assert [r["code"] for r in by_words["results"]] == [licence.code]


def test_list_is_paged(client, housing):
    for index in range(7):
        catalog.published_item(department=housing, name=f"事项{index}")

    first = client.get("/api/v1/powers/", {"page_size": 5}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 7 and len(first["results"]) == 5
    assert len(second["results"]) == 2 and second["next"] is None


def test_bad_filter_is_refused_with_every_problem(client, housing):
    response = client.get("/api/v1/powers/", {"category": "99", "department": "x"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"category", "department"}


def test_page_past_the_end_is_not_found(client, housing):
    catalog.published_item(department=housing)

    response = client.get("/api/v1/powers/", {"page": 9})

    assert response.status_code == 404
    assert response.json()["detail"] == "页码无效"


def test_detail_of_an_unpublished_power_is_not_found(client, housing):
    draft = catalog.item(department=housing)

    response = client.get(f"/api/v1/powers/{draft.code}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "该权力事项不存在或未公开", "code": "not_found"}


def test_detail_carries_content_flow_steps_and_the_bpmn_link(client):
    office = office_with_power()

    body = client.get(f"/api/v1/powers/{office.code}/").json()
    bpmn = client.get(f"/api/v1/powers/{office.code}/flow.bpmn")

    assert body["code"] == office.code
    assert [step["name"] for step in body["flow_steps"]][:2] == ["受理", "审查"]
    assert body["flow_bpmn_url"].endswith(f"/api/v1/powers/{office.code}/flow.bpmn")
    assert bpmn.status_code == 200
    assert bpmn["Content-Type"].startswith("application/xml")
    assert b"<bpmn:definitions" in bpmn.content or b"definitions" in bpmn.content


def test_departments_list_gives_the_ids_used_in_filters(client, housing):
    catalog.published_item(department=housing)

    body = client.get("/api/v1/departments/").json()

    assert body == [
        {"id": housing.pk, "name": "清源市住房和城乡建设局", "region": "清源市", "powers": 1}
    ]


def test_list_reads_a_page_in_two_queries(client, housing):
    for index in range(12):
        catalog.published_item(department=housing, name=f"事项{index}")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/powers/")

    # The page and its count; the rate limit's reads and writes of the shared cache table
    # (SUNLIGHT_CACHE_URL) are not the list's own.
    own = [
        q
        for q in queries.captured_queries
        if "sunlight_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]
    assert len(own) == 2, [q["sql"] for q in own]
    assert len(response.json()["results"]) == 12


def test_too_many_requests_are_answered_429(client, housing, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})

    statuses = [client.get("/api/v1/departments/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
