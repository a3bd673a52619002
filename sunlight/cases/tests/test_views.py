"""Staff workbench, window registration and the public online application: pages, scoping,
CSRF, bad input kept and explained, bounded queries."""

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.cases import services, views_public
from sunlight.cases.choices import CaseState, Channel, DocumentKind
from sunlight.cases.models import Case
from sunlight.cases.tests import factories
from sunlight.cases.tests.ui import (
    applicant_post,
    client_of,
    detail_url,
    online_materials,
    pdf,
)
from sunlight.core import clock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def office():
    return factories.office_with_power()


# ---------------------------------------------------------------- workbench


def test_workbench_needs_sign_in():
    response = Client().get(reverse("cases:workbench"))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_workbench_lists_my_todos_and_my_units(office):
    case = factories.register(office)
    mine = client_of(office.clerk).get(reverse("cases:workbench"))
    assert mine.status_code == 200
    assert case.number in mine.content.decode()
    unit = client_of(office.head).get(reverse("cases:workbench"), {"tab": "unit"})
    assert case.number in unit.content.decode()
    head_mine = client_of(office.head).get(reverse("cases:workbench"), {"tab": "mine"})
    assert case.number not in head_mine.content.decode()


def test_workbench_done_tab_lists_handled_steps(office):
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    page = client_of(office.clerk).get(reverse("cases:workbench"), {"tab": "done"}).content.decode()
    assert case.number in page and "受理" in page


def test_all_cases_tab_filters_and_marks_overdue(office):
    import datetime as dt

    from sunlight.core.clock import SHANGHAI

    with clock.frozen(dt.datetime(2025, 3, 3, 10, tzinfo=SHANGHAI)):
        late = factories.register(office)
        services.case_accept(actor=office.clerk, case=late)
        fresh = factories.register(office)
    client = client_of(office.clerk)
    with clock.frozen(dt.datetime(2025, 6, 3, 10, tzinfo=SHANGHAI)):
        page = client.get(reverse("cases:workbench"), {"tab": "all", "overdue": "on"})
    body = page.content.decode()
    assert late.number in body and fresh.number not in body
    assert "badge overdue" in body
    by_state = client.get(reverse("cases:workbench"), {"tab": "all", "state": "submitted"})
    assert fresh.number in by_state.content.decode()
    assert late.number not in by_state.content.decode()
    garbage = client.get(reverse("cases:workbench"), {"tab": "all", "received_from": "x"})
    assert garbage.status_code == 200


def test_workbench_query_count_does_not_grow_with_cases(office, django_assert_max_num_queries):
    for _ in range(3):
        factories.register(office)
    client = client_of(office.clerk)
    for tab in ("mine", "unit", "done", "all"):
        client.get(reverse("cases:workbench"), {"tab": tab})  # warm caches (session, user)
    for _ in range(12):
        services.case_accept(actor=office.clerk, case=factories.register(office))
    for tab in ("mine", "unit", "done", "all"):
        with django_assert_max_num_queries(12):
            response = client.get(reverse("cases:workbench"), {"tab": tab})
        assert response.status_code == 200


def test_workbench_pages_fifty_at_a_time(office):
    for _ in range(51):
        factories.register(office)
    client = client_of(office.clerk)
    first = client.get(reverse("cases:workbench"), {"tab": "all"})
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("cases:workbench"), {"tab": "all", "page": 2})
    assert len(second.context["page"].object_list) == 1


# ---------------------------------------------------------------- window registration


def test_register_pick_lists_only_my_departments_powers(office):
    other = factories.office_with_power(code="042")
    page = client_of(office.clerk).get(reverse("cases:register_pick")).content.decode()
    assert office.code in page and other.code not in page


def test_register_form_shows_materials_and_flow_fields(office):
    page = client_of(office.clerk).get(reverse("cases:register", args=[office.code]))
    body = page.content.decode()
    for material in office.item.current_version.materials.all():
        assert material.name in body
    assert "是否需要现场核查" in body
    assert 'name="fields-site_inspection_required"' in body


