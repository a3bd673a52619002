"""One write path for pushed records: every record checked, a batch written whole or not at
all, upserts by (source, table, external id) with data versions."""

import datetime as dt
import gc

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.core import clock
from sunlight.core.errors import ValidationFailed
from sunlight.exchange.choices import BatchOutcome, SyncFlag
from sunlight.exchange.models import ExchangeBatch, ExchangeRecord
from sunlight.exchange.services import exchange_ingest
from sunlight.exchange.tests import records

NOW = dt.datetime(2026, 11, 10, 10, 0, tzinfo=clock.SHANGHAI)


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


def ingest(city, table, rows):
    return exchange_ingest(source=city["source"], table=table, records=rows)


def codes(result) -> list[tuple[int, str, str]]:
    return [(a.index, e["field"], e["code"]) for a in result.acks for e in a.errors]


def test_a_batch_of_good_records_is_written_with_its_sync_columns(exchange_city):
    result = ingest(exchange_city, "case_basic", [records.basic(exchange_city["item"].code)])

    assert result.accepted and [a.status for a in result.acks] == ["written"]
    row = ExchangeRecord.objects.get()
    assert row.power_version == exchange_city["item"].current_version
    assert row.department == exchange_city["housing"]
    assert row.sync_flag == SyncFlag.NEW and row.written_at == NOW and row.read_at is None
    assert row.entered_in_source_at - row.event_at == dt.timedelta(minutes=10)
    assert AuditEntry.objects.filter(action="exchange.batch.accepted").count() == 1


def test_a_retried_batch_writes_nothing_new(exchange_city):
    batch = [records.basic(exchange_city["item"].code)]
    ingest(exchange_city, "case_basic", batch)

    again = ingest(exchange_city, "case_basic", batch)

    assert again.accepted and [a.status for a in again.acks] == ["unchanged"]
    assert ExchangeRecord.objects.count() == 1


def test_a_correction_needs_a_higher_version_and_an_older_one_is_refused(exchange_city):
    code = exchange_city["item"].code
    ingest(exchange_city, "case_basic", [records.basic(code)])

    same_version = ingest(exchange_city, "case_basic", [records.basic(code, applicant_name="李四")])
    corrected = ingest(
        exchange_city, "case_basic", [records.basic(code, applicant_name="李四", data_version=2)]
    )
    older = ingest(exchange_city, "case_basic", [records.basic(code, data_version=1)])

    assert codes(same_version) == [(0, "data_version", "version_conflict")]
    assert corrected.accepted and corrected.acks[0].status == "updated"
    assert codes(older) == [(0, "data_version", "stale_version")]
    row = ExchangeRecord.objects.get()
    assert row.payload["applicant_name"] == "李四" and row.sync_flag == SyncFlag.UPDATED


def test_one_bad_record_refuses_the_whole_batch_and_names_it(exchange_city):
    code = exchange_city["item"].code
    batch = [
        records.basic(code, "A-1"),
        records.basic(code, "A-2", applicant_id="110105194912310021"),
    ]

    result = ingest(exchange_city, "case_basic", batch)

    assert not result.accepted
    assert [a.status for a in result.acks] == ["not_written", "rejected"]
    assert codes(result) == [(1, "applicant_id", "check_digit")]
    assert not ExchangeRecord.objects.exists()
    refused = ExchangeBatch.objects.get()
    assert refused.outcome == BatchOutcome.REFUSED and refused.rejected == 1


BAD_BASIC = [
    ({"external_id": ""}, "external_id", "required"),
    ({"data_version": "0"}, "data_version", "type"),
    ({"data_version": "v2"}, "data_version", "type"),
    ({"channel": "9"}, "channel", "code_table"),
    ({"case_type": "5"}, "case_type", "code_table"),
    ({"applicant_kind": "3"}, "applicant_kind", "code_table"),
    ({"applicant_phone": "123"}, "applicant_phone", "type"),
    ({"applicant_kind": "2", "applicant_id": "91330100MA27XYZ12X"}, "applicant_id", "check_digit"),
    ({"received_at": "昨天"}, "received_at", "type"),
    ({"accepted_at": "2026-11-01 08:00:00"}, "accepted_at", "time_order"),
    ({"entered_at": "2026-11-01 08:00:00"}, "entered_at", "time_order"),
    (
        {"received_at": "2027-01-01 08:00:00", "entered_at": "2027-01-02 08:00:00"},
        "received_at",
        "time_order",
    ),
    ({"power_code": "9999"}, "power_code", "unknown_power"),
    ({"colour": "red"}, "colour", "unknown_field"),
]


