"""Public statistics: the measures counted by their own moments, early/on time/late against the
promised deadline, working days used, drill-down, the staff's cases behind each number, and
internal powers kept out of the public figures."""

import datetime as dt

import pytest

from sunlight.cases import services as case_services
from sunlight.cases.choices import CaseState, StepState
from sunlight.cases.services import CaseRequest, Conclusion
from sunlight.cases.tests import factories as case_factories
from sunlight.core import clock
from sunlight.org.tests import factories as org
from sunlight.publication.statistics import (
    Period,
    cases_behind,
    city_statistics,
    department_statistics,
    period_from,
    power_statistics,
)

pytestmark = pytest.mark.django_db


def _at(month, day, hour=10):
    return dt.datetime(2026, month, day, hour, tzinfo=clock.SHANGHAI)


def _accepted(office, moment):
    with clock.frozen(moment):
        case = case_services.case_register(
            actor=office.clerk,
            request=CaseRequest(
                power_code=office.code,
                applicant=case_factories.person(),
                materials=case_factories.all_materials(office),
            ),
        )
        case_services.case_accept(actor=office.clerk, case=case)
    case.refresh_from_db()
    return case


def _conclude(office, case, moment):
    with clock.frozen(moment):
        while case.state == CaseState.IN_PROGRESS:
            step = case.steps.filter(state=StepState.OPEN).order_by("id").first()
            actor = office.head if step.role == "approver" else office.clerk
            case_services.step_complete(actor=actor, step=step)
            case.refresh_from_db()
        case_services.case_conclude(actor=office.clerk, case=case, conclusion=Conclusion())
    case.refresh_from_db()
    return case


@pytest.fixture
def march():
    """In March 2026 (promised limit 10 working days): one case concluded early, one on the
    deadline (16 March), one late, one refused; one received in March and still open."""
    office = case_factories.office_with_power(code="041", category="01")
    early = _conclude(office, _accepted(office, _at(3, 2)), _at(3, 4))
    on_time = _conclude(office, _accepted(office, _at(3, 2)), _at(3, 16))
    late = _conclude(office, _accepted(office, _at(3, 2)), _at(3, 20))
    assert early.promised_deadline == dt.date(2026, 3, 16)
    with clock.frozen(_at(3, 3)):
        refused = case_factories.register(office)
        case_services.case_refuse(actor=office.clerk, case=refused, reason="不属于本机关职权")
    _accepted(office, _at(3, 30))
    return office, {"early": early, "on_time": on_time, "late": late, "refused": refused}


MARCH = Period("month", 2026, 3)


def test_city_figures_count_each_measure_by_its_moment(march):
    office, _ = march

    stats = city_statistics(period=MARCH)

    (row,) = stats.rows
    assert row.label == office.department.name
    assert (row.received, row.accepted, row.not_accepted, row.concluded) == (5, 4, 1, 3)
    assert (row.early, row.on_time, row.late) == (1, 1, 1)
    # Working days from acceptance (2 March): 2, 10 and 14.
    assert row.display["average_days"] == "8.7"
    assert row.display["average_promised"] == "10.0"
    assert row.display["average_statutory"] == "20.0"
    assert row.display["early_rate"] == "33.3%"
    assert row.display["not_accepted_rate"] == "20.0%"
    assert stats.total.received == 5


def test_another_month_is_empty_and_the_year_holds_the_month(march):
    assert city_statistics(period=Period("month", 2026, 4)).rows == []
    assert city_statistics(period=Period("year", 2026)).total.concluded == 3
    assert city_statistics(period=Period("quarter", 2026, 1)).total.received == 5


def test_drill_down_to_the_power_and_its_months(march):
    office, _ = march

    department = department_statistics(department_id=office.department.pk, period=MARCH)
    power = power_statistics(code=office.code, period=Period("quarter", 2026, 1))

    assert [row.code for row in department.rows] == [office.code]
    assert [row.label for row in power.rows] == ["2026年1月", "2026年2月", "2026年3月"]
    assert [row.received for row in power.rows] == [0, 0, 5]


def test_internal_powers_stay_out_of_the_public_figures_but_not_the_staffs(march):
    office, _ = march
    internal = case_factories.office_with_power(code="042", disclosure_scope="internal")
    _accepted(internal, _at(3, 5))

    public = city_statistics(period=MARCH)
    staff = city_statistics(period=MARCH, public=False, department_ids=None)

    assert [row.label for row in public.rows] == [office.department.name]
    assert len(staff.rows) == 2


