"""Joint applications (并联申请, 联办件) in past-case files: the parts of one application are
lines sharing a 并联申请编号, one of them the 主办件. Files in the shapes real ones come in — a
GB18030 CSV pair, a workbook with the application's number and applicant merged over its parts'
rows — write the application as the live joint registration would have left it; a file whose
parts do not make one application is refused whole, each problem with its line and column; an
XES export of joint applications imports back as the same applications."""

import io

import openpyxl
import pytest

from sunlight.cases import history_import
from sunlight.cases.choices import CaseState
from sunlight.cases.event_log import LogFilter, cases_export_log
from sunlight.cases.joint import joint_item_create
from sunlight.cases.models import Case, CaseDocument, CasePause, CaseStep
from sunlight.cases.tests import factories
from sunlight.cases.tests.test_history import BATCH, PUBLISHED, _at
from sunlight.cases.tests.test_history_batches import approved
from sunlight.cases.tests.test_history_import import problems_of, run
from sunlight.core import clock
from sunlight.org.tests import factories as org_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    with clock.frozen(PUBLISHED):
        return factories.office_with_power(steps=factories.LICENCE_STEPS)


@pytest.fixture
def other():
    with clock.frozen(PUBLISHED):
        return factories.office_with_power(steps=factories.LICENCE_STEPS, code="052")


@pytest.fixture
def joint(office, other):
    with clock.frozen(PUBLISHED):
        return joint_item_create(
            actor=None, name="开办餐饮店一件事", lead_department=office.department,
            powers=[office.item, other.item], limit_days=15,
        )  # fmt: skip


@pytest.fixture
def supervisor(office):
    return org_factories.user("supervisor", in_region=office.department.region)


HEADER = "原编号,并联申请编号,主办件,联办事项,事项编码,申请人,证件号码,收件时间,受理时间,办结时间,办件状态,办理结果,已收材料"  # noqa: E501
LINES = [
    "J-1-A,J-1,是,,{code},王五,{id},2026-03-03 09:20,,2026-03-06 16:00,已办结,准予,申请书",
    "J-1-B,J-1,,,{other},王五,{id},2026-03-03 09:20,,2026-03-06 17:00,已办结,准予,申请书",
    "P-001,,,,{code},张三,{id2},2026-03-04 09:10,2026-03-04 09:20,2026-03-06 16:00,已办结,准予,申请书",  # noqa: E501
]
STEPS = """原编号,环节,开始时间,完成时间,办理人,办理结果
J-1-A,受理,2026-03-03 09:20,2026-03-03 09:20,{clerk},受理
J-1-A,审查,2026-03-03 09:20,2026-03-04 11:00,{head},同意
J-1-A,决定,2026-03-04 11:00,2026-03-06 15:00,{head},同意
J-1-B,受理,2026-03-03 09:20,2026-03-03 09:20,{other_clerk},受理
J-1-B,审查,2026-03-03 09:20,2026-03-04 11:00,{other_head},同意
J-1-B,决定,2026-03-04 11:00,2026-03-06 16:30,{other_head},同意
P-001,受理,2026-03-04 09:10,2026-03-04 09:20,{clerk},受理
P-001,审查,2026-03-04 09:20,2026-03-05 11:00,{head},同意
P-001,决定,2026-03-05 11:00,2026-03-06 15:00,{head},同意
"""


def _values(office, other):
    return {
        "code": office.item.code, "other": other.item.code, "id": factories.resident_id(),
        "id2": factories.resident_id(), "clerk": office.clerk.username,
        "head": office.head.username, "other_clerk": other.clerk.username,
        "other_head": other.head.username,
    }  # fmt: skip


def csv_pair(office, other, lines=LINES, encoding="gb18030"):
    values = _values(office, other)
    cases = "\n".join([HEADER, *lines]) + "\n"
    return (
        cases.format(**values).encode(encoding),
        STEPS.format(**values).encode(encoding),
    )


def _written_as_one_application(office, other, joint):
    parent = Case.objects.get(joint_parent__isnull=True, joint_item__isnull=False)
    assert parent.joint_item == joint and parent.source_number == "J-1"
    assert parent.department == office.department and parent.applicant_name == "王五"
    assert parent.state == CaseState.CONCLUDED
    assert parent.concluded_at == _at(6, 17)  # the last part's conclusion
    parts = {c.source_number: c for c in parent.joint_parts.all()}
    assert set(parts) == {"J-1-A", "J-1-B"}
    assert parts["J-1-B"].department == other.department
    assert {p.accepted_at for p in parts.values()} == {parent.received_at}
    assert [s.name for s in parts["J-1-B"].steps.order_by("started_at", "id")] == [
        "受理", "审查", "决定"
    ]  # fmt: skip
    plain = Case.objects.get(source_number="P-001")
    assert plain.joint_parent_id is None and plain.joint_item_id is None


def test_a_gb18030_csv_pair_with_a_joint_application_is_written(office, other, joint, supervisor):
    cases, steps = csv_pair(office, other)

    result = run(office, approved(office, supervisor), "办件表.csv", cases, steps)

    assert result.cases == 4  # the application, its two parts, the plain case
    _written_as_one_application(office, other, joint)


