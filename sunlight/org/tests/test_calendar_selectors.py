"""The cached WorkCalendar built from our tables: it follows admins' edits (a provisional 2027
deadline becomes firm once 2027 is loaded), sees other writers' changes, and warns admins from
November on when next year is missing."""

import datetime as dt

import pytest
from django.db import connection

from sunlight.core import clock
from sunlight.core.status import collect_status
from sunlight.core.workdays import Deadline
from sunlight.org import calendar_selectors
from sunlight.org.calendar_selectors import (
    calendar_warning,
    calendar_year_rows_for_admin,
    calendar_years,
    work_calendar,
)
from sunlight.org.calendar_services import (
    calendar_day_set,
    calendar_seed_from_package,
    calendar_year_mark_loaded,
)
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
WARNING_2027 = (
    "2027年节假日安排尚未录入：涉及2027年的期限按周末推算并标记为“暂定”，请在国务院公布后录入"
)


def _at(day: str) -> dt.datetime:
    return dt.datetime.combine(D(day), dt.time(9), tzinfo=clock.SHANGHAI)


@pytest.fixture
def seeded():
    calendar_seed_from_package(actor=None)


@pytest.fixture
def admin():
    return org.user("admin", in_region=org.region())


def _load_2027_new_year(admin):
    # 2027's 元旦: Friday 1 January to Sunday 3 January.
    for day in ("2027-01-01", "2027-01-02", "2027-01-03"):
        calendar_day_set(actor=admin, day=D(day), kind="holiday", name="元旦")
    calendar_year_mark_loaded(actor=admin, year=2027, note="")


def test_work_calendar_counts_with_the_seeded_tables(seeded):
    assert work_calendar().add_workdays(D("2026-09-30"), 3) == Deadline(D("2026-10-10"), False)


def test_work_calendar_of_empty_tables_is_all_provisional():
    deadline = work_calendar().add_workdays(D("2026-09-30"), 3)
    # Weekends and the statutory days off (国庆节 1-3 October); 调休 unknown.
    assert deadline == Deadline(D("2026-10-07"), True)


def test_deadline_into_2027_is_provisional_until_2027_is_loaded(seeded, admin):
    before = work_calendar().add_workdays(D("2026-12-30"), 3)

    _load_2027_new_year(admin)
    after = work_calendar().add_workdays(D("2026-12-30"), 3)

    assert before == Deadline(D("2027-01-05"), True)  # 元旦 is off by law already
    assert after == Deadline(D("2027-01-05"), False)


def test_days_entered_for_a_year_not_yet_loaded_count_but_stay_provisional(seeded, admin):
    calendar_day_set(actor=admin, day=D("2027-01-01"), kind="holiday", name="元旦")
    assert work_calendar().add_workdays(D("2026-12-30"), 3) == Deadline(D("2027-01-05"), True)


def test_work_calendar_is_reused_while_nothing_changes(seeded):
    assert work_calendar() is work_calendar()


def test_a_change_written_by_someone_else_is_seen(seeded):
    first = work_calendar()
    with connection.cursor() as cursor:  # another process's write, bypassing our services
        cursor.execute(
            "INSERT INTO org_calendarday (date, kind, name, source, updated_at)"
            " VALUES ('2026-10-12', 'holiday', '国庆节', 'admin', '2026-11-24 10:00:00')"
        )
    second = work_calendar()

    assert second is not first
    assert not second.is_workday(D("2026-10-12"))


@pytest.mark.usefixtures("committing_db")
def test_committed_change_is_seen_outside_a_transaction(admin):
    calendar_seed_from_package(actor=None)
    cached = work_calendar()
    assert work_calendar() is cached  # outside a transaction: served from the cache

    calendar_day_set(actor=admin, day=D("2026-10-12"), kind="holiday", name="国庆节")

    assert not work_calendar().is_workday(D("2026-10-12"))


@pytest.mark.usefixtures("committing_db")
def test_other_writers_are_seen_at_the_next_version_check(monkeypatch):
    calendar_seed_from_package(actor=None)
    assert work_calendar().is_workday(D("2026-10-10"))  # make-up Saturday
    with connection.cursor() as cursor:
        # Another process's service call: the row changes and so does its update time.
        cursor.execute(
            "UPDATE org_calendarday SET kind = 'holiday', updated_at = '2099-01-01 00:00:00'"
            " WHERE date = '2026-10-10'"
        )
    monkeypatch.setattr(calendar_selectors, "_CHECK_EVERY", 0.0)  # as if a second had passed

    assert not work_calendar().is_workday(D("2026-10-10"))


def test_calendar_years_lists_loaded_years(seeded):
    assert calendar_years() == list(range(2004, 2027))


def test_status_reports_calendar_years(seeded):
    assert collect_status()["calendar_years"] == list(range(2004, 2027))


def test_admin_is_warned_in_november_when_next_year_is_missing(seeded):
    with clock.frozen(_at("2026-11-01")):
        assert calendar_warning() == WARNING_2027


def test_no_warning_in_october(seeded):
    with clock.frozen(_at("2026-10-31")):
        assert calendar_warning() is None


def test_no_warning_once_next_year_is_loaded(seeded, admin):
    _load_2027_new_year(admin)
    with clock.frozen(_at("2026-12-15")):
        assert calendar_warning() is None


def test_warning_when_the_current_year_is_missing(seeded):
    with clock.frozen(_at("2027-03-01")):
        warning = calendar_warning()
    assert warning.startswith("2027年节假日安排尚未录入") and "尽快" in warning


def test_warning_takes_an_explicit_day(seeded):
    assert calendar_warning(D("2026-12-31")) == WARNING_2027


def test_year_rows_show_counts_and_status(seeded, admin):
    calendar_day_set(actor=admin, day=D("2027-01-01"), kind="holiday", name="元旦")

    rows = {row.year: row for row in calendar_year_rows_for_admin(actor=admin, around=2026)}

    assert (rows[2027].status, rows[2027].holidays, rows[2027].workdays) == ("partial", 1, 0)
    assert (rows[2026].status, rows[2026].workdays) == ("loaded", 6)
    assert rows[2026].holidays == 33
