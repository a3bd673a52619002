"""公示 in the read API: the list with its filters, one notice with its objections, masked; bad
filters refused with 400, unknown notices 404."""

import datetime as dt

import pytest
from django.test import Client

from sunlight.core import clock
from sunlight.publicity.services import objection_submit
from sunlight.publicity.tests.world import MONDAY, published, world

pytestmark = pytest.mark.django_db
LATER = MONDAY + dt.timedelta(days=1)


@pytest.fixture
def notice():
    w = world()
    notice = published(w)
    with clock.frozen(LATER):
        objection_submit(notice_id=notice.pk, text="电话13912345678", name="欧阳娜娜")
    return notice


def test_the_list_filters_by_stage_and_district(notice):
    client = Client()
    with clock.frozen(LATER):
        everything = client.get("/api/v1/publicity/").json()
        before = client.get("/api/v1/publicity/", {"stage": "before"}).json()
        after = client.get("/api/v1/publicity/", {"stage": "after"}).json()
        here = client.get("/api/v1/publicity/", {"district": "338502"}).json()
        elsewhere = client.get("/api/v1/publicity/", {"district": "338503"}).json()
    assert everything["count"] == before["count"] == here["count"] == 1
    assert after["count"] == elsewhere["count"] == 0
    row = everything["results"][0]
    assert row["applicant"] == "张*" and row["district"] == "清源区" and row["pending_count"] == 1


@pytest.mark.parametrize(
    "query", [{"stage": "soon"}, {"district": "33"}, {"stage": ""}, {"district": ""}]
)
def test_bad_filters_are_refused(notice, query):
    assert Client().get("/api/v1/publicity/", query).status_code == 400


def test_one_notice_with_its_objections_masked(notice):
    with clock.frozen(LATER):
        data = Client().get(f"/api/v1/publicity/{notice.pk}/").json()
    assert data["title"] == notice.title
    assert data["objections"][0]["text"] == "电话139****5678"
    assert "欧阳娜娜" not in str(data)


@pytest.mark.parametrize("notice_id", ["999999", "0", "abc", "99999999999999999999999"])
def test_unknown_notices_are_not_found(notice, notice_id):
    assert Client().get(f"/api/v1/publicity/{notice_id}/").status_code == 404
