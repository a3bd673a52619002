"""A small world for the supervision order tests, built through the real services: a department
with a clerk and a head (approver) and a published power, a region supervisor, a case past its
promised deadline and the red alert the scan raised for it."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sunlight.cases.tests import factories
from sunlight.cases.tests.sample_files import minimal_pdf
from sunlight.core import clock
from sunlight.org.tests import factories as org_factories
from sunlight.supervision import orders
from sunlight.supervision.models import Alert, SupervisionOrder
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import accepted_case, at, enable_only

# Monday 2026-03-02: the case is accepted; its 10 working-day promise ends on 2026-03-16, the
# scan raises the red light just after midnight on the 17th and the order is issued that
# morning (a Tuesday). 2026 has no loaded calendar here: weekends alone count.
ACCEPTED = at(2026, 3, 2)
ISSUED = at(2026, 3, 17, 10)
ISSUE_DAY = dt.date(2026, 3, 17)
REPLY_DUE = dt.date(2026, 3, 24)  # five working days later

PDF = minimal_pdf()


@dataclass
class World:
    office: Any
    supervisor: Any
    case: Any

    @property
    def department(self) -> Any:
        return self.office.department

    @property
    def head(self) -> Any:
        return self.office.head

    @property
    def clerk(self) -> Any:
        return self.office.clerk


def world(code: str = "041") -> World:
    office = factories.office_with_power(code=code, promised_limit=10)
    case = accepted_case(office, ACCEPTED)
    supervisor = org_factories.user(
        "supervisor", in_region=office.department.region, full_name="赵监察"
    )
    return World(office, supervisor, case)


def red_alert(w: World) -> Alert:
    """The red light the scan raises for the world's case on the day after its deadline."""
    enable_only("case-red")
    with clock.frozen(at(2026, 3, 17, 0, 5)):
        scan_run()
    return Alert.objects.get(rule__code="case-red", case=w.case)


def issue(w: World, *, moment: dt.datetime = ISSUED, **overrides: Any) -> SupervisionOrder:
    arguments: dict[str, Any] = {
        "actor": w.supervisor,
        "department": w.department,
        "subject": f"办件 {w.case.number} 超过承诺期限",
        "suggestion": "请书面说明超期原因并提出整改措施。",
        "reply_due": REPLY_DUE,
        "case": w.case,
    }
    arguments.update(overrides)
    with clock.frozen(moment):
        return orders.order_issue(**arguments)


def reply(w: World, order: SupervisionOrder, *, moment: dt.datetime, files: Any = ()) -> Any:
    with clock.frozen(moment):
        return orders.order_reply(
            actor=w.head,
            order=order,
            explanation="承办人请假交接不及时，现已办结。",
            measures="建立到期提醒机制。",
            files=list(files),
        )


def pdf(name: str = "整改报告.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def fresh(order: SupervisionOrder) -> SupervisionOrder:
    return SupervisionOrder.objects.get(pk=order.pk)
