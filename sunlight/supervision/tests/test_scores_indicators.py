"""Each indicator against values worked out by hand on the small city of scores_world.py (read
its docstring for the cases; the comments below show the arithmetic). The city is built and
measured once for the module, inside a transaction rolled back at once; the tests read plain
numbers."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sunlight.core import clock
from sunlight.core.workdays import WorkCalendar
from sunlight.supervision import indicators
from sunlight.supervision.indicators import INDICATORS, Params, Period, time_used
from sunlight.supervision.scores import _prepare_tables
from sunlight.supervision.tests.scores_world import AFTER, MARCH, at, build_city

pytestmark = pytest.mark.django_db


def _pairs(values, ids):
    return {
        code: {name: (m.numerator, m.denominator) for name, pk in ids.items() if (m := d.get(pk))}
        for code, d in values.items()
    }


@pytest.fixture(scope="module")
def march(django_db_setup, django_db_blocker):
    """Numerators and denominators of A and B, the rows behind some figures, and the queries
    one measurement took — as plain values."""
    with django_db_blocker.unblock(), transaction.atomic():
        city = build_city()
        ids = {"A": city.a.department.pk, "B": city.b.department.pk}
        letters = {case.pk: letter for letter, case in city.cases.items()}
        with clock.frozen(AFTER):
            _prepare_tables(clock.today_local())
            period = Period.of(MARCH, clock.now())
            with CaptureQueriesContext(connection) as queries:
                values = indicators.measure_all(period, Params())
            strict = indicators.EARLY.measure(period, Params(early_margin_workdays=3))
        mid_month = Period.of(MARCH, at(3, 20, 12))
        partial = {
            code: indicators.BY_CODE[code].measure(mid_month, Params())[ids["A"]]
            for code in ("online", "overdue")
        }

        def members(code: str, part: str) -> set[str]:
            rows = indicators.BY_CODE[code].members(period, Params(), ids["A"], part)
            if code in ("power_usage", "promise"):
                names = {city.a.item.pk: "P1", city.p2.pk: "P2", city.p3.pk: "P3"}
                return {names[pk] for pk in rows.values_list("pk", flat=True)}
            if code == "reply":
                return set(rows.values_list("first_due", flat=True))
            return {letters[pk] for pk in rows.values_list("pk", flat=True)}

        drills = {
            (code, part): members(code, part)
            for code, part in [("online", "rest"), ("upload", "rest"), ("upload", "num"),
                               ("early", "num"), ("overdue", "num"), ("overdue", "den"),
                               ("power_usage", "rest"), ("reply", "rest"), ("time_ratio", "over"),
                               ("on_time", "rest")]
        }  # fmt: skip
        result = {
            "values": _pairs(values, ids),
            "strict_early": strict[ids["A"]],
            "partial": {code: (m.numerator, m.denominator) for code, m in partial.items()},
            "drills": drills,
            "queries": len(queries),
        }
        transaction.set_rollback(True)
    return result


def test_online_rate_counts_the_month_s_cases_with_a_step_on_the_platform(march):
    # March's cases in A: C1–C6, C8, C9, C10 (C7 and C11 came in February); C6 has no step.
    assert march["values"]["online"] == {"A": (8, 9), "B": (1, 1)}
    assert march["drills"]["online", "rest"] == {"C6"}


def test_power_usage_rate_counts_in_use_powers_with_a_case_this_month(march):
    # In use at the end of March: P1 and P2 (P3 suspended on the 20th); only P1 had cases.
    assert march["values"]["power_usage"] == {"A": (1, 2), "B": (1, 1)}
    assert march["drills"]["power_usage", "rest"] == {"P2"}


def test_upload_rate_needs_every_required_step_document_and_a_result_document(march):
    # Concluded in March: C1, C2, C3, C6, C7. C2 and C6 lack the result document, C3 the
    # inspection record its 现场核查 step requires.
    assert march["values"]["upload"] == {"A": (2, 5), "B": (1, 1)}
    assert march["drills"]["upload", "num"] == {"C1", "C7"}
    assert march["drills"]["upload", "rest"] == {"C2", "C3", "C6"}


def test_on_time_rate_counts_a_conclusion_on_the_deadline_day_as_on_time(march):
    # Deadlines: C1, C2 16 Mar; C3 16 Mar (concluded the 17th); C6 24 Mar; C7 6 Mar.
    # B1: deadline 23 Mar, concluded the 27th.
    assert march["values"]["on_time"] == {"A": (4, 5), "B": (0, 1)}
    assert march["drills"]["on_time", "rest"] == {"C3"}


def test_early_rate_needs_a_working_day_to_spare_before_the_deadline(march):
    # Working days after the conclusion up to the deadline: C1 7, C2 0, C3 −1, C6 8, C7 2.
    assert march["values"]["early"] == {"A": (3, 5), "B": (0, 1)}
    assert march["drills"]["early", "num"] == {"C1", "C6", "C7"}


def test_early_margin_is_a_scheme_parameter(march):
    # Three working days to spare: C1 (7) and C6 (8), not C7 (2).
    assert (march["strict_early"].numerator, march["strict_early"].denominator) == (2, 5)


def test_overdue_rate_counts_late_conclusions_and_open_cases_past_their_deadline(march):
    # Concluded (5) + accepted and open at the end of March (C4, C5, C10); late: C3 concluded
    # the day after its deadline, C4 open past its deadline of 17 Mar.
    assert march["values"]["overdue"] == {"A": (2, 8), "B": (1, 1)}
    assert march["drills"]["overdue", "num"] == {"C3", "C4"}
    assert march["drills"]["overdue", "den"] == {"C1", "C2", "C3", "C4", "C5", "C6", "C7", "C10"}


def test_average_time_ratio_is_the_mean_of_working_days_used_over_the_statutory_limit(march):
    # Working days used of 20: C1 3, C2 10, C3 11, C6 2, C7 8 → Σ = 34/20 = 1.7 over 5 cases;
    # B1: 14/20.
    assert march["values"]["time_ratio"] == {"A": (1.7, 5), "B": (0.7, 1)}
    assert march["drills"]["time_ratio", "over"] == set()


def test_reply_rate_judges_the_first_deadline_and_leaves_out_withdrawn_orders(march):
    # Due in March: O1 (10 Mar, replied the 9th) and O2 (12 Mar, escalated, replied the 16th);
    # O3 is due in April and O4 was withdrawn.
    assert march["values"]["reply"] == {"A": (1, 2)}
    assert march["drills"]["reply", "rest"] == {dt.date(2026, 3, 12)}


def test_promise_share_counts_powers_promising_at_least_30_percent_less(march):
    # P1 promises 10 of 20 working days (−50%), P2 18 of 20 (−10%).
    assert march["values"]["promise"] == {"A": (1, 2), "B": (1, 1)}


def test_a_month_in_progress_is_measured_up_to_now(march):
    # At noon on 20 March: received C1–C6 (C5 that morning), C6 offline; concluded C1, C2,
    # C3, C6, C7 and open C4 (past its deadline of the 17th) and C5.
    assert march["partial"] == {"online": (5, 6), "overdue": (2, 7)}


def test_every_department_is_measured_in_one_query_per_indicator(march):
    # The calendar's cache may check its version once (two queries) inside a transaction.
    assert march["queries"] <= len(INDICATORS) + 2


# ---------------------------------------------------------------- without the database


def test_period_of_a_past_month_ends_at_the_next_month_s_midnight():
    period = Period.of(dt.date(2026, 3, 17), at(4, 10))

    assert (period.month, period.cutoff_day, period.partial) == (
        dt.date(2026, 3, 1), dt.date(2026, 4, 1), False,
    )  # fmt: skip
    assert period.end == dt.datetime(2026, 4, 1, tzinfo=clock.SHANGHAI)


def test_period_of_the_current_month_ends_now():
    period = Period.of(MARCH, at(3, 20, 12))

    assert (period.end, period.cutoff_day, period.partial) == (
        at(3, 20, 12),
        at(3, 20).date(),
        True,
    )


CALENDAR = WorkCalendar({dt.date(2026, 4, 6): "清明节"}, [], [2026])


def _row(accepted, concluded, limit=20, unit="working_day", paused=0):
    return (1, 7, accepted, concluded, paused, limit, unit)


def test_time_used_skips_holidays_and_gives_back_paused_days():
    # Fri 3 Apr → Wed 8 Apr: Mon 6 Apr is 清明节, so 7 and 8 count; one day was paused.
    used = time_used(CALENDAR, _row(at(4, 3), at(4, 8), paused=1))

    assert (used.used, used.limit) == (1, 20)


def test_time_used_counts_natural_days_and_months_on_the_calendar():
    natural = time_used(CALENDAR, _row(at(4, 3), at(4, 8), limit=10, unit="natural_day"))
    monthly = time_used(CALENDAR, _row(at(1, 31), at(2, 14), limit=1, unit="month"))

    assert (natural.used, natural.limit) == (5, 10)
    assert (monthly.used, monthly.limit) == (14, 28)  # 31 Jan + one month = 28 Feb


def test_time_used_leaves_out_hour_limits_and_zero_limits():
    assert time_used(CALENDAR, _row(at(4, 3), at(4, 3, 11), limit=2, unit="hour")) is None
    assert time_used(CALENDAR, _row(at(4, 3), at(4, 8), limit=0)) is None
