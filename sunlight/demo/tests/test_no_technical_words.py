"""No page of the demo shows a technical word: no rule code (case-red), no English error class
name (Resolver404, DoesNotExist), no package name (chinesecalendar). Crawled as each demo login
and as a visitor of the public portal, following the pages' own links."""

import html
import re
from collections import deque

import pytest
from django.db import transaction
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunlight.demo.tests.helpers import seed
from sunlight.org.models import User

pytestmark = pytest.mark.django_db

PAGES_EACH = 45
LOGINS = ["zjj_clerk", "zjj_head", "sfj_legal", "jw_supervisor", "admin"]
FORBIDDEN = [
    (
        "规则编码",
        re.compile(r"\b(?:case|step|power|order|alert|flow|entered)-[a-z]+(?:-[a-z]+)*\b"),
    ),
    (
        "英文错误类名",
        re.compile(r"\b[A-Z]\w*(?:Error|Exception|DoesNotExist|Resolver404|Http404)\b"),
    ),
    ("软件包名", re.compile(r"chinese_?calendar|networkx|lunar[-_]python|openpyxl|calamine", re.I)),
]
_SKIP = re.compile(r"logout|/documents/|\.(?:xlsx|bpmn|xml|pdf|csv|svg)$|/export|/download|/bpmn/")
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
_LINKS = re.compile(r'href="(/[^"#]*)"')


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def visible_text(page: str) -> str:
    return html.unescape(_TAGS.sub(" ", page))


def _crawl(client: Client, start: str) -> dict[str, str]:
    """Up to PAGES_EACH pages reachable from `start`, each at most once (query strings of a
    list count once per path, so one list's pages do not use up the budget)."""
    seen_paths: set[str] = set()
    queue, found = deque([start]), {}
    while queue and len(found) < PAGES_EACH:
        url = queue.popleft()
        path = url.split("?")[0]
        if path in seen_paths or _SKIP.search(path):
            continue
        seen_paths.add(path)
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        found[url] = page
        queue.extend(html.unescape(link) for link in _LINKS.findall(page))
    return found


def _technical_words(pages: dict[str, str]) -> list[str]:
    problems = []
    for url, page in pages.items():
        text = visible_text(page)
        for label, pattern in FORBIDDEN:
            for match in set(pattern.findall(text)):
                problems.append(f"{url}: {label} {match}")
    return problems


@pytest.mark.parametrize("username", LOGINS)
def test_no_staff_page_shows_a_technical_word(seeded, username):
    client = Client()
    user = User.objects.get(username=username)
    client.force_login(user)
    # The demo's supervisors and admins have authenticators: the session passed the code step.
    if device := TOTPDevice.objects.filter(user=user, confirmed=True).first():
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    pages = _crawl(client, "/staff/")
    assert len(pages) > 5
    assert _technical_words(pages) == []


def test_no_public_page_shows_a_technical_word(seeded):
    pages = _crawl(Client(), "/")
    assert len(pages) > 5
    assert _technical_words(pages) == []


def test_a_missing_page_says_so_in_words(seeded):
    client = Client()
    client.force_login(User.objects.get(username="zjj_clerk"))
    response = client.get("/staff/cases/no-such-case/")
    assert response.status_code == 404
    assert _technical_words({"/staff/cases/no-such-case/": response.content.decode()}) == []
