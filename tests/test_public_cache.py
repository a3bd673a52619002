"""The public pages' cache (core/public_cache.py), and the read API's answers kept in it: a page
is rendered once and served from memory until something is published; a publication, a change,
a suspension shows at once; nothing personal is shared between lookups; staff and pages holding
a CSRF token always render afresh."""

import time

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse

from sunlight.cases import services as case_services
from sunlight.cases.receipt import PROGRESS_PATH
from sunlight.cases.tests import factories as case_factories
from sunlight.catalog import services
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.models import PowerVersion
from sunlight.catalog.tests import factories as catalog
from sunlight.config import env
from sunlight.config.caches import caches_from
from sunlight.core import public_cache
from sunlight.core.public_cache import GENERATION_KEY, forget_generation, public_page
from sunlight.org.calendar_services import calendar_seed_from_package
from sunlight.org.tests import factories as org
from sunlight.publication import services as publication_services
from sunlight.publication.models import DoublePublicityEntry
from sunlight.publication.tests import factories as publication

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.SUNLIGHT_PUBLIC_CACHE_SECONDS = 300
    settings.SUNLIGHT_API_CACHE_SECONDS = 60
    caches["pages"].clear()
    forget_generation()  # the token read by an earlier test lived in its rolled-back database


@pytest.fixture
def housing():
    return org.department(code="012", name="清源市住房和城乡建设局")


def _publish_through_review(version):
    for action, opinion in (
        (TransitionAction.SUBMIT, ""),
        (TransitionAction.SIGN_OFF, "同意"),
        (TransitionAction.LEGAL_APPROVE, "合法"),
        (TransitionAction.PUBLISH, ""),
    ):
        version.refresh_from_db()
        services.power_version_transition(
            actor=None, version=version, action=action, opinion=opinion
        )


def test_second_request_is_served_from_the_cache(housing, django_assert_max_num_queries):
    item = catalog.published_item(department=housing, name="城镇污水排入排水管网许可")
    pages = [
        reverse("public:home"),
        reverse("public:power_list") + "?q=污水",
        reverse("public:power_detail", args=[item.code]),
        PROGRESS_PATH,
    ]
    first = {page: Client().get(page) for page in pages}
    for page in pages:
        # At most the shared generation is read (once a second); nothing is rendered again.
        with django_assert_max_num_queries(1):
            again = Client().get(page)
        assert again.status_code == 200 and again.content == first[page].content
    assert "城镇污水排入排水管网许可" in first[pages[2]].content.decode()
    # Another search is another page.
    with django_assert_max_num_queries(50):
        other = Client().get(reverse("public:power_list") + "?q=不存在的事项")
    assert "城镇污水排入排水管网许可" not in other.content.decode()


