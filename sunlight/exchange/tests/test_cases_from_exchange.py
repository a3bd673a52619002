"""Pushed records become real cases: bound to the published version, on the platform's clock,
judged by supervision, carried on by later pushes (never duplicated), shown with their source."""

import base64
import datetime as dt
import json

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.cases.choices import CaseState, StepState
from sunlight.cases.history_models import BatchSource
from sunlight.cases.models import Case, CaseStep
from sunlight.cases.tests.sample_files import minimal_pdf
from sunlight.core import clock
from sunlight.exchange.models import ExchangeRecord
from sunlight.exchange.services import exchange_ingest
from sunlight.exchange.tests import records
from sunlight.supervision.models import Alert
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import enable_only

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=clock.SHANGHAI)
CASE = "ZJ-2026-000123"


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


def push(city, table, rows):
    return exchange_ingest(source=city["source"], table=table, records=rows)


def accept_step(**changes):
    fields = {
        "step_code": "Task_accept", "step_name": "受理", "started_at": "2026-11-02 09:30:00",
        "finished_at": "2026-11-02 10:00:00", "result": "4", "entered_at": "2026-11-02 10:05:00",
    }  # fmt: skip
    return records.process(external_id="P-0", **(fields | changes))


def full_trace(city, **basic_changes):
    """Basic record, three steps along the flow, the result."""
    push(city, "case_basic", [records.basic(city["item"].code, **basic_changes)])
    push(city, "case_process", [
        accept_step(),
        records.process(external_id="P-1"),
        records.process(external_id="P-2", step_code="Task_decide", step_name="决定",
                        started_at="2026-11-03 16:00:00", finished_at="2026-11-05 11:00:00",
                        entered_at="2026-11-05 11:05:00"),
    ])  # fmt: skip
    return push(city, "case_result", [records.result()])


def test_a_pushed_basic_record_is_a_case_on_the_platforms_clock(exchange_city):
    result = push(exchange_city, "case_basic", [records.basic(exchange_city["item"].code)])

    case = Case.objects.get()
    assert result.acks[0].case == case.number
    assert case.power_version == exchange_city["item"].current_version
    assert case.flow_id == case.power_version.flow.pk
    assert case.state == CaseState.IN_PROGRESS
    assert case.source_number == f"housing-oa:{CASE}"
    assert case.history_batch.source == BatchSource.EXCHANGE
    assert "住建局审批系统" in case.history_batch.reason
    # Entry time is the source's; the deadlines run on the working-day calendar from 受理.
    assert case.entered_at == dt.datetime(2026, 11, 2, 9, 40, tzinfo=clock.SHANGHAI)
    assert case.statutory_deadline is not None and case.promised_deadline is not None
    assert AuditEntry.objects.filter(action="cases.case.recorded", object_id=case.number).exists()


def test_later_pushes_carry_the_case_on_and_never_duplicate_it(exchange_city):
    full_trace(exchange_city)

    case = Case.objects.get()
    assert case.state == CaseState.CONCLUDED and case.conclusion_code == "0"
    steps = list(CaseStep.objects.filter(case=case).order_by("id"))
    assert [s.name for s in steps] == ["受理", "审查", "决定"]
    assert all(s.state == StepState.DONE for s in steps)
    assert steps[1].previous_id == steps[0].pk and steps[2].previous_id == steps[1].pk
    assert AuditEntry.objects.filter(action="cases.case.record_updated").count() == 2

    again = full_trace(exchange_city)  # a retried run of every push

    assert again.accepted and Case.objects.count() == 1 and CaseStep.objects.count() == 3


def test_an_open_step_is_finished_by_a_higher_data_version(exchange_city):
    push(exchange_city, "case_basic", [records.basic(exchange_city["item"].code)])
    push(exchange_city, "case_process", [accept_step(), records.process(finished_at="")])
    (review,) = CaseStep.objects.filter(name="审查")
    assert review.state == StepState.OPEN and review.deadline is not None

    push(exchange_city, "case_process", [records.process(data_version=2)])

    review.refresh_from_db()
    assert review.state == StepState.DONE and CaseStep.objects.count() == 2


def test_a_handled_step_cannot_be_rewritten_and_nothing_is_written(exchange_city):
    push(exchange_city, "case_basic", [records.basic(exchange_city["item"].code)])
    push(exchange_city, "case_process", [accept_step(), records.process()])

    moved = push(
        exchange_city,
        "case_process",
        [records.process(data_version=2, started_at="2026-11-03 08:00:00")],
    )

    assert not moved.accepted
    (error,) = moved.acks[0].errors
    assert error["code"] == "case_check" and "不能更换或改变开始时间" in error["message"]
    assert ExchangeRecord.objects.get(external_id="P-1").data_version == 1


def test_a_trace_that_could_not_have_happened_refuses_the_batch_whole(exchange_city):
    push(exchange_city, "case_basic", [records.basic(exchange_city["item"].code)])

    # Concluded before it was accepted.
    early = records.result(concluded_at="2026-11-02 09:50:00")
    refused = push(exchange_city, "case_result", [early])

    assert not refused.accepted
    assert {e["code"] for e in refused.acks[0].errors} == {"case_check"}
    assert not ExchangeRecord.objects.filter(table="case_result").exists()
    assert Case.objects.get().state == CaseState.IN_PROGRESS


