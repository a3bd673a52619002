"""Importing past cases from the template (CSV, XLSX) and from XES logs into an approved batch:
a good file is written whole; a file with one bad line writes nothing and lists every problem
with its line."""

import io
import zipfile

import openpyxl
import pytest

from sunlight.cases.choices import CaseState, PauseKind, StepState
from sunlight.cases.history_batches import history_batch_declare
from sunlight.cases.history_import import cases_import_file
from sunlight.cases.history_models import BatchState
from sunlight.cases.history_template import template_workbook
from sunlight.cases.models import Case, CasePause, CaseStep
from sunlight.cases.tests import factories
from sunlight.cases.tests.test_history import BATCH, PUBLISHED
from sunlight.cases.tests.test_history_batches import approved
from sunlight.core import clock
from sunlight.core.errors import InvalidTransition, ValidationFailed
from sunlight.core.spreadsheets import SpreadsheetRefused
from sunlight.org.tests import factories as org_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    with clock.frozen(PUBLISHED):
        return factories.office_with_power(steps=factories.LICENCE_STEPS)


@pytest.fixture
def supervisor(office):
    return org_factories.user("supervisor", in_region=office.department.region)


CASES = """原编号,事项编码,申请人,证件号码,收件时间,受理时间,办结时间,办件状态,办理结果,已收材料,办件字段,补正内容
P-001,{code},张三,{id},2026-03-03 09:10,2026-03-03 09:20,2026-03-06 16:00,已办结,准予,申请书,"{{""site_inspection_required"": true}}",
P-002,{code},李四,,2026-03-04 10:00,,,补正中,,,,申请书原件
"""  # noqa: E501
STEPS = """原编号,环节,开始时间,完成时间,办理人,办理结果,办理意见,文书
P-001,受理,2026-03-03 09:10,2026-03-03 09:20,{clerk},受理,,
P-001,审查,2026-03-03 09:20,2026-03-04 10:00,{head},退回,请核实场地,
P-001,受理,2026-03-04 10:00,2026-03-04 11:00,老档案员,受理,,
P-001,审查,2026-03-04 11:00,2026-03-04 15:00,{head},同意,,
P-001,现场核查,2026-03-04 15:00,2026-03-05 11:00,{clerk},同意,,现场核查记录
P-001,决定,2026-03-05 11:00,2026-03-06 15:00,{head},同意,准予许可,
P-002,受理,2026-03-04 10:00,,{clerk},,,
P-002,补正,2026-03-04 10:05,,,,缺申请书原件,
"""


def csv_files(office, cases=CASES, steps=STEPS):
    from sunlight.cases.tests.factories import resident_id

    values = {"code": office.code, "id": resident_id(), "clerk": office.clerk.username,
              "head": office.head.username}  # fmt: skip
    return cases.format(**values).encode(), steps.format(**values).encode()


def run(office, batch, name, data, steps=None, **kwargs):
    with clock.frozen(BATCH):
        return cases_import_file(actor=office.clerk, batch=batch, name=name, data=data,
                                 steps_data=steps, **kwargs)  # fmt: skip


def problems_of(office, batch, name, data, steps=None):
    with pytest.raises(ValidationFailed) as caught:
        run(office, batch, name, data, steps)
    assert Case.objects.count() == 0
    return [str(p) for p in caught.value.problems]


def test_template_csv_with_loops_and_a_correction_round_is_written(office, supervisor):
    batch = approved(office, supervisor)
    result = run(office, batch, "cases.csv", *csv_files(office))

    assert (result.cases, result.steps) == (2, 7)
    assert result.notes == ["原编号P-002（李四）：申请人无证件号码"]
    done = Case.objects.get(source_number="P-001")
    assert done.state == CaseState.CONCLUDED and done.history_batch_id == batch.pk
    steps = list(done.steps.order_by("started_at", "id"))
    assert [s.name for s in steps] == ["受理", "审查", "受理", "审查", "现场核查", "决定"]
    # 审查 sent back to 受理: the reopened 受理 follows nothing, as the live engine records it.
    assert [s.previous_id for s in steps[1:]] == [steps[0].pk, None, *[s.pk for s in steps[2:5]]]
    assert steps[1].state == StepState.SENT_BACK
    assert steps[2].handler_id is None and steps[2].handler_name == "老档案员"
    assert steps[1].handler_id == office.head.pk
    assert steps[4].documents.get().name == "现场核查记录"
    waiting = Case.objects.get(source_number="P-002")
    assert waiting.state == CaseState.CORRECTION and waiting.applicant_id_number == ""
    assert CasePause.objects.get(case=waiting).kind == PauseKind.CORRECTION
    assert type(batch).objects.get(pk=batch.pk).state == BatchState.WRITTEN


def test_gb18030_csv_is_read(office, supervisor):
    cases, steps = csv_files(office)
    run(office, approved(office, supervisor), "cases.csv",
        cases.decode().encode("gb18030"), steps.decode().encode("gb18030"))  # fmt: skip
    assert Case.objects.count() == 2