def test_the_cases_behind_each_number_are_the_counted_ones_and_scoped(march):
    office, cases = march
    ids = [office.department.pk]

    def behind(measure, scope=ids):
        return set(cases_behind(period=MARCH, measure=measure, department_ids=scope))

    assert behind("early") == {cases["early"]}
    assert behind("on_time") == {cases["on_time"]}
    assert behind("late") == {cases["late"]}
    assert behind("not_accepted") == {cases["refused"]}
    assert len(behind("received")) == 5
    assert behind("concluded", scope=[]) == set()


def test_unreadable_periods_fall_back_to_the_current_one():
    today = dt.date(2026, 11, 20)

    assert period_from("month", "2026-13", today) == Period("month", 2026, 11)
    assert period_from("quarter", "x", today) == Period("quarter", 2026, 4)
    assert period_from("year", "1900", today) == Period("year", 2026)
    assert period_from("bogus", "", today) == Period("month", 2026, 11)
    assert period_from("quarter", "2026-Q1", today).label == "2026年第1季度"


def test_public_pages_draw_the_charts_and_drill_down(client, march):
    office, _ = march

    city = client.get("/statistics/", {"period": "month", "at": "2026-03"}).content.decode()
    department = client.get(
        f"/statistics/department/{office.department.pk}/", {"period": "month", "at": "2026-03"}
    ).content.decode()
    power = client.get(f"/statistics/power/{office.code}/", {"period": "year", "at": "2026"})

    assert "<svg" in city and "<script" not in city
    assert f"/statistics/department/{office.department.pk}/?period=month" in city
    assert f"/statistics/power/{office.code}/" in department
    assert power.status_code == 200 and "2026年3月" in power.content.decode()
    assert client.get("/statistics/department/999999/").status_code == 404


def test_staff_page_links_every_number_to_its_cases(client, march):
    office, cases = march
    client.force_login(office.head)

    page = client.get("/staff/publication/statistics/", {"period": "month", "at": "2026-03"})
    listing = client.get(
        "/staff/publication/statistics/cases/",
        {"period": "month", "at": "2026-03", "measure": "late", "department": office.department.pk},
    ).content.decode()
    stranger = org.user("clerk", department=org.department(code="099", name="别的局"))
    client.force_login(stranger)
    other = client.get(f"/staff/publication/statistics/department/{office.department.pk}/")

    assert "/staff/publication/statistics/cases/?" in page.content.decode()
    assert cases["late"].number in listing and cases["early"].number not in listing
    assert other.status_code == 404


@pytest.mark.django_db
def test_the_current_period_offers_no_next_one_but_a_past_period_does(client):
    with clock.frozen(dt.datetime(2026, 12, 7, 16, 0, tzinfo=clock.SHANGHAI)):
        current = client.get("/statistics/").content.decode()
        past = client.get("/statistics/", {"period": "month", "at": "2026-11"}).content.decode()
        year = client.get("/statistics/", {"period": "year", "at": "2026"}).content.decode()

    assert 'rel="prev"' in current and 'rel="next"' not in current
    assert "at=2026-12" in past and 'rel="next"' in past
    assert 'rel="next"' not in year


def test_satisfaction_comes_from_the_period_s_ratings(client, march):
    """满意率 = ratings at 基本满意 or better ÷ ratings given in the period, per department, per
    power and per month; no ratings is "—", never a full score."""
    from sunlight.feedback.ratings import rating_submit

    office, cases = march
    with clock.frozen(_at(3, 20, 15)):
        rating_submit(case=cases["early"], stage="concluded", level="1")
        rating_submit(case=cases["on_time"], stage="accepted", level="3")
        rating_submit(case=cases["late"], stage="concluded", level="5", comment="办理超期")
    with clock.frozen(_at(4, 2)):
        rating_submit(case=cases["late"], stage="accepted", level="4")

    city = city_statistics(period=MARCH)
    department = department_statistics(department_id=office.department.pk, period=MARCH)
    quarter = power_statistics(code=office.code, period=Period("quarter", 2026, 1))
    page = client.get("/statistics/", {"period": "month", "at": "2026-03"}).content.decode()

    assert city.ratings_available
    assert (city.rows[0].satisfied, city.rows[0].rated) == (2, 3)
    assert city.rows[0].display["rating"] == city.total.display["rating"] == "66.7%"
    assert department.rows[0].display["rating"] == "66.7%"
    assert [row.display["rating"] for row in quarter.rows] == ["—", "—", "66.7%"]
    assert city_statistics(period=Period("month", 2026, 4)).rows == []  # no cases in April
    assert "满意率" in page and "66.7%" in page and "好差评数据接入后显示" not in page
