"""A small city for the score tests, built through the real services: two departments, their
powers (one suspended during the month), eleven cases recorded through the 补录 batch service
with known times, and supervision orders issued, escalated and answered. The month measured is
March 2026; the calendar has no holidays loaded, so working days are Monday to Friday.

Department A (office A, power P1: statutory 20, promised 10 working days; P2: promised 18;
P3 suspended on 20 March), the cases by their letter in the tests:

    C1 received/accepted Mon 2 Mar, site inspection, every document, concluded Thu 5 Mar
    C2 Mon 2 Mar, no inspection, no result document, concluded Mon 16 Mar (the deadline day)
    C3 Mon 2 Mar, inspection record missing (declared), concluded Tue 17 Mar (a day late)
    C4 Tue 3 Mar, in progress at the end of March (deadline 17 Mar: overdue)
    C5 Fri 20 Mar, in progress (deadline 3 Apr)
    C6 Tue 10 Mar, concluded Thu 12 Mar with no steps on the platform (declared), no result
    C7 Fri 20 Feb, concluded Wed 4 Mar (deadline 6 Mar)
    C8 Tue 31 Mar, registered, not accepted yet
    C9 Wed 25 Mar, not accepted (不予受理) the same day
    C10 Mon 23 Mar, in progress
    C11 Fri 27 Feb, concluded Fri 27 Feb (February: in no March figure)

Department B (office B, one power): B1 received/accepted Mon 9 Mar, concluded Fri 27 Mar,
four days after its deadline (23 Mar).
"""

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sunlight.cases import services as case_services
from sunlight.cases.choices import CaseState, DocumentKind, StepResult, StepState
from sunlight.cases.history import (
    Anomaly,
    HistoricalCase,
    HistoricalDocument,
    HistoricalStep,
    cases_record_history,
    fake_sha256,
)
from sunlight.cases.models import Case
from sunlight.cases.tests import factories
from sunlight.catalog import services as catalog_services
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.tests import factories as catalog_factories
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.flows.services import flow_save_from_steps
from sunlight.org.tests import factories as org_factories
from sunlight.supervision.orders import order_issue, order_reply, order_withdraw
from sunlight.supervision.orders_ladder import orders_escalate

MARCH = dt.date(2026, 3, 1)
PUBLISHED = dt.datetime(2026, 2, 2, 9, 0, tzinfo=SHANGHAI)
RECORDED = dt.datetime(2026, 3, 31, 20, 0, tzinfo=SHANGHAI)  # the 补录 batches
AFTER = dt.datetime(2026, 4, 10, 18, 0, tzinfo=SHANGHAI)  # when March is scored


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class City:
    a: Any  # factories.Office
    b: Any
    p2: Any
    p3: Any
    supervisor: Any
    cases: dict[str, Case]


def _publish_more(office: Any, *, code_suffix: str, **overrides: Any) -> Any:
    item = catalog_factories.item(department=office.department, **overrides)
    flow_save_from_steps(actor=None, version=item.working_version, steps=factories.LICENCE_STEPS)
    for action in (TransitionAction.SUBMIT, TransitionAction.SIGN_OFF,
                   TransitionAction.LEGAL_APPROVE, TransitionAction.PUBLISH):  # fmt: skip
        item.refresh_from_db()
        catalog_services.power_version_transition(
            actor=None, version=item.working_version, action=action, opinion="同意"
        )
    item.refresh_from_db()
    return item


def _licence(
    office: Any,
    *,
    received: dt.datetime,
    concluded: dt.datetime | None,
    inspection: bool = False,
    result_document: bool = True,
    inspection_record: bool = True,
    open_at: int | None = None,
    **overrides: Any,
) -> HistoricalCase:
    """A licence run along 受理 → 审查 (→ 现场核查) → 决定, accepted ten minutes after it was
    received, each step taking a day; `open_at` leaves the case in progress at that step."""
    clerk, head = office.clerk, office.head
    accepted = received + dt.timedelta(minutes=10)
    nodes = (
        ["Task_1", "Task_2", "Task_3", "Task_4"] if inspection else ["Task_1", "Task_2", "Task_4"]
    )
    steps = [
        HistoricalStep("Task_1", received, accepted, handler=clerk, result=StepResult.ACCEPTED)
    ]
    moment = accepted
    for index, node in enumerate(nodes[1:], start=1):
        last = index == len(nodes) - 1
        finished = (
            concluded - dt.timedelta(hours=1)
            if last and concluded
            else moment + dt.timedelta(hours=2)
        )
        if open_at == index:
            steps.append(
                HistoricalStep(node, moment, None, state=StepState.OPEN, previous=index - 1)
            )
            break
        steps.append(HistoricalStep(node, moment, finished, handler=head, previous=index - 1,
                                    result=StepResult.AGREE))  # fmt: skip
        moment = finished
    documents = [HistoricalDocument("申请书", received, original_received=True, uploaded_by=clerk)]
    if inspection and inspection_record and open_at is None:
        documents.append(HistoricalDocument(
            "现场核查记录", steps[2].finished_at - dt.timedelta(minutes=5), kind=DocumentKind.STEP,
            step=2, sha256=fake_sha256("记录", received), uploaded_by=clerk,
        ))  # fmt: skip
    if result_document and concluded is not None:
        documents.append(HistoricalDocument(
            "准予许可决定书", concluded, kind=DocumentKind.RESULT,
            sha256=fake_sha256("决定书", received), uploaded_by=clerk,
        ))  # fmt: skip
    values: dict[str, Any] = {
        "applicant": factories.person(),
        "state": CaseState.CONCLUDED if concluded else CaseState.IN_PROGRESS,
        "received_at": received,
        "power_version": office.item.current_version,
        "accepted_at": accepted,
        "concluded_at": concluded,
        "fields": {"site_inspection_required": inspection},
        "steps": steps,
        "documents": documents,
        "registered_by": clerk,
        "conclusion": case_services.Conclusion(opinion="准予") if concluded else None,
    }
    values.update(overrides)
    return HistoricalCase(**values)


