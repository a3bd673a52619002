"""The statistics API: the same figures as the pages; bad parameters refused with a reason."""

import datetime as dt

import pytest
from django.core.cache import cache

from sunlight.cases.tests import factories as case_factories
from sunlight.core import clock
from sunlight.publication.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


@pytest.fixture
def office():
    office = case_factories.office_with_power(code="041", category="01")
    with clock.frozen(dt.datetime(2026, 3, 2, 10, tzinfo=clock.SHANGHAI)):
        factories.concluded(office)
    return office


def test_city_department_and_power_levels(client, office):
    city = client.get("/api/v1/statistics/", {"at": "2026-03"}).json()
    department = client.get(
        "/api/v1/statistics/", {"at": "2026-Q1", "department": office.department.pk}
    ).json()
    power = client.get("/api/v1/statistics/", {"at": "2026", "power": office.code}).json()

    assert (city["level"], city["period"], city["label"]) == ("city", "month", "2026年3月")
    assert city["rows"][0]["received"] == 1 and city["rows"][0]["early_rate"] == 1.0
    assert department["rows"][0]["code"] == office.code
    assert len(power["rows"]) == 12 and power["total"]["concluded"] == 1


def test_bad_parameters_are_refused(client, office):
    response = client.get("/api/v1/statistics/", {"at": "2026-13", "period": "week"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"at", "period"}


def test_unknown_department_is_not_found(client, office):
    assert client.get("/api/v1/statistics/", {"department": 987654}).status_code == 404