@pytest.mark.parametrize(("changes", "field", "code"), BAD_BASIC)
def test_each_bad_basic_record_is_refused_precisely(exchange_city, changes, field, code):
    record = records.basic(exchange_city["item"].code, **changes)

    result = ingest(exchange_city, "case_basic", [record])

    assert (0, field, code) in codes(result)
    assert not ExchangeRecord.objects.exists()


def test_a_power_of_a_department_the_source_may_not_write_for_is_refused(exchange_city):
    result = ingest(exchange_city, "case_basic", [records.basic(exchange_city["other_item"].code)])

    assert codes(result) == [(0, "power_code", "forbidden_department")]


def test_the_national_implementation_code_finds_the_power_too(exchange_city):
    item = exchange_city["item"]
    type(item).objects.filter(pk=item.pk).update(
        national_code="330A0123000000-338500000000-000-113385000012345678-1-00"
    )

    result = ingest(
        exchange_city,
        "case_basic",
        [records.basic("330A0123000000-338500000000-000-113385000012345678-1-00")],
    )

    assert result.accepted and ExchangeRecord.objects.get().power_code == item.code


def test_process_rows_are_checked_against_the_cases_flow(exchange_city):
    ingest(exchange_city, "case_basic", [records.basic(exchange_city["item"].code)])

    good = ingest(exchange_city, "case_process", [records.process()])
    bad = ingest(
        exchange_city,
        "case_process",
        [
            records.process(external_id="P-2", step_code="Task_x", step_name="会签"),
            records.process(external_id="P-3", case_id="NOPE"),
            records.process(external_id="P-4", started_at="2026-11-01 09:00:00"),
            records.process(external_id="P-5", finished_at="2026-11-03 08:00:00"),
            records.process(external_id="P-6", result="8"),
        ],
    )

    assert good.accepted
    assert codes(bad) == [
        (0, "step_code", "step_not_in_flow"),
        (1, "case_external_id", "unknown_case"),
        (2, "started_at", "time_order"),
        (3, "finished_at", "time_order"),
        (4, "result", "code_table"),
    ]
    assert "审查" in bad.acks[0].errors[0]["message"]  # the flow's steps are named
    assert ExchangeRecord.objects.filter(table="case_process").count() == 1


def test_a_result_with_less_paid_than_due_needs_a_waiver_reason(exchange_city):
    ingest(exchange_city, "case_basic", [records.basic(exchange_city["item"].code)])

    refused = ingest(exchange_city, "case_result", [records.result(fee_due="200", fee_paid="50")])
    accepted = ingest(
        exchange_city,
        "case_result",
        [records.result(fee_due="200", fee_paid="50", waiver_reason="小微企业减半")],
    )

    assert codes(refused) == [(0, "waiver_reason", "required")]
    assert accepted.accepted


def test_duplicate_ids_in_one_batch_are_refused(exchange_city):
    code = exchange_city["item"].code
    result = ingest(exchange_city, "case_basic", [records.basic(code), records.basic(code)])

    assert codes(result) == [(1, "external_id", "duplicate_in_batch")]


@pytest.mark.parametrize("bad", [[], "not a record", [1, 2]])
def test_empty_or_shapeless_batches_are_refused(exchange_city, bad):
    from sunlight.core.errors import ValidationFailed

    if isinstance(bad, list) and not bad:
        with pytest.raises(ValidationFailed):
            ingest(exchange_city, "case_basic", bad)
        return
    result = ingest(exchange_city, "case_basic", bad if isinstance(bad, list) else [bad])
    assert not result.accepted and all(e["code"] == "type" for a in result.acks for e in a.errors)


def test_the_garbage_collector_runs_again_after_a_batch_written_refused_or_failed(exchange_city):
    # Given the collector running (the ingest pauses it while a batch is worked on)
    assert gc.isenabled()
    code = exchange_city["item"].code
    # When a batch is written, one is refused, and one fails with an error
    written = ingest(exchange_city, "case_basic", [records.basic(code)])
    refused = ingest(exchange_city, "case_basic", [records.basic(code, channel="9")])
    with pytest.raises(ValidationFailed):
        ingest(exchange_city, "no_such_table", [records.basic(code)])
    # Then each came back with the collector running
    assert written.accepted and not refused.accepted
    assert gc.isenabled()
