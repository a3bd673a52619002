"""The public progress lookup (办件进度查询): what an applicant may see of their case, given its
number and query code — and nothing personal beyond the masked applicant name.

`progress_find` answers None both for an unknown number and for a wrong code, so a guess never
tells whether a case number exists. The read model is a frozen dataclass built from a handful
of queries (case with power and department; its steps and pauses; its materials when in 补正 —
the first two in progress_sql.py, the hot path written out); staff names,
opinions and the applicant's contact data never leave this module."""

import datetime as dt
import hmac
import re
from dataclasses import dataclass, field

from sunlight.cases.choices import (
    ApplicantKind,
    CaseState,
    ConclusionCode,
    Decision,
    DocumentKind,
    PauseKind,
    SpecialProcedure,
    StepResult,
    StepState,
)
from sunlight.cases.models import Case
from sunlight.cases.progress_sql import case_by_number, steps_and_pauses
from sunlight.cases.receipt import PROGRESS_PATH
from sunlight.core.identity import mask_name

_NUMBER = re.compile(r"^[0-9A-Z]{6,32}$")
_CODE = re.compile(r"^[0-9A-Z]{4,12}$")


@dataclass(frozen=True)
class ProgressStep:
    name: str
    state: str
    state_label: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    result: str


@dataclass(frozen=True)
class ProgressPause:
    kind: str
    label: str  # 补正 / 特别程序：专家评审 / 延长审批
    reason: str  # as told to the applicant: the materials for 补正
    started_at: dt.datetime
    ended_at: dt.datetime | None
    limit_days: int | None
    extension_days: int

    @property
    def open(self) -> bool:
        return self.ended_at is None and self.kind != PauseKind.EXTENSION


@dataclass(frozen=True)
class ProgressMaterial:
    name: str
    mandatory: bool
    received: bool


@dataclass(frozen=True)
class ProgressPart:
    """One power of a joint application (一件事), with its own lookup: whoever holds the
    parent's number and code is the applicant of every part."""

    power_name: str
    department: str
    number: str
    state_label: str
    link: str


@dataclass(frozen=True)
class PublicProgress:
    number: str
    power_name: str
    power_code: str
    department: str
    department_phone: str
    applicant: str  # masked for a natural person
    state: str
    state_label: str
    current_steps: list[str]
    received_at: dt.datetime
    accepted_at: dt.datetime | None
    concluded_at: dt.datetime | None
    promised_deadline: dt.date | None
    statutory_deadline: dt.date | None
    provisional: bool
    extension_days: int
    steps: list[ProgressStep]
    pauses: list[ProgressPause]
    correction_items: str
    not_accepted_reason: str
    result: str  # 办结: decision and conclusion, in words
    collect_hint: str
    materials: list[ProgressMaterial]
    parts: list[ProgressPart] = field(default_factory=list)

    @property
    def in_correction(self) -> bool:
        return self.state == CaseState.CORRECTION

    @property
    def concluded(self) -> bool:
        return self.state in (CaseState.CONCLUDED, CaseState.NOT_ACCEPTED)


def normalize_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()[:40]


