"""双公示: drafted from decisions with the national fields, published on a clock, corrected and
withdrawn without anything vanishing; natural persons masked."""

import datetime as dt

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.cases.choices import Decision
from sunlight.cases.services import Conclusion
from sunlight.cases.tests import factories as case_factories
from sunlight.core import clock
from sunlight.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from sunlight.org.tests import factories as org
from sunlight.publication import services
from sunlight.publication.choices import EntryState
from sunlight.publication.models import DoublePublicityEntry
from sunlight.publication.selectors import double_publicity_counts
from sunlight.publication.tests import factories

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=clock.SHANGHAI)


@pytest.fixture
def licence_office():
    return case_factories.office_with_power(code="041", category="01")


@pytest.fixture
def penalty_office():
    return case_factories.office_with_power(
        code="051", category="02", steps=[case_factories.LICENCE_STEPS[0]]
    )


def _entry(case):
    return DoublePublicityEntry.objects.get(case=case)


def test_a_granted_licence_is_drafted_with_the_national_fields_and_a_due_day(licence_office):
    with clock.frozen(MONDAY):
        case = factories.concluded(licence_office, applicant=factories.company())

        assert services.double_publicity_collect() == 1

    entry = _entry(case)
    assert entry.kind == "licence" and entry.state == EntryState.PENDING
    assert entry.party_name == "清源市明达建筑有限公司"
    assert entry.party_code == factories.credit_code()
    assert entry.category == "普通"
    assert entry.decided_on == dt.date(2026, 3, 2)
    # Seven working days after Monday 2 March: Wednesday 11 March.
    assert entry.due_on == dt.date(2026, 3, 11)
    assert entry.deciding_body == licence_office.department.name
    assert AuditEntry.objects.filter(action="publication.double_publicity.drafted").count() == 1


def test_refusals_and_open_cases_are_not_drafted_and_a_second_run_adds_nothing(licence_office):
    factories.concluded(
        licence_office, conclusion=Conclusion(decision=Decision.REFUSED, opinion="材料不实")
    )
    granted = factories.concluded(licence_office)
    case_factories.register(licence_office)

    assert services.double_publicity_collect() == 1
    assert services.double_publicity_collect() == 0
    assert list(DoublePublicityEntry.objects.values_list("case", flat=True)) == [granted.pk]


def test_a_penalty_on_a_natural_person_is_masked(penalty_office):
    case = factories.concluded(
        penalty_office,
        applicant=case_factories.person("王小明"),
        conclusion=factories.fined("3000"),
    )

    services.double_publicity_collect()

    entry = _entry(case)
    assert entry.kind == "penalty" and entry.category == "罚款"
    assert entry.party_name == "王**"
    assert entry.party_code == "330102********" + case.applicant_id_number[-4:]
    assert "王小明" not in entry.content and str(entry.amount) == "3000.00"


def test_publishing_within_the_window_is_on_time_and_after_it_is_late(licence_office):
    with clock.frozen(MONDAY):
        on_time, late = (factories.concluded(licence_office) for _ in range(2))
        services.double_publicity_collect()
    with clock.frozen(MONDAY + dt.timedelta(days=9)):  # Wednesday 11 March: the due day
        services.double_publicity_publish(
            actor=licence_office.clerk,
            entry_id=_entry(on_time).pk,
            decision_number="清建许〔2026〕1号",
        )
    with clock.frozen(MONDAY + dt.timedelta(days=10)):
        services.double_publicity_publish(
            actor=licence_office.clerk,
            entry_id=_entry(late).pk,
            decision_number="清建许〔2026〕2号",
        )

    assert not _entry(on_time).published_late
    assert _entry(late).published_late
    assert double_publicity_counts(today=dt.date(2026, 3, 12)) == {
        "double_publicity_entries": 2,
        "double_publicity_late": 1,
        "double_publicity_pending": 0,
    }


def test_publishing_without_a_decision_number_is_refused_and_changes_nothing(licence_office):
    case = factories.concluded(licence_office)
    services.double_publicity_collect()
    entry = _entry(case)

    with pytest.raises(ValidationFailed) as refused:
        services.double_publicity_publish(
            actor=licence_office.clerk, entry_id=entry.pk, category="随便"
        )

    assert {p.field for p in refused.value.problems} == {
        f"办件{case.number} 决定文书号",
        f"办件{case.number} 类别",
    }
    assert _entry(case).state == EntryState.PENDING


def test_other_departments_cannot_see_and_supervisors_cannot_publish(licence_office):
    case = factories.concluded(licence_office)
    services.double_publicity_collect()
    stranger = org.user("clerk", department=org.department(code="099", name="别的局"))
    supervisor = org.user("supervisor", in_region=licence_office.department.region)

    with pytest.raises(NotFound):
        services.double_publicity_publish(
            actor=stranger, entry_id=_entry(case).pk, decision_number="X1"
        )
    with pytest.raises(PermissionDenied):
        services.double_publicity_publish(
            actor=supervisor, entry_id=_entry(case).pk, decision_number="X1"
        )


