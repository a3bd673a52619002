"""What the reporting forms say: the fields of the stage registration form (重要行政权力动态运行
情况登记表) and of the monthly filing form (非重要行政权力动态运行情况备案表), built from cases as
display text. The text is stored on the report, so a form once generated never changes.

Applicants are masked as for the public (names and ID numbers of persons; an organisation's
credit code is public anyway): the forms leave the department for the supervision office.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sunlight.cases.choices import (
    ApplicantKind,
    CaseState,
    ConclusionCode,
    Decision,
    StepResult,
    StepState,
)
from sunlight.cases.models import Case, CaseStep, ReportKind, ReportStage
from sunlight.catalog.choices import CaseType, Category, LimitUnit
from sunlight.core.clock import SHANGHAI
from sunlight.core.identity import mask_credit_code, mask_name, mask_resident_id
from sunlight.org.choices import Role

STAGE_TITLE = str(ReportKind.STAGE_REGISTRATION.label)
FILING_TITLE = str(ReportKind.PERIODIC_FILING.label)
STEP_COLUMNS = ("序号", "办理环节", "办理人", "开始时间", "完成时间", "办理结果", "办理意见")
FILING_COLUMNS = (
    "序号",
    "办件编号",
    "事项名称",
    "统一编码",
    "申请人",
    "受理时间",
    "办结时间",
    "办理结果",
    "法定/承诺时限",
    "是否超期",
    "收费",
)
_CATEGORIES = dict(Category.choices)
_CASE_TYPES = dict(CaseType.choices)
_UNITS = dict(LimitUnit.choices)
_DECISIONS = dict(Decision.choices)
_CONCLUSIONS = dict(ConclusionCode.choices)
_RESULTS = dict(StepResult.choices)
_STAGES = dict(ReportStage.choices)


def local_text(moment: dt.datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _date_text(day: dt.date | None, provisional: bool = False) -> str:
    if day is None:
        return ""
    return f"{day:%Y-%m-%d}（暂定）" if provisional else f"{day:%Y-%m-%d}"


def _limit_text(limit: int | None, unit: str) -> str:
    return "" if limit is None else f"{limit}个{_UNITS.get(unit, unit)}"


def _money(value: Decimal | None) -> str:
    return f"{Decimal(value or 0):.2f}"


def applicant_text(case: Case) -> tuple[str, str]:
    """(name, ID number) as they may appear on a form."""
    if case.applicant_kind == ApplicantKind.PERSON:
        return mask_name(case.applicant_name), mask_resident_id(case.applicant_id_number)
    return case.applicant_name, mask_credit_code(case.applicant_id_number)


def overdue_text(case: Case, as_of: dt.date) -> str:
    """是否超期 on `as_of` (the conclusion day for a concluded case)."""
    if case.statutory_deadline and as_of > case.statutory_deadline:
        return "是（超过法定期限）"
    if case.promised_deadline and as_of > case.promised_deadline:
        return "是（超过承诺期限）"
    return "否"


def result_text(case: Case) -> str:
    if case.state == CaseState.NOT_ACCEPTED:
        return f"不予受理：{case.not_accepted_reason}"
    if case.state != CaseState.CONCLUDED:
        return ""
    parts = [_DECISIONS.get(case.decision, case.decision)]
    if case.conclusion_code and case.conclusion_code != ConclusionCode.CONCLUDED:
        parts[0] += f"（{_CONCLUSIONS.get(case.conclusion_code, case.conclusion_code)}）"
    if case.penalty_kind:
        amount = f"，罚款{_money(case.penalty_amount)}元" if case.penalty_amount else ""
        parts.append(f"处罚种类：{case.penalty_kind}{amount}")
    if case.conclusion_opinion:
        parts.append(case.conclusion_opinion)
    return "；".join(p for p in parts if p)


def fee_text(case: Case) -> str:
    version = case.power_version
    if not version.charges_fee and not case.fee_due:
        return "不收费"
    return f"应收{_money(case.fee_due)}元，实收{_money(case.fee_paid)}元"


def _handler(step: CaseStep) -> str:
    if step.handler is not None and step.handler.full_name:
        return step.handler.full_name
    return step.handler_name


def step_rows(steps: Iterable[CaseStep], as_of: dt.datetime) -> list[list[str]]:
    """The user-task steps started by `as_of`, as they stood then."""
    rows: list[list[str]] = []
    for step in steps:
        if step.kind != "user_task" or step.started_at > as_of:
            continue
        finished = step.finished_at is not None and step.finished_at <= as_of
        if step.state == StepState.CANCELLED and finished:
            result, handler, opinion = "已取消", "", ""
        elif finished:
            result, handler, opinion = _RESULTS.get(step.result, ""), _handler(step), step.opinion
        else:
            result, handler, opinion = "办理中", "", ""
        rows.append(
            [
                str(len(rows) + 1),
                step.name,
                handler,
                local_text(step.started_at),
                local_text(step.finished_at) if finished else "",
                result,
                opinion,
            ]
        )
    return rows


def department_head(steps: Sequence[CaseStep], as_of: dt.datetime) -> str:
    """The head who last decided on the case by `as_of` (the step's approver)."""
    for step in reversed(steps):
        if (
            step.role == Role.APPROVER
            and step.finished_at is not None
            and step.finished_at <= as_of
            and step.state == StepState.DONE
        ):
            return _handler(step)
    return ""


def handling_section(case: Case, steps: Sequence[CaseStep]) -> str:
    version = case.power_version
    if version.handling_section is not None:
        return version.handling_section.name
    units = [s.org_unit for s in steps if s.org_unit]
    return units[0] if units else case.department.name


def stage_content(
    *,
    case: Case,
    steps: Sequence[CaseStep],
    stage: str,
    reached_at: dt.datetime,
    as_of: dt.datetime,
    due_date: dt.date,
    generated_at: dt.datetime,
) -> dict[str, Any]:
    """The registration form of `case` at `stage`, showing the case as it stood at `as_of`."""
    version = case.power_version
    name, id_number = applicant_text(case)
    concluded = stage == ReportStage.CONCLUDED
    as_of_day = as_of.astimezone(SHANGHAI).date()
    fields = [
        ["事项名称", version.full_name],
        ["统一编码", case.power_item.code],
        ["权力类别", _CATEGORIES.get(version.category, version.category)],
        ["办件编号", case.number],
        ["办件类型", _CASE_TYPES.get(case.case_type, case.case_type)],
        ["申请人", name],
        ["证件号码", id_number],
        ["受理时间", local_text(case.accepted_at)],
        ["法定时限", _limit_text(version.statutory_limit, version.statutory_limit_unit)],
        ["承诺时限", _limit_text(version.promised_limit, version.promised_limit_unit)],
        ["法定办结期限", _date_text(case.statutory_deadline, case.deadline_provisional)],
        ["承诺办结期限", _date_text(case.promised_deadline, case.deadline_provisional)],
        ["办结时间", local_text(case.concluded_at) if concluded else ""],
        ["办理结果", result_text(case) if concluded else ""],
        ["是否超期", overdue_text(case, as_of_day) if case.accepted_at else "否"],
        [
            "收费",
            fee_text(case) if concluded else ("收费事项" if version.charges_fee else "不收费"),
        ],
        ["承办科室", handling_section(case, steps)],
        ["部门负责人", department_head(steps, as_of)],
    ]
    return {
        "title": STAGE_TITLE,
        "stage": stage,
        "stage_label": _STAGES[stage],
        "department": case.department.name,
        "case_number": case.number,
        "power_name": version.full_name,
        "reached_at": local_text(reached_at),
        "generated_at": local_text(generated_at),
        "due_date": f"{due_date:%Y-%m-%d}",
        "fields": fields,
        "step_columns": list(STEP_COLUMNS),
        "steps": step_rows(steps, as_of),
    }


def filing_row(number: int, case: Case) -> list[str]:
    version = case.power_version
    name, _ = applicant_text(case)
    concluded_day = case.concluded_at.astimezone(SHANGHAI).date() if case.concluded_at else None
    limits = "/".join(
        (
            _limit_text(version.statutory_limit, version.statutory_limit_unit) or "—",
            _limit_text(version.promised_limit, version.promised_limit_unit) or "—",
        )
    )
    return [
        str(number),
        case.number,
        version.full_name,
        case.power_item.code,
        name,
        local_text(case.accepted_at),
        local_text(case.concluded_at),
        result_text(case),
        limits,
        overdue_text(case, concluded_day) if concluded_day and case.accepted_at else "否",
        fee_text(case),
    ]


def filing_content(
    *,
    department_name: str,
    period_start: dt.date,
    period_end: dt.date,
    cases: Sequence[Case],
    due_date: dt.date,
    generated_at: dt.datetime,
) -> dict[str, Any]:
    rows = [filing_row(number, case) for number, case in enumerate(cases, start=1)]
    late = sum(1 for row in rows if row[9].startswith("是"))
    refused = sum(
        1
        for case in cases
        if case.state == CaseState.NOT_ACCEPTED or case.decision == Decision.REFUSED
    )
    fees = sum((Decimal(case.fee_paid or 0) for case in cases), Decimal(0))
    return {
        "title": FILING_TITLE,
        "department": department_name,
        "period": f"{period_start.year}年{period_start.month}月",
        "period_start": f"{period_start:%Y-%m-%d}",
        "period_end": f"{period_end:%Y-%m-%d}",
        "generated_at": local_text(generated_at),
        "due_date": f"{due_date:%Y-%m-%d}",
        "fields": [
            ["填报单位", department_name],
            ["备案期间", f"{period_start:%Y-%m-%d}至{period_end:%Y-%m-%d}"],
            ["办结件数", str(len(rows))],
            ["其中超期", str(late)],
            ["不予受理/不予许可", str(refused)],
            ["实收费用合计（元）", _money(fees)],
        ],
        "columns": list(FILING_COLUMNS),
        "rows": rows,
    }
