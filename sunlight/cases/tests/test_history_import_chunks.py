"""A large past-case file is read, checked and written a chunk of cases at a time inside one
transaction: a bad line in the last chunk still leaves nothing written, every problem of every
chunk is found (the list bounded, with the total), numbers follow receipt across chunks, and
memory does not grow with the file (measured by benchmarks/past_case_import.py)."""

import datetime as dt

import pytest

from sunlight.cases import history, history_import
from sunlight.cases.history_models import BatchState
from sunlight.cases.history_source import CsvSource
from sunlight.cases.history_template import CASE_COLUMNS, STEP_COLUMNS
from sunlight.cases.models import Case, CasePause, CaseStep
from sunlight.cases.tests import factories
from sunlight.cases.tests.test_history import PUBLISHED
from sunlight.cases.tests.test_history_batches import approved
from sunlight.cases.tests.test_history_import import problems_of, run
from sunlight.core import clock
from sunlight.org.tests import factories as org_factories

pytestmark = pytest.mark.django_db

CASE_HEADER = "原编号,事项编码,申请人,收件时间,办件状态,补正内容\n"
STEP_HEADER = "原编号,环节,开始时间,完成时间,办理人,办理意见\n"


def waiting_cases(office, count: int, order=None) -> tuple[bytes, bytes]:
    """`count` cases waiting for 补正 (受理 open, a correction round), received a minute apart
    from 2026-03-03 09:00; lines in `order` (default: as received), steps listed last first."""
    cases, steps = [CASE_HEADER], [STEP_HEADER]
    for n in order or range(count):
        at = dt.datetime(2026, 3, 3, 9) + dt.timedelta(minutes=n)  # noqa: DTZ001 (China time as written)
        t0, t1 = f"{at:%Y-%m-%d %H:%M}", f"{at + dt.timedelta(minutes=5):%Y-%m-%d %H:%M}"
        cases.append(f"C{n:03d},{office.code},申请人{n},{t0},补正中,申请书原件\n")
        steps.append(f"C{n:03d},补正,{t1},,,缺申请书原件\n")
        steps.append(f"C{n:03d},受理,{t0},,{office.clerk.username},\n")
    return "".join(cases).encode(), "".join(steps).encode()


@pytest.fixture
def office():
    with clock.frozen(PUBLISHED):
        return factories.office_with_power(steps=factories.LICENCE_STEPS)


@pytest.fixture
def supervisor(office):
    return org_factories.user("supervisor", in_region=office.department.region)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(history_import, "CHUNK_CASES", 3)


def test_a_file_larger_than_a_chunk_is_written_whole_with_numbers_in_order_of_receipt(
    office, supervisor, small_chunks
):
    # Lines out of order of receipt, so chunks (of three) must not decide the numbers.
    order = [7, 2, 9, 0, 5, 1, 8, 3, 6, 4]
    result = run(office, approved(office, supervisor), "c.csv", *waiting_cases(office, 10, order))

    assert (result.cases, result.steps) == (10, 10)
    assert CasePause.objects.count() == 10
    by_receipt = list(Case.objects.order_by("received_at").values_list("source_number", "number"))
    assert [source for source, _ in by_receipt] == [f"C{n:03d}" for n in range(10)]
    assert [number for _, number in by_receipt] == sorted(number for _, number in by_receipt)


def test_a_bad_line_in_the_last_chunk_rolls_back_the_chunks_already_written(
    office, supervisor, small_chunks
):
    batch = approved(office, supervisor)
    cases, steps = waiting_cases(office, 10)
    cases = cases.replace(b"2026-03-03 09:09", b"2026-03-03 9h09")  # the last case, by receipt

    found = problems_of(office, batch, "c.csv", cases, steps)

    assert found == [
        "第11行 办件表·收件时间：“2026-03-03 9h09”不是有效的时间（如 2025-03-02 09:30）"
    ]
    assert CaseStep.objects.count() == 0 and CasePause.objects.count() == 0
    assert type(batch).objects.get(pk=batch.pk).state == BatchState.APPROVED


def test_problems_of_every_chunk_are_found_and_the_list_says_how_many(
    office, supervisor, small_chunks, monkeypatch
):
    monkeypatch.setattr(history, "LISTED_PROBLEMS", 4)
    batch = approved(office, supervisor)
    cases, steps = waiting_cases(office, 10)
    cases = cases.replace(office.code.encode() + b",", b"NOPE,")  # every line: an unknown power
    steps += "C999,受理,2026-03-03 09:00,,,\n".encode()  # a step of no case

    found = problems_of(office, batch, "c.csv", cases, steps)

    assert found[0] == "问题总数：共11个问题，以下列出前4个"
    assert len(found) == 5 and all("NOPE" in p for p in found[1:])


def test_duplicate_numbers_are_found_across_chunks(office, supervisor, small_chunks):
    batch = approved(office, supervisor)
    cases, steps = waiting_cases(office, 8)
    cases = cases.replace(b"C007,", b"C000,", 1)

    found = problems_of(office, batch, "c.csv", cases, steps)

    assert any(p.startswith("第9行 办件表·原编号") and "与第2行重复" in p for p in found)


def test_the_csv_index_reads_quoted_lines_gb18030_and_skips_explanations():
    cases = (
        "原编号,事项编码,申请人,收件时间,补正内容\n"
        "# 说明行,,,,\n"
        "\n"
        'B,X,"王, 五",2026-03-04 10:00,"第一行\n第二行"\n'
        "A,X,张三,2026-03-03 10:00,\n"
    ).encode("gb18030")
    source = CsvSource(cases, None, CASE_COLUMNS, STEP_COLUMNS)

    assert not source.fatal and not source.problems
    [chunk] = source.case_chunks(10)
    # In order of receipt; rows as a spreadsheet counts them (a cell of two lines is one row).
    assert [(line.line, line.values["source_number"]) for line in chunk] == [(5, "A"), (4, "B")]
    assert chunk[1].values["applicant_name"] == "王, 五"
    assert chunk[1].values["correction_items"] == "第一行\n第二行"


def test_a_csv_that_is_neither_utf8_nor_gb18030_or_lacks_columns_is_refused_at_once():
    unreadable = CsvSource(b"\x81\x30\xff\xff,x\n", None, CASE_COLUMNS, STEP_COLUMNS)
    assert unreadable.fatal and "编码无法识别" in str(unreadable.problems[0])
    missing = CsvSource("原编号,申请人\nA,张三\n".encode(), None, CASE_COLUMNS, STEP_COLUMNS)
    assert missing.fatal and "缺少必需的列" in str(missing.problems[0])
