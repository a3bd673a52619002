"""The public progress lookup at /progress/: what it shows (masked), what it never shows, the
same answer for an unknown number and a wrong code, the rate limits, and 补正 online."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.test import Client

from sunlight.cases import services
from sunlight.cases.choices import CaseState, DocumentKind, SpecialProcedure
from sunlight.cases.models import Case, CaseDocument
from sunlight.cases.progress import progress_link
from sunlight.cases.progress_cache import fragment_key
from sunlight.cases.receipt import PROGRESS_PATH
from sunlight.cases.tests import factories
from sunlight.cases.tests.ui import PDF, pdf
from sunlight.cases.views_progress import PER_CASE, PER_CLIENT
from sunlight.catalog.models import PowerVersion
from sunlight.config.caches import PAGES_ALIAS
from sunlight.core import clock
from sunlight.org.calendar_services import calendar_seed_from_package
from sunlight.org.models import Department
from sunlight.ratelimit.models import RateBucket
from sunlight.ratelimit.services import ratelimit_check

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def office():
    calendar_seed_from_package(actor=None)
    return factories.office_with_power()


def _get(client, case, code=None, **extra):
    return client.get(
        PROGRESS_PATH, {"number": case.number, "code": code or case.query_code}, **extra
    )


def test_receipt_address_shows_the_case_masked(office):
    with clock.frozen(T0):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
        case.refresh_from_db()
        response = _get(Client(), case)
    text = response.content.decode()
    assert response.status_code == 200
    assert case.power_version.full_name in text and case.number in text
    assert "张*" in text and "张三" not in text
    assert case.applicant_id_number not in text and "13800000000" not in text
    assert "王窗口" not in text  # staff names stay on the staff pages
    assert f"{case.promised_deadline:%Y-%m-%d}" in text
    assert f"{case.statutory_deadline:%Y-%m-%d}" in text
    assert "办理中" in text and response["Cache-Control"] == "private, no-store"


def test_unknown_number_and_wrong_code_answer_the_same(office):
    case = factories.register(office)
    client = Client()
    wrong = _get(client, case, code="ZZZZZZZZ")
    unknown = client.get(PROGRESS_PATH, {"number": "330100999999", "code": case.query_code})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.context["error"] == unknown.context["error"]
    assert case.power_version.full_name not in wrong.content.decode()


def test_guesses_past_the_limit_are_refused_even_with_the_right_code_then_allowed(office):
    case = factories.register(office)
    with clock.frozen(T0):
        for index in range(10):
            assert _get(Client(), case, code=f"WRONG{index:03d}").status_code == 404
        refused = _get(Client(), case)
    assert refused.status_code == 429
    assert "查询过于频繁" in refused.context["error"] and "分钟后再试" in refused.context["error"]
    with clock.frozen(T0 + dt.timedelta(minutes=11)):
        assert _get(Client(), case).status_code == 200


def test_one_client_is_limited_across_case_numbers(office, settings):
    settings.SUNLIGHT_TRUSTED_PROXIES = 1
    client = Client()
    with clock.frozen(T0):
        for index in range(30):
            number = f"3301001234{index:04d}"
            client.get(PROGRESS_PATH, {"number": number, "code": "AAAAAAAA"},
                       HTTP_X_FORWARDED_FOR="203.0.113.7")  # fmt: skip
        case = factories.register(office)
        assert _get(client, case, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
        assert _get(client, case, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200


def test_pauses_extension_and_conclusion_shown_without_staff_reasons(office):
    with clock.frozen(T0):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
        services.case_pause_start(
            actor=office.head,
            case=case,
            procedure=SpecialProcedure.EXPERT_REVIEW,
            reason="请赵专家评审",
            limit_days=5,
        )
        services.case_pause_end(actor=office.head, case=case)
        services.case_extend(actor=office.head, case=case, days=10, reason="内部原因")
        text = _get(Client(), case).content.decode()
    assert "特别程序：专家评审" in text and "延长审批" in text and "已批准延长 10 天" in text
    assert "赵专家" not in text and "内部原因" not in text


def test_not_accepted_shows_the_reason(office):
    case = factories.register(office)
    services.case_refuse(actor=office.clerk, case=case, reason="不属于本部门职权范围")
    text = _get(Client(), case).content.decode()
    assert "不予受理理由" in text and "不属于本部门职权范围" in text


def test_correction_materials_uploaded_online_end_the_pause(office):
    case = factories.register(office)
    services.case_request_correction(actor=office.clerk, case=case, items="请补交营业执照复印件")
    page = _get(Client(), case)
    assert "请补交营业执照复印件" in page.content.decode()
    assert page.context["correction_form"] is not None
    name = case.power_version.materials.first().name
    response = Client().post(
        "/progress/correction/",
        {"number": case.number, "code": case.query_code, "materials-m0_file": pdf()},
    )
    assert response.status_code == 302
    assert response["Location"] == progress_link(number=case.number, code=case.query_code)
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert case.pauses.get().ended_at is not None
    assert (
        CaseDocument.objects.filter(case=case, name=name, kind=DocumentKind.MATERIAL)
        .exclude(sha256="")
        .exists()
    )


def test_disguised_correction_upload_changes_nothing(office, tmp_path):
    case = factories.register(office)
    services.case_request_correction(actor=office.clerk, case=case, items="补交材料")
    before = CaseDocument.objects.count()
    response = Client().post(
        "/progress/correction/",
        {
            "number": case.number,
            "code": case.query_code,
            "materials-m0_file": pdf(),
            "materials-m1_file": pdf("伪装.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 400
    assert "内容不是允许的类型" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION and CaseDocument.objects.count() == before
    assert not list(tmp_path.rglob("*.pdf"))  # the good file of the refused form is not kept


def test_correction_upload_needs_the_right_code_and_a_file(office):
    case = factories.register(office)
    services.case_request_correction(actor=office.clerk, case=case, items="补交材料")
    wrong = Client().post("/progress/correction/", {"number": case.number, "code": "ZZZZZZZZ",
                                                     "materials-m0_file": pdf()})  # fmt: skip
    assert wrong.status_code == 404
    empty = Client().post("/progress/correction/", {"number": case.number, "code": case.query_code})
    assert empty.status_code == 400 and "请至少选择一份" in empty.content.decode()
    assert Case.objects.get(pk=case.pk).state == CaseState.CORRECTION


def test_lookup_form_on_empty_page_and_pdf_constant_unused():
    response = Client().get(PROGRESS_PATH)
    assert response.status_code == 200 and 'name="number"' in response.content.decode()
    assert PDF.startswith(b"%PDF")


# ---------------------------------------------------------------- wrong guesses only


def test_rightful_lookups_count_nothing_and_are_never_refused(office, settings):
    settings.SUNLIGHT_TRUSTED_PROXIES = 1
    case = factories.register(office)
    client = Client()
    with clock.frozen(T0):
        for _ in range(40):  # past both limits (30 per client, 10 per number)
            assert _get(client, case, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 200
    assert not RateBucket.objects.exists()


def test_a_wrong_guess_is_counted_per_client_and_per_number(office, settings):
    settings.SUNLIGHT_TRUSTED_PROXIES = 1
    case = factories.register(office)
    with clock.frozen(T0):
        _get(Client(), case, code="WRONG001", HTTP_X_FORWARDED_FOR="203.0.113.7")
        client_count = ratelimit_check(checks=[(PER_CLIENT, "203.0.113.7")]).count
        case_count = ratelimit_check(checks=[(PER_CASE, case.number)]).count
    assert client_count == case_count == 1


def test_a_wrong_correction_post_is_counted_and_writes_nothing_else(office):
    case = factories.register(office)
    services.case_request_correction(actor=office.clerk, case=case, items="请补交营业执照复印件")
    with clock.frozen(T0):
        response = Client().post(
            "/progress/correction/",
            {"number": case.number, "code": "WRONG001", "materials-m0_file": pdf()},
        )
        counted = ratelimit_check(checks=[(PER_CASE, case.number)]).count
    assert response.status_code == 404 and counted == 1
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION


# ---------------------------------------------------------------- rendered parts kept


@pytest.fixture
def kept(settings):
    settings.SUNLIGHT_PUBLIC_CACHE_SECONDS = 300
    caches[PAGES_ALIAS].clear()
    yield caches[PAGES_ALIAS]
    caches[PAGES_ALIAS].clear()


def test_the_same_case_unchanged_is_served_from_the_kept_parts(office, kept):
    with clock.frozen(T0):
        case = factories.register(office)
        first = _get(Client(), case)
        assert kept.get(fragment_key(first.context["found"])) is not None
        second = _get(Client(), case)
    assert second.content == first.content


def test_a_correction_request_shows_at_once(office, kept):
    with clock.frozen(T0):
        case = factories.register(office)
        assert "需要补正材料" not in _get(Client(), case).content.decode()
        services.case_request_correction(actor=office.clerk, case=case, items="请补交身份证复印件")
        text = _get(Client(), case).content.decode()
    assert "需要补正材料" in text and "请补交身份证复印件" in text and "补正中" in text


def test_each_step_and_the_conclusion_show_at_once(office, kept):
    with clock.frozen(T0):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
        for _ in range(5):
            before = _get(Client(), case).content.decode()
            step = case.steps.filter(state="open", kind="user_task").first()
            if step is None:
                break
            actor = office.head if step.role == "approver" else office.clerk
            services.step_complete(actor=actor, step=step)
            after = _get(Client(), case).content.decode()
            assert after != before  # the finished step shows without waiting
            case.refresh_from_db()
        services.case_conclude(
            actor=office.clerk, case=case, conclusion=services.Conclusion(fee_due=Decimal(0))
        )
        text = _get(Client(), case).content.decode()
    assert "办理结果" in text and "已办结" in text


def test_a_department_phone_change_shows_at_once(office, kept):
    with clock.frozen(T0):
        case = factories.register(office)
        _get(Client(), case)
        Department.objects.filter(pk=case.department_id).update(phone="0571-88889999")
        version = case.power_version
        PowerVersion.objects.filter(pk=version.pk).update(contact_phone="")
        text = _get(Client(), case).content.decode()
    assert "0571-88889999" in text


def test_the_kept_parts_carry_no_form_token_and_no_query_code(office, kept):
    case = factories.register(office)
    services.case_request_correction(actor=office.clerk, case=case, items="请补交营业执照复印件")
    found = _get(Client(), case).context["found"]
    summary, history = kept.get(fragment_key(found))
    for part in (summary, history):
        assert "csrfmiddlewaretoken" not in part and case.query_code not in part
        assert "张三" not in part