def test_a_workbook_with_the_application_merged_over_its_parts_is_written(
    office, other, joint, supervisor
):
    values = _values(office, other)
    workbook = openpyxl.Workbook()
    cases = workbook.active
    cases.title = "办件"
    for line in [HEADER, *LINES]:
        cases.append(line.format(**values).split(","))
    # As real registers are kept: the application's number, applicant, ID number and receipt
    # written once, merged down over its parts' rows (the cells below are left empty).
    for column in "BFGH":
        cases[f"{column}3"] = None
        cases.merge_cells(f"{column}2:{column}3")
    steps = workbook.create_sheet("环节")
    for line in STEPS.format(**values).strip().splitlines():
        steps.append(line.split(","))
    stream = io.BytesIO()
    workbook.save(stream)

    result = run(office, approved(office, supervisor), "补录.xlsx", stream.getvalue())

    assert result.cases == 4
    _written_as_one_application(office, other, joint)


def _edit(line: int, column: str, value: str) -> list[str]:
    lines = list(LINES)
    cells = lines[line].split(",")
    cells[HEADER.split(",").index(column)] = value
    lines[line] = ",".join(cells)
    return lines


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (_edit(0, "主办件", ""),
         "第2行 办件表·主办件：并联申请“J-1”没有主办件：须有一个部分的“主办件”填“是”"),
        (_edit(1, "主办件", "是"),
         "第3行 办件表·主办件：并联申请“J-1”已有主办件（第2行），只能有一个"),
        (_edit(1, "申请人", "赵六"),
         "第3行 办件表·申请人：与主办件（第2行）的申请人不同：一件并联申请的各部分是同一申请人"),
        (_edit(0, "联办事项", "开办超市一件事"),
         "第2行 办件表·联办事项：“开办超市一件事”不是本部门牵头的联办事项"),
        (_edit(1, "并联申请编号", "J-2"),
         "第2行 办件表·并联申请编号：并联申请“J-1”只有一个部分：联办件至少包含两个事项"),
        (_edit(0, "主办件", "主要"), "第2行 办件表·主办件：“主要”应为“是”或“否”"),
        (_edit(2, "主办件", "是"),
         "第4行 办件表·主办件：只有联办件的一部分才填主办件（须同时填写并联申请编号）"),
    ],
)  # fmt: skip
def test_parts_that_do_not_make_one_application_are_refused_with_their_line(
    office, other, joint, supervisor, lines, expected
):
    cases, steps = csv_pair(office, other, lines)

    problems = problems_of(office, approved(office, supervisor), "办件表.csv", cases, steps)

    assert expected in problems
    assert Case.objects.count() == 0


def test_a_part_of_a_power_in_no_joint_item_this_department_leads_is_refused(
    office, other, supervisor
):
    # No joint item: the other department's power is not this department's to record.
    cases, steps = csv_pair(office, other)

    problems = problems_of(office, approved(office, supervisor), "办件表.csv", cases, steps)

    assert (
        f"第3行 办件表·事项编码：“{other.item.code}”不是本部门牵头的联办事项所含的事项" in problems
    )


def test_the_parts_of_an_application_are_never_split_between_chunks(
    office, other, joint, supervisor, monkeypatch
):
    monkeypatch.setattr(history_import, "CHUNK_CASES", 1)
    cases, steps = csv_pair(office, other)

    assert run(office, approved(office, supervisor), "办件表.csv", cases, steps).cases == 4
    _written_as_one_application(office, other, joint)


def test_an_xes_export_of_joint_applications_imports_back_as_the_same(
    office, other, joint, supervisor
):
    cases, steps = csv_pair(office, other)
    run(office, approved(office, supervisor), "办件表.csv", cases, steps)

    def shape():
        found = []
        for case in Case.objects.order_by("received_at", "department_id", "number"):
            found.append((
                case.department_id, case.joint_item_id,
                case.joint_parent.number if case.joint_parent_id else None, case.state,
                case.received_at, case.accepted_at, case.concluded_at, case.applicant_name,
                case.decision, case.conclusion_opinion,
                [(s.name, s.started_at, s.finished_at, s.state, s.handler_id)
                 for s in case.steps.order_by("started_at", "id")],
            ))  # fmt: skip
        return found

    def by_number(found):
        numbers = dict(Case.objects.values_list("number", "source_number"))
        return [(*row[:2], row[2] and numbers[row[2]], *row[3:]) for row in found]

    before = shape()
    numbers = {c.pk: c.number for c in Case.objects.all()}
    stream = io.BytesIO()
    with clock.frozen(BATCH):
        cases_export_log(actor=None, stream=stream, log_format="xes", log_filter=LogFilter(),
                         personal_data=True)  # fmt: skip
    CaseDocument.objects.all().delete()
    CasePause.objects.all().delete()
    CaseStep.objects.update(previous=None)
    CaseStep.objects.all().delete()
    Case.objects.update(joint_parent=None)
    Case.objects.all().delete()

    result = run(office, approved(office, supervisor), "log.xes", stream.getvalue())

    assert result.cases == 4
    after = shape()
    # The same applications: parents now carry the old parent's number as their source number.
    assert [row[:2] + row[3:] for row in after] == [row[:2] + row[3:] for row in before]
    parent = Case.objects.get(joint_parent__isnull=True, joint_item__isnull=False)
    assert parent.source_number in numbers.values()
    assert [row[2] for row in by_number(after)] == [
        row[2] and parent.source_number for row in before
    ]
