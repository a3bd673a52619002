"""好差评: one rating per case and stage, clear refusals with nothing written, bad ratings open
a follow-up with a working-day deadline that the department verifies and closes."""

import datetime as dt
import json

import pytest
from django.db import IntegrityError, transaction

from sunlight.audit.models import AuditEntry
from sunlight.core import clock
from sunlight.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from sunlight.feedback import links
from sunlight.feedback.models import FollowUp, Rating
from sunlight.feedback.ratings import (
    followup_close,
    followup_verify,
    rating_stages_open,
    rating_submit,
)
from sunlight.feedback.tests.world import FOLLOW_UP_DUE, RATED, world
from sunlight.notifications.models import Notification
from sunlight.org.tests import factories as org_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def _rate(case, stage="accepted", level="1", comment="", **kw):
    with clock.frozen(RATED):
        return rating_submit(case=case, stage=stage, level=level, comment=comment, **kw)


def _messages(exc):
    return {p.field: p.message for p in exc.value.problems}


def test_a_good_rating_after_acceptance_is_recorded_and_audited(w):
    rating = _rate(w.case, level="2", comment="窗口服务热情")
    assert (rating.stage, rating.level, rating.department_id) == ("accepted", "2", w.department.pk)
    assert not FollowUp.objects.exists()
    entry = AuditEntry.objects.get(action="feedback.rating.submitted")
    data = json.loads(entry.data)
    assert data["case"] == w.case.number and data["level"] == "2"


def test_the_same_stage_cannot_be_rated_twice(w):
    _rate(w.case)
    with pytest.raises(ValidationFailed) as exc:
        _rate(w.case, level="5", comment="再评一次")
    assert "已经评价过" in _messages(exc)["评价环节"]
    assert Rating.objects.count() == 1 and not FollowUp.objects.exists()


def test_the_database_refuses_a_second_rating_of_a_stage(w):
    _rate(w.case)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            case=w.case, stage="accepted", level="1", channel="web",
            department=w.department, region_code=w.case.region_code, rated_at=clock.now(),
        )  # fmt: skip


def test_conclusion_cannot_be_rated_before_the_case_is_concluded(w):
    assert [s.value for s in rating_stages_open(w.case)] == ["accepted"]
    with pytest.raises(ValidationFailed) as exc:
        _rate(w.case, stage="concluded")
    assert "尚未办结" in _messages(exc)["评价环节"]
    assert [s.value for s in rating_stages_open(w.done)] == ["accepted", "concluded"]


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("   \n\t ", None),  # blank: treated as no comment
        ("\u200b\u200b\u3000", "不能只有空格"),
        ("差" * 100_000, "不能超过500字"),
    ],
)
def test_comments_must_carry_visible_text_within_the_limit(w, comment, message):
    if message is None:
        assert _rate(w.case, comment=comment).comment == ""
        return
    with pytest.raises(ValidationFailed) as exc:
        _rate(w.case, comment=comment)
    assert message in _messages(exc)["评价内容"]
    assert not Rating.objects.exists()


def test_every_problem_is_reported_at_once(w):
    with pytest.raises(ValidationFailed) as exc:
        _rate(w.case, stage="concluded", level="9", comment="差" * 501)
    assert set(_messages(exc)) == {"评价环节", "满意程度", "评价内容"}


def test_a_bad_rating_opens_a_follow_up_due_in_fifteen_working_days(w):
    rating = _rate(w.case, level="4", comment="让我跑了三趟")
    follow_up = rating.follow_up
    assert (follow_up.state, follow_up.due_date) == ("open", FOLLOW_UP_DUE)
    assert follow_up.department_id == w.department.pk
    note = Notification.objects.get(recipient=w.office.head)
    assert "差评" in note.subject and note.link == f"/staff/feedback/follow-ups/{follow_up.pk}/"


def test_the_department_verifies_then_closes_a_follow_up(w):
    follow_up = _rate(w.case, level="5", comment="态度恶劣").follow_up
    with clock.frozen(RATED + dt.timedelta(days=1)):
        followup_verify(actor=w.office.clerk, follow_up=follow_up, finding="经查属实",
                        expected_revision=0)  # fmt: skip
        followup_close(actor=w.office.head, follow_up=follow_up, outcome="rectified",
                       measures="已对窗口人员批评教育并调岗", expected_revision=1)  # fmt: skip
    follow_up.refresh_from_db()
    assert (follow_up.state, follow_up.outcome, follow_up.closed_by) == (
        "closed", "rectified", w.office.head,
    )  # fmt: skip
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"feedback.followup.verified", "feedback.followup.closed"} <= actions


def test_another_department_cannot_handle_the_follow_up(w):
    follow_up = _rate(w.case, level="4").follow_up
    with pytest.raises(PermissionDenied):
        followup_verify(actor=w.other.clerk, follow_up=follow_up, finding="不是我们的",
                        expected_revision=0)  # fmt: skip
    supervisor = org_factories.user("supervisor", in_region=w.department.region)
    with pytest.raises(PermissionDenied):
        followup_verify(actor=supervisor, follow_up=follow_up, finding="代核实",
                        expected_revision=0)  # fmt: skip
    follow_up.refresh_from_db()
    assert follow_up.state == "open"


def test_a_stale_form_cannot_verify_twice(w):
    follow_up = _rate(w.case, level="4").follow_up
    followup_verify(actor=w.office.clerk, follow_up=follow_up, finding="经查属实",
                    expected_revision=0)  # fmt: skip
    with pytest.raises(InvalidTransition):
        followup_verify(actor=w.office.head, follow_up=follow_up, finding="重复",
                        expected_revision=0)  # fmt: skip


def test_closing_needs_an_outcome_and_measures(w):
    follow_up = _rate(w.case, level="4").follow_up
    followup_verify(actor=w.office.clerk, follow_up=follow_up, finding="经查属实",
                    expected_revision=0)  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        followup_close(actor=w.office.clerk, follow_up=follow_up, outcome="", measures=" ",
                       expected_revision=1)  # fmt: skip
    assert set(_messages(exc)) == {"整改结果", "整改措施或不属实的理由"}


def test_a_signed_link_names_its_case_and_stage_and_refuses_tampering(w, settings):
    token = links.rating_token(case=w.done, stage="concluded")
    assert links.rating_token_read(token) == (w.done, "concluded")
    with pytest.raises(NotFound, match="无效"):
        links.rating_token_read(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    settings.SUNLIGHT_RATING_LINK_DAYS = 0
    with clock.frozen(clock.now() + dt.timedelta(seconds=5)), pytest.raises(NotFound):
        links.rating_token_read(token)
