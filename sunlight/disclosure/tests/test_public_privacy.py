"""Every public page of a small demo city, crawled as a visitor would (links from the home
page, the catalog's pages, and the progress page of every demo case with its query code):
no unmasked ID number, no applicant's phone number, no natural person's name."""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from django.db import transaction
from django.test import Client

from sunlight.cases.choices import ApplicantKind
from sunlight.cases.models import Case
from sunlight.cases.progress import progress_link
from sunlight.core.identity import resident_id_problems
from sunlight.demo.tests.helpers import seed
from sunlight.org.models import User
from sunlight.publicity.models import Objection

pytestmark = pytest.mark.django_db
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
NOT_PUBLIC = ("/staff/", "/admin/", "/static/")
MAX_PAGES = 3000


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield seed()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _crawl(client: Client, starts: list[str]) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = deque(starts)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        # Many visitors, not one: one address would soon meet the lookup's rate limit.
        visitor = f"198.51.100.{len(seen) % 250 + 1}"
        response = client.get(url, HTTP_X_FORWARDED_FOR=visitor)
        assert response.status_code in (200, 302), (url, response.status_code)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            seen[url] = ""
            continue
        text = response.content.decode()
        seen[url] = text
        parser = _Links()
        parser.feed(text)
        for href in parser.links:
            target = urldefrag(urljoin(url, href))[0]
            parsed = urlparse(target)
            if parsed.netloc or not parsed.path.startswith("/"):
                continue
            if parsed.path.startswith(NOT_PUBLIC) or target in seen:
                continue
            queue.append(target)
    return seen


def test_demo_prints_a_case_to_try_the_lookup_with(seeded):
    assert "办件进度查询" in seeded and "查询码" in seeded
    number = re.search(r"办件编号 (\d+)", seeded).group(1)
    case = Case.objects.get(number=number)
    assert f"查询码 {case.query_code}" in seeded


def test_no_personal_data_on_any_public_page(seeded, settings):
    settings.SUNLIGHT_TRUSTED_PROXIES = 1
    cases = list(Case.objects.all())
    assert cases, "the demo city has cases"
    starts = ["/", "/powers/", "/progress/", "/my/signin/", "/publicity/"]
    # The portal's columns (机构概况, 工作动态, 公告公示, 公开存档) and every page they link to.
    columns = ["/departments/", "/news/", "/notices/", "/disclosures/"]
    starts += columns
    own = {progress_link(number=c.number, code=c.query_code): c for c in cases}
    starts += list(own)
    pages = _crawl(Client(), starts)
    assert len(pages) > len(cases)
    assert any(re.fullmatch(r"/publicity/\d+/", url) for url in pages), "公示 pages crawled"
    for column in columns:
        assert any(url.startswith(column) and url != column for url in pages), column
    people = {c.applicant_name for c in cases if c.applicant_kind == ApplicantKind.PERSON}
    people |= {c.agent_name for c in cases if c.agent_name}
    people |= {u.full_name for u in User.objects.exclude(full_name="")}
    people |= set(Objection.objects.exclude(name="").values_list("name", flat=True))
    # Two-character names also occur inside ordinary words (任强 in 责任强制保险): they are
    # looked for on their own case's page; longer names on every page.
    people = {name for name in people if len(name) >= 3}
    # Organisations' names are public (个体工商户 often carry the owner's name): a person's
    # name inside one is not a leak.
    organisations = sorted(
        {c.applicant_name for c in cases if c.applicant_kind != ApplicantKind.PERSON},
        key=len,
        reverse=True,
    )
    phones = {re.sub(r"\D", "", p) for c in cases for p in (c.applicant_phone, c.agent_phone) if p}
    phones |= {re.sub(r"\D", "", p) for p in Objection.objects.values_list("contact", flat=True)}
    phones.discard("")
    found = []
    for url, text in pages.items():
        digits = re.sub(r"[\s-]", "", text)
        # A citizen ID number (valid region, birth date and check digit); an organisation's
        # 统一社会信用代码 of 18 digits is public in 双公示 and is not one.
        found += [(url, "ID", m) for m in ID_NUMBER.findall(text) if not resident_id_problems(m)]
        found += [(url, "mobile", m) for m in MOBILE.findall(text)]
        found += [(url, "phone", p) for p in phones if len(p) >= 7 and p in digits]
        plain = text
        for organisation in organisations:
            plain = plain.replace(organisation, "")
        case = own.get(url)
        names = set(people)
        if case is not None and case.applicant_kind == ApplicantKind.PERSON:
            names |= {case.applicant_name, case.agent_name} - {""}
            found += [(url, "own ID", case.applicant_id_number)] * (
                case.applicant_id_number in text
            )
        found += [(url, "name", n, _around(plain, n)) for n in names if n in plain]
    assert found == [], found[:20]


def _around(text: str, needle: str) -> str:
    at = text.find(needle)
    return re.sub(r"\s+", " ", text[max(0, at - 80) : at + 40])
