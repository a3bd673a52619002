"""A small world for the feedback tests, built through the real services: a department with a
clerk and a head and a published power, a second department of the same region, a case
accepted on Monday 2026-03-02 and one concluded, a region supervisor and a hotline operator.
2026 has no loaded calendar here: weekends alone count as days off."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.feedback.petitions import PetitionInput, petition_submit, phone_code_send
from sunlight.org.tests import factories as org_factories
from sunlight.supervision.tests.fixtures import accepted_case, at, conclude, finish_flow

ACCEPTED = at(2026, 3, 2)
CONCLUDED = at(2026, 3, 6)
RATED = at(2026, 3, 9, 11)  # a Monday
# 15 working days after Monday 2026-03-09 (weekends only): Monday 2026-03-30.
FOLLOW_UP_DUE = dt.date(2026, 3, 30)


@dataclass
class World:
    office: Any
    other: Any
    case: Any
    done: Any
    supervisor: Any
    hotline: Any

    @property
    def department(self) -> Any:
        return self.office.department


def world() -> World:
    with clock.frozen(at(2026, 2, 2)):  # published before the month scored in the tests
        office = factories.office_with_power(code="051")
        other = factories.office_with_power(code="052")
    case = accepted_case(office, ACCEPTED)
    done = accepted_case(office, ACCEPTED)
    finish_flow(office, done, at(2026, 3, 5))
    conclude(office, done, CONCLUDED)
    region = office.department.region
    supervisor = org_factories.user("supervisor", in_region=region, full_name="赵监察")
    hotline = org_factories.user("hotline", full_name="钱话务")
    return World(office, other, case, done, supervisor, hotline)


def consultation(w: World, *, moment: dt.datetime = RATED, **changes: Any):
    data = PetitionInput(
        kind="consultation", about="department", department_id=w.department.pk,
        title="办理营业执照需要哪些材料", content="请问个体户办理营业执照需要带哪些材料？",
    )  # fmt: skip
    for key, value in changes.items():
        setattr(data, key, value)
    with clock.frozen(moment):
        return petition_submit(data=data)


def sent_code(phone: str) -> str:
    """The one-time code last sent to `phone`, read from the outbox as the phone would."""
    from sunlight.notifications.models import OutboxMessage

    body = (
        OutboxMessage.objects.filter(address=phone)
        .order_by("-id")
        .values_list("body", flat=True)[0]
    )
    found = re.search(r"验证码为(\d{6})", body)
    assert found, body
    return found.group(1)


def complaint(w: World, *, moment: dt.datetime = RATED, **changes: Any):
    data = PetitionInput(
        kind="complaint", about="case", case_number=w.case.number,
        case_query_code=w.case.query_code, name="张三", id_number=factories.resident_id(),
        phone="13900001234", title="窗口人员态度差", content="窗口人员不耐烦，材料说明前后不一。",
        publish_consent=True,
    )  # fmt: skip
    for key, value in changes.items():
        setattr(data, key, value)
    with clock.frozen(moment):
        phone_code_send(phone=data.phone, client="127.0.0.1")
        return petition_submit(data=data, phone_code=sent_code(data.phone))
