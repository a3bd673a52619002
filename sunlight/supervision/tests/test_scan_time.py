"""Time rules: prompt, yellow, red — on the working-day clock, with pauses, incrementally."""

import datetime as dt

import pytest

from sunlight.cases import services
from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.supervision.choices import AlertState
from sunlight.supervision.models import Alert, Rule
from sunlight.supervision.rules import rule_update
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests import fixtures
from sunlight.supervision.tests.fixtures import accepted_case, at, enable_only, finish_flow

pytestmark = pytest.mark.django_db


def _live(code: str) -> list[Alert]:
    return list(
        Alert.objects.filter(rule__code=code, state__in=[AlertState.RAISED, "acknowledged"])
    )


def _scan_at(moment: dt.datetime):
    with clock.frozen(moment):
        return scan_run()


def test_red_light_comes_the_day_after_the_promised_deadline_and_not_before():
    # Given a case accepted on Monday 2026-03-02 with a 10 working-day promised limit
    office = factories.office_with_power(promised_limit=10)
    case = accepted_case(office, at(2026, 3, 2))
    assert case.promised_deadline == dt.date(2026, 3, 16)
    enable_only("case-red")
    # When scanned on the deadline day itself, then nothing; the next day, a red light
    _scan_at(at(2026, 3, 16, 23, 0))
    assert _live("case-red") == []
    result = _scan_at(at(2026, 3, 17, 0, 5))
    (alert,) = _live("case-red")
    assert result.raised == 1
    assert alert.case == case
    assert alert.tripped_at == at(2026, 3, 17, 0, 0)


def test_yellow_at_the_configured_share_of_working_days_not_one_day_earlier():
    # 10 working days from Monday 2026-03-02: 80% used after 8 working days = Thursday 03-12
    office = factories.office_with_power(promised_limit=10)
    accepted_case(office, at(2026, 3, 2))
    enable_only("case-yellow")
    _scan_at(at(2026, 3, 11, 18))
    assert _live("case-yellow") == []
    _scan_at(at(2026, 3, 12, 9))
    (alert,) = _live("case-yellow")
    assert alert.tripped_at == at(2026, 3, 12, 0, 0)


def test_yellow_turns_red_and_the_yellow_stays_on_record_resolved():
    office = factories.office_with_power(promised_limit=10)
    accepted_case(office, at(2026, 3, 2))
    enable_only("case-yellow", "case-red")
    _scan_at(at(2026, 3, 13, 9))
    assert len(_live("case-yellow")) == 1
    result = _scan_at(at(2026, 3, 17, 9))
    assert result.raised == 1 and result.resolved == 1
    assert _live("case-yellow") == []
    assert len(_live("case-red")) == 1
    yellow = Alert.objects.get(rule__code="case-yellow")
    assert yellow.state == AlertState.RESOLVED and yellow.closed_at == at(2026, 3, 17, 9)


def test_prompt_one_working_day_before_the_deadline_counts_over_the_weekend():
    # Deadline Monday 03-16: the working day before is Friday 03-13
    office = factories.office_with_power(promised_limit=10)
    accepted_case(office, at(2026, 3, 2))
    enable_only("case-remind")
    _scan_at(at(2026, 3, 12, 17))
    assert _live("case-remind") == []
    _scan_at(at(2026, 3, 13, 8))
    (alert,) = _live("case-remind")
    assert alert.tripped_at == at(2026, 3, 13, 0, 0)


def test_a_paused_case_does_not_turn_red_while_its_clock_is_stopped():
    office = factories.office_with_power(promised_limit=10)
    case = accepted_case(office, at(2026, 3, 2))
    with clock.frozen(at(2026, 3, 3)):
        services.case_pause_start(
            actor=office.head, case=case, procedure="expert_review", reason="专家评审",
            limit_days=30,
        )  # fmt: skip
    enable_only("case-red", "case-yellow")
    result = _scan_at(at(2026, 3, 20))
    assert result.raised == 0


def test_a_second_scan_with_nothing_changed_raises_nothing():
    office = factories.office_with_power(promised_limit=10)
    accepted_case(office, at(2026, 3, 2))
    enable_only("case-red", "case-yellow", "case-remind", "step-red", "step-yellow")
    first = _scan_at(at(2026, 3, 20, 9))
    second = _scan_at(at(2026, 3, 20, 9, 1))
    assert first.raised > 0
    assert (second.raised, second.resolved, second.full) == (0, 0, False)


def test_concluding_a_red_case_resolves_the_light_on_the_next_incremental_scan():
    office = factories.office_with_power(promised_limit=10)
    case = accepted_case(office, at(2026, 3, 2))
    enable_only("case-red")
    _scan_at(at(2026, 3, 18, 9))
    finish_flow(office, case, at(2026, 3, 18, 10))
    with clock.frozen(at(2026, 3, 18, 11)):
        services.case_conclude(actor=office.clerk, case=case, conclusion=services.Conclusion())
    result = _scan_at(at(2026, 3, 18, 11, 1))
    assert (result.full, result.changed_cases, result.resolved) == (False, 1, 1)
    red = Alert.objects.get(rule__code="case-red")
    assert red.state == AlertState.RESOLVED and red.tripped_at == at(2026, 3, 17, 0, 0)