def test_publication_shows_at_once(client, housing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = catalog.published_item(department=housing, name="城镇污水排入排水管网许可")
    detail = reverse("public:power_detail", args=[item.code])
    assert "城镇污水排入排水管网许可" in client.get(detail).content.decode()
    assert "城镇污水排入排水管网许可" in client.get(reverse("public:power_list")).content.decode()

    changed = catalog.draft(department=housing, code=item.code, name="城镇排水许可（修订）")
    changed.change_reason = "法规修订"
    with django_capture_on_commit_callbacks(execute=True):
        version = services.power_version_create_next(actor=None, item=item, draft=changed)
        # A draft is not public: the cached page stays right and stays cached.
    assert "城镇排水许可（修订）" not in client.get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _publish_through_review(version)

    assert "城镇排水许可（修订）" in client.get(detail).content.decode()
    listing = client.get(reverse("public:power_list")).content.decode()
    assert "城镇排水许可（修订）" in listing and "城镇污水排入排水管网许可" not in listing


def test_suspension_and_revocation_show_at_once(
    client, housing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = catalog.published_item(department=housing, name="城镇污水排入排水管网许可")
    listing = reverse("public:power_list")
    assert "城镇污水排入排水管网许可" in client.get(listing).content.decode()
    home_before = client.get(reverse("public:home")).content

    with django_capture_on_commit_callbacks(execute=True):
        services.power_item_transition(
            actor=None, item=item, action=TransitionAction.SUSPEND, reason="法律修订"
        )

    assert "城镇污水排入排水管网许可" not in client.get(listing).content.decode()
    assert client.get(reverse("public:home")).content != home_before
    with django_capture_on_commit_callbacks(execute=True):
        services.power_item_transition(
            actor=None, item=item, action=TransitionAction.RESUME, reason="修订完成"
        )
    assert "城镇污水排入排水管网许可" in client.get(listing).content.decode()


def test_publication_by_another_worker_is_seen_within_a_second(client, housing, monkeypatch):
    item = catalog.published_item(department=housing, name="城镇污水排入排水管网许可")
    detail = reverse("public:power_detail", args=[item.code])
    first = client.get(detail).content
    # Another worker published (its commit replaced the shared token; this worker's memory
    # still holds the old one): the data changed without this process hearing of it.
    PowerVersion.objects.filter(pk=item.current_version_id).update(name="另一进程发布的新名称")
    caches["default"].set(GENERATION_KEY, "published-elsewhere", None)
    assert client.get(detail).content == first
    later = time.monotonic() + public_cache.GENERATION_CHECK_SECONDS
    monkeypatch.setattr(public_cache.time, "monotonic", lambda: later)
    assert "另一进程发布的新名称" in client.get(detail).content.decode()


def test_refused_transition_keeps_the_generation(housing, django_capture_on_commit_callbacks):
    item = catalog.published_item(department=housing)
    Client().get(reverse("public:home"))
    before = caches["default"].get(GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):  # noqa: B017, PT011
        services.power_item_transition(
            actor=None, item=item, action=TransitionAction.SUSPEND, reason=""
        )
    assert caches["default"].get(GENERATION_KEY) == before


def test_signed_in_staff_always_get_a_fresh_page(housing, django_assert_max_num_queries):
    catalog.published_item(department=housing)
    staff = Client()
    staff.force_login(org.user("clerk", department=housing, full_name="王窗口"))
    staff.get(reverse("public:home"))
    anonymous = Client()
    anonymous.get(reverse("public:home"))
    with django_assert_max_num_queries(1):
        anonymous.get(reverse("public:home"))
    response = staff.get(reverse("public:home"))
    assert response.status_code == 200
    # Rendered again for the signed-in request: more than the generation was read.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        staff.get(reverse("public:home"))
    assert len(queries) > 1


def test_page_that_draws_a_csrf_token_or_sets_a_cookie_is_never_shared():
    rendered = []

    @public_page()
    def with_token(request):
        rendered.append(1)
        return HttpResponse(get_token(request))

    @public_page()
    def with_cookie(request):
        rendered.append(2)
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return response

    factory = RequestFactory()
    tokens = {with_token(factory.get("/t/")).content for _ in range(2)}
    with_cookie(factory.get("/c/"))
    with_cookie(factory.get("/c/"))
    assert rendered == [1, 1, 2, 2] and len(tokens) == 2
    # Posts never touch the cache either.
    assert with_cookie(factory.post("/c/")).status_code == 200 and rendered[-1] == 2


# ---------------------------------------------------------------- the progress lookup


@pytest.fixture
def office():
    calendar_seed_from_package(actor=None)
    return case_factories.office_with_power()


def _register(office, name):
    return case_services.case_register(
        actor=office.clerk,
        request=case_services.CaseRequest(
            power_code=office.code,
            applicant=case_factories.person(name),
            fields={},
            materials=case_factories.all_materials(office),
        ),
    )


def _lookup(case, code=None):
    return Client().get(PROGRESS_PATH, {"number": case.number, "code": code or case.query_code})


def test_lookups_never_share_one_applicants_data(office):
    first = _register(office, "张三丰")
    second = _register(office, "李四光")
    for _ in range(2):  # the second round reads the cached read models
        one, two = _lookup(first).content.decode(), _lookup(second).content.decode()
        assert "张**" in one and "李**" not in one and first.number in one
        assert "李**" in two and "张**" not in two and second.number in two
        assert second.number not in one and first.number not in two
    # The first case's number with the second case's code: the same refusal as any wrong code.
    crossed = _lookup(first, code=second.query_code)
    assert crossed.status_code == 404 and "张**" not in crossed.content.decode()
    assert crossed["Cache-Control"] == "private, no-store"
    # And the empty lookup form, cached, is never answered for a lookup.
    empty = Client().get(PROGRESS_PATH)
    assert first.number not in empty.content.decode()
    assert "张**" in _lookup(first).content.decode()


def test_lookup_shows_a_state_change_at_once(office):
    case = _register(office, "张三丰")
    assert "待受理" in _lookup(case).content.decode() or _lookup(case).status_code == 200
    before = _lookup(case).content.decode()
    case_services.case_accept(actor=office.clerk, case=case)
    after = _lookup(case).content.decode()
    assert after != before and "办理中" in after


# ---------------------------------------------------------------- configuration


def test_cache_url_choices():
    assert caches_from("")["default"]["BACKEND"].endswith("DatabaseCache")
    assert caches_from("locmem")["default"]["BACKEND"].endswith("LocMemCache")
    redis = caches_from("redis://127.0.0.1:6379/1")["default"]
    assert redis["BACKEND"].endswith("RedisCache") and redis["LOCATION"].endswith("/1")
    assert caches_from("")["pages"]["BACKEND"].endswith("LocMemCache")
    with pytest.raises(ImproperlyConfigured, match="SUNLIGHT_CACHE_URL"):
        caches_from("memcached://127.0.0.1")
    assert env.ENV_VARS["SUNLIGHT_CACHE_URL"] == ""


# ---------------------------------------------------------------- the read API's answers


def test_a_list_asked_again_is_served_from_the_cache(office, django_assert_max_num_queries):
    item = catalog.published_item(department=office.department, name="城镇污水排入排水管网许可")
    addresses = ["/api/v1/powers/?page_size=50", f"/api/v1/powers/{item.code}/"]
    first = {address: Client().get(address) for address in addresses}
    for address in addresses:
        assert first[address].status_code == 200
        with django_assert_max_num_queries(1):  # at most the shared generation, once a second
            again = Client().get(address)
        assert again.status_code == 200 and again.content == first[address].content
        assert again["Content-Type"] == "application/json"
    # Another query is another answer; a refused query is never kept.
    assert Client().get("/api/v1/powers/?page_size=1").json()["count"] == 2
    assert Client().get("/api/v1/powers/?page_size=x").status_code == 400
    assert Client().get("/api/v1/powers/?page_size=x").status_code == 400


def test_a_publication_is_served_at_once(office, django_capture_on_commit_callbacks):
    before = Client().get("/api/v1/powers/").json()["count"]
    with django_capture_on_commit_callbacks(execute=True):
        catalog.published_item(department=office.department, name="新公开的事项")
    assert Client().get("/api/v1/powers/").json()["count"] == before + 1


def test_a_double_publicity_entry_published_or_withdrawn_is_served_at_once(
    office, django_capture_on_commit_callbacks
):
    case = publication.concluded(office)
    publication_services.double_publicity_collect()
    entry = DoublePublicityEntry.objects.get(case=case)
    assert Client().get("/api/v1/double-publicity/").json()["count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        publication_services.double_publicity_publish(
            actor=office.clerk, entry_id=entry.pk, decision_number="测许〔2026〕1号"
        )
    listed = Client().get("/api/v1/double-publicity/").json()
    assert listed["count"] == 1
    detail = f"/api/v1/double-publicity/{listed['results'][0]['id']}/"
    assert Client().get(detail).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        publication_services.double_publicity_withdraw(
            actor=office.clerk, entry_id=entry.pk, reason="撤销"
        )
    assert Client().get(detail).json() != listed["results"][0]


def test_the_setting_at_zero_turns_the_cache_off(settings, office):
    settings.SUNLIGHT_API_CACHE_SECONDS = 0
    Client().get("/api/v1/powers/")
    catalog.published_item(department=office.department, name="未经提交回调的事项")
    # No on-commit callback ran, yet the answer is fresh: nothing was kept.
    assert Client().get("/api/v1/powers/").json()["count"] == 2
