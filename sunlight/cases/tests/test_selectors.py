"""Case reads for staff pages: scoping, filters, to-dos, timeline, the clock explained, and
what a case page offers whom."""

import datetime as dt

import pytest

from sunlight.cases import services
from sunlight.cases.choices import CaseState, SpecialProcedure, StepState
from sunlight.cases.offers import (
    case_offers,
    flow_case_fields,
    next_gateway_fields,
    online_application_allowed,
    window_powers,
)
from sunlight.cases.selectors import (
    CaseFilters,
    case_clock,
    case_get_for_user,
    case_list_for_user,
    case_timeline,
    done_for_user,
    todo_for_user,
    workbench_counts,
)
from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import NotFound
from sunlight.org.calendar_services import calendar_day_set, calendar_year_mark_loaded
from sunlight.org.models import CalendarKind
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


def _at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def _step(case, name):
    return case.steps.get(name=name, state=StepState.OPEN)


@pytest.fixture
def office():
    return factories.office_with_power()


def test_case_list_shows_only_the_users_department(office):
    mine = factories.register(office)
    other = factories.office_with_power(code="042")
    factories.register(other)
    assert list(case_list_for_user(user=office.clerk)) == [mine]


def test_region_staff_see_every_department_of_their_region(office):
    other = factories.office_with_power(code="042")
    factories.register(office)
    factories.register(other)
    supervisor = org.user("supervisor", in_region=office.department.region)
    assert case_list_for_user(user=supervisor).count() == 2


def test_case_list_searches_number_applicant_and_title(office):
    first = factories.register(office)
    second = services.case_register(
        actor=office.clerk,
        request=services.CaseRequest(
            power_code=office.code, applicant=factories.person("欧阳明"), materials=[]
        ),
    )
    by = lambda **kw: list(case_list_for_user(user=office.clerk, filters=CaseFilters(**kw)))  # noqa: E731 (a one-line query helper reads best inline)
    assert by(query=first.number) == [first]
    assert by(query="欧阳") == [second]
    assert set(by(power=office.code)) == {first, second}
    assert by(power="XX") == []


def test_case_list_filters_state_type_and_received_dates(office):
    with clock.frozen(_at("2025-03-03")):
        early = factories.register(office)
    with clock.frozen(_at("2025-03-10")):
        late = factories.register(office)
        services.case_accept(actor=office.clerk, case=late)
    by = lambda **kw: list(case_list_for_user(user=office.clerk, filters=CaseFilters(**kw)))  # noqa: E731 (a one-line query helper reads best inline)
    assert by(state=CaseState.SUBMITTED) == [early]
    assert by(state=CaseState.IN_PROGRESS) == [late]
    assert by(received_from=dt.date(2025, 3, 4)) == [late]
    assert by(received_to=dt.date(2025, 3, 3)) == [early]
    assert by(case_type=early.case_type) == [late, early]
    assert by(case_type="4") == []


def test_overdue_filter_finds_open_cases_past_their_promised_deadline(office):
    with clock.frozen(_at("2025-03-03")):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
        factories.register(office)
    case.refresh_from_db()
    after = case.promised_deadline + dt.timedelta(days=1)
    with clock.frozen(_at(after.isoformat())):
        found = list(case_list_for_user(user=office.clerk, filters=CaseFilters(overdue=True)))
        assert found == [case]
        assert found[0].is_overdue
        assert workbench_counts(user=office.clerk)["overdue"] == 1


def test_case_outside_scope_is_not_found(office):
    case = factories.register(office)
    stranger = factories.office_with_power(code="042").clerk
    with pytest.raises(NotFound):
        case_get_for_user(user=stranger, number=case.number)
    with pytest.raises(NotFound):
        case_get_for_user(user=office.clerk, number="nonexistent")


def test_todo_splits_my_role_from_my_units_other_roles(office):
    case = factories.register(office)
    assert [s.name for s in todo_for_user(user=office.clerk)["mine"]] == ["受理"]
    assert list(todo_for_user(user=office.head)["mine"]) == []
    assert [s.name for s in todo_for_user(user=office.head)["unit"]] == ["受理"]
    services.case_accept(actor=office.clerk, case=case)
    assert [s.name for s in todo_for_user(user=office.head)["mine"]] == ["审查"]
    other = factories.office_with_power(code="042")
    assert list(todo_for_user(user=other.head)["mine"]) == []


def test_done_lists_the_steps_the_user_handled(office):
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    services.step_complete(actor=office.head, step=_step(case, "审查"), opinion="材料齐全")
    assert [s.name for s in done_for_user(user=office.head)] == ["审查"]
    assert [s.name for s in done_for_user(user=office.clerk)] == ["受理"]


