"""我的办件 and one-time codes: a code goes to the phone on record through the outbox (its text
hidden from admins), is stored hashed, expires, allows few tries, works once; sends are
limited per phone and hour; the list shows only the signed-in applicant's cases."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.applicants import otp
from sunlight.applicants.models import OneTimeCode
from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.core.errors import ValidationFailed
from sunlight.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
SIGNIN = "/my/signin/"


@pytest.fixture
def case():
    return factories.register(factories.office_with_power())


def _send(client, number):
    return client.post(SIGNIN, {"id_number": number, "action": "send"})


def _codes():
    return OutboxMessage.objects.filter(source_type="applicants.onetimecode")


def _sent_code() -> str:
    message = _codes().order_by("-id").first()
    return re.search(r"验证码为(\d{6})", message.body).group(1)


def test_code_by_sms_then_my_cases(case):
    client = Client()
    with clock.frozen(T0):
        response = _send(client, case.applicant_id_number.lower())
        assert response.status_code == 200 and "验证码已发送" in response.content.decode()
        message = _codes().get()
        assert message.address == "13800000000" and message.sensitive and message.recipient is None
        code = _sent_code()
        row = OneTimeCode.objects.get()
        assert code not in row.code_hash and row.phone_masked == "138****0000"
        response = client.post(SIGNIN, {"id_number": case.applicant_id_number, "code": code})
        assert response.status_code == 302
        page = client.get(reverse("applicants:cases"))
    text = page.content.decode()
    assert case.number in text and case.query_code in text  # the link to its progress page
    assert case.applicant_id_number not in text


def test_wrong_code_counts_tries_then_refuses_even_the_right_one(case):
    client = Client()
    with clock.frozen(T0):
        _send(client, case.applicant_id_number)
        code = _sent_code()
        wrong = "000000" if code != "000000" else "111111"
        messages = []
        for _ in range(otp.MAX_TRIES):
            response = client.post(SIGNIN, {"id_number": case.applicant_id_number, "code": wrong})
            messages.append(response.context["form"].errors["code"][0])
        assert messages[0] == "验证码不正确，还可以再试 4 次"
        assert messages[-1] == "验证码输入错误次数过多，请重新获取"
        right = client.post(SIGNIN, {"id_number": case.applicant_id_number, "code": code})
    assert right.status_code == 400 and "错误次数过多" in right.content.decode()
    assert client.get(reverse("applicants:cases")).status_code == 302


def test_expired_and_reused_codes_are_refused(case):
    subject = case.applicant_id_number
    with clock.frozen(T0):
        otp.otp_send(purpose="my_cases", subject=subject, phone="13800000000", client="1.1.1.1")
        code = _sent_code()
    with clock.frozen(T0 + otp.CODE_TTL), pytest.raises(ValidationFailed, match="已过期"):
        otp.otp_verify(purpose="my_cases", subject=subject, code=code)
    with clock.frozen(T0):
        otp.otp_send(purpose="my_cases", subject=subject, phone="13800000000", client="1.1.1.1")
        fresh = _sent_code()
        otp.otp_verify(purpose="my_cases", subject=subject, code=fresh)
        with pytest.raises(ValidationFailed, match="已使用过"):
            otp.otp_verify(purpose="my_cases", subject=subject, code=fresh)
        # A code of another purpose is no key here.
        with pytest.raises(ValidationFailed, match="请先获取"):
            otp.otp_verify(purpose="complaint", subject=subject, code=fresh)


def test_a_new_code_voids_the_old_one(case):
    subject = case.applicant_id_number
    with clock.frozen(T0):
        otp.otp_send(purpose="my_cases", subject=subject, phone="13800000000", client="1.1.1.1")
        first = _sent_code()
        otp.otp_send(purpose="my_cases", subject=subject, phone="13800000000", client="1.1.1.1")
        with pytest.raises(ValidationFailed):
            otp.otp_verify(purpose="my_cases", subject=subject, code=first)


def test_too_many_sends_per_phone_and_hour(case):
    client = Client()
    with clock.frozen(T0):
        for _ in range(otp.SEND_PHONE.attempts):
            assert _send(client, case.applicant_id_number).status_code == 200
        refused = _send(client, case.applicant_id_number)
        assert refused.status_code == 429 and "获取验证码过于频繁" in refused.content.decode()
        assert _codes().count() == otp.SEND_PHONE.attempts
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        assert _send(client, case.applicant_id_number).status_code == 200


def test_unknown_id_number_gets_the_same_answer_and_no_message(case):
    other = factories.resident_id(sequence="456")
    response = _send(Client(), other)
    assert response.status_code == 200 and "验证码已发送" in response.content.decode()
    assert not _codes().exists()


def test_malformed_id_number_is_explained():
    response = _send(Client(), "33010219900101123")
    assert response.status_code == 400 and "长度应为18位" in response.content.decode()


def test_sign_in_expires(case):
    client = Client()
    with clock.frozen(T0):
        _send(client, case.applicant_id_number)
        client.post(SIGNIN, {"id_number": case.applicant_id_number, "code": _sent_code()})
        assert client.get(reverse("applicants:cases")).status_code == 200
    with clock.frozen(T0 + dt.timedelta(minutes=31)):
        assert client.get(reverse("applicants:cases")).status_code == 302


def test_signed_in_applicant_opts_out_of_case_sms_and_back(case):
    from sunlight.notifications.notice_templates import sms_opted_out

    client = Client()
    assert client.post(reverse("applicants:sms"), {"sms": "off"}).status_code == 302
    assert not sms_opted_out("13800000000")  # not signed in: nothing changed
    with clock.frozen(T0):
        _send(client, case.applicant_id_number)
        client.post(SIGNIN, {"id_number": case.applicant_id_number, "code": _sent_code()})
        client.post(reverse("applicants:sms"), {"sms": "off"})
        assert sms_opted_out("13800000000")
        assert "已退订" in client.get(reverse("applicants:cases")).content.decode()
        client.post(reverse("applicants:sms"), {"sms": "on"})
    assert not sms_opted_out("13800000000")


def test_the_sign_in_boxes_are_text_inputs_so_the_site_s_input_style_applies(client):
    page = client.get(reverse("applicants:signin")).content.decode()

    boxes = re.findall(r"<input [^>]*name=\"(?:id_number|code)\"[^>]*>", page)
    assert len(boxes) == 2
    assert all('type="text"' in box for box in boxes)
