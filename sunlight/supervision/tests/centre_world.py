"""A small city for the centre's tests: two departments of one region with late, nearly late
and almost-due cases, a third department in another region, and the alerts a real scan raises
over them (rules case-remind, case-yellow and case-red on)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.org.tests import factories as org_factories
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import accepted_case, at, enable_only

SCAN_AT = at(2026, 3, 17, 0, 5)


@dataclass
class World:
    office_a: Any
    office_b: Any
    office_far: Any  # in another region
    supervisor: Any
    far_supervisor: Any
    cases: dict[str, Any]


def build_world(*, scan_at: dt.datetime = SCAN_AT) -> World:
    office_a = factories.office_with_power(code="041", promised_limit=10)
    office_b = factories.office_with_power(code="042", promised_limit=10)
    far = org_factories.region("338600", "远山市")
    far_department = org_factories.department(code="043", name="远山市测试局", in_region=far)
    office_far = factories.Office(
        far_department,
        org_factories.user("clerk", department=far_department),
        org_factories.user("approver", department=far_department),
        None,
    )
    cases = {
        "a_late": accepted_case(office_a, at(2026, 3, 2)),  # deadline 03-16: red on 03-17
        "a_late_2": accepted_case(office_a, at(2026, 3, 3)),  # deadline 03-17: due today
        "b_nearly": accepted_case(office_b, at(2026, 3, 5)),  # 80% used on 03-17: yellow
        "b_fresh": accepted_case(office_b, at(2026, 3, 13)),  # nothing yet
    }
    enable_only("case-remind", "case-yellow", "case-red")
    with clock.frozen(scan_at):
        scan_run(trigger="manual")
    return World(
        office_a=office_a,
        office_b=office_b,
        office_far=office_far,
        supervisor=org_factories.user("supervisor", in_region=office_a.department.region),
        far_supervisor=org_factories.user("supervisor", in_region=far),
        cases=cases,
    )
