"""The staff case page and its actions: scoping (404 elsewhere), each action through its
service, errors beside the fields, escaping, document download permission, the receipt."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from sunlight.cases import services
from sunlight.cases.choices import CaseState
from sunlight.cases.models import Case, CaseDocument
from sunlight.cases.tests import factories
from sunlight.cases.tests.ui import (
    PDF,
    act_url,
    applicant_post,
    client_of,
    detail_url,
    messages_of,
    open_step,
    pdf,
    step_act_url,
)
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()  # the online application limit counts per address in the cache


@pytest.fixture
def office():
    return factories.office_with_power()


def test_case_page_needs_sign_in(office):
    case = factories.register(office)
    response = Client().get(detail_url(case))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


# ---------------------------------------------------------------- case page and actions


def test_case_of_another_department_is_not_found(office):
    case = factories.register(office)
    stranger = factories.office_with_power(code="042").clerk
    client = client_of(stranger)
    assert client.get(detail_url(case)).status_code == 404
    assert client.post(act_url(case, "accept"), {}).status_code == 404
    assert client.get(reverse("cases:receipt", args=[case.number])).status_code == 404


def test_case_page_shows_data_timeline_clock_and_highlighted_flow(office):
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    response = client_of(office.head).get(detail_url(case))
    body = response.content.decode()
    assert response.status_code == 200
    assert case.applicant_id_number in body  # staff see the full ID
    assert "办理过程" in body and "计时说明" in body
    assert re.search(r'class="[^"]*highlighted[^"]*"', body)
    assert "当前环节：审查" in body
    assert response.context["clock"].accepted is not None


def test_case_page_query_count_is_bounded(django_assert_max_num_queries):
    office = factories.office_with_power(steps=factories.PARALLEL_STEPS)
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    client = client_of(office.head)
    client.get(detail_url(case))
    # 14, plus the delivery record of the applicant notices (messages and their attempts), plus
    # the sign-in gate's look-up of the user's two-factor device, plus the publicity panel's
    # look-up of the power's 批前公示 duty.
    with django_assert_max_num_queries(18):
        response = client.get(detail_url(case))
    assert len(response.context["open_steps"]) == 2


def test_applicant_name_is_escaped_everywhere(office):
    evil = "<script>alert(1)</script>"
    case = services.case_register(
        actor=office.clerk,
        request=services.CaseRequest(
            power_code=office.code,
            applicant=factories.person(evil),
            materials=factories.all_materials(office),
        ),
    )
    client = client_of(office.clerk)
    for url in (
        detail_url(case),
        reverse("cases:workbench"),
        reverse("cases:workbench") + "?tab=all",
    ):
        body = client.get(url).content.decode()
        assert evil not in body
        assert "&lt;script&gt;" in body


def test_accept_starts_the_clock(office):
    case = factories.register(office)
    response = client_of(office.clerk).post(act_url(case, "accept"), {"accept-opinion": "材料齐全"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.promised_deadline is not None


def test_accept_with_missing_materials_is_refused_with_the_list(office):
    case = services.case_register(
        actor=office.clerk,
        request=services.CaseRequest(
            power_code=office.code, applicant=factories.person(), materials=[]
        ),
    )
    response = client_of(office.clerk).post(act_url(case, "accept"), {})
    assert response.status_code == 400
    assert "必要材料未收齐" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_refusal_without_reason_is_explained_and_with_reason_ends_the_case(office):
    case = factories.register(office)
    client = client_of(office.clerk)
    response = client.post(act_url(case, "refuse"), {"refuse-reason": " "})
    assert response.status_code == 400
    assert response.context["forms"]["refuse"].errors
    client.post(act_url(case, "refuse"), {"refuse-reason": "不属于本机关职权范围"})
    case.refresh_from_db()
    assert case.state == CaseState.NOT_ACCEPTED


def test_correction_then_correction_complete(office):
    case = services.case_register(
        actor=office.clerk,
        request=services.CaseRequest(
            power_code=office.code, applicant=factories.person(), materials=[]
        ),
    )
    client = client_of(office.clerk)
    client.post(act_url(case, "correction"), {"correction-items": "缺申请书原件"})
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION
    count = office.item.current_version.materials.count()
    data = {f"correction_complete-m{i}_original": "on" for i in range(count)}
    assert client.post(act_url(case, "correction_complete"), data).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert client.post(act_url(case, "accept"), {}).status_code == 302


def test_correction_complete_after_a_material_was_both_received_and_uploaded(office):
    data = applicant_post()
    data["materials-m0_original"] = "on"
    data["materials-m0_file"] = pdf()
    client = client_of(office.clerk)
    client.post(reverse("cases:register", args=[office.code]), data)
    case = Case.objects.get()
    client.post(act_url(case, "correction"), {"correction-items": "营业执照复印件不清晰"})
    posted = client.post(
        act_url(case, "correction_complete"),
        {"correction_complete-m0_original": "on", "correction_complete-m1_copy": "on"},
    )
    assert posted.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_head_completes_review_and_the_gateway_reads_the_field(office):
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    review = open_step(case, "审查")
    key = f"step{review.pk}-complete"
    data = {
        f"{key}-result": "1",
        f"{key}-opinion": "需要到现场核实",
        f"{key}-fields-site_inspection_required": "on",
    }
    response = client_of(office.head).post(step_act_url(review, "complete"), data)
    assert response.status_code == 302
    assert open_step(case, "现场核查")


def test_clerk_may_not_complete_the_heads_step(office):
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    review = open_step(case, "审查")
    response = client_of(office.clerk).post(
        step_act_url(review, "complete"), {f"step{review.pk}-complete-result": "1"}
    )
    assert response.status_code == 403
    assert open_step(case, "审查")


def test_completing_a_step_twice_says_it_was_already_handled(office):
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    review = open_step(case, "审查")
    data = {f"step{review.pk}-complete-result": "1"}
    client = client_of(office.head)
    assert client.post(step_act_url(review, "complete"), data).status_code == 302
    again = client.post(step_act_url(review, "complete"), data)
    assert again.status_code == 400
    assert any("已被他人办理" in m for m in messages_of(again))


def test_disagree_without_opinion_is_explained(office):
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    review = open_step(case, "审查")
    key = f"step{review.pk}-complete"
    response = client_of(office.head).post(step_act_url(review, "complete"), {f"{key}-result": "0"})
    assert response.status_code == 400
    assert "不同意时必须写明理由" in response.content.decode()


def test_send_back_reopens_the_previous_step(office):
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    services.step_complete(actor=office.head, step=open_step(case, "审查"))
    decision = open_step(case, "决定")
    key = f"step{decision.pk}-send_back"
    response = client_of(office.head).post(
        step_act_url(decision, "send_back"), {f"{key}-opinion": "审查意见不完整"}
    )
    assert response.status_code == 302
    assert open_step(case, "审查")


def test_required_step_document_must_be_uploaded_before_completing(office):
    case = factories.register(office, site_inspection_required=True)
    services.case_accept(actor=office.clerk, case=case)
    services.step_complete(actor=office.head, step=open_step(case, "审查"))
    site = open_step(case, "现场核查")
    client = client_of(office.clerk)
    key = f"step{site.pk}-complete"
    refused = client.post(step_act_url(site, "complete"), {f"{key}-result": "1"})
    assert refused.status_code == 400 and "现场核查记录" in refused.content.decode()
    upload = f"step{site.pk}-upload"
    posted = client.post(
        step_act_url(site, "upload"),
        {
            f"{upload}-name": "现场核查记录",
            f"{upload}-document_number": "清核〔2025〕1号",
            f"{upload}-file": pdf("核查记录.pdf"),
        },
    )
    assert posted.status_code == 302
    document = CaseDocument.objects.get(step=site)
    assert document.document_number == "清核〔2025〕1号"
    assert client.post(step_act_url(site, "complete"), {f"{key}-result": "1"}).status_code == 302


def test_head_starts_and_ends_a_special_procedure_and_extends(office):
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    client = client_of(office.head)
    started = client.post(
        act_url(case, "pause"),
        {"pause-procedure": "hearing", "pause-reason": "当事人申请听证", "pause-limit_days": "10"},
    )
    assert started.status_code == 302
    assert "特别程序中" in client.get(detail_url(case)).content.decode()
    assert client.post(act_url(case, "pause_end"), {}).status_code == 302
    extended = client.post(
        act_url(case, "extend"), {"extend-days": "10", "extend-reason": "情况复杂"}
    )
    assert extended.status_code == 302
    case.refresh_from_db()
    assert case.extension_days == 10


def test_clerk_may_not_start_a_special_procedure(office):
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    response = client_of(office.clerk).post(
        act_url(case, "pause"), {"pause-procedure": "hearing", "pause-reason": "听证"}
    )
    assert response.status_code == 403


def test_conclude_records_the_result(office):
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    for name in ("审查", "决定"):
        services.step_complete(actor=office.head, step=open_step(case, name))
    client = client_of(office.clerk)
    bad = client.post(
        act_url(case, "conclude"),
        {"conclude-code": "0", "conclude-decision": "granted", "conclude-fee_due": "10",
         "conclude-fee_paid": "20"},
    )  # fmt: skip
    assert bad.status_code == 400
    assert "实收金额" in str(bad.context["forms"]["conclude"].errors["fee_paid"])
    good = client.post(
        act_url(case, "conclude"),
        {"conclude-code": "0", "conclude-decision": "granted", "conclude-opinion": "准予许可",
         "conclude-fee_due": "0", "conclude-fee_paid": "0"},
    )  # fmt: skip
    assert good.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.decision) == (CaseState.CONCLUDED, "granted")


def test_penalty_conclusion_asks_for_kind_and_amount():
    office = factories.office_with_power(category="02")
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    for name in ("审查", "决定"):
        services.step_complete(actor=office.head, step=open_step(case, name))
    client = client_of(office.clerk)
    assert "处罚种类" in client.get(detail_url(case)).content.decode()
    base = {"conclude-code": "6", "conclude-decision": "penalised", "conclude-fee_due": "0",
            "conclude-fee_paid": "0"}  # fmt: skip
    refused = client.post(act_url(case, "conclude"), base)
    assert refused.status_code == 400
    assert refused.context["forms"]["conclude"].errors["penalty_kind"]
    data = {**base, "conclude-penalty_kind": "罚款", "conclude-penalty_amount": "5000"}
    assert client.post(act_url(case, "conclude"), data).status_code == 302
    case.refresh_from_db()
    assert (case.penalty_kind, str(case.penalty_amount)) == ("罚款", "5000.00")


def test_unknown_action_is_not_found(office):
    case = factories.register(office)
    assert client_of(office.clerk).post(act_url(case, "teleport"), {}).status_code == 404


def test_actions_need_a_csrf_token(office):
    case = factories.register(office)
    client = Client(enforce_csrf_checks=True)
    client.force_login(office.clerk)
    assert client.post(act_url(case, "accept"), {}).status_code == 403
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_actions_refuse_get(office):
    case = factories.register(office)
    assert client_of(office.clerk).get(act_url(case, "accept")).status_code == 405


# ---------------------------------------------------------------- documents and receipt


def _case_with_file(office):
    case = factories.register(office)
    client = client_of(office.clerk)
    client.post(
        act_url(case, "material"),
        {"material-name": office.item.current_version.materials.first().name,
         "material-file": pdf()},
    )  # fmt: skip
    return case, case.documents.exclude(sha256="").get()


def test_document_download_streams_the_file_as_an_attachment(office):
    case, document = _case_with_file(office)
    response = client_of(office.head).get(
        reverse("cases:document", args=[case.number, document.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_document_download_is_not_found_outside_the_scope(office):
    case, document = _case_with_file(office)
    stranger = factories.office_with_power(code="042").clerk
    url = reverse("cases:document", args=[case.number, document.pk])
    assert client_of(stranger).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_receipt_has_number_code_masked_applicant_and_qr(office):
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    case.refresh_from_db()
    body = (
        client_of(office.clerk).get(reverse("cases:receipt", args=[case.number])).content.decode()
    )
    assert case.number in body and case.query_code in body
    assert "张*" in body and "张三" not in body
    assert case.applicant_id_number not in body
    assert "<svg" in body and "http://testserver/progress/?number=" in body
    assert case.promised_deadline.strftime("%Y年") in body


def test_region_supervisor_may_see_a_case_page(office):
    supervisor = org.user("supervisor", in_region=office.department.region)
    case = factories.register(office)
    assert client_of(supervisor).get(detail_url(case)).status_code == 200


def test_joint_parent_page_lists_the_parts_and_offers_no_actions():
    from sunlight.cases.joint import joint_case_register, joint_item_create

    planning = factories.office_with_power(code="051")
    housing = factories.office_with_power(code="052")
    joint = joint_item_create(
        actor=None,
        name="建设项目并联审批",
        lead_department=planning.department,
        powers=[planning.item, housing.item],
        limit_days=15,
    )
    parent = joint_case_register(
        actor=planning.clerk,
        joint=joint,
        request=services.CaseRequest(
            power_code=planning.code,
            applicant=factories.person(),
            materials=factories.all_materials(planning) + factories.all_materials(housing),
        ),
    )
    response = client_of(housing.head).get(detail_url(parent))
    assert response.status_code == 200
    assert len(response.context["joint_parts"]) == 2
    assert response.context["forms"] == {} and response.context["panels"] == []
