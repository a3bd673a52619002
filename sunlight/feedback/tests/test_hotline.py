"""The 12345 desk: a case by number + the phone's last four digits, audited and limited; a
petition registered for a caller."""

import json

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.core.errors import NotFound, PermissionDenied, ValidationFailed
from sunlight.feedback.hotline import (
    WRONG_PER_CASE,
    WRONG_PER_OPERATOR,
    hotline_case_get,
    hotline_case_lookup,
)
from sunlight.feedback.models import Petition
from sunlight.feedback.petitions import PetitionInput, petition_submit
from sunlight.feedback.tests.world import world
from sunlight.ratelimit.models import RateBucket

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def test_the_right_pair_shows_the_public_view_masked(w):
    view = hotline_case_lookup(actor=w.hotline, number=w.case.number, phone_last4="0000")
    assert view.number == w.case.number and view.applicant == "张*"
    assert view.current_steps == ["审查"]
    assert "13800000000" not in repr(view) and w.case.applicant_id_number not in repr(view)
    entry = AuditEntry.objects.get(action="feedback.hotline.lookup")
    assert entry.actor_id == w.hotline.pk and json.loads(entry.data)["found"] is True


def test_a_wrong_pair_is_refused_and_audited(w):
    with pytest.raises(NotFound, match="不匹配"):
        hotline_case_lookup(actor=w.hotline, number=w.case.number, phone_last4="1234")
    assert json.loads(AuditEntry.objects.get(action="feedback.hotline.lookup").data) == {
        "found": False, "refused": False,
    }  # fmt: skip


def test_wrong_guesses_on_one_case_are_limited(w):
    for _ in range(WRONG_PER_CASE.attempts):
        with pytest.raises(NotFound):
            hotline_case_lookup(actor=w.hotline, number=w.case.number, phone_last4="1111")
    with pytest.raises(PermissionDenied, match="过多"):
        hotline_case_lookup(actor=w.hotline, number=w.case.number, phone_last4="0000")


def test_an_operator_answering_many_calls_rightly_is_never_refused(w):
    # More rightful lookups than either limit allows wrong ones, on two cases: none counted.
    for _ in range(WRONG_PER_OPERATOR.attempts + WRONG_PER_CASE.attempts + 5):
        hotline_case_lookup(actor=w.hotline, number=w.case.number, phone_last4="0000")
        hotline_case_lookup(actor=w.hotline, number=w.done.number, phone_last4="0000")
    assert not RateBucket.objects.exists()
    case = hotline_case_get(actor=w.hotline, number=w.case.number, phone_last4="0000")
    assert case == w.case


def test_a_few_wrong_pairs_do_not_hold_up_the_right_ones(w):
    for _ in range(WRONG_PER_CASE.attempts - 1):  # a caller misremembering their phone
        with pytest.raises(NotFound):
            hotline_case_lookup(actor=w.hotline, number=w.case.number, phone_last4="1111")
    for _ in range(30):
        assert hotline_case_lookup(actor=w.hotline, number=w.case.number, phone_last4="0000")


def test_wrong_pairs_past_the_operators_limit_are_refused_and_count_no_further(w):
    numbers = [f"X{n:09d}" for n in range(WRONG_PER_OPERATOR.attempts)]  # a sweep of numbers
    for number in numbers:
        with pytest.raises(NotFound):
            hotline_case_lookup(actor=w.hotline, number=number, phone_last4="1111")
    counts = dict(RateBucket.objects.values_list("key_digest", "count"))
    with pytest.raises(PermissionDenied, match="查询失败次数过多，请\\d+分钟后再试"):
        hotline_case_lookup(actor=w.hotline, number=w.case.number, phone_last4="0000")
    assert dict(RateBucket.objects.values_list("key_digest", "count")) == counts
    last = AuditEntry.objects.filter(action="feedback.hotline.lookup").latest("id")
    assert json.loads(last.data) == {"found": False, "refused": True}
    with pytest.raises(PermissionDenied, match="过多"):  # registering about a case: refused too
        hotline_case_get(actor=w.hotline, number=w.case.number, phone_last4="0000")
    assert not Petition.objects.exists()


def test_bad_input_and_other_roles_are_refused(w):
    with pytest.raises(ValidationFailed):
        hotline_case_lookup(actor=w.hotline, number="", phone_last4="12a")
    with pytest.raises(PermissionDenied):
        hotline_case_lookup(actor=w.office.clerk, number=w.case.number, phone_last4="0000")
    assert not AuditEntry.objects.filter(action="feedback.hotline.lookup").exists()


def test_the_operator_registers_a_complaint_for_a_caller(w):
    case = hotline_case_get(actor=w.hotline, number=w.case.number, phone_last4="0000")
    data = PetitionInput(
        kind="complaint", about="case", name="张三", id_number="330102199001011234",
        phone="13800000000", title="办理超时", content="来电反映办件迟迟没有结果。",
    )  # fmt: skip
    petition = petition_submit(data=data, channel="hotline", actor=w.hotline, case=case)
    assert (petition.channel, petition.registered_by, petition.case) == ("hotline", w.hotline, case)
    with pytest.raises(PermissionDenied):
        petition_submit(data=data, channel="hotline", actor=w.office.clerk, case=case)
