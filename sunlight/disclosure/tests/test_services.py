"""Scheduled disclosure: matters, their due periods, disclosing into the archive and correcting
(a new entry pointing at the old; the old is never changed, the database refuses it)."""

import datetime as dt

import pytest
from django.db import DatabaseError, transaction

from sunlight.audit.models import AuditEntry
from sunlight.core import clock
from sunlight.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from sunlight.disclosure import services
from sunlight.disclosure.models import ArchiveEntry, DisclosureDue, DisclosureMatter
from sunlight.disclosure.tests import factories
from sunlight.org.tests import factories as org
from sunlight.supervision.tests.fixtures import at

pytestmark = pytest.mark.django_db


def test_a_monthly_matter_gets_one_due_period_per_month_due_ten_days_after_it_ends():
    office = factories.office()
    with clock.frozen(at(2026, 3, 15)):
        matter = factories.matter(office, starts_on=dt.date(2026, 1, 1))
    dues = list(matter.dues.order_by("period_start"))
    assert [(d.period_start, d.due_on) for d in dues] == [
        (dt.date(2026, 1, 1), dt.date(2026, 2, 10)),
        (dt.date(2026, 2, 1), dt.date(2026, 3, 10)),
        (dt.date(2026, 3, 1), dt.date(2026, 4, 10)),
    ]
    with clock.frozen(at(2026, 4, 2)):
        assert services.dues_schedule() == 1  # April begun
        assert services.dues_schedule() == 0  # idempotent


def test_bad_matter_input_is_refused_with_every_problem_and_nothing_written():
    office = factories.office()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        services.matter_create(
            actor=office.head,
            department_id=office.department.pk,
            content="\u200b ",
            frequency="weekly",
            scope="secret",
            form="online",
            starts_on=None,
            grace_days=400,
        )
    fields = {p.field for p in refused.value.problems}
    assert fields == {"公开内容", "公开频次", "公开范围", "起始日期", "期满后公开期限"}
    assert not DisclosureMatter.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_a_clerk_may_not_register_matters_nor_disclose_another_departments():
    office, other = factories.office(), factories.office(name="清源市审计局")
    with pytest.raises(PermissionDenied):
        factories.matter(factories.Office(office.department, office.clerk, office.clerk,
                                          office.supervisor, office.admin))  # fmt: skip
    matter = factories.matter(office)
    due = matter.dues.first()
    with pytest.raises(NotFound):
        services.disclosure_publish(
            actor=other.clerk, matter_id=matter.pk, due_id=due.pk, body="内容"
        )
    assert not ArchiveEntry.objects.exists()


def test_disclosing_a_period_archives_it_once_and_marks_the_period_done():
    office = factories.office()
    with clock.frozen(at(2026, 2, 5)):
        matter = factories.matter(office)
        january = matter.dues.get(period_start=dt.date(2026, 1, 1))
        entry = services.disclosure_publish(
            actor=office.clerk, matter_id=matter.pk, due_id=january.pk, body="1月支出 12.5 万元"
        )
        with pytest.raises(InvalidTransition):
            services.disclosure_publish(
                actor=office.clerk, matter_id=matter.pk, due_id=january.pk, body="再来一次"
            )
    january.refresh_from_db()
    assert january.archived_entry == entry and not january.archived_late
    assert entry.title == "部门预算执行情况（2026年1月）"
    assert ArchiveEntry.objects.count() == 1
    assert AuditEntry.objects.filter(action="disclosure.archive.published").count() == 1


def test_blank_disclosure_is_refused_and_the_period_stays_open():
    office = factories.office()
    with clock.frozen(at(2026, 2, 5)):
        matter = factories.matter(office)
        due = matter.dues.first()
        with pytest.raises(ValidationFailed):
            services.disclosure_publish(
                actor=office.clerk, matter_id=matter.pk, due_id=due.pk, body="  \n "
            )
        with pytest.raises(ValidationFailed):
            services.disclosure_publish(actor=office.clerk, matter_id=matter.pk, body="无期次")
    assert not ArchiveEntry.objects.exists()
    assert not DisclosureDue.objects.filter(archived_entry__isnull=False).exists()


def test_a_correction_is_a_new_entry_pointing_at_the_old_which_stays_as_it_was():
    office = factories.office()
    with clock.frozen(at(2026, 2, 5)):
        matter = factories.matter(office)
        due = matter.dues.first()
        old = services.disclosure_publish(
            actor=office.clerk, matter_id=matter.pk, due_id=due.pk, body="支出 12.5 万元"
        )
    with clock.frozen(at(2026, 2, 6)):
        new = services.archive_correct(
            actor=office.clerk, entry_id=old.pk, body="支出 15.2 万元", reason="数字录入颠倒"
        )
        with pytest.raises(InvalidTransition):
            services.archive_correct(
                actor=office.clerk, entry_id=old.pk, body="第三个版本", reason="再改"
            )
    old.refresh_from_db()
    assert old.body == "支出 12.5 万元" and new.corrects == old
    assert new.title.startswith("（更正）") and new.published_at > old.published_at
    assert list(ArchiveEntry.objects.order_by("published_at", "id")) == [old, new]


def test_a_correction_without_a_reason_is_refused_and_nothing_is_written():
    office = factories.office()
    with clock.frozen(at(2026, 2, 5)):
        matter = factories.matter(office, frequency="anytime")
        old = services.disclosure_publish(actor=office.clerk, matter_id=matter.pk, body="原内容")
        with pytest.raises(ValidationFailed) as refused:
            services.archive_correct(actor=office.clerk, entry_id=old.pk, body="新", reason=" ")
    assert [p.field for p in refused.value.problems] == ["更正原因"]
    assert ArchiveEntry.objects.count() == 1


def test_the_database_refuses_to_edit_an_archive_entry_in_place():
    office = factories.office()
    matter = factories.matter(office, frequency="anytime")
    entry = services.disclosure_publish(actor=office.clerk, matter_id=matter.pk, body="原内容")
    with pytest.raises(DatabaseError), transaction.atomic():
        ArchiveEntry.objects.filter(pk=entry.pk).update(body="悄悄改掉")
    entry.refresh_from_db()
    assert entry.body == "原内容"


def test_staff_of_another_region_cannot_see_or_correct():
    office = factories.office()
    far = org.department(in_region=org.region("330100", "杭州市"))
    stranger = org.user("admin", in_region=far.region)
    matter = factories.matter(office, frequency="anytime")
    entry = services.disclosure_publish(actor=office.clerk, matter_id=matter.pk, body="原内容")
    with pytest.raises(NotFound):
        services.archive_correct(actor=stranger, entry_id=entry.pk, body="改", reason="理由")


def test_the_office_sees_a_departments_matter_but_may_not_disclose_it():
    office = factories.office()
    matter = factories.matter(office, frequency="anytime")
    with pytest.raises(PermissionDenied):
        services.disclosure_publish(actor=office.supervisor, matter_id=matter.pk, body="代公开")
    assert not ArchiveEntry.objects.exists()


def test_a_period_disclosed_in_the_evening_of_its_due_day_is_in_time():
    office = factories.office()
    with clock.frozen(at(2026, 2, 10, 23, 30)):  # 15:30 UTC: still 10 February in Shanghai
        matter = factories.matter(office)
        due = matter.dues.get(period_start=dt.date(2026, 1, 1))
        services.disclosure_publish(
            actor=office.clerk, matter_id=matter.pk, due_id=due.pk, body="x"
        )
    due.refresh_from_db()
    assert due.due_on == dt.date(2026, 2, 10) and not due.archived_late
