"""A licence power that needs 批前公示 of 7 natural days (with a location), its office, the
city's districts, and a case accepted on a Monday — built through the real services."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sunlight.cases import services as case_services
from sunlight.cases.choices import CaseState, StepState
from sunlight.cases.tests import factories as case_factories
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.demo import district_outlines as demo_outlines
from sunlight.org.tests import factories as org_factories
from sunlight.publicity.district_outlines import district_outlines_check, district_outlines_load
from sunlight.publicity.services import NoticeInput, publicity_requirement_set, publicity_start

MONDAY = dt.datetime(2026, 11, 16, 10, tzinfo=SHANGHAI)
# 清源区 (338502) in the demo city's outline: a point well inside it.
SITE = {"district_code": "338502", "longitude": "119.94", "latitude": "29.45"}


@dataclass
class World:
    office: Any
    case: Any


def districts() -> None:
    """Two of the demo city's districts, their outlines loaded as an admin loads a file."""
    org_factories.region()
    for code, name in (("338502", "清源区"), ("338503", "临江区")):
        org_factories.region(code, name, parent_code="338500")
    data = demo_outlines.geojson(["338502", "338503"])
    checked = district_outlines_check(actor=None, data=data, filename="338500.json")
    district_outlines_load(actor=None, checked=checked)


def world(*, located: bool = True, days: int = 7, unit: str = "natural_day") -> World:
    districts()
    office = case_factories.office_with_power()
    with clock.frozen(MONDAY - dt.timedelta(days=3)):
        publicity_requirement_set(
            actor=None, version=office.item.current_version, window_days=days,
            window_unit=unit, located=located,
        )  # fmt: skip
    with clock.frozen(MONDAY):
        case = case_factories.register(office)
        case_services.case_accept(actor=office.clerk, case=case)
    case.refresh_from_db()
    return World(office, case)


def notice_input(**changes: Any) -> NoticeInput:
    values = {
        "title": "清源区滨江路12号商住楼建设工程规划许可",
        "summary": "建设规模：地上18层，总建筑面积2.1万平方米。",
        "address": "清源区滨江路12号",
        **SITE,
    }
    values.update(changes)
    return NoticeInput(**values)


def published(w: World, *, at: dt.datetime = MONDAY) -> Any:
    with clock.frozen(at):
        return publicity_start(actor=w.office.clerk, case=w.case, data=notice_input())


def finish_steps(w: World) -> None:
    case = w.case
    case.refresh_from_db()
    while case.state == CaseState.IN_PROGRESS:
        step = case.steps.filter(state=StepState.OPEN).order_by("id").first()
        actor = w.office.head if step.role == "approver" else w.office.clerk
        case_services.step_complete(actor=actor, step=step)
        case.refresh_from_db()