def test_timeline_interleaves_steps_pauses_and_extensions_in_order(office):
    with clock.frozen(_at("2025-03-03", 9)):
        case = factories.register(office)
    with clock.frozen(_at("2025-03-03", 10)):
        services.case_accept(actor=office.clerk, case=case)
    with clock.frozen(_at("2025-03-04")):
        services.case_pause_start(
            actor=office.head,
            case=case,
            procedure=SpecialProcedure.EXPERT_REVIEW,
            reason="技术方案需专家论证",
            limit_days=5,
        )
    with clock.frozen(_at("2025-03-06")):
        services.case_pause_end(actor=office.head, case=case)
    with clock.frozen(_at("2025-03-07")):
        services.case_extend(actor=office.head, case=case, days=5, reason="情况复杂")
    entries = case_timeline(case=case)
    assert [e.title for e in entries] == [
        "收件登记",
        "受理",
        "审查",
        "特别程序：专家评审",
        "延长审批期限 5 天",
    ]
    assert entries[1].who.startswith("王窗口") and entries[1].result == "受理"
    assert "暂停 2 个工作日" in entries[3].detail


def test_clock_explains_weekends_holidays_makeup_days_and_pauses(office):
    for day, kind, name in (
        ("2025-04-04", CalendarKind.HOLIDAY, "清明节"),
        ("2025-04-27", CalendarKind.WORKDAY, "劳动节"),
    ):
        calendar_day_set(actor=None, day=dt.date.fromisoformat(day), kind=kind, name=name)
    calendar_year_mark_loaded(actor=None, year=2025)
    with clock.frozen(_at("2025-04-02")):  # a Wednesday
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
    with clock.frozen(_at("2025-04-08")):
        services.case_pause_start(
            actor=office.head,
            case=case,
            procedure=SpecialProcedure.HEARING,
            reason="当事人申请听证",
            limit_days=None,
        )
    with clock.frozen(_at("2025-04-10")):
        services.case_pause_end(actor=office.head, case=case)
    case.refresh_from_db()
    explained = case_clock(case=case, today=dt.date(2025, 4, 28))
    reasons = {d.day.isoformat(): (d.counted, d.reason) for d in explained.days}
    assert reasons["2025-04-03"] == (True, "工作日")
    assert reasons["2025-04-04"] == (False, "清明节")
    assert reasons["2025-04-05"] == (False, "周末")
    assert reasons["2025-04-09"] == (False, "暂停（特别程序：听证）")
    assert reasons["2025-04-27"] == (True, "调休上班（劳动节）")
    assert explained.accepted == dt.date(2025, 4, 2)
    assert explained.used == sum(1 for d in explained.days if d.counted) == 16
    assert not explained.provisional
    assert [(r.first.day, r.days, r.counted, r.reason) for r in explained.runs] == [
        (3, 1, 1, "正常工作日与周末"),
        (4, 1, 0, "清明节"),
        (5, 4, 2, "正常工作日与周末"),
        (9, 2, 0, "暂停（特别程序：听证）"),
        (11, 16, 11, "正常工作日与周末"),
        (27, 1, 1, "调休上班（劳动节）"),
        (28, 1, 1, "正常工作日与周末"),
    ]


def test_clock_before_acceptance_says_the_count_has_not_started(office):
    case = factories.register(office)
    explained = case_clock(case=case)
    assert explained.days == [] and "尚未受理" in explained.note


def test_flow_fields_come_from_the_conditions(office):
    case = factories.register(office)
    assert [f.name for f in flow_case_fields(flow_id=case.flow_id)] == ["site_inspection_required"]
    review = case.steps.get(name="受理").node_id
    assert next_gateway_fields(flow_id=case.flow_id, node_id=review) == []
    services.case_accept(actor=office.clerk, case=case)
    node = _step(case, "审查").node_id
    assert [f.name for f in next_gateway_fields(flow_id=case.flow_id, node_id=node)] == [
        "site_inspection_required"
    ]


def test_offers_follow_role_and_state(office):
    case = factories.register(office)
    offers = case_offers(user=office.clerk, case=case, steps=list(case.steps.all()), documents=[])
    assert (offers.accept, offers.refuse, offers.correction, offers.steps) == (True, True, True, [])
    services.case_accept(actor=office.clerk, case=case)
    steps = list(case.steps.all())
    as_clerk = case_offers(user=office.clerk, case=case, steps=steps, documents=[])
    as_head = case_offers(user=office.head, case=case, steps=steps, documents=[])
    assert not as_clerk.accept and not as_clerk.pause_start
    assert [s.can_complete for s in as_clerk.steps] == [False]
    assert "审查" in as_clerk.steps[0].refusal
    assert [s.can_complete for s in as_head.steps] == [True]
    assert as_head.pause_start and as_head.extend
    assert as_head.steps[0].can_send_back


def test_window_powers_are_the_departments_published_powers(office):
    other = factories.office_with_power(code="042")
    assert [i.code for i in window_powers(user=office.clerk)] == [office.code]
    assert [i.code for i in window_powers(user=other.clerk, query="zzz")] == []
    assert window_powers(user=office.clerk).get().has_flow


def test_online_application_needs_an_online_handling_form(office):
    assert online_application_allowed(office.item.current_version)
    window_only = factories.office_with_power(code="042", handling_forms=["1"])
    assert not online_application_allowed(window_only.item.current_version)
