"""补录: a declared batch of historical cases is checked record by record and written whole, with
one audit entry per case — or refused whole, naming every bad row."""

import dataclasses
import datetime as dt
import json
import random

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.audit.verify import audit_verify
from sunlight.cases import services
from sunlight.cases.choices import CaseState, Decision, DocumentKind, PauseKind, StepResult
from sunlight.cases.history import (
    Anomaly,
    HistoricalCase,
    HistoricalDocument,
    HistoricalPause,
    HistoricalStep,
    cases_record_history,
    fake_sha256,
)
from sunlight.cases.joint import joint_item_create
from sunlight.cases.models import Case, CasePause, CaseStep
from sunlight.cases.tests import factories
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.services import power_item_transition
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db

PUBLISHED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
BATCH = dt.datetime(2026, 3, 20, 18, 0, tzinfo=SHANGHAI)


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def office():
    with clock.frozen(PUBLISHED):
        return factories.office_with_power(steps=factories.LICENCE_STEPS)


def _concluded(office, *, day: int = 3, **overrides) -> HistoricalCase:
    """A licence handled along 受理 → 审查 → 现场核查 → 决定 and granted, as it happened."""
    clerk, head = office.clerk, office.head
    received, accepted = _at(day, 9, 10), _at(day, 9, 20)
    steps = [
        HistoricalStep("Task_1", received, accepted, handler=clerk, result=StepResult.ACCEPTED),
        HistoricalStep("Task_2", accepted, _at(day + 1, 10), handler=head, previous=0,
                       result=StepResult.AGREE),
        HistoricalStep("Task_3", _at(day + 1, 10), _at(day + 2, 11), handler=clerk, previous=1,
                       result=StepResult.AGREE),
        HistoricalStep("Task_4", _at(day + 2, 11), _at(day + 3, 15), handler=head, previous=2,
                       result=StepResult.AGREE, opinion="准予许可"),
    ]  # fmt: skip
    documents = [
        HistoricalDocument("申请书", received, original_received=True, uploaded_by=clerk),
        HistoricalDocument("现场核查记录", _at(day + 2, 10), kind=DocumentKind.STEP, step=2,
                           sha256=fake_sha256("记录", day), uploaded_by=clerk),
    ]  # fmt: skip
    values = {
        "applicant": factories.person(),
        "state": CaseState.CONCLUDED,
        "received_at": received,
        "power_version": office.item.current_version,
        "accepted_at": accepted,
        "concluded_at": _at(day + 3, 16),
        "fields": {"site_inspection_required": True},
        "steps": steps,
        "documents": documents,
        "registered_by": clerk,
        "conclusion": services.Conclusion(opinion="准予"),
    }
    values.update(overrides)
    return HistoricalCase(**values)


def _record(office, records, *, actor=None, rng=None):
    with clock.frozen(BATCH):
        return cases_record_history(
            actor=actor if actor is not None else office.head,
            department=office.department,
            records=records,
            rng=rng or random.Random(1),
        )


def _problems(office, records):
    with pytest.raises(ValidationFailed) as caught:
        _record(office, records)
    return caught.value.problems


# ---------------------------------------------------------------- a good batch


def test_good_batch_is_written_with_its_steps_documents_and_one_audit_entry_per_case(office):
    before = AuditEntry.objects.count()

    written = _record(office, [_concluded(office), _concluded(office, day=9)])

    assert written == 2
    cases = list(Case.objects.order_by("received_at"))
    assert [c.state for c in cases] == [CaseState.CONCLUDED] * 2
    assert {c.entered_at for c in cases} == {BATCH}
    assert cases[0].received_at == _at(3, 9, 10)
    steps = list(cases[0].steps.order_by("started_at", "id"))
    assert [s.name for s in steps] == ["受理", "审查", "现场核查", "决定"]
    assert steps[1].previous_id == steps[0].pk and steps[0].previous_id is None
    assert steps[1].deadline is not None and steps[1].handler_id == office.head.pk
    assert cases[0].documents.count() == 2
    entries = AuditEntry.objects.filter(pk__gt=before, action="cases.case.recorded")
    assert sorted(e.object_id for e in entries) == sorted(c.number for c in cases)
    assert AuditEntry.objects.count() == before + 2
    assert audit_verify().ok


def test_deadlines_are_those_the_live_engine_computes(office):
    _record(office, [_concluded(office)])
    recorded = Case.objects.get()
    with clock.frozen(_at(3, 9, 10)):
        live = factories.register(office)
    with clock.frozen(_at(3, 9, 20)):
        services.case_accept(actor=office.clerk, case=live)
    live.refresh_from_db()

    assert (recorded.statutory_deadline, recorded.promised_deadline) == (
        live.statutory_deadline,
        live.promised_deadline,
    )
    live_review = live.steps.get(name="审查")
    assert recorded.steps.get(name="审查").deadline == live_review.deadline


