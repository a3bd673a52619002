"""The admins' calendar page and the workbench warning: admins list, set, clear and complete
years through the services; everyone else is turned away."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.core import clock
from sunlight.org.calendar_services import calendar_seed_from_package
from sunlight.org.models import CalendarDay, CalendarYear
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
NOVEMBER = dt.datetime(2026, 11, 24, 9, 0, tzinfo=clock.SHANGHAI)


@pytest.fixture
def admin():
    return org.user("admin", in_region=org.region(), full_name="周管理")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def seeded():
    calendar_seed_from_package(actor=None)


def test_admin_sees_the_year_exceptions(admin_client, seeded):
    page = admin_client.get(reverse("staff:calendar"), {"year": "2026"}).content.decode()
    assert "2026年的放假与调休" in page
    assert "2026-10-10" in page and "国庆节" in page and "调休上班" in page


def test_page_defaults_to_the_current_year(admin_client, seeded):
    with clock.frozen(NOVEMBER):
        response = admin_client.get(reverse("staff:calendar"), {"year": "abc"})
    assert response.context["year"] == 2026


def test_page_shows_the_november_warning(admin_client, seeded):
    with clock.frozen(NOVEMBER):
        page = admin_client.get(reverse("staff:calendar")).content.decode()
    assert "2027年节假日安排尚未录入" in page


@pytest.mark.parametrize("role", ["clerk", "approver", "legal", "supervisor"])
def test_non_admins_are_refused(client, role):
    client.force_login(org.user(role, in_region=org.region()))
    assert client.get(reverse("staff:calendar")).status_code == 403
    response = client.post(
        reverse("staff:calendar_day_save"),
        {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"},
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.exists()


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("staff:calendar"))
    assert response.status_code == 302 and reverse("staff:login") in response["Location"]


def test_admin_sets_a_day(admin_client, admin):
    response = admin_client.post(
        reverse("staff:calendar_day_save"),
        {"date": "2027-10-01", "kind": "holiday", "name": "国庆节", "year": "2027"},
    )

    assert response.status_code == 302 and response["Location"].endswith("?year=2027")
    record = CalendarDay.objects.get(date=D("2027-10-01"))
    assert (record.kind, record.name, record.updated_by) == ("holiday", "国庆节", admin)
    assert AuditEntry.objects.filter(action="org.calendar_day.saved").count() == 1


def test_refused_day_shows_the_problem_on_the_form(admin_client):
    response = admin_client.post(
        reverse("staff:calendar_day_save"),
        {"date": "2027-10-12", "kind": "workday", "name": "", "year": "2027"},
    )

    assert response.status_code == 400
    assert "本来就是工作日" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_malformed_date_is_refused_by_the_form(admin_client):
    response = admin_client.post(
        reverse("staff:calendar_day_save"), {"date": "2027-02-30", "kind": "holiday", "name": "x"}
    )
    assert response.status_code == 400
    assert not CalendarDay.objects.exists()


def test_admin_clears_a_day(admin_client, seeded):
    response = admin_client.post(reverse("staff:calendar_day_clear"), {"date": "2026-10-10"})

    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date=D("2026-10-10")).exists()


def test_clearing_a_day_without_a_setting_shows_a_message(admin_client):
    response = admin_client.post(
        reverse("staff:calendar_day_clear"), {"date": "2026-10-12"}, follow=True
    )
    assert "没有放假或调休设置" in response.content.decode()


def test_admin_marks_a_year_loaded(admin_client):
    admin_client.post(
        reverse("staff:calendar_day_save"),
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦", "year": "2027"},
    )

    response = admin_client.post(
        reverse("staff:calendar_year_loaded"), {"year": "2027", "note": "国务院办公厅通知"}
    )

    assert response.status_code == 302
    record = CalendarYear.objects.get(year=2027)
    assert (record.status, record.note) == ("loaded", "国务院办公厅通知")


def test_marking_an_empty_year_shows_why_not(admin_client):
    response = admin_client.post(reverse("staff:calendar_year_loaded"), {"year": "2028"})
    assert response.status_code == 400
    assert "还没有录入任何放假日期" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2028).exists()


def test_marking_with_a_malformed_year_changes_nothing(admin_client, seeded):
    entries = AuditEntry.objects.count()
    response = admin_client.post(reverse("staff:calendar_year_loaded"), {"year": "20x7"})
    assert response.status_code == 302
    assert AuditEntry.objects.count() == entries


def test_writes_need_post(admin_client):
    assert admin_client.get(reverse("staff:calendar_day_save")).status_code == 405
    assert admin_client.get(reverse("staff:calendar_day_clear")).status_code == 405
    assert admin_client.get(reverse("staff:calendar_year_loaded")).status_code == 405


def test_writes_need_the_csrf_token(admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post(
        reverse("staff:calendar_day_save"), {"date": "2027-10-01", "kind": "holiday", "name": "x"}
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.exists()


def test_org_home_links_to_the_calendar(admin_client):
    page = admin_client.get(reverse("staff:org_home")).content.decode()
    assert reverse("staff:calendar") in page


def test_admin_workbench_shows_the_november_warning(admin_client, seeded):
    with clock.frozen(NOVEMBER):
        page = admin_client.get(reverse("staff:home")).content.decode()
    assert "2027年节假日安排尚未录入" in page


def test_admin_workbench_has_no_warning_in_october(admin_client, seeded):
    with clock.frozen(dt.datetime(2026, 10, 20, 9, 0, tzinfo=clock.SHANGHAI)):
        response = admin_client.get(reverse("staff:home"))
    assert response.context["calendar_warning"] is None


def test_clerk_workbench_has_no_calendar_warning(client, seeded):
    client.force_login(org.user("clerk"))
    with clock.frozen(NOVEMBER):
        page = client.get(reverse("staff:home")).content.decode()
    assert "节假日安排尚未录入" not in page