def test_one_bad_line_writes_nothing_and_every_problem_names_its_line(office, supervisor):
    batch = approved(office, supervisor)
    cases, steps = csv_files(office)
    cases = cases.replace(b"2026-03-06 16:00", b"2026-03-02 16:00")  # concluded before receipt
    steps = steps.replace("现场核查,".encode(), "勘验,".encode())  # not a step of the flow
    cases += "P-003,NOPE,王五,,2026-03-05 10:00,,,,,,,\n".encode()
    found = problems_of(office, batch, "cases.csv", cases, steps)
    assert any(p.startswith("第6行 环节表·环节") and "勘验" in p for p in found)
    assert any(p.startswith("第4行 办件表·事项编码") and "NOPE" in p for p in found)
    assert type(batch).objects.get(pk=batch.pk).state == BatchState.APPROVED


def test_time_order_and_flow_order_are_checked(office, supervisor):
    batch = approved(office, supervisor)
    cases, steps = csv_files(office)
    steps = steps.replace(
        b"2026-03-05 11:00,2026-03-06 15:00", b"2026-03-05 11:00,2026-03-05 10:00"
    )
    found = problems_of(office, batch, "cases.csv", cases, steps)
    assert any("第2行 办件表·" in p and "完成时间早于开始时间" in p for p in found)


def test_a_batch_not_approved_takes_no_file(office):
    with clock.frozen(BATCH):
        import datetime as dt

        batch = history_batch_declare(
            actor=office.clerk, department=office.department, source="paper", reason="纸质",
            period_start=dt.date(2026, 3, 1), period_end=dt.date(2026, 3, 19),
        )  # fmt: skip
    with pytest.raises(InvalidTransition):
        run(office, batch, "cases.csv", *csv_files(office))
    assert Case.objects.count() == 0


def _workbook(office, formula: bool = False) -> bytes:
    cases, steps = csv_files(office)
    import csv

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, data in (("办件", cases), ("环节", steps)):
        sheet = book.create_sheet(name)
        for row in csv.reader(io.StringIO(data.decode())):
            sheet.append(row)
    if formula:
        book["办件"]["D2"] = "=1+1"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_template_is_read_and_formula_cells_are_refused(office, supervisor):
    batch = approved(office, supervisor)
    found = problems_of(office, batch, "past.xlsx", _workbook(office, formula=True))
    assert any(p.startswith("第2行 办件表·D列") and "公式" in p for p in found)
    run(office, batch, "past.xlsx", _workbook(office))
    assert CaseStep.objects.filter(state=StepState.DONE).count() == 5


def test_the_empty_template_has_both_sheets_and_reads_as_no_cases(office, supervisor):
    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    assert book.sheetnames == ["办件", "环节"]
    found = problems_of(office, approved(office, supervisor), "t.xlsx", template_workbook())
    assert found == ["办件：没有要补录的办件"] or any("没有要补录" in p for p in found)


def test_files_that_are_not_what_they_claim_are_refused(office, supervisor):
    batch = approved(office, supervisor)
    assert "不是 Excel 工作簿" in problems_of(office, batch, "a.xlsx", b"just text")[0]
    assert "不是 XML" in problems_of(office, batch, "a.xes", b"PK\x03\x04....")[0]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("xl/workbook.xml", "<x/>")
        archive.writestr("xl/big.xml", b"\0" * (300 * 1024 * 1024))
    with pytest.raises(SpreadsheetRefused):
        run(office, batch, "bomb.xlsx", bomb.getvalue())
    assert Case.objects.count() == 0


def test_cli_imports_or_lists_every_problem_and_writes_nothing(office, supervisor, tmp_path):
    from django.core.management import CommandError, call_command

    from sunlight.cli import translate

    assert translate(["cases", "import", "x.csv"])[0] == "import_cases"
    batch = approved(office, supervisor)
    cases, steps = csv_files(office)
    (tmp_path / "cases.csv").write_bytes(cases.replace(b"P-002,", b"P-001,", 1))
    (tmp_path / "steps.csv").write_bytes(steps)
    out = io.StringIO()
    with clock.frozen(BATCH), pytest.raises(CommandError, match="未写入任何办件"):
        call_command("import_cases", str(tmp_path / "cases.csv"), "--batch", str(batch.pk),
                     "--steps", str(tmp_path / "steps.csv"), stdout=out)  # fmt: skip
    assert "原编号" in out.getvalue() and Case.objects.count() == 0
    (tmp_path / "cases.csv").write_bytes(cases)
    with clock.frozen(BATCH):
        call_command("import_cases", str(tmp_path / "cases.csv"), "--batch", str(batch.pk),
                     "--steps", str(tmp_path / "steps.csv"), stdout=out)  # fmt: skip
    assert "已导入2件历史办件" in out.getvalue() and "申请人无证件号码" in out.getvalue()
