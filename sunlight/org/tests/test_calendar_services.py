"""The holiday calendar's writes: seeding from chinesecalendar (idempotent, Chinese names) and
admins setting, clearing and completing years — each audited, each refused to non-admins."""

import datetime as dt

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.audit.verify import audit_verify
from sunlight.core.errors import NotFound, PermissionDenied, ValidationFailed
from sunlight.org.calendar_selectors import calendar_years
from sunlight.org.calendar_services import (
    calendar_day_clear,
    calendar_day_set,
    calendar_seed_from_package,
    calendar_year_mark_loaded,
)
from sunlight.org.models import CalendarDay, CalendarYear
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture
def admin():
    return org.user("admin", in_region=org.region())


def _fields(problems):
    return [problem.field for problem in problems]


# ---------------------------------------------------------------- seeding


def test_seed_loads_every_year_the_package_knows():
    result = calendar_seed_from_package(actor=None)

    assert result.years == list(range(2004, 2027))
    assert calendar_years() == list(range(2004, 2027))
    assert CalendarDay.objects.count() == result.days > 700


@pytest.mark.parametrize(
    ("day", "kind", "name"),
    [
        ("2026-10-01", "holiday", "国庆节"),
        ("2026-02-17", "holiday", "春节"),
        ("2025-10-06", "holiday", "中秋节"),  # 2025: 中秋 fell inside the 国庆 break
        ("2024-09-16", "holiday", "中秋节"),
        ("2026-05-01", "holiday", "劳动节"),
        ("2026-06-19", "holiday", "端午节"),
        ("2026-04-05", "holiday", "清明节"),
        ("2026-01-01", "holiday", "元旦"),
        ("2015-09-03", "holiday", "抗战胜利纪念日"),
        ("2026-10-10", "workday", "国庆节"),
        ("2024-02-18", "workday", "春节"),
    ],
)
def test_seeded_days_carry_chinese_names(day, kind, name):
    calendar_seed_from_package(actor=None)
    record = CalendarDay.objects.get(date=D(day))
    assert (record.kind, record.name, record.source) == (kind, name, "package")


def test_seed_writes_one_audit_entry():
    calendar_seed_from_package(actor=None)

    entry = AuditEntry.objects.get(action="org.calendar.seeded")
    assert '"years":[2004,' in entry.data
    assert audit_verify().ok


def test_second_seed_changes_nothing():
    calendar_seed_from_package(actor=None)
    days, entries = CalendarDay.objects.count(), AuditEntry.objects.count()

    result = calendar_seed_from_package(actor=None)

    assert (result.years, result.days) == ([], 0)
    assert (CalendarDay.objects.count(), AuditEntry.objects.count()) == (days, entries)


def test_seed_keeps_days_an_admin_entered_in_a_year_being_entered(admin):
    calendar_day_set(actor=admin, day=D("2026-10-08"), kind="holiday", name="国庆节（地方）")

    calendar_seed_from_package(actor=None)

    assert CalendarDay.objects.get(date=D("2026-10-08")).source == "admin"
    assert CalendarDay.objects.get(date=D("2026-10-01")).name == "国庆节"
    assert CalendarYear.objects.get(year=2026).status == "loaded"


def test_seed_never_overwrites_a_loaded_year(admin):
    calendar_seed_from_package(actor=None)
    calendar_day_clear(actor=admin, day=D("2026-10-07"))

    calendar_seed_from_package(actor=None)

    assert not CalendarDay.objects.filter(date=D("2026-10-07")).exists()


def test_seed_by_an_admin_is_allowed(admin):
    assert calendar_seed_from_package(actor=admin).years


@pytest.mark.parametrize("role", ["clerk", "approver", "legal", "supervisor"])
def test_seed_by_a_non_admin_is_refused(role):
    user = org.user(role, in_region=org.region())
    with pytest.raises(PermissionDenied, match="节假日日历"):
        calendar_seed_from_package(actor=user)
    assert not CalendarDay.objects.exists()


# ---------------------------------------------------------------- setting and clearing days


def test_admin_sets_a_holiday(admin):
    record = calendar_day_set(actor=admin, day=D("2027-10-01"), kind="holiday", name="国庆节")

    assert (record.kind, record.name, record.source, record.updated_by) == (
        "holiday",
        "国庆节",
        "admin",
        admin,
    )
    entry = AuditEntry.objects.get(action="org.calendar_day.saved")
    assert entry.object_id == "2027-10-01" and entry.actor_id == admin.pk


def test_setting_a_day_in_a_new_year_starts_it_as_partial(admin):
    calendar_day_set(actor=admin, day=D("2027-01-01"), kind="holiday", name="元旦")
    assert CalendarYear.objects.get(year=2027).status == "partial"
    assert 2027 not in calendar_years()


def test_replacing_a_package_day_records_what_was_there(admin):
    calendar_seed_from_package(actor=None)

    calendar_day_set(actor=admin, day=D("2026-10-10"), kind="holiday", name="国庆节")

    record = CalendarDay.objects.get(date=D("2026-10-10"))
    assert (record.kind, record.source) == ("holiday", "admin")
    entry = AuditEntry.objects.get(action="org.calendar_day.saved")
    assert '"before":{"kind":"workday","name":"国庆节","source":"package"}' in entry.data


def test_setting_the_same_day_again_records_nothing(admin):
    calendar_day_set(actor=admin, day=D("2027-10-01"), kind="holiday", name="国庆节")
    entries = AuditEntry.objects.count()

    calendar_day_set(actor=admin, day=D("2027-10-01"), kind="holiday", name=" 国庆节 ")

    assert AuditEntry.objects.count() == entries