def _published(office):
    case = factories.concluded(office)
    services.double_publicity_collect()
    return services.double_publicity_publish(
        actor=office.clerk, entry_id=_entry(case).pk, decision_number="清建许〔2026〕9号"
    )


def test_a_correction_is_a_new_entry_pointing_at_the_old_which_stays_marked(licence_office):
    old = _published(licence_office)

    new = services.double_publicity_correct(
        actor=licence_office.head,
        entry_id=old.pk,
        correction=services.EntryCorrection(decision_number="清建许〔2026〕10号"),
        reason="文号录入错误",
    )

    old.refresh_from_db()
    assert old.state == EntryState.SUPERSEDED and old.decision_number == "清建许〔2026〕9号"
    assert new.corrects == old and new.state == EntryState.PUBLISHED
    assert new.decision_number == "清建许〔2026〕10号" and new.correction_reason == "文号录入错误"
    assert new.case_id == old.case_id


def test_a_correction_of_a_stale_entry_is_refused(licence_office):
    old = _published(licence_office)
    services.double_publicity_correct(
        actor=licence_office.clerk,
        entry_id=old.pk,
        correction=services.EntryCorrection(content="准予新内容"),
        reason="内容有误",
    )

    with pytest.raises(ValidationFailed, match="已更正"):
        services.double_publicity_correct(
            actor=licence_office.clerk,
            entry_id=old.pk,
            correction=services.EntryCorrection(content="再改"),
            reason="再改",
        )


def test_a_withdrawal_keeps_the_entry_with_its_reason(licence_office):
    entry = _published(licence_office)

    with pytest.raises(ValidationFailed, match="撤销理由"):
        services.double_publicity_withdraw(actor=licence_office.clerk, entry_id=entry.pk, reason="")
    services.double_publicity_withdraw(
        actor=licence_office.clerk, entry_id=entry.pk, reason="许可决定经复议被撤销"
    )

    entry.refresh_from_db()
    assert entry.state == EntryState.WITHDRAWN
    assert entry.withdrawal_reason == "许可决定经复议被撤销" and entry.withdrawn_at is not None
    with pytest.raises(ValidationFailed):
        services.double_publicity_withdraw(
            actor=licence_office.clerk, entry_id=entry.pk, reason="again"
        )


def test_a_second_publish_of_the_same_entry_fails_cleanly(licence_office):
    entry = _published(licence_office)
    stale = DoublePublicityEntry.objects.get(pk=entry.pk)
    stale.state, stale.revision = EntryState.PENDING, stale.revision - 1

    with pytest.raises(InvalidTransition):
        services._move(stale, EntryState.PENDING, {"state": EntryState.PUBLISHED})


def test_a_round_of_several_departments_publishes_each_entry_as_its_own_department(
    licence_office,
):
    other_office = case_factories.office_with_power(code="042", category="01")
    with clock.frozen(MONDAY):
        first, second = factories.concluded(licence_office), factories.concluded(other_office)
        services.double_publicity_collect()

    with clock.frozen(MONDAY + dt.timedelta(days=2)):
        published = services.double_publicity_publish_batches(
            batches=[
                services.PublishBatch(
                    licence_office.clerk,
                    [services.PublishRequest(_entry(first).pk, "清建许〔2026〕1号")],
                ),
                services.PublishBatch(
                    other_office.clerk,
                    [services.PublishRequest(_entry(second).pk, "清建许〔2026〕2号")],
                ),
            ]
        )

    assert [e.case_id for e in published] == [first.pk, second.pk]
    assert _entry(first).published_by == licence_office.clerk
    assert _entry(second).published_by == other_office.clerk
    audit = AuditEntry.objects.filter(action="publication.double_publicity.published")
    assert list(audit.order_by("id").values_list("actor_id", flat=True)) == [
        licence_office.clerk.pk,
        other_office.clerk.pk,
    ]


def test_a_round_with_an_entry_its_actor_cannot_see_publishes_nothing(licence_office):
    other_office = case_factories.office_with_power(code="042", category="01")
    first, second = factories.concluded(licence_office), factories.concluded(other_office)
    services.double_publicity_collect()

    with pytest.raises(NotFound):
        services.double_publicity_publish_batches(
            batches=[
                services.PublishBatch(
                    licence_office.clerk, [services.PublishRequest(_entry(first).pk, "X1")]
                ),
                # The first department's clerk naming the other department's entry.
                services.PublishBatch(
                    licence_office.clerk, [services.PublishRequest(_entry(second).pk, "X2")]
                ),
            ]
        )

    assert _entry(first).state == EntryState.PENDING
    assert _entry(second).state == EntryState.PENDING
    assert not AuditEntry.objects.filter(action="publication.double_publicity.published")
