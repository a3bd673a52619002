"""Supervision rules over the public's feedback: a bad rating's follow-up not closed by its
deadline, a consultation or complaint not answered by its deadline — each tripping the day
after its due date, and not on the due date itself; replays agree with live scans."""

import datetime as dt

import pytest

from sunlight.core import clock
from sunlight.feedback import petitions
from sunlight.feedback.ratings import followup_close, followup_verify, rating_submit
from sunlight.feedback.tests.world import FOLLOW_UP_DUE, RATED, consultation, world
from sunlight.supervision.models import Alert, Rule
from sunlight.supervision.replay import replay_hits
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import at, enable_only

pytestmark = pytest.mark.django_db


def _scan(moment: dt.datetime) -> None:
    with clock.frozen(moment):
        scan_run()


def _live(code: str) -> list[Alert]:
    return list(Alert.objects.filter(rule__code=code, state__in=("raised", "acknowledged")))


@pytest.fixture
def w():
    return world()


def _bad_rating(w):
    with clock.frozen(RATED):
        return rating_submit(case=w.case, stage="accepted", level="5", comment="态度很差")


def test_a_follow_up_open_past_its_deadline_trips_the_red_light(w):
    follow_up = _bad_rating(w).follow_up
    enable_only("follow-up-overdue")
    _scan(at(2026, 3, 31, 0, 5))
    (alert,) = _live("follow-up-overdue")
    assert (alert.subject, alert.level, alert.department_id) == (
        f"followup:{follow_up.pk}", "red", w.department.pk,
    )  # fmt: skip
    assert alert.case_id == w.case.pk and "已过" in alert.detail


def test_a_follow_up_on_its_last_day_just_misses_it(w):
    _bad_rating(w)
    enable_only("follow-up-overdue")
    _scan(at(2026, 3, 30, 23, 0))  # the due date itself: still in time
    assert _live("follow-up-overdue") == []


def test_closing_the_follow_up_clears_the_light(w):
    follow_up = _bad_rating(w).follow_up
    enable_only("follow-up-overdue")
    _scan(at(2026, 3, 31, 0, 5))
    with clock.frozen(at(2026, 3, 31, 9)):
        followup_verify(actor=w.office.clerk, follow_up=follow_up, finding="属实",
                        expected_revision=0)  # fmt: skip
        followup_close(actor=w.office.head, follow_up=follow_up, outcome="rectified",
                       measures="已整改", expected_revision=1)  # fmt: skip
    _scan(at(2026, 3, 31, 9, 5))
    assert _live("follow-up-overdue") == []
    assert Alert.objects.get(rule__code="follow-up-overdue").state == "resolved"


def test_a_consultation_unanswered_after_five_working_days_trips_the_rule(w):
    petition = consultation(w)  # due Monday 2026-03-16
    enable_only("petition-overdue")
    _scan(at(2026, 3, 16, 23, 0))
    assert _live("petition-overdue") == []
    _scan(at(2026, 3, 17, 0, 5))
    (alert,) = _live("petition-overdue")
    assert alert.subject == f"petition:{petition.pk}" and alert.level == "yellow"
    assert petition.number in alert.detail


def test_a_consultation_answered_on_its_last_day_does_not_trip(w):
    petition = consultation(w)
    with clock.frozen(at(2026, 3, 16, 17)):
        petitions.petition_sign(actor=w.office.clerk, petition=petition, expected_revision=0)
        petitions.petition_reply(actor=w.office.clerk, petition=petition, reply="答复如下……",
                                 upheld=None, expected_revision=1)  # fmt: skip
    enable_only("petition-overdue")
    _scan(at(2026, 3, 20, 10))
    assert _live("petition-overdue") == []


def test_the_rule_can_be_limited_to_complaints(w):
    consultation(w)
    enable_only("petition-overdue", petition_overdue={"kinds": ["complaint"]})
    _scan(at(2026, 3, 20, 10))
    assert _live("petition-overdue") == []


def test_a_replay_finds_what_a_live_scan_would_have_raised(w):
    late = consultation(w)  # due 2026-03-16, answered on the 18th: was late
    in_time = consultation(w)  # answered on the 12th
    with clock.frozen(at(2026, 3, 12, 10)):
        petitions.petition_sign(actor=w.office.clerk, petition=in_time, expected_revision=0)
        petitions.petition_reply(actor=w.office.clerk, petition=in_time, reply="及时的答复",
                                 upheld=None, expected_revision=1)  # fmt: skip
    with clock.frozen(at(2026, 3, 18, 10)):
        petitions.petition_sign(actor=w.office.clerk, petition=late, expected_revision=0)
        petitions.petition_reply(actor=w.office.clerk, petition=late, reply="迟到的答复",
                                 upheld=None, expected_revision=1)  # fmt: skip
    enable_only("petition-overdue")
    rule = Rule.objects.get(code="petition-overdue")
    with clock.frozen(at(2026, 4, 1, 10)):
        rows = replay_hits(
            rule=rule,
            params=rule.params,
            since=dt.date(2026, 3, 1),
            until=dt.date(2026, 3, 31),
            department_ids=[],
            power_categories=[],
        )
    assert [row[0] for row in rows] == [f"petition:{late.pk}"]
    assert FOLLOW_UP_DUE  # shared world constant