def test_make_up_workday_on_a_weekday_is_refused(admin):
    with pytest.raises(ValidationFailed) as refused:
        calendar_day_set(actor=admin, day=D("2027-10-12"), kind="workday", name="国庆节")
    assert _fields(refused.value.problems) == ["日期"]
    assert "本来就是工作日" in refused.value.message
    assert not CalendarDay.objects.exists()


def test_make_up_workday_on_a_saturday_is_accepted(admin):
    calendar_day_set(actor=admin, day=D("2027-10-09"), kind="workday", name="")
    assert CalendarDay.objects.get(date=D("2027-10-09")).kind == "workday"


def test_holiday_without_a_name_is_refused(admin):
    with pytest.raises(ValidationFailed) as refused:
        calendar_day_set(actor=admin, day=D("2027-10-01"), kind="holiday", name="  ")
    assert _fields(refused.value.problems) == ["节日"]


def test_unknown_kind_is_refused(admin):
    with pytest.raises(ValidationFailed) as refused:
        calendar_day_set(actor=admin, day=D("2027-10-01"), kind="vacation", name="国庆节")
    assert _fields(refused.value.problems) == ["类型"]


def test_overlong_name_is_refused(admin):
    with pytest.raises(ValidationFailed) as refused:
        calendar_day_set(actor=admin, day=D("2027-10-01"), kind="holiday", name="节" * 31)
    assert _fields(refused.value.problems) == ["节日"]


def test_day_outside_the_maintained_years_is_refused(admin):
    with pytest.raises(ValidationFailed) as refused:
        calendar_day_set(actor=admin, day=D("1999-10-01"), kind="holiday", name="国庆节")
    assert _fields(refused.value.problems) == ["日期"]


@pytest.mark.parametrize("role", ["clerk", "approver", "legal", "supervisor"])
def test_setting_a_day_by_a_non_admin_is_refused(role):
    user = org.user(role, in_region=org.region())
    with pytest.raises(PermissionDenied):
        calendar_day_set(actor=user, day=D("2027-10-01"), kind="holiday", name="国庆节")
    assert not CalendarDay.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="org.calendar").exists()


def test_admin_clears_a_day(admin):
    calendar_seed_from_package(actor=None)

    calendar_day_clear(actor=admin, day=D("2026-10-10"))

    assert not CalendarDay.objects.filter(date=D("2026-10-10")).exists()
    entry = AuditEntry.objects.get(action="org.calendar_day.cleared")
    assert '"kind":"workday"' in entry.data


def test_clearing_a_day_without_a_setting_is_not_found(admin):
    with pytest.raises(NotFound, match="没有放假或调休设置"):
        calendar_day_clear(actor=admin, day=D("2026-10-12"))


def test_clearing_by_a_non_admin_is_refused():
    calendar_seed_from_package(actor=None)
    clerk = org.user("clerk")
    with pytest.raises(PermissionDenied):
        calendar_day_clear(actor=clerk, day=D("2026-10-10"))
    assert CalendarDay.objects.filter(date=D("2026-10-10")).exists()


# ---------------------------------------------------------------- marking a year loaded


def test_admin_marks_a_year_loaded(admin):
    calendar_day_set(actor=admin, day=D("2027-01-01"), kind="holiday", name="元旦")

    record = calendar_year_mark_loaded(actor=admin, year=2027, note="国办发明电〔2026〕X号")

    assert (record.status, record.source, record.note) == (
        "loaded",
        "admin",
        "国办发明电〔2026〕X号",
    )
    assert record.loaded_at is not None
    assert 2027 in calendar_years()
    assert AuditEntry.objects.filter(action="org.calendar_year.loaded").count() == 1


def test_year_without_any_holiday_cannot_be_marked_loaded(admin):
    calendar_day_set(actor=admin, day=D("2027-02-06"), kind="workday", name="春节")
    with pytest.raises(ValidationFailed, match="还没有录入任何放假日期"):
        calendar_year_mark_loaded(actor=admin, year=2027, note="")
    assert CalendarYear.objects.get(year=2027).status == "partial"


def test_marking_a_loaded_year_again_records_nothing(admin):
    calendar_seed_from_package(actor=None)
    entries = AuditEntry.objects.count()

    calendar_year_mark_loaded(actor=admin, year=2026, note="")

    assert AuditEntry.objects.count() == entries


def test_year_outside_the_maintained_years_cannot_be_marked(admin):
    with pytest.raises(ValidationFailed) as refused:
        calendar_year_mark_loaded(actor=admin, year=2200, note="")
    assert _fields(refused.value.problems) == ["年份"]


def test_overlong_note_is_refused(admin):
    calendar_day_set(actor=admin, day=D("2027-01-01"), kind="holiday", name="元旦")
    with pytest.raises(ValidationFailed) as refused:
        calendar_year_mark_loaded(actor=admin, year=2027, note="说" * 201)
    assert _fields(refused.value.problems) == ["说明"]


def test_marking_by_a_non_admin_is_refused(admin):
    calendar_day_set(actor=admin, day=D("2027-01-01"), kind="holiday", name="元旦")
    with pytest.raises(PermissionDenied):
        calendar_year_mark_loaded(actor=org.user("supervisor", in_region=org.region()), year=2027)
    assert 2027 not in calendar_years()
