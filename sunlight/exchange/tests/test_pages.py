"""Admins register source systems, issue and revoke keys, and see traffic and rejects."""

import pytest
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.exchange.models import SourceKey, SourceSystem
from sunlight.exchange.services import exchange_ingest
from sunlight.exchange.tests import records


def test_an_admin_registers_a_source_and_sees_its_key_once(client, exchange_city):
    client.force_login(exchange_city["admin"])
    data = {
        "code": "market-inspect",
        "name": "市场监管执法系统",
        "level": "province",
        "vertical": "on",
        "departments": [exchange_city["market"].pk],
    }

    created = client.post(reverse("exchange:source_create"), data)
    issued = client.post(reverse("exchange:key_issue", args=["market-inspect"]), follow=True)
    again = client.get(reverse("exchange:source", args=["market-inspect"]))

    assert created.status_code == 302
    source = SourceSystem.objects.get(code="market-inspect")
    assert source.vertical and list(source.departments.all()) == [exchange_city["market"]]
    assert "只显示这一次" in issued.content.decode()
    assert "只显示这一次" not in again.content.decode()
    assert AuditEntry.objects.filter(action="exchange.source.registered").exists()


def test_a_source_form_without_departments_or_with_a_taken_code_says_why(client, exchange_city):
    client.force_login(exchange_city["admin"])

    response = client.post(
        reverse("exchange:source_create"), {"code": "housing-oa", "name": "x", "level": "city"}
    )

    page = response.content.decode()
    assert response.status_code == 400 and "可报送的部门" in page
    assert SourceSystem.objects.count() == 1


def test_revoking_a_key_from_the_page(client, exchange_city):
    client.force_login(exchange_city["admin"])
    key = SourceKey.objects.get()

    client.post(reverse("exchange:key_revoke", args=["housing-oa", key.prefix]))

    key.refresh_from_db()
    assert key.revoked_at is not None


def test_the_detail_page_shows_traffic_and_reject_reasons(client, exchange_city):
    exchange_ingest(
        source=exchange_city["source"], table="case_basic", records=[records.basic("nope")]
    )
    client.force_login(exchange_city["admin"])

    page = client.get(reverse("exchange:source", args=["housing-oa"])).content.decode()

    assert "整批拒收" in page and "power_code：unknown_power" in page and "不在权力清单中" in page


@pytest.mark.parametrize("who", ["clerk"])
def test_staff_who_are_not_admins_cannot_see_sources(client, exchange_city, who):
    client.force_login(exchange_city[who])

    assert client.get(reverse("exchange:sources")).status_code == 403
    assert client.get(reverse("exchange:source", args=["housing-oa"])).status_code == 403
    assert client.post(reverse("exchange:key_issue", args=["housing-oa"])).status_code == 403
    assert SourceKey.objects.count() == 1
