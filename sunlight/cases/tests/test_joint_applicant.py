"""Joint applications (联办件, 一件事) from the applicant's side: registered at the window or
applied for online; the applicant told once per event of the parent (收件, 受理 or 不予受理,
办结), never twice; online applications accepted or refused as a whole by the lead window."""

import datetime as dt

import pytest
from django.db import transaction

from sunlight.cases import notices, services
from sunlight.cases.choices import CaseState, Channel, StepState
from sunlight.cases.joint import (
    joint_case_accept,
    joint_case_refuse,
    joint_case_register,
    joint_item_create,
    joint_settle,
)
from sunlight.cases.models import Case
from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from sunlight.notifications.applicant_events import ApplicantEvent
from sunlight.notifications.models import OutboxMessage
from sunlight.org.calendar_services import calendar_seed_from_package

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SUNLIGHT_SITE_URL = "https://zw.example.gov.cn"


@pytest.fixture
def offices():
    calendar_seed_from_package(actor=None)
    planning = factories.office_with_power(code="051")
    housing = factories.office_with_power(code="052")
    joint = joint_item_create(
        actor=None,
        name="开办餐饮店一件事",
        lead_department=planning.department,
        powers=[planning.item, housing.item],
        limit_days=15,
    )
    return planning, housing, joint


def _register(planning, housing, joint, *, channel=Channel.WINDOW, actor=None):
    return joint_case_register(
        actor=actor,
        joint=joint,
        request=services.CaseRequest(
            power_code=planning.code, applicant=factories.person(), channel=channel
        ),
        materials_by_power={
            planning.code: factories.all_materials(planning),
            housing.code: factories.all_materials(housing),
        },
    )


def _told(case):
    return list(
        OutboxMessage.objects.filter(source_id=case.number, channel="sms")
        .order_by("id")
        .values_list("body", flat=True)
    )


def _finish(office, part):
    for name in ("审查", "决定"):
        (step,) = part.steps.filter(state=StepState.OPEN, name=name)
        services.step_complete(actor=office.head, step=step)
    part.refresh_from_db()
    services.case_conclude(actor=office.clerk, case=part, conclusion=services.Conclusion())


def test_window_joint_application_tells_received_accepted_and_concluded_once(offices):
    planning, housing, joint = offices
    with clock.frozen(T0):
        parent = _register(planning, housing, joint, actor=planning.clerk)
    told = _told(parent)
    assert len(told) == 2
    assert "已收件" in told[0] and "开办餐饮店一件事" in told[0] and parent.query_code in told[0]
    assert "已受理" in told[1]
    for part in parent.joint_parts.all():  # the parts' acceptance is the parent's, told once
        assert _told(part) == []
    # A retried write of the same event adds nothing.
    assert notices.case_notice(parent, ApplicantEvent.ACCEPTED) == 0
    with clock.frozen(T0 + dt.timedelta(days=1)):
        for office in (planning, housing):
            _finish(office, parent.joint_parts.get(department=office.department))
    told = _told(parent)
    assert len(told) == 3 and "已办结" in told[2] and planning.department.name in told[2]


def test_online_joint_application_waits_for_the_lead_window_then_all_parts_start(offices):
    planning, housing, joint = offices
    with clock.frozen(T0):
        parent = _register(planning, housing, joint, channel=Channel.ONLINE)
    assert parent.state == CaseState.SUBMITTED and parent.promised_deadline is None
    assert {p.state for p in parent.joint_parts.all()} == {CaseState.SUBMITTED}
    assert len(_told(parent)) == 1
    with pytest.raises((NotFound, PermissionDenied)):  # another department's clerk
        joint_case_accept(actor=housing.clerk, parent=parent)
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        joint_case_accept(actor=planning.clerk, parent=parent)
    parent.refresh_from_db()
    assert parent.state == CaseState.IN_PROGRESS and parent.promised_deadline is not None
    assert {p.state for p in parent.joint_parts.all()} == {CaseState.IN_PROGRESS}
    told = _told(parent)
    assert len(told) == 2 and "已受理" in told[1]
    with pytest.raises(InvalidTransition):
        joint_case_accept(actor=planning.clerk, parent=parent)
    assert len(_told(parent)) == 2


