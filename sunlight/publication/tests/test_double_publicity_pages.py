"""双公示 public pages, downloads and API: published entries only, masked, nothing vanishing."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from sunlight.cases.tests import factories as case_factories
from sunlight.publication import services
from sunlight.publication.models import DoublePublicityEntry
from sunlight.publication.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    """A licence to a company and a fine on a person, published; one licence still pending."""
    licence = case_factories.office_with_power(code="041", category="01")
    penalty = case_factories.office_with_power(
        code="051", category="02", steps=[case_factories.LICENCE_STEPS[0]]
    )
    company_case = factories.concluded(licence, applicant=factories.company())
    person_case = factories.concluded(
        penalty, applicant=case_factories.person("王小明"), conclusion=factories.fined("2000")
    )
    pending_case = factories.concluded(licence, applicant=factories.company("待公示公司"))
    services.double_publicity_collect()
    entries = {}
    for case, office, number in (
        (company_case, licence, "清建许〔2026〕1号"),
        (person_case, penalty, "清市监罚〔2026〕7号"),
    ):
        entry = DoublePublicityEntry.objects.get(case=case)
        entries[number] = services.double_publicity_publish(
            actor=office.clerk, entry_id=entry.pk, decision_number=number
        )
    return {
        "licence": entries["清建许〔2026〕1号"],
        "penalty": entries["清市监罚〔2026〕7号"],
        "person_case": person_case,
        "pending_case": pending_case,
        "licence_office": licence,
    }


def test_list_shows_published_entries_masked_and_hides_pending(client, published):
    html = client.get("/double-publicity/").content.decode()

    assert "清建许〔2026〕1号" in html and "清市监罚〔2026〕7号" in html
    assert "王**" in html
    assert "王小明" not in html and published["person_case"].applicant_id_number not in html
    assert "待公示公司" not in html


def test_list_filters_by_kind(client, published):
    response = client.get("/double-publicity/", {"kind": "penalty"})

    assert [e.decision_number for e in response.context["page"].object_list] == [
        "清市监罚〔2026〕7号"
    ]


def test_a_withdrawn_entry_stays_listed_with_its_reason(client, published):
    services.double_publicity_withdraw(
        actor=published["licence_office"].clerk,
        entry_id=published["licence"].pk,
        reason="经行政复议撤销",
    )

    html = client.get("/double-publicity/").content.decode()
    detail = client.get(f"/double-publicity/{published['licence'].pk}/").content.decode()

    assert "清建许〔2026〕1号" in html and "经行政复议撤销" in html
    assert "已撤销" in detail


def test_a_corrected_entry_links_to_its_correction(client, published):
    new = services.double_publicity_correct(
        actor=published["licence_office"].clerk,
        entry_id=published["licence"].pk,
        correction=services.EntryCorrection(decision_number="清建许〔2026〕1-1号"),
        reason="文号有误",
    )

    old_page = client.get(f"/double-publicity/{published['licence'].pk}/").content.decode()

    assert "已更正" in old_page and f"/double-publicity/{new.pk}/" in old_page


def test_a_pending_entry_has_no_public_page(client, published):
    pending = DoublePublicityEntry.objects.get(case=published["pending_case"])

    assert client.get(f"/double-publicity/{pending.pk}/").status_code == 404


def test_csv_download_has_the_national_columns_and_masked_rows(client, published):
    response = client.get("/double-publicity/download.csv", {"kind": "penalty"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == [
        "类别",
        "决定文书号",
        "行政相对人名称",
        "统一社会信用代码/证件号码",
        "许可类别/处罚类别",
    ]
    assert len(rows) == 2
    assert rows[1][2] == "王**" and rows[1][7] == "2000.00"
    assert "王小明" not in text


def test_xlsx_download_opens_with_the_same_rows(client, published):
    response = client.get("/double-publicity/download.xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][1] == "决定文书号"
    assert {row[1] for row in values[1:]} == {"清建许〔2026〕1号", "清市监罚〔2026〕7号"}


def test_unknown_download_format_is_not_found(client, published):
    assert client.get("/double-publicity/download.exe").status_code == 404


def test_a_party_name_that_looks_like_a_formula_is_neutralised(client, published):
    case = factories.concluded(
        published["licence_office"], applicant=factories.company("=HYPERLINK(1)")
    )
    services.double_publicity_collect()
    entry = DoublePublicityEntry.objects.get(case=case)
    services.double_publicity_publish(
        actor=published["licence_office"].clerk, entry_id=entry.pk, decision_number="X-1"
    )

    text = b"".join(client.get("/double-publicity/download.csv").streaming_content).decode()

    assert "'=HYPERLINK(1)" in text


def test_api_lists_and_filters_the_same_entries(client, published):
    body = client.get("/api/v1/double-publicity/", {"kind": "penalty"}).json()
    detail = client.get(f"/api/v1/double-publicity/{published['licence'].pk}/").json()
    pending = DoublePublicityEntry.objects.get(case=published["pending_case"])

    assert body["count"] == 1
    assert body["results"][0]["party_name"] == "王**"
    assert body["results"][0]["amount"] == "2000.00"
    assert detail["decision_number"] == "清建许〔2026〕1号"
    assert client.get(f"/api/v1/double-publicity/{pending.pk}/").status_code == 404


def test_open_data_page_has_a_dictionary_and_downloads(client, published):
    html = client.get("/open-data/").content.decode()
    catalog_json = json.loads(b"".join(client.get("/open-data/catalog.json").streaming_content))
    dp_csv = b"".join(client.get("/open-data/double-publicity.csv").streaming_content)

    assert "数据字典" in html and "行政相对人名称" in html
    assert {row["category"] for row in catalog_json} == {"行政许可", "行政处罚"}
    assert catalog_json[0]["flow_bpmn"].endswith("/flow.bpmn")
    assert "王小明".encode() not in dp_csv and "王**".encode() in dp_csv