def test_numbers_follow_the_live_rule_and_query_codes_repeat_with_the_same_random(office):
    _record(office, [_concluded(office)], rng=random.Random(7))
    case = Case.objects.get()

    prefix = f"{office.department.region_id}{office.department.code}20260303"
    assert case.number == prefix + "00001"
    first = random.Random(7)
    assert case.query_code == "".join(first.choice(services._QUERY_ALPHABET) for _ in range(8))


def test_a_live_registration_after_a_batch_gets_a_fresh_number(office):
    day = BATCH.day
    record = _concluded(office, day=day - 4)
    _record(office, [record, _concluded(office, day=day - 4)])
    with clock.frozen(_at(day - 4, 17)):
        live = factories.register(office)

    assert live.number.endswith("00003")
    assert Case.objects.filter(number=live.number).count() == 1


def _delay(record, days: int) -> None:
    """Everything after the first step 审查 began happens `days` later."""
    delta = dt.timedelta(days=days)
    for index, step in enumerate(record.steps[1:], start=1):
        step.finished_at += delta
        step.started_at += delta if index > 1 else dt.timedelta(0)
    for document in record.documents[1:]:
        document.uploaded_at += delta
    record.concluded_at += delta


def test_a_pause_and_an_extension_move_the_deadlines_as_they_would_live(office):
    plain = _concluded(office)
    paused = _concluded(office)
    _delay(paused, 7)
    paused.pauses = [
        HistoricalPause(PauseKind.SPECIAL, _at(4, 10), "专家评审", ended_at=_at(11, 10),
                        procedure="expert_review", approved_by=office.head),
        HistoricalPause(PauseKind.EXTENSION, _at(5, 10), "情况复杂", ended_at=_at(5, 10),
                        extension_days=5, approved_by=office.head),
    ]  # fmt: skip
    _record(office, [plain, paused])
    first, second = Case.objects.order_by("id")

    assert second.paused_workdays == 5 and second.extension_days == 5
    assert second.statutory_deadline > first.statutory_deadline
    assert CasePause.objects.get(kind=PauseKind.SPECIAL).workdays == 5


# ---------------------------------------------------------------- refused records


def _wrong_check_digit(record):
    number = record.applicant.id_number
    record.applicant.id_number = number[:-1] + ("0" if number[-1] != "0" else "1")


def _accepted_before_received(record):
    record.accepted_at = record.received_at - dt.timedelta(hours=1)


def _unknown_step(record):
    record.steps[2].node_id = "Task_missing"


def _received_before_publication(record):
    record.received_at = PUBLISHED - dt.timedelta(days=2)


def _step_before_its_previous(record):
    record.steps[3].started_at = record.steps[2].finished_at - dt.timedelta(hours=2)


def _in_the_future(record):
    record.concluded_at = BATCH + dt.timedelta(days=1)


def _not_accepted_without_reason(record):
    record.state, record.accepted_at, record.conclusion = CaseState.NOT_ACCEPTED, None, None
    record.steps = record.steps[:1]
    record.steps[0].result = StepResult.NOT_ACCEPTED


def _mandatory_material_missing(record):
    record.documents = record.documents[1:]


@pytest.mark.parametrize(
    ("spoil", "where", "says"),
    [
        (_wrong_check_digit, "身份证号码", "校验码"),
        (_accepted_before_received, "时间顺序", "受理时间早于收件时间"),
        (_unknown_step, "第3个环节", "不是该事项流程图中的环节"),
        (_received_before_publication, "权力事项", "不在使用中"),
        (_step_before_its_previous, "第4个环节", "早于上一环节的完成时间"),
        (_in_the_future, "时间顺序", "晚于补录时间"),
        (_not_accepted_without_reason, "不予受理理由", "理由"),
        (_mandatory_material_missing, "申请材料", "申请书"),
    ],
)
def test_a_bad_record_is_refused_with_its_row_and_nothing_is_written(office, spoil, where, says):
    entries = AuditEntry.objects.count()
    bad = _concluded(office, day=9)
    spoil(bad)

    problems = _problems(office, [_concluded(office), bad])

    assert {p.row for p in problems} == {2}
    assert any(where in p.field and says in p.message for p in problems), problems
    assert not Case.objects.exists() and not CaseStep.objects.exists()
    assert AuditEntry.objects.count() == entries


def test_every_bad_record_of_a_batch_is_reported(office):
    records = [_concluded(office, day=d) for d in (3, 5, 9, 11)]
    _wrong_check_digit(records[1])
    _unknown_step(records[3])

    problems = _problems(office, records)

    assert {p.row for p in problems} == {2, 4}


def test_a_power_suspended_at_the_time_is_refused(office):
    with clock.frozen(_at(6, 9)):
        power_item_transition(
            actor=None, item=office.item, action=TransitionAction.SUSPEND, reason="法规修订"
        )
    problems = _problems(office, [_concluded(office, day=3), _concluded(office, day=9)])

    assert [p.row for p in problems if p.field == "权力事项"] == [2]


