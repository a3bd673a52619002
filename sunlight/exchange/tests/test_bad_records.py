"""≥ 100 distinct bad records and files, each refused precisely — the field and the code a
source system can act on — and nothing written: no exchange record, no case, no step."""

import datetime as dt
import io

import openpyxl
import pytest
from django.db import transaction
from django.test import override_settings

from sunlight.cases.models import Case, CaseDocument, CasePause, CaseStep
from sunlight.core import clock
from sunlight.core.errors import ValidationFailed
from sunlight.exchange.choices import ExchangeTable
from sunlight.exchange.files import read_records
from sunlight.exchange.models import ExchangeRecord
from sunlight.exchange.services import exchange_ingest
from sunlight.exchange.tests import records
from sunlight.exchange.tests.bad_corpus import CORPUS, good
from sunlight.exchange.tests.test_cases_from_exchange import accept_step
from sunlight.flows.tests.flow_data import item_with_flow

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=clock.SHANGHAI)


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


def push(city, table, rows, **options):
    return exchange_ingest(source=city["source"], table=table, records=rows, **options)


@pytest.fixture
def world(exchange_city, monkeypatch):
    """What the corpus's good records refer to (see bad_corpus.py)."""
    city = exchange_city
    with monkeypatch.context() as moment:
        moment.setattr(clock, "now", lambda: dt.datetime(2026, 10, 1, tzinfo=clock.SHANGHAI))
        second = item_with_flow(city["housing"], city["clerk"], published=True, name="物业备案")
    codes = {
        "item": city["item"].code, "item2": second.code, "penalty": city["penalty_item"].code,
        "other": city["other_item"].code,
    }  # fmt: skip
    pushes = [
        ("case_basic", [records.basic(codes["item"], "ZJ-1", data_version=2)]),
        ("case_process", [accept_step(case_external_id="ZJ-1"), records.process("ZJ-1", "P-1")]),
        ("penalty_basic", [good("penalty_basic", codes) | {
            "external_id": "PZ-1", "received_at": "2026-11-02 09:00:00",
            "accepted_at": "2026-11-02 10:00:00", "entered_at": "2026-11-02 10:00:00"}]),
        ("statistics", [good("statistics", codes) | {"external_id": "S-1", "period": "2026-10"}]),
    ]  # fmt: skip
    for table, rows in pushes:
        result = push(city, table, rows)
        assert result.accepted, [a.errors for a in result.acks]
    return city, codes


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (ExchangeRecord, Case, CaseStep, CasePause, CaseDocument)
    )


def test_every_good_record_of_the_corpus_is_accepted(world):
    city, codes = world
    refused = {}
    for table in ExchangeTable.values:
        with transaction.atomic():  # each on its own: rolled back after
            result = push(city, table, [good(table, codes)])
            transaction.set_rollback(True)
        if not result.accepted:
            refused[table] = [e["message"] for a in result.acks for e in a.errors]
    assert refused == {}


def test_the_corpus_is_large_and_every_entry_distinct():
    keys = {(b.table, b.field, b.code, repr(b.changes), repr(b.raw), b.batch_extra) for b in CORPUS}
    assert len(keys) == len(CORPUS) >= 100
    assert {b.table for b in CORPUS} == set(ExchangeTable.values)


def test_each_bad_record_is_refused_precisely_and_nothing_is_written(world):
    city, codes = world
    before = counts()
    wrong = []
    for bad in CORPUS:
        record = bad.record(codes)
        batch = [record] * (1 + bad.batch_extra)
        result = push(city, bad.table, batch)
        found = {(e["field"], e["code"]) for a in result.acks for e in a.errors}
        messages = [e["message"] for a in result.acks for e in a.errors]
        if result.accepted or (bad.field, bad.code) not in found:
            wrong.append((bad.table, bad.field, bad.code, bad.note, sorted(found), messages))
        elif not all(messages):
            wrong.append((bad.table, bad.field, bad.code, "a problem without a message"))
        if counts() != before:
            wrong.append((bad.table, bad.field, bad.code, "something was written"))
            before = counts()
    assert wrong == [], "\n".join(map(str, wrong))


def _xlsx(rows, formula=False) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if formula:
        sheet["B2"] = "=1+1"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BASIC_HEADER = "external_id,data_version,entered_at,power_code,applicant_kind,applicant_name,"
"applicant_id,channel,case_type,received_at"
BAD_FILES = [
    ("empty.jsonl", b"  \n", "文件为空"),
    ("cases.txt", b"external_id\n1\n", "不支持的文件类型"),
    ("cases", b"external_id\n1\n", "不支持的文件类型"),
    ("broken.jsonl", b'{"external_id": "1"}\n{"external_id": \n', "第 2 行不是合法的 JSON"),
    ("extra.csv", b"external_id,data_version\nA,1,surplus\n", "列数多于表头"),
    ("bytes.csv", b"external_id\n\x81\x30\n\xff\xff\xff\n", "编码无法识别"),
    ("fake.xlsx", b"PK\x03\x04 not really a workbook", ""),
    ("text.xlsx", b"external_id,data_version\n", ""),
    ("formula.xlsx", _xlsx([["external_id", "data_version"], ["A", 1]], formula=True), "公式"),
    ("blank.xlsx", _xlsx([]), "为空"),
]


@pytest.mark.parametrize(("name", "data", "fragment"), BAD_FILES, ids=[f[0] for f in BAD_FILES])
def test_a_file_that_cannot_be_read_is_refused_with_its_reason(name, data, fragment):
    with pytest.raises(ValidationFailed) as refused:
        read_records(data, name)
    (problem,) = refused.value.problems
    assert problem.field == "file" and fragment in problem.message


@override_settings(SUNLIGHT_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(ValidationFailed, match="大小上限"):
        read_records(b"x" * 101, "big.jsonl")


def test_bad_records_inside_readable_files_are_refused_like_pushed_ones(world):
    city, codes = world
    before = counts()
    csv_file = (
        "external_id,data_version,entered_at,case_external_id,step_code,step_name,handler,"
        "started_at,result\nP-7,1,2026-11-04 10:00,ZJ-1,Task_decide,决定,王经办,"
        "2026-11-04 09:00,9\n"
    ).encode("gb18030")
    jsonl = b'{"external_id": "X-1"}\n["not", "an", "object"]\n'
    workbook = _xlsx([["external_id", "data_version", "surname"], ["S-7", 1, "x"]])
    cases = [
        ("steps.csv", csv_file, "case_process", ("result", "code_table")),
        ("mixed.jsonl", jsonl, "case_basic", ("", "type")),
        ("stats.xlsx", workbook, "statistics", ("surname", "unknown_field")),
    ]
    for name, data, table, expected in cases:
        result = push(city, table, read_records(data, name), channel="file", file_name=name)
        found = {(e["field"], e["code"]) for a in result.acks for e in a.errors}
        assert not result.accepted and expected in found, (name, found)
    assert counts() == before


def test_a_long_jsonl_file_is_read_in_bounded_chunks_with_lines_counted_across_them():
    from sunlight.exchange.files import jsonl_chunks

    lines = [b'{"n": %d}\n' % n for n in range(5)]
    assert [len(c) for c in jsonl_chunks(io.BytesIO(b"".join(lines)), 2)] == [2, 2, 1]
    broken = io.BytesIO(b"".join(lines[:3]) + b"{oops\n")
    with pytest.raises(ValidationFailed, match="第 4 行"):
        list(jsonl_chunks(broken, 2))
