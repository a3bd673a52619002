"""One online form for a 一件事 bundle: the applicant's data once, a material several parts need
asked once and attached to each; the joint case waits for the lead window, which accepts it as
a whole from the case page; bad input refused with nothing written; window-only bundles have no
form."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sunlight.cases.choices import CaseState, DocumentKind
from sunlight.cases.models import Case, CaseDocument
from sunlight.cases.tests import factories
from sunlight.cases.tests.ui import act_url, applicant_post, client_of, online_materials, pdf
from sunlight.notifications.models import OutboxMessage
from sunlight.org.calendar_services import calendar_seed_from_package

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def bundle():
    calendar_seed_from_package(actor=None)
    return factories.restaurant_bundle()


def _url(joint):
    return reverse("apply_bundle", args=[joint.pk])


def test_form_asks_a_shared_material_once_and_lists_every_part(bundle):
    lead, other, joint = bundle
    text = Client().get(_url(joint)).content.decode()
    assert "开办餐饮店一件事" in text and lead.department.name in text
    assert other.department.name in text
    # Both powers list 申请书 and 营业执照: one row (and one file input) each.
    assert text.count('name="materials-m0_file"') == 1
    assert 'name="materials-m2_file"' not in text
    assert "只需提交一次" in text


def test_bundle_applied_once_registers_every_part_with_the_file_attached_to_each(bundle):
    lead, other, joint = bundle
    client = Client()
    response = client.post(
        _url(joint),
        {**applicant_post(), **online_materials(), "materials-m0_file": pdf()},
    )
    assert response.status_code == 302
    parent = Case.objects.get(joint_parent__isnull=True)
    assert parent.state == CaseState.SUBMITTED and parent.joint_item == joint
    parts = list(parent.joint_parts.all())
    assert len(parts) == 2 and {p.state for p in parts} == {CaseState.SUBMITTED}
    documents = CaseDocument.objects.filter(kind=DocumentKind.MATERIAL, name="申请书")
    assert {d.case_id for d in documents} == {p.pk for p in parts}
    assert len({d.sha256 for d in documents}) == 1
    receipt = client.get(response["Location"]).content.decode()
    assert parent.number in receipt and parent.query_code in receipt and "包含事项" in receipt
    for part in parts:
        assert part.number in receipt
    assert OutboxMessage.objects.filter(source_id=parent.number).count() == 1  # 收件


def test_lead_window_accepts_the_whole_bundle_from_the_case_page(bundle):
    lead, other, joint = bundle
    Client().post(
        _url(joint), {**applicant_post(), **online_materials(), "materials-m0_file": pdf()}
    )
    parent = Case.objects.get(joint_parent__isnull=True)
    clerk = client_of(lead.clerk)
    page = clerk.get(reverse("cases:detail", args=[parent.number])).content.decode()
    assert "受理" in page and "必要材料未收齐" not in page
    response = clerk.post(act_url(parent, "accept"), {"accept-opinion": ""})
    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.state == CaseState.IN_PROGRESS and parent.promised_deadline is not None
    assert {p.state for p in parent.joint_parts.all()} == {CaseState.IN_PROGRESS}


def test_bad_input_is_refused_with_a_message_and_nothing_written(bundle, tmp_path):
    lead, other, joint = bundle
    client = Client()
    disguised = SimpleUploadedFile("申请书.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    for data in (
        {**applicant_post(name=""), **online_materials(), "materials-m0_file": pdf()},
        {**applicant_post(phone="12345"), **online_materials(), "materials-m0_file": pdf()},
        {**applicant_post(), **online_materials(), "materials-m0_file": disguised},
        {**applicant_post(), **online_materials()},  # 申请书 neither uploaded nor declared
    ):
        response = client.post(_url(joint), data)
        assert response.status_code == 400
        assert "提交未成功" in response.content.decode()
    assert not Case.objects.exists() and not CaseDocument.objects.exists()
    assert not list(tmp_path.rglob("*.pdf"))


def test_a_bundle_with_a_window_only_power_has_no_form(bundle):
    lead, other, joint = bundle
    version = other.item.current_version
    version.handling_forms = "1"  # window only (test set-up)
    version.save(update_fields=["handling_forms"])
    assert Client().get(_url(joint)).status_code == 404
    home = Client().get("/").content.decode()
    assert _url(joint) not in home
