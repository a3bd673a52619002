"""Notices to applicants: one SMS (and e-mail where given) per event, with the lookup link;
never two for the same event however often it is written; templates edited by admins with
their placeholders checked; SMS opt-out; the delivery record on the staff case page; the count
in `sunlight status`."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from sunlight.cases import notices, services
from sunlight.cases.choices import SpecialProcedure
from sunlight.cases.tests import factories
from sunlight.cases.tests.ui import client_of, detail_url
from sunlight.core import clock
from sunlight.core.errors import PermissionDenied, ValidationFailed
from sunlight.core.status import collect_status
from sunlight.notifications import sms
from sunlight.notifications.applicant_events import ApplicantEvent
from sunlight.notifications.choices import Channel
from sunlight.notifications.jobs import outbox_deliver
from sunlight.notifications.models import NoticeTemplate, OutboxMessage
from sunlight.notifications.notice_templates import notice_template_save, sms_opt_out_set
from sunlight.org.calendar_services import calendar_seed_from_package
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SUNLIGHT_SMS_BACKEND = "sunlight.notifications.sms.locmem.SmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SUNLIGHT_SITE_URL = "https://zw.example.gov.cn"
    sms.outbox.clear()


@pytest.fixture
def office():
    calendar_seed_from_package(actor=None)
    return factories.office_with_power()


def _notices(case, channel=Channel.SMS):
    return list(
        OutboxMessage.objects.filter(
            source_type="cases.case", source_id=case.number, channel=channel
        ).order_by("id")
    )


def test_every_event_is_told_once_with_the_lookup_link(office):
    with clock.frozen(T0):
        case = factories.register(office)
        services.case_request_correction(actor=office.clerk, case=case, items="营业执照复印件")
        services.case_correction_complete(actor=office.clerk, case=case)
        services.case_accept(actor=office.clerk, case=case)
        services.case_pause_start(
            actor=office.head,
            case=case,
            procedure=SpecialProcedure.EXPERT_REVIEW,
            reason="评审",
            limit_days=5,
        )
        services.case_pause_end(actor=office.head, case=case)
        services.case_extend(actor=office.head, case=case, days=5, reason="复杂")
    bodies = [m.body for m in _notices(case)]
    assert len(bodies) == 6
    assert "已收件" in bodies[0] and case.query_code in bodies[0]
    assert "营业执照复印件" in bodies[1]
    assert "已受理" in bodies[2] and "专家评审" in bodies[3] and "已结束" in bodies[4]
    assert "延长办理期限5天" in bodies[5]
    link = f"https://zw.example.gov.cn/progress/?number={case.number}&code={case.query_code}"
    assert all(link in body for body in bodies)
    assert all(m.address == "13800000000" and m.recipient is None for m in _notices(case))


def test_conclusion_says_how_to_collect_and_refusal_gives_the_reason(office):
    case = factories.register(office)
    services.case_refuse(actor=office.clerk, case=case, reason="不属于本部门职权")
    assert "不属于本部门职权" in _notices(case)[-1].body
    concluded = factories.register(office)
    services.case_accept(actor=office.clerk, case=concluded)
    for _ in range(5):
        step = concluded.steps.filter(state="open", kind="user_task").first()
        if step is None:
            break
        actor = office.head if step.role == "approver" else office.clerk
        services.step_complete(actor=actor, step=step)
        concluded.refresh_from_db()
    services.case_conclude(
        actor=office.clerk, case=concluded, conclusion=services.Conclusion(fee_due=Decimal(0))
    )
    body = _notices(concluded)[-1].body
    assert "已办结" in body and "准予" in body and "窗口领取" in body


def test_writing_the_same_event_again_adds_nothing(office):
    case = factories.register(office)
    assert len(_notices(case)) == 1
    assert notices.case_notice(case, ApplicantEvent.RECEIVED) == 0
    services.case_request_correction(actor=office.clerk, case=case, items="补交")
    pause = case.pauses.get()
    notices.case_notice(case, ApplicantEvent.CORRECTION, pause=pause)
    assert len(_notices(case)) == 2
    outbox_deliver()
    outbox_deliver()  # a second run of the job sends nothing twice
    assert len(sms.outbox) == 2


def test_email_where_given_and_none_for_a_landline(office):
    applicant = factories.person()
    applicant.email = "zhang@example.com"
    applicant.phone = "0571-87654321"
    case = services.case_register(
        actor=office.clerk,
        request=services.CaseRequest(power_code=office.code, applicant=applicant,
                                     materials=factories.all_materials(office)),
    )  # fmt: skip
    assert _notices(case) == []
    email = _notices(case, Channel.EMAIL)
    assert len(email) == 1 and email[0].address == "zhang@example.com"
    outbox_deliver()
    assert len(mail.outbox) == 1 and "已收件" in mail.outbox[0].subject


def test_opted_out_phone_gets_no_sms(office):
    sms_opt_out_set(phone="13800000000", opted_out=True)
    case = factories.register(office)
    assert _notices(case) == []
    sms_opt_out_set(phone="+86 138 0000 0000", opted_out=False)
    services.case_accept(actor=office.clerk, case=case)
    assert len(_notices(case)) == 1


def test_admin_edits_a_template_with_placeholders_checked(office):
    admin = org.user("admin", in_region=office.department.region)
    with pytest.raises(ValidationFailed) as refused:
        notice_template_save(
            actor=admin,
            event=ApplicantEvent.RECEIVED,
            sms_text="您好{申请人}，{不予受理理由}{办件编号.upper}",
            email_subject="",
            email_body="正文{",
        )
    messages = [p.message for p in refused.value.problems]
    assert any("不予受理理由" in m and "不支持" in m for m in messages)
    assert any("写法不对" in m for m in messages)
    assert any("邮件标题不能为空" in m for m in messages)
    assert any("花括号不配对" in m for m in messages)
    assert not NoticeTemplate.objects.exists()
    with pytest.raises(PermissionDenied):
        notice_template_save(actor=office.clerk, event="received", sms_text="x",
                             email_subject="x", email_body="x")  # fmt: skip
    notice_template_save(
        actor=admin,
        event=ApplicantEvent.RECEIVED,
        sms_text="【清源政务】{办件编号}已收件，查询：{查询链接}",
        email_subject="收件 {办件编号}",
        email_body="{申请人}您好",
    )
    case = factories.register(office)
    assert _notices(case)[0].body.startswith(f"【清源政务】{case.number}已收件")


def test_template_page_for_admins(office):
    admin = org.user("admin", in_region=office.department.region)
    client = client_of(admin)
    page = client.get("/staff/notifications/templates/")
    assert page.status_code == 200 and "补正告知" in page.content.decode()
    bad = client.post("/staff/notifications/templates/", {
        "event": "correction", "correction-sms_text": "{不存在}", "correction-email_subject": "s",
        "correction-email_body": "b"})  # fmt: skip
    assert bad.status_code == 400 and "不支持的占位符" in bad.content.decode()
    assert client_of(office.clerk).get("/staff/notifications/templates/").status_code == 403


def test_delivery_record_on_the_case_page_and_status(office):
    case = factories.register(office)
    outbox_deliver()
    text = client_of(office.clerk).get(detail_url(case)).content.decode()
    assert "通知申请人记录" in text and "138****0000" in text and "已发送" in text
    assert collect_status()["applicant_notices_sent"] == 1


def test_bad_phone_numbers_are_refused_with_the_reason(office):
    for phone, message in [
        ("1380000000", "应为11位"),
        ("12800000000", "应为11位"),
        ("87654321", "须带区号"),
        ("abc", "不是有效的电话号码"),
        ("{{7*7}}", "不是有效的电话号码"),
    ]:
        applicant = factories.person()
        applicant.phone = phone
        with pytest.raises(ValidationFailed) as refused:
            services.case_register(
                actor=office.clerk,
                request=services.CaseRequest(power_code=office.code, applicant=applicant),
            )
        assert any(message in p.message for p in refused.value.problems), phone
    assert not OutboxMessage.objects.exists()
    assert Client().get("/progress/").status_code == 200
