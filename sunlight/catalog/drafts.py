"""A power item's content as plain data, and every rule it must satisfy.

The staff form, the spreadsheet import and the demo generator all build `PowerDraft`s and
hand them to the same services, so the rules below are checked once, in one place. Problems
name fields by their Chinese column headers, as the user sees them in the form and template.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from sunlight.catalog.choices import (
    BodyNature,
    CaseType,
    Category,
    DisclosureForm,
    DisclosureFrequency,
    DisclosureScope,
    ExerciseLevel,
    HandlingForm,
    LimitUnit,
    ServiceObject,
)
from sunlight.core.errors import FieldProblem
from sunlight.core.phones import phone_problem

CODE_PATTERN = re.compile(r"^[0-9A-Z]{6,24}$")
# 实施编码: letter/digit segments joined by hyphens, 31-60 characters in all (DOMAIN.md).
NATIONAL_CODE_PATTERN = re.compile(r"^(?=.{31,60}$)[0-9A-Za-z]+(?:-[0-9A-Za-z]+)+$")
BASIC_CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,39}$")
PHONE_PATTERN = re.compile(r"^[0-9+\-()（）、,，转 ]{0,40}$")

LABELS = {
    "code": "统一编码",
    "national_code": "实施编码",
    "basic_code": "基本编码",
    "name": "事项名称",
    "sub_item_name": "子项名称",
    "category": "权力类别",
    "implementing_body": "实施主体",
    "body_nature": "实施主体性质",
    "handling_section_name": "承办科室",
    "exercise_level": "行使层级",
    "service_objects": "服务对象",
    "handling_forms": "办理形式",
    "case_type": "办件类型",
    "statutory_limit": "法定时限",
    "statutory_limit_unit": "法定时限单位",
    "promised_limit": "承诺时限",
    "promised_limit_unit": "承诺时限单位",
    "extension_limit_days": "每次可延长天数",
    "extension_times": "可延长次数",
    "charges_fee": "是否收费",
    "fee_basis": "收费依据",
    "fee_standard": "收费标准",
    "conditions": "受理条件",
    "important": "重要程度",
    "disclosure_form": "公开形式",
    "disclosure_scope": "公开范围",
    "disclosure_frequency": "公开频次",
    "contact_phone": "咨询电话",
    "supervision_phone": "监督电话",
    "change_reason": "变更原因",
    "legal_bases": "设定依据",
    "materials": "申请材料",
    "duties": "责任事项",
}

MAX_LENGTHS = {
    "name": 200,
    "sub_item_name": 200,
    "implementing_body": 100,
    "handling_section_name": 100,
    "fee_basis": 2000,
    "fee_standard": 2000,
    "conditions": 4000,
    "change_reason": 1000,
}


@dataclass
class LegalBasisDraft:
    law_name: str
    article: str = ""
    text: str = ""


@dataclass
class MaterialDraft:
    name: str
    mandatory: bool = True
    originals: int = 1
    copies: int = 0
    notes: str = ""
    deferrable: bool = False


@dataclass
class DutyDraft:
    step_name: str
    responsibility: str
    accountability: str = ""


@dataclass
class PowerDraft:
    code: str
    name: str
    category: str
    implementing_body: str
    statutory_limit: int | None
    sub_item_name: str = ""
    body_nature: str = BodyNature.STATUTORY
    handling_section_name: str = ""
    exercise_level: str = ExerciseLevel.CITY
    service_objects: list[str] = field(default_factory=lambda: [ServiceObject.PERSON])
    handling_forms: list[str] = field(default_factory=lambda: [HandlingForm.WINDOW])
    case_type: str = CaseType.PROMISED
    statutory_limit_unit: str = LimitUnit.WORKING_DAY
    promised_limit: int | None = None
    promised_limit_unit: str = LimitUnit.WORKING_DAY
    extension_limit_days: int = 10
    extension_times: int = 1
    charges_fee: bool = False
    fee_basis: str = ""
    fee_standard: str = ""
    conditions: str = ""
    important: bool = False
    disclosure_form: str = DisclosureForm.ONLINE
    disclosure_scope: str = DisclosureScope.PUBLIC
    disclosure_frequency: str = DisclosureFrequency.ANYTIME
    contact_phone: str = ""
    supervision_phone: str = ""
    change_reason: str = ""
    legal_bases: list[LegalBasisDraft] = field(default_factory=list)
    materials: list[MaterialDraft] = field(default_factory=list)
    duties: list[DutyDraft] = field(default_factory=list)
    # Item-level codes of the province's item library, kept as given (empty when unknown).
    national_code: str = ""
    basic_code: str = ""

    def as_data(self) -> dict[str, Any]:
        """Plain JSON-able content, for the audit record and round-trip comparisons.
        (Shallow copies instead of dataclasses.asdict's deep recursion: imports call this for
        every row.)"""
        data = dict(self.__dict__)
        data["service_objects"] = list(self.service_objects)
        data["handling_forms"] = list(self.handling_forms)
        data["legal_bases"] = [dict(b.__dict__) for b in self.legal_bases]
        data["materials"] = [dict(m.__dict__) for m in self.materials]
        data["duties"] = [dict(d.__dict__) for d in self.duties]
        return data


_VALUES: dict[Any, frozenset[str]] = {}


def _choice_problem(value: str, choices: Any, name: str, row: int | None) -> list[FieldProblem]:
    # Enum `.values` builds a new list through descriptors on every access: imports check
    # thousands of drafts, so each table's values are computed once.
    values = _VALUES.get(choices)
    if values is None:
        values = _VALUES[choices] = frozenset(choices.values)
    if value in values:
        return []
    allowed = "、".join(f"{v} {label}" for v, label in choices.choices)
    return [FieldProblem(LABELS[name], f"“{value}”不是有效代码（可选：{allowed}）", row)]


def draft_gaps(draft: PowerDraft) -> list[str]:
    """What publication needs that `draft` lacks (column labels). A draft imported from a real
    list may lack these; it stays a draft until they are filled in (submission refuses it)."""
    gaps = []
    if draft.statutory_limit is None:
        gaps.append(LABELS["statutory_limit"])
    if not draft.legal_bases:
        gaps.append(LABELS["legal_bases"])
    if draft.charges_fee and not draft.fee_basis.strip():
        gaps.append(LABELS["fee_basis"])
    return gaps


def draft_problems(
    draft: PowerDraft, *, row: int | None = None, complete: bool = True
) -> list[FieldProblem]:
    """Every rule `draft` breaks on its own (uniqueness against the database is the service's).
    With `complete=False` the gaps of `draft_gaps` are allowed (an incomplete draft)."""
    problems: list[FieldProblem] = []

    def add(name: str, message: str) -> None:
        problems.append(FieldProblem(LABELS[name], message, row))

    if not CODE_PATTERN.match(draft.code or ""):
        add("code", f"“{draft.code}”应为6-24位数字或大写字母")
    if draft.national_code and not NATIONAL_CODE_PATTERN.match(draft.national_code):
        add(
            "national_code",
            f"“{draft.national_code[:70]}”不是有效的实施编码（由连字符连接的数字字母段，共31-60位）",
        )
    if draft.basic_code and not BASIC_CODE_PATTERN.match(draft.basic_code):
        add("basic_code", f"“{draft.basic_code[:50]}”不是有效的基本编码（数字字母和连字符，≤40位）")
    for name in ("name", "implementing_body"):
        if not (getattr(draft, name) or "").strip():
            add(name, "不能为空")
    for name, limit in MAX_LENGTHS.items():
        value = getattr(draft, name) or ""
        if len(value) > limit:
            add(name, f"长度{len(value)}字，超过上限{limit}字")
    problems += _choice_problem(draft.category, Category, "category", row)
    problems += _choice_problem(draft.body_nature, BodyNature, "body_nature", row)
    problems += _choice_problem(draft.exercise_level, ExerciseLevel, "exercise_level", row)
    problems += _choice_problem(draft.case_type, CaseType, "case_type", row)
    problems += _choice_problem(draft.statutory_limit_unit, LimitUnit, "statutory_limit_unit", row)
    problems += _choice_problem(draft.promised_limit_unit, LimitUnit, "promised_limit_unit", row)
    problems += _choice_problem(draft.disclosure_form, DisclosureForm, "disclosure_form", row)
    problems += _choice_problem(draft.disclosure_scope, DisclosureScope, "disclosure_scope", row)
    problems += _choice_problem(
        draft.disclosure_frequency, DisclosureFrequency, "disclosure_frequency", row
    )
    if not draft.service_objects:
        add("service_objects", "至少选择一项")
    for code in draft.service_objects:
        problems += _choice_problem(code, ServiceObject, "service_objects", row)
    if not draft.handling_forms:
        add("handling_forms", "至少选择一项")
    for code in draft.handling_forms:
        problems += _choice_problem(code, HandlingForm, "handling_forms", row)
    problems += _limit_problems(draft, row, complete)
    for name in ("contact_phone", "supervision_phone"):
        value = getattr(draft, name) or ""
        if not PHONE_PATTERN.match(value):
            add(name, "只能包含数字、-、括号和“转”，最长40位")
        elif problem := phone_problem(value, several=True, service=True):
            add(name, problem)
    if complete and draft.charges_fee and not draft.fee_basis.strip():
        add("fee_basis", "收费事项必须写明收费依据")
    if complete and not draft.legal_bases:
        add("legal_bases", "至少需要一条设定依据")
    for index, basis in enumerate(draft.legal_bases, start=1):
        if not basis.law_name.strip():
            add("legal_bases", f"第{index}条依据缺少法律法规名称")
        elif len(basis.law_name) > 200 or len(basis.article) > 100 or len(basis.text) > 4000:
            add("legal_bases", f"第{index}条依据过长（名称≤200字，条款≤100字，内容≤4000字）")
    for index, material in enumerate(draft.materials, start=1):
        if not material.name.strip():
            add("materials", f"第{index}项材料缺少名称")
        elif len(material.name) > 200 or len(material.notes) > 500:
            add("materials", f"第{index}项材料名称或备注过长")
        if not (0 <= material.originals <= 99 and 0 <= material.copies <= 99):
            add("materials", f"第{index}项材料的份数应为0-99")
    for index, duty in enumerate(draft.duties, start=1):
        if not duty.step_name.strip() or not duty.responsibility.strip():
            add("duties", f"第{index}条责任事项缺少环节或责任内容")
        elif len(duty.step_name) > 50 or len(duty.responsibility) > 4000:
            add("duties", f"第{index}条责任事项过长")
    return problems


def _limit_problems(draft: PowerDraft, row: int | None, complete: bool) -> list[FieldProblem]:
    problems = []
    if not isinstance(draft.extension_limit_days, int) or not 0 <= draft.extension_limit_days <= 60:
        problems.append(FieldProblem(LABELS["extension_limit_days"], "应为0-60的整数", row))
    if not isinstance(draft.extension_times, int) or not 0 <= draft.extension_times <= 3:
        problems.append(FieldProblem(LABELS["extension_times"], "应为0-3的整数", row))
    statutory = draft.statutory_limit
    promised = draft.promised_limit
    if statutory is None and not complete:
        pass  # a gap, listed by draft_gaps
    elif statutory is None:
        problems.append(FieldProblem(LABELS["statutory_limit"], "不能为空", row))
    elif not isinstance(statutory, int) or statutory < 0 or statutory > 3650:
        problems.append(FieldProblem(LABELS["statutory_limit"], "应为0-3650的整数", row))
    if promised is not None:
        if not isinstance(promised, int) or promised < 0 or promised > 3650:
            problems.append(FieldProblem(LABELS["promised_limit"], "应为0-3650的整数", row))
        elif (
            isinstance(statutory, int)
            and statutory >= 0
            and _comparable(draft.promised_limit_unit, draft.statutory_limit_unit)
            and promised > statutory
        ):
            problems.append(
                FieldProblem(
                    LABELS["promised_limit"],
                    f"承诺时限{promised}不能长于法定时限{statutory}",
                    row,
                )
            )
    return problems


def _comparable(promised_unit: str, statutory_unit: str) -> bool:
    # A working-day promise under a natural-day statute is still bounded by the statute's count.
    return promised_unit == statutory_unit or (
        promised_unit == LimitUnit.WORKING_DAY and statutory_unit == LimitUnit.NATURAL_DAY
    )
