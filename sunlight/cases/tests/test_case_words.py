"""The case pages speak the trade's language: the party of a penalty case is 当事人; the
receipt can be printed with one click; bad phone numbers are refused at the window."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from sunlight.cases.choices import Channel
from sunlight.cases.models import Case
from sunlight.cases.services import Applicant, CaseRequest, case_register
from sunlight.cases.tests import factories
from sunlight.cases.tests.ui import client_of
from sunlight.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def test_a_penalty_case_calls_the_person_the_party():
    office = factories.office_with_power(code="061", category="02")
    case = factories.register(office)
    page = client_of(office.clerk).get(reverse("cases:detail", args=[case.number]))
    text = page.content.decode()
    assert "<h2>当事人</h2>" in text and "<h2>通知当事人记录</h2>" in text
    assert "申请人" not in text.replace("申请人网上提交", "")


def test_a_licence_case_calls_the_person_the_applicant():
    office = factories.office_with_power(code="062")
    case = factories.register(office)
    page = client_of(office.clerk).get(reverse("cases:detail", args=[case.number]))
    assert "<h2>申请人</h2>" in page.content.decode()


def test_the_receipt_has_a_print_button():
    office = factories.office_with_power(code="063")
    case = factories.register(office)
    page = client_of(office.clerk).get(reverse("cases:receipt", args=[case.number]))
    assert "data-print" in page.content.decode() and "打印回执" in page.content.decode()


@pytest.mark.parametrize("phone", ["123", "abc"])
def test_a_phone_number_nobody_can_call_is_refused_and_nothing_registered(phone):
    office = factories.office_with_power(code="064")
    applicant = Applicant(
        kind="person", name="张三", id_number=factories.resident_id(), phone=phone
    )
    with pytest.raises(ValidationFailed) as refused:
        case_register(
            actor=office.clerk,
            request=CaseRequest(
                power_code=office.code, applicant=applicant, channel=Channel.WINDOW,
                materials=factories.all_materials(office),
            ),
        )  # fmt: skip
    assert [p.field for p in refused.value.problems] == ["联系电话"]
    assert not Case.objects.exists()