def test_register_at_the_window_with_an_uploaded_material(office):
    materials = list(office.item.current_version.materials.all())
    data = applicant_post()
    for index, _ in enumerate(materials):
        data[f"materials-m{index}_original"] = "on"
    data["materials-m0_file"] = pdf()
    data["fields-site_inspection_required"] = "on"
    response = client_of(office.clerk).post(reverse("cases:register", args=[office.code]), data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(case)
    assert (case.channel, case.state, case.fields) == (
        Channel.WINDOW,
        CaseState.SUBMITTED,
        {"site_inspection_required": True},
    )
    uploaded = case.documents.exclude(sha256="").get()
    assert (uploaded.name, uploaded.kind) == (materials[0].name, DocumentKind.MATERIAL)


def test_bad_check_digit_is_explained_beside_the_field_and_input_kept(office):
    number = factories.resident_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    data = applicant_post(id_number=wrong, name="李四")
    response = client_of(office.clerk).post(reverse("cases:register", args=[office.code]), data)
    assert response.status_code == 400
    form = response.context["forms"].applicant
    assert "id_number" in form.errors and "校验" in str(form.errors["id_number"])
    body = response.content.decode()
    assert f'value="{wrong}"' in body and 'value="李四"' in body
    assert not Case.objects.exists()


def test_disguised_upload_is_refused_and_nothing_registered(office):
    data = applicant_post()
    data["materials-m0_file"] = pdf("申请书.pdf", b"MZ\x90\x00 not a pdf")
    response = client_of(office.clerk).post(reverse("cases:register", args=[office.code]), data)
    assert response.status_code == 400
    assert "m0_file" in response.context["forms"].materials.errors
    assert not Case.objects.exists()


def test_registering_for_another_departments_power_is_not_found(office):
    other = factories.office_with_power(code="042")
    response = client_of(office.clerk).get(reverse("cases:register", args=[other.code]))
    assert response.status_code == 404


# ---------------------------------------------------------------- online application


def test_online_application_form_is_public(office):
    response = Client().get(reverse("apply", args=[office.code]))
    assert response.status_code == 200
    assert "提交申请" in response.content.decode()


def test_online_application_is_not_offered_for_window_only_powers():
    office = factories.office_with_power(code="042", handling_forms=["1"])
    assert Client().get(reverse("apply", args=[office.code])).status_code == 404


def test_online_application_creates_a_waiting_case_and_shows_the_receipt(office):
    client = Client()
    data = applicant_post(name="赵小明") | online_materials()
    data["materials-m0_file"] = pdf()
    response = client.post(reverse("apply", args=[office.code]), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.channel, case.state, case.registered_by) == (
        Channel.ONLINE,
        CaseState.SUBMITTED,
        None,
    )
    assert case.documents.exclude(sha256="").count() == 1
    receipt = client.get(response["Location"]).content.decode()
    assert case.number in receipt and case.query_code in receipt
    assert "赵**" in receipt and "赵小明" not in receipt
    assert "/staff/" not in receipt.replace('href="/staff/login/"', "")


def test_online_application_with_a_bad_id_keeps_the_input(office):
    data = applicant_post(id_number="123", name="钱多多")
    response = Client().post(reverse("apply", args=[office.code]), data)
    assert response.status_code == 400
    assert 'value="钱多多"' in response.content.decode()
    assert not Case.objects.exists()


def test_online_application_needs_a_csrf_token(office):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("apply", args=[office.code]), applicant_post())
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_online_applications_are_limited_per_address(office, monkeypatch):
    monkeypatch.setattr(views_public, "LIMIT_PER_HOUR", 1)
    client = Client()
    url = reverse("apply", args=[office.code])
    data = applicant_post() | online_materials("window")
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 429
    assert Case.objects.count() == 1


def test_receipt_of_another_browser_is_not_shown(office):
    factories.register(office)
    response = Client().get(reverse("apply_done", args=[office.code]))
    assert response.status_code == 302


def test_staff_nav_links_to_the_workbench(office):
    body = client_of(office.clerk).get(reverse("staff:home")).content.decode()
    assert reverse("cases:workbench") in body


def test_public_power_page_offers_online_application_only_where_allowed(office):
    window_only = factories.office_with_power(code="042", handling_forms=["1"])
    online = Client().get(reverse("public:power_detail", args=[office.code])).content.decode()
    assert reverse("apply", args=[office.code]) in online and "在线申请" in online
    window = Client().get(reverse("public:power_detail", args=[window_only.code]))
    assert "在线申请" not in window.content.decode()
