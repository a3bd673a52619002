"""Crawl every public page and download reachable from the home page (and the publication
pages): no natural person's full name, ID number or phone number appears anywhere."""

import io
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from openpyxl import load_workbook

from sunlight.cases.tests import factories as case_factories
from sunlight.publication import services
from sunlight.publication.models import DoublePublicityEntry
from sunlight.publication.tests import factories

pytestmark = pytest.mark.django_db
START = ["/", "/double-publicity/", "/statistics/?period=year", "/open-data/"]
SKIP = ("/staff/", "/admin/", "/static/", "/api/v1/docs/")
LIMIT = 300


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        sheet = load_workbook(io.BytesIO(body)).active
        return "\n".join(" ".join(str(v) for v in row if v is not None) for row in sheet.values)
    return body.decode("utf-8-sig")


@pytest.fixture
def people():
    licence = case_factories.office_with_power(code="041", category="01")
    penalty = case_factories.office_with_power(
        code="051", category="02", steps=[case_factories.LICENCE_STEPS[0]]
    )
    persons = [case_factories.person(name) for name in ("王小明", "欧阳娜娜", "李四")]
    for applicant in persons[:2]:
        factories.concluded(licence, applicant=applicant)
    factories.concluded(penalty, applicant=persons[2], conclusion=factories.fined("500"))
    services.double_publicity_collect()
    for index, entry in enumerate(DoublePublicityEntry.objects.select_related("department")):
        office = licence if entry.kind == "licence" else penalty
        services.double_publicity_publish(
            actor=office.clerk, entry_id=entry.pk, decision_number=f"清〔2026〕{index}号"
        )
    return persons


def test_no_public_page_or_download_shows_personal_data(client, people):
    secrets = set()
    for person in people:
        secrets |= {person.name, person.id_number, person.phone}
    seen, queue, pages = set(), list(START), 0
    while queue and pages < LIMIT:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200:
            continue
        pages += 1
        text = _text(response)
        leaked = [s for s in secrets if s and s in text]
        assert not leaked, f"{path} shows {leaked}"
        assert not re.search(r"\b\d{17}[\dX]\b", text), f"{path} shows a full ID number"
        if response["Content-Type"].startswith("text/html"):
            parser = _Links()
            parser.feed(text)
            for href in parser.links:
                url = urlparse(urljoin(path, href))
                if url.netloc or url.path.startswith(SKIP):
                    continue
                queue.append(url.path + (f"?{url.query}" if url.query else ""))

    assert pages > 15
    assert "/double-publicity/download.xlsx" in seen and "/open-data/statistics.csv" in seen