def test_a_step_past_its_own_limit_turns_red_within_the_same_day():
    # The review step (审查) has 5 working days
    office = factories.office_with_power(promised_limit=30, statutory_limit=40)
    accepted_case(office, at(2026, 3, 2))
    enable_only("step-red")
    _scan_at(at(2026, 3, 9, 23, 0))
    assert _live("step-red") == []
    _scan_at(at(2026, 3, 10, 0, 30))
    (alert,) = _live("step-red")
    assert alert.step.name == "审查"


def test_lights_count_working_days_across_national_day_and_its_make_up_saturday():
    # The real 2026 calendar: 10-01..10-07 off, Saturday 10-10 worked (调休).
    from sunlight.org.calendar_selectors import calendar_cache_clear
    from sunlight.org.calendar_services import calendar_seed_from_package

    calendar_seed_from_package(actor=None)
    calendar_cache_clear()
    quick = [
        factories.StepRow("1", "受理", "clerk", 1),
        factories.StepRow("2", "决定", "approver", 4),
    ]
    office = factories.office_with_power(promised_limit=5, steps=quick)
    case = accepted_case(office, at(2026, 9, 28))  # Monday
    assert case.promised_deadline == dt.date(2026, 10, 10)  # the make-up Saturday
    enable_only("case-yellow", "case-red")
    _scan_at(at(2026, 10, 7, 9))  # a week later, but only 2 working days used
    assert _live("case-yellow") == [] and _live("case-red") == []
    _scan_at(at(2026, 10, 9, 9))  # the 4th working day: 80% of 5
    assert len(_live("case-yellow")) == 1
    _scan_at(at(2026, 10, 10, 9))  # the deadline itself, a working Saturday
    assert _live("case-red") == []
    _scan_at(at(2026, 10, 11, 9))
    assert len(_live("case-red")) == 1 and _live("case-yellow") == []


def test_a_step_yellow_light_gives_way_to_red_when_its_deadline_passes_within_the_day():
    from sunlight.flows.steps import StepRow

    hours = [
        StepRow("1", "受理", "clerk", 1),
        StepRow("2", "审查", "approver", 16, limit_unit="hour"),  # 16 office hours
        StepRow("3", "决定", "approver", 2),
    ]
    office = factories.office_with_power(steps=hours, promised_limit=30, statutory_limit=40)
    case = accepted_case(office, at(2026, 3, 2, 9))  # Monday 09:00
    (review,) = case.steps.filter(name="审查")
    assert review.deadline.astimezone(clock.SHANGHAI).date() == dt.date(2026, 3, 4)
    due = review.deadline
    enable_only("step-yellow", "step-red")
    _scan_at(due - dt.timedelta(minutes=30))
    assert len(_live("step-yellow")) == 1 and _live("step-red") == []
    result = _scan_at(due + dt.timedelta(minutes=30))  # the same day: an incremental scan
    assert not result.full
    assert len(_live("step-red")) == 1 and _live("step-yellow") == []


def test_tuning_one_rule_rechecks_it_in_full_and_leaves_the_others_incremental():
    office = factories.office_with_power(promised_limit=10)
    accepted_case(office, at(2026, 3, 2))
    enable_only("case-red", "case-yellow")
    _scan_at(at(2026, 3, 16, 9))  # yellow by now, not yet red
    assert [a.rule.code for a in Alert.objects.select_related("rule")] == ["case-yellow"]
    supervisor = fixtures.supervisor(in_region=office.department.region)
    yellow = Rule.objects.get(code="case-yellow")
    with clock.frozen(at(2026, 3, 16, 9, 30)):
        rule_update(
            actor=supervisor, rule=yellow, enabled=False, level=yellow.level,
            params=yellow.params, department_ids=[], power_categories=[],
            expected_revision=yellow.revision,
        )  # fmt: skip
    result = _scan_at(at(2026, 3, 16, 10))
    assert not result.full
    assert (result.raised, result.resolved) == (0, 1)  # the switched-off rule's light goes out
    assert _live("case-yellow") == []
    red = Rule.objects.get(code="case-red")
    with clock.frozen(at(2026, 3, 16, 10, 30)):
        rule_update(
            actor=supervisor, rule=red, enabled=True, level=red.level, params=red.params,
            department_ids=[], power_categories=[], expected_revision=red.revision,
        )  # fmt: skip
    unchanged = _scan_at(at(2026, 3, 16, 11))
    assert "case-red" in unchanged.rule_ms  # re-checked in full: its revision moved
    assert (unchanged.full, unchanged.raised, unchanged.resolved) == (False, 0, 0)
    again = _scan_at(at(2026, 3, 16, 11, 1))
    assert again.rule_ms == {}  # nothing changed, the same day: no rule has work to do
