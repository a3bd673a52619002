"""Replay shows what a rule would have raised, and matches what daily live scans did raise."""

import datetime as dt

import pytest

from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.core.errors import PermissionDenied, ValidationFailed
from sunlight.org.tests import factories as org_factories
from sunlight.supervision.checks.base import as_aware
from sunlight.supervision.models import Alert, Rule
from sunlight.supervision.replay import replay_hits, rule_replay
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import (
    accepted_case,
    at,
    conclude,
    enable_only,
    finish_flow,
    supervisor,
)

pytestmark = pytest.mark.django_db
TIME_RULES = ("case-remind", "case-yellow", "case-red", "statutory-red", "step-red", "step-yellow")


PLAN = ((0, 3), (1, None), (2, 20), (5, None), (8, 12), (9, 30))  # (accepted on day, done after)


def _events(office):
    """(moment, action): cases accepted on different days; some concluded in time, some late,
    some still open."""
    events = []
    for offset, finish_after in PLAN:
        start = at(2026, 3, 2, 9) + dt.timedelta(days=offset)
        holder: dict = {}
        events.append((start, lambda s=start, h=holder: h.update(case=accepted_case(office, s))))
        if finish_after is not None:
            done = start + dt.timedelta(days=finish_after)

            def finish(h=holder, d=done):
                finish_flow(office, h["case"], d)
                conclude(office, h["case"], d + dt.timedelta(hours=1))

            events.append((done, finish))
    return sorted(events, key=lambda event: event[0])


def _cases_over_a_month(office):
    for _, action in _events(office):
        action()


def test_replay_raises_exactly_what_daily_scans_raised():
    office = factories.office_with_power(promised_limit=10, statutory_limit=15)
    events = _events(office)
    enable_only(*TIME_RULES)
    day = dt.date(2026, 3, 2)
    while day <= dt.date(2026, 4, 30):
        # A scan at the start of every day, then that day's work.
        with clock.frozen(dt.datetime.combine(day, dt.time(0, 0, 30), tzinfo=clock.SHANGHAI)):
            scan_run()
        while events and events[0][0].astimezone(clock.SHANGHAI).date() == day:
            events.pop(0)[1]()
        day += dt.timedelta(days=1)
    with clock.frozen(at(2026, 5, 1)):
        for code in TIME_RULES:
            rule = Rule.objects.get(code=code)
            live = set(Alert.objects.filter(rule=rule).values_list("subject", "tripped_at"))
            rows = replay_hits(
                rule=rule, params=rule.params, since=dt.date(2026, 3, 2),
                until=dt.date(2026, 4, 30), department_ids=[], power_categories=[],
            )  # fmt: skip
            replayed = {(row[0], as_aware(row[7])) for row in rows}
            assert replayed == live, code
            assert live or code == "statutory-red", f"{code} raised nothing to compare"


def test_replay_with_a_lower_threshold_shows_more_yellow_lights_before_saving():
    office = factories.office_with_power(promised_limit=10)
    _cases_over_a_month(office)
    enable_only()
    rule = Rule.objects.get(code="case-yellow")
    boss = supervisor(in_region=office.department.region)
    with clock.frozen(at(2026, 5, 1)):
        strict = rule_replay(actor=boss, rule=rule, since=dt.date(2026, 3, 1),
                             until=dt.date(2026, 4, 30), params={"share": 0.95})  # fmt: skip
        loose = rule_replay(actor=boss, rule=rule, since=dt.date(2026, 3, 1),
                            until=dt.date(2026, 4, 30), params={"share": 0.5})  # fmt: skip
    assert loose.total > strict.total
    assert sum(count for _, count in loose.by_month) == loose.total
    assert loose.by_department == [(office.department.name, loose.total)]
    rule.refresh_from_db()
    assert rule.params["share"] == 0.8 and not Alert.objects.exists()


def test_replay_refuses_bad_thresholds_and_non_supervisors():
    office = factories.office_with_power()
    enable_only()
    rule = Rule.objects.get(code="case-yellow")
    boss = supervisor(in_region=office.department.region)
    with pytest.raises(ValidationFailed, match="5% 至 99%"):
        rule_replay(actor=boss, rule=rule, since=dt.date(2026, 3, 1),
                    until=dt.date(2026, 4, 30), params={"share": 1.5})  # fmt: skip
    with pytest.raises(ValidationFailed, match="开始日期"):
        rule_replay(actor=boss, rule=rule, since=dt.date(2026, 5, 1), until=dt.date(2026, 4, 30))
    clerk = org_factories.user("clerk", department=office.department)
    with pytest.raises(PermissionDenied):
        rule_replay(actor=clerk, rule=rule, since=dt.date(2026, 3, 1), until=dt.date(2026, 4, 30))