def test_online_joint_refusal_needs_a_reason_and_ends_every_part(offices):
    planning, housing, joint = offices
    parent = _register(planning, housing, joint, channel=Channel.ONLINE)
    with pytest.raises(ValidationFailed, match="不予受理"):
        joint_case_refuse(actor=planning.clerk, parent=parent, reason="   ")
    parent.refresh_from_db()
    assert parent.state == CaseState.SUBMITTED and len(_told(parent)) == 1
    joint_case_refuse(actor=planning.clerk, parent=parent, reason="经营场所不符合规划用途")
    assert {p.state for p in Case.objects.filter(pk=parent.pk)} == {CaseState.NOT_ACCEPTED}
    assert {p.state for p in parent.joint_parts.all()} == {CaseState.NOT_ACCEPTED}
    told = _told(parent)
    assert len(told) == 2 and "经营场所不符合规划用途" in told[1]


def test_online_joint_application_refused_when_a_part_is_not_open_online(offices):
    planning, housing, joint = offices
    version = housing.item.current_version
    version.handling_forms = "1"  # window only (test set-up, not a service path)
    version.save(update_fields=["handling_forms"])
    with pytest.raises(ValidationFailed, match="不支持网上申请"):
        _register(planning, housing, joint, channel=Channel.ONLINE)
    assert not Case.objects.exists() and not OutboxMessage.objects.exists()


def test_lookup_of_the_parent_shows_its_parts_with_their_own_links(offices, client):
    planning, housing, joint = offices
    parent = _register(planning, housing, joint, actor=planning.clerk)
    page = client.get("/progress/", {"number": parent.number, "code": parent.query_code})
    text = page.content.decode()
    assert "开办餐饮店一件事" in text and "包含事项" in text
    for part in parent.joint_parts.all():
        assert part.department.name in text and part.query_code in text


def test_a_concluded_joint_application_is_rated_once_as_a_whole(offices):
    from sunlight.feedback.jobs import rating_invitations_send

    planning, housing, joint = offices
    with clock.frozen(T0):
        parent = _register(planning, housing, joint, actor=planning.clerk)
    with clock.frozen(T0 + dt.timedelta(days=1)):
        for office in (planning, housing):
            _finish(office, parent.joint_parts.get(department=office.department))
        assert rating_invitations_send() == {"queued": 1}
    invitation = OutboxMessage.objects.get(source_type="feedback.invitation")
    assert invitation.source_id == parent.number and "开办餐饮店一件事" in invitation.body


def test_the_last_part_concluded_tells_the_whole_once_not_the_part_as_well(offices):
    planning, housing, joint = offices
    with clock.frozen(T0):
        parent = _register(planning, housing, joint, actor=planning.clerk)
    first = parent.joint_parts.get(department=planning.department)
    last = parent.joint_parts.get(department=housing.department)
    with clock.frozen(T0 + dt.timedelta(days=1)):
        _finish(planning, first)
        _finish(housing, last)
    assert len(_told(first)) == 1 and "已办结" in _told(first)[0]  # told with its own link
    assert _told(last) == []  # its 办结 is the whole's
    parent.refresh_from_db()
    assert parent.state == CaseState.CONCLUDED
    assert sum("已办结" in body for body in _told(parent)) == 1
    # Retries add nothing: the notice written again, the settling run again, 办结 clicked again.
    assert notices.case_notice(parent, ApplicantEvent.CONCLUDED) == 0
    with transaction.atomic():
        assert joint_settle(parent_id=parent.pk, now=clock.now()) is False
    with pytest.raises(InvalidTransition):
        services.case_conclude(actor=housing.clerk, case=last, conclusion=services.Conclusion())
    assert sum("已办结" in body for body in _told(parent)) == 1 and _told(last) == []
