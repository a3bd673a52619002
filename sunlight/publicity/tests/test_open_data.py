"""公示 in the open data: the data set is listed with its dictionary, and its downloads and
public pages never show the applicant's full name, ID number or phone, nor the objector's."""

import datetime as dt
import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from sunlight.core import clock
from sunlight.publicity.services import objection_submit
from sunlight.publicity.tests.world import MONDAY, published, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice():
    w = world()
    notice = published(w)
    with clock.frozen(MONDAY + dt.timedelta(days=1)):
        objection_submit(
            notice_id=notice.pk, text="我的电话13912345678", name="欧阳娜娜", contact="13912345678"
        )
    return w, notice


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_data_set_is_listed_and_downloads_in_three_formats(notice):
    w, n = notice
    client = Client()
    page = client.get("/open-data/").content.decode()
    assert "公示（批前、批中、批后）" in page and "/open-data/publicity.csv" in page
    with clock.frozen(MONDAY + dt.timedelta(days=1)):
        csv_text = _body(client.get("/open-data/publicity.csv")).decode("utf-8-sig")
        rows = json.loads(_body(client.get("/open-data/publicity.json")))
        sheet = load_workbook(io.BytesIO(_body(client.get("/open-data/publicity.xlsx")))).active
    assert n.title in csv_text and "批前公示" in csv_text
    records = rows if isinstance(rows, list) else rows.get("rows", rows.get("data", []))
    assert any(n.title in json.dumps(r, ensure_ascii=False) for r in records)
    cells = " ".join(str(v) for row in sheet.values for v in row if v is not None)
    assert n.title in cells
    secrets = {w.case.applicant_name, w.case.applicant_id_number, w.case.applicant_phone,
               "欧阳娜娜", "13912345678"}  # fmt: skip
    for text in (csv_text, json.dumps(rows, ensure_ascii=False), cells):
        assert not [s for s in secrets if s and s in text]


def test_the_public_pages_show_no_personal_data(notice):
    w, n = notice
    secrets = {w.case.applicant_name, w.case.applicant_id_number, w.case.applicant_phone,
               "欧阳娜娜", "13912345678"}  # fmt: skip
    with clock.frozen(MONDAY + dt.timedelta(days=1)):
        for path in ("/publicity/", f"/publicity/{n.pk}/", "/publicity/?stage=before"):
            text = Client().get(path).content.decode()
            assert not [s for s in secrets if s in text], path
