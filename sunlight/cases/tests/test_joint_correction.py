"""补正 of a whole online 一件事 bundle: the lead window says which materials each part lacks,
the applicant is told once, uploads them for every part from the parent's lookup page (or brings
them to the window), and that ends the pause on the parent and every part; bad input refused
with a message and nothing written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.cases import services
from sunlight.cases.choices import CaseState, DocumentKind, PauseKind
from sunlight.cases.joint import joint_case_accept
from sunlight.cases.joint_correction import (
    joint_case_correction_complete,
    joint_case_request_correction,
)
from sunlight.cases.models import Case, CaseDocument, CasePause
from sunlight.cases.progress import progress_link
from sunlight.cases.tests import factories
from sunlight.cases.tests.ui import act_url, applicant_post, client_of, online_materials, pdf
from sunlight.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from sunlight.notifications.models import OutboxMessage
from sunlight.org.calendar_services import calendar_seed_from_package

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def bundle():
    calendar_seed_from_package(actor=None)
    lead, other, joint = factories.restaurant_bundle()
    Client().post(
        reverse("apply_bundle", args=[joint.pk]),
        {**applicant_post(), **online_materials(), "materials-m0_file": pdf()},
    )
    parent = Case.objects.get(joint_parent__isnull=True)
    return lead, other, parent


def _part(parent, office):
    return parent.joint_parts.get(department=office.department)


def _told(case):
    return list(
        OutboxMessage.objects.filter(source_id=case.number, channel="sms")
        .order_by("id")
        .values_list("body", flat=True)
    )


def _lookup(parent):
    return Client().get("/progress/", {"number": parent.number, "code": parent.query_code})


def test_correction_of_the_whole_pauses_the_parts_named_and_tells_once(bundle):
    lead, other, parent = bundle
    part = _part(parent, other)
    joint_case_request_correction(
        actor=lead.clerk, parent=parent, items_by_part={part.number: "请补交营业执照复印件"}
    )
    parent.refresh_from_db()
    part.refresh_from_db()
    assert parent.state == part.state == CaseState.CORRECTION
    assert _part(parent, lead).state == CaseState.SUBMITTED  # lacks nothing
    assert "请补交营业执照复印件" in parent.correction_items
    assert part.power_version.full_name in parent.correction_items
    open_pauses = CasePause.objects.filter(kind=PauseKind.CORRECTION, ended_at__isnull=True)
    assert {p.case_id for p in open_pauses} == {parent.pk, part.pk}
    told = _told(parent)
    assert len(told) == 2 and "请补交营业执照复印件" in told[1]  # 收件, then the one 补正
    assert _told(part) == []
    assert AuditEntry.objects.filter(action="cases.case.joint_correction_requested").count() == 1
    with pytest.raises(InvalidTransition):  # not waiting for acceptance any more
        joint_case_accept(actor=lead.clerk, parent=parent)


def test_bad_correction_requests_are_refused_with_nothing_written(bundle):
    lead, other, parent = bundle
    part = _part(parent, other)
    before = (OutboxMessage.objects.count(), AuditEntry.objects.count())
    for items, problem in (
        ({}, "请至少为一个事项"),
        ({part.number: "   "}, "请至少为一个事项"),
        ({"B000000000": "请补交"}, "不是本联办件的事项"),
        ({part.number: "缺" * 4001}, "不能超过4000字"),
    ):
        with pytest.raises(ValidationFailed, match=problem):
            joint_case_request_correction(actor=lead.clerk, parent=parent, items_by_part=items)
    with pytest.raises((NotFound, PermissionDenied)):  # the other department's window
        joint_case_request_correction(
            actor=other.clerk, parent=parent, items_by_part={part.number: "请补交"}
        )
    with pytest.raises(InvalidTransition):  # a part is not a bundle
        joint_case_request_correction(
            actor=other.clerk, parent=part, items_by_part={part.number: "请补交"}
        )
    assert {c.state for c in Case.objects.all()} == {CaseState.SUBMITTED}
    assert not CasePause.objects.exists()
    assert (OutboxMessage.objects.count(), AuditEntry.objects.count()) == before


def test_lead_window_asks_from_the_case_page_and_closes_it_when_materials_are_brought(bundle):
    lead, other, parent = bundle
    part = _part(parent, other)
    clerk = client_of(lead.clerk)
    page = clerk.get(reverse("cases:detail", args=[parent.number])).content.decode()
    assert "一次性告知补正" in page and f"correction-part_{part.number}" in page
    empty = clerk.post(act_url(parent, "correction"), {})
    assert empty.status_code == 400
    parent.refresh_from_db()
    assert parent.state == CaseState.SUBMITTED
    response = clerk.post(
        act_url(parent, "correction"), {f"correction-part_{part.number}": "请补交场地证明"}
    )
    assert response.status_code == 302
    page = clerk.get(reverse("cases:detail", args=[parent.number])).content.decode()
    assert "补正完成" in page and "请补交场地证明" in page
    assert clerk.post(act_url(parent, "correction_complete"), {}).status_code == 302
    states = {c.state for c in Case.objects.all()}
    assert states == {CaseState.SUBMITTED}
    assert not CasePause.objects.filter(ended_at__isnull=True).exists()


def test_applicant_uploads_every_part_from_the_lookup_page_which_ends_every_pause(bundle):
    lead, other, parent = bundle
    first, second = _part(parent, lead), _part(parent, other)
    joint_case_request_correction(
        actor=lead.clerk,
        parent=parent,
        items_by_part={first.number: "请补交申请书原件扫描件", second.number: "请补交营业执照"},
    )
    text = _lookup(parent).content.decode()
    assert "需要补正材料" in text and "请补交营业执照" in text
    assert f'name="materials-{first.number}-m0_file"' in text
    assert f'name="materials-{second.number}-m0_file"' in text
    response = Client().post(
        "/progress/correction/",
        {
            "number": parent.number,
            "code": parent.query_code,
            f"materials-{first.number}-m0_file": pdf(),
            f"materials-{second.number}-m1_file": pdf("营业执照.pdf"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == progress_link(number=parent.number, code=parent.query_code)
    assert {c.state for c in Case.objects.all()} == {CaseState.SUBMITTED}
    assert not CasePause.objects.filter(ended_at__isnull=True).exists()
    assert CaseDocument.objects.filter(case=second, kind=DocumentKind.MATERIAL, sha256__gt="")
    assert AuditEntry.objects.filter(action="cases.case.joint_correction_completed").exists()
    parent.refresh_from_db()
    joint_case_accept(actor=lead.clerk, parent=parent)  # back in the lead window's queue
    assert {c.state for c in Case.objects.all()} == {CaseState.IN_PROGRESS}


def test_bad_uploads_for_a_bundle_change_nothing(bundle, tmp_path):
    lead, other, parent = bundle
    first, second = _part(parent, lead), _part(parent, other)
    joint_case_request_correction(
        actor=lead.clerk,
        parent=parent,
        items_by_part={first.number: "请补交申请书", second.number: "请补交营业执照"},
    )
    documents = CaseDocument.objects.count()
    stored = set(tmp_path.rglob("*"))
    disguised = SimpleUploadedFile("营业执照.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    base = {"number": parent.number, "code": parent.query_code}
    for files in (
        {},  # nothing chosen
        {f"materials-{first.number}-m0_file": pdf()},  # one part left without a file
        {
            f"materials-{first.number}-m0_file": pdf(),
            f"materials-{second.number}-m1_file": disguised,
        },
    ):
        response = Client().post("/progress/correction/", {**base, **files})
        assert response.status_code == 400
        assert "补正材料未能提交" in response.content.decode()
    wrong = Client().post(
        "/progress/correction/",
        {"number": parent.number, "code": "WRONG001", f"materials-{first.number}-m0_file": pdf()},
    )
    assert wrong.status_code == 404
    assert {c.state for c in Case.objects.filter(pk__in=[parent.pk, first.pk, second.pk])} == {
        CaseState.CORRECTION
    }
    assert CaseDocument.objects.count() == documents
    assert set(tmp_path.rglob("*")) == stored


def test_completing_a_bundle_not_in_correction_is_refused(bundle):
    lead, _other, parent = bundle
    with pytest.raises(InvalidTransition):
        joint_case_correction_complete(actor=lead.clerk, parent=parent)


def test_a_part_waiting_with_its_bundle_is_not_decided_on_its_own(bundle):
    lead, other, parent = bundle
    part = _part(parent, other)
    for decide in (
        lambda: services.case_accept(actor=other.clerk, case=part),
        lambda: services.case_refuse(actor=other.clerk, case=part, reason="不符合"),
        lambda: services.case_request_correction(actor=other.clerk, case=part, items="补交"),
    ):
        with pytest.raises(InvalidTransition, match="牵头窗口"):
            decide()
    page = client_of(other.clerk).get(reverse("cases:detail", args=[part.number]))
    assert "一次性告知补正" not in page.content.decode()
    joint_case_request_correction(
        actor=lead.clerk, parent=parent, items_by_part={part.number: "请补交营业执照"}
    )
    part.refresh_from_db()
    with pytest.raises(InvalidTransition, match="牵头窗口"):
        services.case_correction_complete(actor=other.clerk, case=part)
    own = Client().get("/progress/", {"number": part.number, "code": part.query_code})
    assert "请在联办件的进度查询页面一并上传" in own.content.decode()
    assert own.context["correction_form"] is None