def _department_a_cases(a: Any) -> dict[str, HistoricalCase]:
    no_steps = _licence(a, received=at(3, 10), concluded=at(3, 12, 15), result_document=False)
    no_steps.steps, no_steps.declared_anomaly = [], Anomaly.NO_STEPS
    waiting = _licence(a, received=at(3, 31, 10), concluded=None)
    waiting.steps = waiting.steps[:1]
    waiting.steps[0] = HistoricalStep("Task_1", at(3, 31, 10), None, state=StepState.OPEN)
    waiting.state, waiting.accepted_at = CaseState.SUBMITTED, None
    refused = _licence(a, received=at(3, 25, 10), concluded=None)
    refused.steps = [
        HistoricalStep(
            "Task_1",
            at(3, 25, 10),
            at(3, 25, 11),
            handler=a.clerk,
            result=StepResult.NOT_ACCEPTED,
            opinion="不属于本机关职权",
        )
    ]
    refused.state, refused.accepted_at = CaseState.NOT_ACCEPTED, None
    refused.concluded_at = at(3, 25, 11)
    refused.not_accepted_reason = "不属于本机关职权范围"
    missing = _licence(a, received=at(3, 2), concluded=at(3, 17, 16), inspection=True,
                       inspection_record=False)  # fmt: skip
    missing.declared_anomaly = Anomaly.DOCUMENT_MISSING
    return {
        "C1": _licence(a, received=at(3, 2), concluded=at(3, 5, 16), inspection=True),
        "C2": _licence(a, received=at(3, 2, 10), concluded=at(3, 16, 16), result_document=False),
        "C3": missing,
        "C4": _licence(a, received=at(3, 3), concluded=None, open_at=2),
        "C5": _licence(a, received=at(3, 20), concluded=None, open_at=1),
        "C6": no_steps,
        "C7": _licence(a, received=at(2, 20), concluded=at(3, 4, 16)),
        "C8": waiting,
        "C9": refused,
        "C10": _licence(a, received=at(3, 23), concluded=None, open_at=1),
        "C11": _licence(a, received=at(2, 27), concluded=at(2, 27, 16)),
    }


def _record(office: Any, records: dict[str, HistoricalCase]) -> dict[str, Case]:
    with clock.frozen(RECORDED):
        cases_record_history(actor=office.head, department=office.department,
                             records=list(records.values()), rng=random.Random(5))  # fmt: skip
    by_received = {
        (c.received_at, c.concluded_at): c
        for c in Case.objects.filter(department=office.department)
    }
    return {key: by_received[(r.received_at, r.concluded_at)] for key, r in records.items()}


def _orders(city_a: Any, supervisor: Any) -> None:
    """O1 due 10 Mar, replied 9 Mar; O2 due 12 Mar, escalated on the 13th, replied the 16th
    (late against its first deadline); O3 due 3 Apr; O4 due 25 Mar, withdrawn."""
    department = city_a.department

    def issue(day: int, due: dt.date) -> Any:
        with clock.frozen(at(3, day)):
            return order_issue(actor=supervisor, department=department, subject="请说明超期原因",
                               suggestion="限期说明情况并整改", reply_due=due)  # fmt: skip

    first = issue(2, dt.date(2026, 3, 10))
    second = issue(2, dt.date(2026, 3, 12))
    issue(20, dt.date(2026, 4, 3))
    fourth = issue(20, dt.date(2026, 3, 25))
    with clock.frozen(at(3, 9, 15)):
        order_reply(actor=city_a.head, order=first, explanation="已说明情况")
    with clock.frozen(at(3, 13, 8)):
        orders_escalate(today=dt.date(2026, 3, 13))
    second.refresh_from_db()
    with clock.frozen(at(3, 16, 15)):
        order_reply(actor=city_a.head, order=second, explanation="已整改")
    with clock.frozen(at(3, 21, 10)):
        order_withdraw(actor=supervisor, order=fourth, reason="误发")


def build_city() -> City:
    with clock.frozen(PUBLISHED):
        a = factories.office_with_power(code="041")
        p2 = _publish_more(a, code_suffix="2", promised_limit=18)
        p3 = _publish_more(a, code_suffix="3")
        b = factories.office_with_power(code="042")
        supervisor = org_factories.user("supervisor", in_region=org_factories.region())
    with clock.frozen(at(3, 20, 11)):
        catalog_services.power_item_transition(
            actor=None, item=p3, action=TransitionAction.SUSPEND, reason="法规修订，暂停办理"
        )
    cases = _record(a, _department_a_cases(a))
    late = _licence(b, received=at(3, 9), concluded=at(3, 27, 16))
    cases.update({"B1": _record(b, {"B1": late})["B1"]})
    _orders(a, supervisor)
    return City(a=a, b=b, p2=p2, p3=p3, supervisor=supervisor, cases=cases)