def normalize_code(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()[:20]


def progress_link(*, number: str, code: str) -> str:
    """The lookup's relative address for a case, as printed on receipts and sent in notices."""
    from urllib.parse import urlencode

    return f"{PROGRESS_PATH}?{urlencode({'number': number, 'code': code})}"


def progress_case(*, number: str, code: str) -> Case | None:
    """The case whose number and query code both match, else None (the same None for both
    kinds of miss). The code comparison takes the same time however much of it is right."""
    number, code = normalize_number(number), normalize_code(code)
    if not _NUMBER.match(number) or not _CODE.match(code):
        return None
    case = case_by_number(number)
    expected = case.query_code if case is not None else "X" * len(code)
    if not hmac.compare_digest(expected.encode(), code.encode()) or case is None:
        return None
    return case


def progress_find(*, number: str, code: str) -> PublicProgress | None:
    case = progress_case(number=number, code=code)
    return progress_of(case) if case is not None else None


def progress_of(case: Case) -> PublicProgress:
    """The public read model of one case (the caller has checked the query code)."""
    version = case.power_version
    # Read with the case by the lookup's own statement (progress_sql.case_by_number), else now.
    history = getattr(case, "progress_history", None)
    step_rows, pause_rows = history if history is not None else steps_and_pauses(case.pk)
    steps = [
        ProgressStep(
            name=name,
            state=state,
            state_label=StepState(state).label if state in StepState.values else state,
            started_at=started_at,
            finished_at=finished_at,
            result=StepResult(result).label if result in StepResult.values else "",
        )
        for name, state, result, started_at, finished_at in step_rows
    ]
    pauses = [
        ProgressPause(
            kind=kind,
            label=_pause_label(kind, procedure),
            reason=reason if kind == PauseKind.CORRECTION else _public_reason(kind),
            started_at=started_at,
            ended_at=ended_at,
            limit_days=limit_days,
            extension_days=extension_days,
        )
        for kind, procedure, reason, started_at, ended_at, limit_days, extension_days in pause_rows
    ]
    person = case.applicant_kind == ApplicantKind.PERSON
    return PublicProgress(
        number=case.number,
        power_name=public_title(case),
        power_code=case.power_item.code,
        department=case.department.name,
        department_phone=version.contact_phone or case.department.phone,
        applicant=mask_name(case.applicant_name) if person else case.applicant_name,
        state=case.state,
        state_label=case.get_state_display(),
        current_steps=[s.name for s in steps if s.state == StepState.OPEN],
        received_at=case.received_at,
        accepted_at=case.accepted_at,
        concluded_at=case.concluded_at,
        promised_deadline=case.promised_deadline,
        statutory_deadline=case.statutory_deadline,
        provisional=case.deadline_provisional,
        extension_days=case.extension_days,
        steps=steps,
        pauses=pauses,
        correction_items=case.correction_items if case.state == CaseState.CORRECTION else "",
        not_accepted_reason=case.not_accepted_reason
        if case.state == CaseState.NOT_ACCEPTED
        else "",
        result=_result(case),
        collect_hint=collect_hint(case) if case.state == CaseState.CONCLUDED else "",
        materials=_materials(case) if case.state == CaseState.CORRECTION else [],
        parts=_parts(case) if is_joint_parent(case) else [],
    )


def is_joint_parent(case: Case) -> bool:
    """The case a joint application's applicant holds (its parts have a parent)."""
    return case.joint_item_id is not None and case.joint_parent_id is None


def public_title(case: Case) -> str:
    """What the applicant applied for: the power, or the 一件事's name for a joint parent."""
    if is_joint_parent(case):
        return case.joint_item.name
    return case.power_version.full_name


def _parts(case: Case) -> list[ProgressPart]:
    parts = case.joint_parts.select_related("power_version", "department").only(
        "number", "query_code", "state", "power_version__name", "power_version__sub_item_name",
        "department__name", "joint_parent_id",
    ).order_by("number")  # fmt: skip
    return [
        ProgressPart(
            power_name=p.power_version.full_name,
            department=p.department.name,
            number=p.number,
            state_label=p.get_state_display(),
            link=progress_link(number=p.number, code=p.query_code),
        )
        for p in parts
    ]


def _pause_label(kind: str, procedure: str) -> str:
    if kind == PauseKind.SPECIAL and procedure in SpecialProcedure.values:
        return f"特别程序：{SpecialProcedure(procedure).label}"
    return PauseKind(kind).label if kind in PauseKind.values else kind


def _public_reason(kind: str) -> str:
    # Staff write special-procedure and extension reasons for the file, not for the public:
    # they may name experts, inspectors or third parties. The applicant is told the kind and
    # the time; the department's phone answers the rest.
    if kind in (PauseKind.SPECIAL, PauseKind.PUBLICITY):
        return "该期间不计入办理时限"
    return "经部门负责人批准延长办理期限"


def _result(case: Case) -> str:
    if case.state != CaseState.CONCLUDED:
        return ""
    parts = []
    if case.decision in Decision.values:
        parts.append(Decision(case.decision).label)
    if case.conclusion_code in ConclusionCode.values:
        parts.append(ConclusionCode(case.conclusion_code).label)
    return "，".join(parts)


def collect_hint(case: Case) -> str:
    """How the applicant gets the result (取件方式)."""
    phone = case.power_version.contact_phone or case.department.phone
    hint = f"请携带本人有效身份证件和办件回执到{case.department.name}办事窗口领取办理结果"
    return hint + (f"，咨询电话 {phone}。" if phone else "。")


def _materials(case: Case) -> list[ProgressMaterial]:
    received = {
        d.name
        for d in case.documents.filter(kind=DocumentKind.MATERIAL).only(
            "name", "original_received", "copy_received", "sha256"
        )
        if d.original_received or d.copy_received or d.sha256
    }
    return [
        ProgressMaterial(name=m.name, mandatory=m.mandatory, received=m.name in received)
        for m in case.power_version.materials.all()
    ]