def test_only_the_department_head_or_an_admin_declares_a_batch(office):
    with pytest.raises(PermissionDenied):
        _record(office, [_concluded(office)], actor=office.clerk)
    assert not Case.objects.exists()


# ---------------------------------------------------------------- planted anomalies


def _no_steps(record):
    record.steps, record.documents = [], record.documents[:1]


def _too_fast(record):
    record.concluded_at = record.accepted_at + dt.timedelta(seconds=20)
    for index, step in enumerate(record.steps[1:], start=1):
        step.started_at = record.accepted_at + dt.timedelta(seconds=index)
        step.finished_at = step.started_at + dt.timedelta(seconds=1)
    record.documents[1].uploaded_at = record.steps[2].started_at


def _document_missing(record):
    record.documents = record.documents[:1]


def _out_of_order(record):
    # 决定 before 审查: the flow never goes from 受理 straight to 决定.
    record.steps[1].node_id, record.steps[3].node_id = "Task_4", "Task_2"


PLANTS = {
    Anomaly.NO_STEPS: (_no_steps, "办理环节"),
    Anomaly.TOO_FAST: (_too_fast, "办结时间"),
    Anomaly.DOCUMENT_MISSING: (_document_missing, "现场核查"),
    Anomaly.OUT_OF_ORDER: (_out_of_order, "不按流程顺序"),
}


@pytest.mark.parametrize("anomaly", list(PLANTS))
def test_an_anomaly_is_refused_when_not_declared(office, anomaly):
    plant, says = PLANTS[anomaly]
    record = _concluded(office)
    plant(record)

    problems = _problems(office, [record])

    assert any(says in f"{p.field}{p.message}" for p in problems), problems


@pytest.mark.parametrize("anomaly", list(PLANTS))
def test_a_declared_anomaly_is_written_and_named_in_its_audit_entry(office, anomaly):
    plant, _ = PLANTS[anomaly]
    record = _concluded(office, declared_anomaly=anomaly)
    plant(record)

    _record(office, [record])

    entry = AuditEntry.objects.get(action="cases.case.recorded")
    assert json.loads(entry.data)["declared_anomaly"] == anomaly
    assert Case.objects.get().state == CaseState.CONCLUDED


def test_a_declared_anomaly_waives_only_its_own_check(office):
    record = _concluded(office, declared_anomaly=Anomaly.TOO_FAST)
    _document_missing(record)

    problems = _problems(office, [record])

    assert any("现场核查" in p.field for p in problems)


# ---------------------------------------------------------------- joint approval


def test_a_joint_application_is_written_as_a_parent_with_its_departments_parts(office):
    with clock.frozen(PUBLISHED):
        other = factories.office_with_power(steps=factories.LICENCE_STEPS, code="052")
        joint = joint_item_create(
            actor=None, name="开办一件事", lead_department=office.department,
            powers=[office.item, other.item], limit_days=15,
        )  # fmt: skip

    def part(of, refused: bool):
        record = _concluded(of)
        record.received_at = record.accepted_at = _at(3, 9, 20)
        record.steps[0].started_at = record.documents[0].uploaded_at = record.received_at
        if refused:
            record.conclusion = services.Conclusion(decision=Decision.REFUSED, opinion="不符合")
        return record

    parts = [part(office, False), part(other, True)]
    parent = HistoricalCase(
        applicant=factories.person(), state=CaseState.CONCLUDED, received_at=_at(3, 9, 20),
        concluded_at=max(p.concluded_at for p in parts), joint_item=joint, parts=parts,
    )  # fmt: skip

    assert _record(office, [parent]) == 3

    head = Case.objects.get(joint_parent__isnull=True)
    assert head.case_type == "3" and head.state == CaseState.CONCLUDED
    assert head.decision == Decision.REFUSED and other.department.name in head.conclusion_opinion
    assert {c.department_id for c in head.joint_parts.all()} == {
        office.department.pk,
        other.department.pk,
    }
    assert head.promised_deadline is not None
    assert audit_verify().ok


def test_a_joint_parent_must_have_the_state_its_parts_give_it(office):
    with clock.frozen(PUBLISHED):
        other = factories.office_with_power(steps=factories.LICENCE_STEPS, code="053")
        joint = joint_item_create(
            actor=None, name="开办一件事", lead_department=office.department,
            powers=[office.item, other.item], limit_days=15,
        )  # fmt: skip
    parts = []
    for of in (office, other):
        record = _concluded(of)
        record.received_at = record.accepted_at = _at(3, 9, 20)
        record.steps[0].started_at = record.documents[0].uploaded_at = record.received_at
        parts.append(record)
    parent = HistoricalCase(
        applicant=factories.person(), state=CaseState.IN_PROGRESS, received_at=_at(3, 9, 20),
        joint_item=joint, parts=[dataclasses.replace(p) for p in parts],
    )  # fmt: skip

    problems = _problems(office, [parent])

    assert [p.field for p in problems] == ["状态"]