def _alerts(code: str) -> set[str]:
    with clock.frozen(NOW):
        scan_run(full=True)
    return set(Alert.objects.filter(rule__code=code).values_list("case__number", flat=True))


def test_steps_out_of_flow_order_are_recorded_and_raise_the_same_alert(exchange_city):
    push(exchange_city, "case_basic", [records.basic(exchange_city["item"].code)])
    # The decision straight after acceptance, the review afterwards: as the source ran it.
    push(exchange_city, "case_process", [
        accept_step(),
        records.process(external_id="P-2", step_code="Task_decide", step_name="决定",
                        started_at="2026-11-03 08:00:00", finished_at="2026-11-03 08:30:00"),
        records.process(external_id="P-1", started_at="2026-11-03 09:00:00"),
    ])  # fmt: skip
    push(exchange_city, "case_result", [records.result()])
    enable_only("out-of-order")

    assert _alerts("out-of-order") == {Case.objects.get().number}


def test_a_required_document_missing_raises_the_same_alert_and_a_pushed_one_clears_it(
    exchange_city,
):
    full_trace(exchange_city)
    enable_only("documents-missing")
    case = Case.objects.get()
    assert _alerts("documents-missing") == {case.number}

    accepted = push(exchange_city, "material", [{
        "external_id": "M-1", "data_version": 1, "entered_at": "2026-11-02 10:05:00",
        "case_external_id": CASE, "kind": "2", "name": "受理通知书", "step_external_id": "P-0",
        "submitted_at": "2026-11-02 09:59:00", "file_name": "受理通知书.pdf",
        "content_base64": base64.b64encode(minimal_pdf()).decode(),
    }])  # fmt: skip

    assert accepted.accepted, accepted.acks[0].errors
    document = case.documents.get()
    assert document.file_path and document.sha256 and document.step.name == "受理"
    with clock.frozen(NOW):
        scan_run(full=True)
    assert not Alert.objects.filter(rule__code="documents-missing", closed_at=None).exists()


def test_typed_into_the_source_days_after_the_conclusion_is_entered_late(exchange_city):
    full_trace(exchange_city, entered_at="2026-11-12 09:00:00")
    enable_only("entered-late", entered_late={"days": 3, "since": ""})

    assert _alerts("entered-late") == {Case.objects.get().number}


def test_typed_in_as_it_happened_is_not_entered_late(exchange_city):
    full_trace(exchange_city)
    enable_only("entered-late", entered_late={"days": 3, "since": ""})

    assert _alerts("entered-late") == set()


def test_the_case_page_shows_where_the_case_came_from(client, exchange_city):
    push(exchange_city, "case_basic", [records.basic(exchange_city["item"].code)])
    case = Case.objects.get()
    client.force_login(exchange_city["clerk"])

    page = client.get(f"/staff/cases/{case.number}/").content.decode()

    assert "部门自建系统推送" in page and "住建局审批系统" in page


def test_a_pushed_penalty_case_is_a_case_of_its_penalty_power(exchange_city):
    from sunlight.exchange.tests.bad_corpus import good

    codes = {"penalty": exchange_city["penalty_item"].code}
    result = push(exchange_city, "penalty_basic", [good("penalty_basic", codes)])

    case = Case.objects.get()
    assert result.acks[0].case == case.number
    assert case.power_item == exchange_city["penalty_item"]
    assert case.applicant_name == "清源市某物业服务有限公司"


def test_a_corrected_basic_record_corrects_the_applicant_with_an_audit_entry(exchange_city):
    from sunlight.cases.tests.factories import resident_id

    code = exchange_city["item"].code
    push(exchange_city, "case_basic", [records.basic(code)])
    push(exchange_city, "case_process", [accept_step(), records.process()])
    corrected_id = resident_id(sequence="456")

    result = push(exchange_city, "case_basic", [records.basic(
        code, data_version=2, applicant_name="李四", applicant_id=corrected_id,
        applicant_phone="13900001111",
    )])  # fmt: skip

    assert result.accepted and result.acks[0].status == "updated"
    case = Case.objects.get()
    assert (case.applicant_name, case.applicant_id_number, case.applicant_phone) == (
        "李四",
        corrected_id,
        "13900001111",
    )
    assert case.title.endswith("（李四）") and CaseStep.objects.filter(case=case).count() == 2
    entry = AuditEntry.objects.filter(action="cases.case.record_updated").latest("id")
    assert entry.object_id == case.number
    corrected = json.loads(entry.data)["applicant_corrected"]
    assert corrected["applicant_name"] == ["张*", "李*"]
    assert corrected["applicant_phone"] == ["138****5678", "139****1111"]
    assert records.RESIDENT_ID not in entry.data and corrected_id not in entry.data


def test_a_stale_basic_record_is_refused_and_the_applicant_is_kept(exchange_city):
    code = exchange_city["item"].code
    push(exchange_city, "case_basic", [records.basic(code, data_version=2)])

    stale = push(exchange_city, "case_basic", [records.basic(code, applicant_name="王五")])

    assert not stale.accepted
    assert [e["code"] for e in stale.acks[0].errors] == ["stale_version"]
    assert Case.objects.get().applicant_name == "张三"
    assert not AuditEntry.objects.filter(action="cases.case.record_updated").exists()
