"""Online applications a citizen can finish: only the applicant's case fields are asked; each
material is uploaded, declared to be brought to the window, or 容缺 on a recorded promise
where the power allows it; phone numbers checked; files checked before anything is stored."""

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.cases import services, uploads
from sunlight.cases.choices import DEFERRAL_PROMISE, CaseState, MaterialDeclaration
from sunlight.cases.models import Case, CaseDocument
from sunlight.cases.tests import factories
from sunlight.cases.tests.ui import applicant_post, client_of, online_materials, pdf
from sunlight.core.errors import ValidationFailed
from sunlight.flows.steps import Branch, StepRow

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def office():
    return factories.office_with_power()


def _apply(office, data, files=None):
    return Client().post(reverse("apply", args=[office.code]), {**data, **(files or {})})


def test_online_form_asks_the_applicant_only_what_they_can_answer():
    steps = [
        StepRow("1", "受理", "clerk", 1),
        StepRow("2", "审查", "approver", 5, branches=[
            Branch("大额", "3", "amount > 100000 and site_inspection_required == True"),
            Branch("一般", "4", "", is_default=True),
        ]),
        StepRow("3", "现场核查", "clerk", 2),
        StepRow("4", "决定", "approver", 2),
    ]  # fmt: skip
    office = factories.office_with_power(steps=steps, code="043")
    online = Client().get(reverse("apply", args=[office.code])).content.decode()
    assert "涉及金额" in online and "是否需要现场核查" not in online
    window = client_of(office.clerk).get(reverse("cases:register", args=[office.code]))
    assert "是否需要现场核查" in window.content.decode()  # the window still records both


def test_material_brought_to_the_window_is_recorded_and_checked_at_acceptance(office):
    response = _apply(office, applicant_post() | online_materials("window"))
    assert response.status_code == 302
    case = Case.objects.get()
    row = CaseDocument.objects.get(case=case, name="申请书")
    assert row.declared == MaterialDeclaration.WINDOW and not row.sha256
    with pytest.raises(ValidationFailed, match="申请书"):
        services.case_accept(actor=office.clerk, case=case)
    services.material_mark_received(
        actor=office.clerk, case=case, receipt=services.MaterialReceipt("申请书", True, True)
    )
    services.case_accept(actor=office.clerk, case=case)
    assert Case.objects.get().state == CaseState.IN_PROGRESS


def test_deferrable_material_is_accepted_on_the_recorded_promise(office):
    office.item.current_version.materials.filter(name="申请书").update(deferrable=True)
    page = Client().get(reverse("apply", args=[office.code])).content.decode()
    assert "容缺受理，承诺后补" in page and DEFERRAL_PROMISE in page
    assert _apply(office, applicant_post() | online_materials("deferred")).status_code == 302
    case = Case.objects.get()
    row = CaseDocument.objects.get(case=case, name="申请书")
    assert row.declared == MaterialDeclaration.DEFERRED and row.promise == DEFERRAL_PROMISE
    services.case_accept(actor=office.clerk, case=case)  # 容缺受理
    assert Case.objects.get().state == CaseState.IN_PROGRESS


def test_deferral_is_refused_where_the_power_does_not_allow_it(office):
    response = _apply(office, applicant_post() | online_materials("deferred"))
    assert response.status_code == 400
    assert not Case.objects.exists()
    with pytest.raises(ValidationFailed, match="不能容缺受理"):
        services.case_register(
            actor=None,
            request=services.CaseRequest(
                power_code=office.code,
                applicant=factories.person(),
                channel="1",
                materials=[services.MaterialReceipt("申请书", declared="deferred")],
            ),
        )


def test_choosing_upload_needs_a_file(office):
    response = _apply(office, applicant_post() | online_materials("upload"))
    assert response.status_code == 400
    assert "请选择“申请书”的电子件" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("phone", "message"),
    [("1380000000", "应为11位"), ("87654321", "须带区号"), ("电话", "不是有效的电话号码")],
)
def test_phone_numbers_are_checked(office, phone, message):
    response = _apply(office, applicant_post(phone=phone) | online_materials("window"))
    assert response.status_code == 400 and message in response.content.decode()
    assert not Case.objects.exists()


def test_landline_with_area_code_is_accepted(office):
    data = applicant_post(phone="0571-87654321") | online_materials("window")
    assert _apply(office, data).status_code == 302


@pytest.mark.parametrize("bad", ["disguised", "oversized", "empty"])
def test_bad_file_refuses_the_form_and_stores_nothing(office, tmp_path, monkeypatch, bad):
    monkeypatch.setattr(uploads, "MAX_BYTES", 1024)
    files = {
        "disguised": pdf("申请书.pdf", b"MZ\x90\x00 this is an executable"),
        "oversized": pdf("申请书.pdf", b"%PDF-1.4\n" + b"0" * 2048),
        "empty": pdf("申请书.pdf", b""),
    }
    data = applicant_post() | online_materials("upload", "upload")
    response = _apply(office, data, {"materials-m0_file": files[bad],
                                     "materials-m1_file": pdf("执照.pdf")})  # fmt: skip
    assert response.status_code == 400
    assert not Case.objects.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # the good file not kept either
