"""Reads of cases for staff pages: the scoped case list, one case, to-dos (mine, my unit's),
done steps, a case's timeline and its clock explained day by day. Every list is limited to
the user's department scope in SQL; a single case outside it is NotFound, never Forbidden."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, F, Prefetch, Q, QuerySet

from sunlight.cases.choices import OPEN_STATES, CaseState, PauseKind, StepState
from sunlight.cases.deadlines import local_date
from sunlight.cases.models import Case, CaseDocument, CasePause, CaseStep
from sunlight.cases.permissions import require_case_visible
from sunlight.catalog.choices import LimitUnit
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import NotFound
from sunlight.core.workdays import MAKEUP_REASON, WEEKEND_REASON, WORKDAY_REASON
from sunlight.org.permissions import department_scope_q

WORKDAY_UNITS = {LimitUnit.WORKING_DAY}
ORDINARY_REASON = "正常工作日与周末"
DAY_UNITS = {LimitUnit.WORKING_DAY, LimitUnit.NATURAL_DAY, LimitUnit.MONTH}


# ---------------------------------------------------------------- lists


@dataclass(frozen=True)
class CaseFilters:
    query: str = ""  # case number, applicant or title
    power: str = ""  # power code (or its beginning)
    state: str = ""
    case_type: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    overdue: bool = False
    department_id: int | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def overdue_q(today: dt.date | None = None) -> Q:
    """Open and past its promised deadline."""
    today = today or clock.today_local()
    return Q(state__in=OPEN_STATES, promised_deadline__lt=today)


def case_list_for_user(*, user: Any, filters: CaseFilters | None = None) -> QuerySet[Case]:
    filters = filters or CaseFilters()
    cases = Case.objects.filter(department_scope_q(user))
    query = filters.query.strip()
    if query:
        cases = cases.filter(
            Q(number__startswith=query)
            | Q(applicant_name__icontains=query)
            | Q(title__icontains=query)
        )
    if filters.power.strip():
        cases = cases.filter(power_item__code__startswith=filters.power.strip())
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.case_type:
        cases = cases.filter(case_type=filters.case_type)
    if filters.received_from:
        cases = cases.filter(received_at__gte=_day_start(filters.received_from))
    if filters.received_to:
        cases = cases.filter(received_at__lt=_day_start(filters.received_to + dt.timedelta(1)))
    if filters.overdue:
        cases = cases.filter(overdue_q())
    if filters.department_id:
        cases = cases.filter(department_id=filters.department_id)
    return (
        cases.select_related("department", "power_version")
        .annotate(is_overdue=ExpressionWrapper(overdue_q(), output_field=BooleanField()))
        .order_by("-received_at", "-id")
    )


def case_get_for_user(*, user: Any, number: str) -> Case:
    case = (
        Case.objects.select_related(
            "department",
            "power_version",
            "power_item",
            "flow__power_version",
            "registered_by",
            "joint_parent",
        )
        .prefetch_related(
            Prefetch(
                "pauses", queryset=CasePause.objects.select_related("approved_by", "requested_by")
            )
        )
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound("办件不存在或无权查看")
    require_case_visible(user, case)
    return case


def _open_user_steps(user: Any) -> QuerySet[CaseStep]:
    return (
        CaseStep.objects.filter(state=StepState.OPEN, kind="user_task")
        .filter(department_scope_q(user, prefix="case__"))
        .select_related("case", "case__department", "case__power_version")
        .annotate(
            is_late=ExpressionWrapper(Q(deadline__lt=clock.now()), output_field=BooleanField())
        )
        .order_by(F("deadline").asc(nulls_last=True), "started_at", "id")
    )


def todo_for_user(*, user: Any) -> dict[str, QuerySet[CaseStep]]:
    """我的待办: open steps for the user's role in their scope; 本单位待办: the other open steps
    there (other roles' work the user sees but may not be the one to do)."""
    steps = _open_user_steps(user)
    if not user.role:
        return {"mine": steps.none(), "unit": steps}
    return {"mine": steps.filter(role=user.role), "unit": steps.exclude(role=user.role)}


def done_for_user(*, user: Any) -> QuerySet[CaseStep]:
    """已办: steps this user handled, newest first, still within their scope."""
    return (
        CaseStep.objects.filter(handler=user, finished_at__isnull=False)
        .filter(department_scope_q(user, prefix="case__"))
        .select_related("case", "case__department", "case__power_version")
        .order_by("-finished_at", "-id")
    )


def workbench_counts(*, user: Any) -> dict[str, int]:
    todo = todo_for_user(user=user)
    scoped = Case.objects.filter(department_scope_q(user))
    return {
        "mine": todo["mine"].count(),
        "unit": todo["unit"].count(),
        "to_conclude": scoped.filter(state=CaseState.TO_CONCLUDE).count(),
        "overdue": scoped.filter(overdue_q()).count(),
    }


def case_documents(*, case: Case) -> list[CaseDocument]:
    return list(case.documents.select_related("step", "uploaded_by").order_by("uploaded_at", "id"))


def case_document_get(*, user: Any, number: str, document_id: int) -> CaseDocument:
    case = case_get_for_user(user=user, number=number)
    document = case.documents.filter(pk=document_id).exclude(file_path="").first()
    if document is None:
        raise NotFound("文件不存在")
    return document


# ---------------------------------------------------------------- timeline


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # received / step / pause / extension / concluded
    title: str
    who: str = ""
    finished_at: dt.datetime | None = None
    state: str = ""
    state_label: str = ""
    result: str = ""
    opinion: str = ""
    detail: str = ""


def case_timeline(*, case: Case) -> list[TimelineEntry]:
    """Everything that happened, in order: registration, each step (handler, times to the
    second, result, opinion), pauses and extensions, conclusion."""
    entries = [
        TimelineEntry(
            at=case.received_at,
            kind="received",
            title="收件登记",
            who=case.registered_by.display_name if case.registered_by else "申请人（网上申请）",
            detail=f"提交渠道：{case.get_channel_display()}",
        )
    ]
    for step in case.steps.exclude(kind="join").order_by("started_at", "id"):
        entries.append(
            TimelineEntry(
                at=step.started_at,
                kind="step",
                title=step.name,
                who=step.handler_name,
                finished_at=step.finished_at,
                state=step.state,
                state_label=step.get_state_display(),
                result=step.get_result_display() if step.result else "",
                opinion=step.opinion,
                detail=_step_detail(step),
            )
        )
    for pause in case.pauses.all():
        entries.append(_pause_entry(pause))
    if case.state == CaseState.CONCLUDED and case.concluded_at:
        entries.append(
            TimelineEntry(
                at=case.concluded_at,
                kind="concluded",
                title="办结",
                state=case.state,
                state_label=case.get_conclusion_code_display(),
                result=case.get_decision_display(),
                opinion=case.conclusion_opinion,
            )
        )
    order = {"received": 0, "step": 1, "pause": 2, "extension": 2, "concluded": 3}
    return sorted(entries, key=lambda e: (e.at, order[e.kind]))


def _step_detail(step: CaseStep) -> str:
    parts = []
    if step.role:
        from sunlight.org.choices import Role

        parts.append(f"办理角色：{dict(Role.choices).get(step.role, step.role)}")
    if step.deadline:
        moment = step.deadline.astimezone(SHANGHAI)
        mark = "（暂定）" if step.deadline_provisional else ""
        parts.append(f"环节期限：{moment:%Y-%m-%d %H:%M}{mark}")
    if step.stops_clock:
        parts.append("本环节不计入办理时限")
    return "；".join(parts)


def _pause_entry(pause: CasePause) -> TimelineEntry:
    who = pause.approved_by or pause.requested_by
    if pause.kind == PauseKind.EXTENSION:
        return TimelineEntry(
            at=pause.started_at,
            kind="extension",
            title=f"延长审批期限 {pause.extension_days} 天",
            who=who.display_name if who else "",
            opinion=pause.reason,
        )
    title = pause.get_kind_display()
    if pause.procedure:
        title = f"特别程序：{pause.get_procedure_display()}"
    if pause.ended_at:
        ended = pause.ended_at.astimezone(SHANGHAI)
        detail = f"至 {ended:%Y-%m-%d %H:%M:%S} 结束，暂停 {pause.workdays} 个工作日"
    else:
        detail = "进行中，期间不计入办理时限"
    if pause.limit_days:
        detail += f"；程序时限 {pause.limit_days} 个工作日"
    return TimelineEntry(
        at=pause.started_at,
        kind="pause",
        title=title,
        who=who.display_name if who else "",
        finished_at=pause.ended_at,
        opinion=pause.reason,
        detail=detail,
    )


# ---------------------------------------------------------------- clock


@dataclass(frozen=True)
class ClockDay:
    day: dt.date
    counted: bool
    reason: str
    provisional: bool = False
    ordinary: bool = False  # a plain working day or weekend, not worth a line of its own


@dataclass(frozen=True)
class ClockRun:
    """Consecutive days explained together: a holiday, a make-up day, a pause, or a stretch of
    ordinary weeks (working days counted, weekends not)."""

    first: dt.date
    last: dt.date
    days: int
    counted: int
    reason: str
    provisional: bool
    ordinary: bool

    @property
    def skipped(self) -> int:
        return self.days - self.counted


@dataclass(frozen=True)
class PausePeriod:
    label: str
    started: dt.date
    ended: dt.date | None
    workdays: int


@dataclass
class CaseClock:
    accepted: dt.date | None
    end: dt.date | None
    statutory_deadline: dt.date | None
    promised_deadline: dt.date | None
    provisional: bool
    unit: str
    unit_label: str
    statutory_limit: int | None
    promised_limit: int | None
    extension_days: int
    paused_workdays: int
    used: int = 0
    days: list[ClockDay] = field(default_factory=list)
    runs: list[ClockRun] = field(default_factory=list)
    pauses: list[PausePeriod] = field(default_factory=list)
    note: str = ""

    @property
    def limit_total(self) -> int | None:
        if self.statutory_limit is None:
            return None
        return self.statutory_limit + self.extension_days

    @property
    def skipped(self) -> int:
        return len(self.days) - self.used

    @property
    def over_limit(self) -> bool:
        return self.limit_total is not None and self.used > self.limit_total


def case_clock(*, case: Case, today: dt.date | None = None) -> CaseClock:
    """The case's clock explained: from the day after acceptance to today (or the day it was
    concluded), each day counted or not and why; paused periods (补正, 特别程序) do not count."""
    from sunlight.cases.services import calendar

    version = case.power_version
    unit = version.statutory_limit_unit
    result = CaseClock(
        accepted=local_date(case.accepted_at) if case.accepted_at else None,
        end=None,
        statutory_deadline=case.statutory_deadline,
        promised_deadline=case.promised_deadline,
        provisional=case.deadline_provisional,
        unit=unit,
        unit_label=LimitUnit(unit).label if unit in LimitUnit.values else unit,
        statutory_limit=version.statutory_limit,
        promised_limit=version.promised_limit,
        extension_days=case.extension_days,
        paused_workdays=case.paused_workdays,
    )
    today = today or clock.today_local()
    pauses = [p for p in case.pauses.all() if p.kind != PauseKind.EXTENSION]
    result.pauses = [
        PausePeriod(
            label=_pause_label(p),
            started=local_date(p.started_at),
            ended=local_date(p.ended_at) if p.ended_at else None,
            workdays=p.workdays,
        )
        for p in pauses
    ]
    if result.accepted is None:
        result.note = "尚未受理，办理时限从受理次日起算。"
        return result
    if unit not in DAY_UNITS:
        result.note = f"本事项时限以{result.unit_label}计，按实际时刻计算，不逐日列明。"
        return result
    end = local_date(case.concluded_at) if case.concluded_at else today
    result.end = end
    work_calendar = calendar()
    days = []
    for reason in work_calendar.explain(result.accepted, end):
        paused = _paused_by(reason.day, result.pauses, today)
        if unit in WORKDAY_UNITS:
            counted = reason.counted
            ordinary = reason.reason in (WORKDAY_REASON, WEEKEND_REASON)
            label = reason.reason
            if reason.reason == MAKEUP_REASON and reason.name:
                label = f"{MAKEUP_REASON}（{reason.name}）"
        else:
            counted, ordinary, label = True, True, "自然日"
        if paused and counted:
            counted, ordinary, label = False, False, f"暂停（{paused}）"
        days.append(ClockDay(reason.day, counted, label, reason.provisional, ordinary))
    result.days = days
    result.used = sum(1 for d in days if d.counted)
    result.runs = _runs(days)
    return result


def _pause_label(pause: CasePause) -> str:
    if pause.kind == PauseKind.SPECIAL:
        return f"特别程序：{pause.get_procedure_display()}" if pause.procedure else "特别程序"
    return pause.get_kind_display()


def _paused_by(day: dt.date, pauses: list[PausePeriod], today: dt.date) -> str:
    # A pause gives back the days in (start, end], as services count it.
    for pause in pauses:
        if pause.started < day <= (pause.ended or today):
            return pause.label
    return ""


def _runs(days: list[ClockDay]) -> list[ClockRun]:
    runs: list[ClockRun] = []
    for day in days:
        last = runs[-1] if runs else None
        reason = ORDINARY_REASON if day.ordinary else day.reason
        if last is not None and last.reason == reason and last.last + dt.timedelta(1) == day.day:
            runs[-1] = ClockRun(
                last.first,
                day.day,
                last.days + 1,
                last.counted + day.counted,
                reason,
                last.provisional or day.provisional,
                day.ordinary,
            )
        else:
            runs.append(
                ClockRun(
                    day.day, day.day, 1, int(day.counted), reason, day.provisional, day.ordinary
                )
            )
    return runs


def send_back_targets(step: CaseStep) -> list[CaseStep]:
    """The steps a send-back from `step` reopens: its previous step; or, when a parallel join
    opened it, the step each branch arrived from. The join's arrivals are marked done at the
    moment it opens the next step, so the firing is found by that moment."""
    previous = step.previous
    if previous is None:
        return []
    arrival = (
        CaseStep.objects.filter(
            case_id=step.case_id, kind="join", state=StepState.DONE, previous=previous,
            finished_at=step.started_at,
        )
        .order_by("-id")
        .first()
    )  # fmt: skip
    if arrival is None:
        return [previous]
    arrivals = CaseStep.objects.filter(
        case_id=step.case_id, kind="join", node_id=arrival.node_id, state=StepState.DONE,
        finished_at=arrival.finished_at,
    ).select_related("previous").order_by("id")  # fmt: skip
    return [a.previous for a in arrivals if a.previous is not None]


def can_send_back_to(targets: list[CaseStep]) -> bool:
    """Whether a send-back has somewhere to go: steps before it, each a task a person handles."""
    return bool(targets) and all(t.kind == "user_task" for t in targets)
