"""What each member of staff should do next (the workbench's 今日工作 panel and the filtered
lists it links to): their open steps past their deadline (red), due today, due within the next
few working days (yellow, `SUNLIGHT_DUE_SOON_WORKDAYS`), steps returned to them by a send-back,
new online applications waiting for acceptance, and cases whose flow has ended waiting for 办结.
Reads only."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from sunlight.cases.choices import CaseState, Channel, StepState
from sunlight.cases.models import Case, CaseStep
from sunlight.cases.selectors import _open_user_steps, department_scope_q
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.org.choices import Role

SHOWN = 8  # rows of "next to do" on the workbench
PER_KIND = 3  # of them, at most this many of one kind while other kinds wait

# key: (label, tone, what the list is of)
QUEUES: dict[str, tuple[str, str, str]] = {
    "late": ("已超期", "red", "steps"),
    "today": ("今日到期", "today", "steps"),
    "soon": ("即将到期", "yellow", "steps"),
    "returned": ("被退回重办", "returned", "steps"),
    "online": ("新的网上申请", "new", "cases"),
    "to_conclude": ("待办结", "new", "cases"),
}
_WINDOW_ROLES = {Role.CLERK, Role.APPROVER}


@dataclass
class Queue:
    key: str
    label: str
    tone: str
    count: int
    url: str
    hint: str = ""


@dataclass
class NextItem:
    """One row of 下一步: a case, what to do on it, and why now."""

    number: str
    title: str
    task: str
    due: Any  # a step's deadline (a moment) or a case's promised deadline (a day)
    tone: str
    reason: str

    @property
    def due_text(self) -> str:
        if isinstance(self.due, dt.datetime):
            return self.due.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        return self.due.strftime("%Y-%m-%d") if self.due else ""


@dataclass
class CaseQueues:
    queues: list[Queue]
    next_items: list[NextItem] = field(default_factory=list)
    soon_days: int = 2


def soon_workdays() -> int:
    return max(1, int(getattr(settings, "SUNLIGHT_DUE_SOON_WORKDAYS", 2)))


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def _bounds(today: dt.date) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """Start of today, start of tomorrow, and the end of the yellow window."""
    from sunlight.cases.services import calendar

    last_soon = calendar().add_workdays(today, soon_workdays()).day
    return (
        _day_start(today),
        _day_start(today + dt.timedelta(days=1)),
        _day_start(last_soon + dt.timedelta(days=1)),
    )


def _returned_q() -> Exists:
    """The step was done before on this case: it is open again because of a send-back."""
    return Exists(
        CaseStep.objects.filter(
            case=OuterRef("case"), node_id=OuterRef("node_id"), state=StepState.DONE
        )
    )


def queue_steps(*, user: Any, key: str, today: dt.date | None = None) -> QuerySet[CaseStep]:
    """The user's own open steps in one of the step queues."""
    today = today or clock.today_local()
    start, tomorrow, soon_end = _bounds(today)
    steps = _open_user_steps(user)
    steps = steps.filter(role=user.role) if user.role else steps.none()
    if key == "late":
        return steps.filter(deadline__lt=start)
    if key == "today":
        return steps.filter(deadline__gte=start, deadline__lt=tomorrow)
    if key == "soon":
        return steps.filter(deadline__gte=tomorrow, deadline__lt=soon_end)
    if key == "returned":
        return steps.filter(_returned_q())
    return steps.none()


def queue_cases(*, user: Any, key: str) -> QuerySet[Case]:
    """Cases waiting for the window: new online applications, and cases to conclude."""
    cases = Case.objects.filter(department_scope_q(user), joint_parent__isnull=True)
    if not (user.is_superuser or user.role in _WINDOW_ROLES):
        return cases.none()
    if key == "online":
        cases = cases.filter(state=CaseState.SUBMITTED, channel=Channel.ONLINE)
    elif key == "to_conclude":
        cases = cases.filter(state=CaseState.TO_CONCLUDE)
    else:
        return cases.none()
    return cases.select_related("department", "power_version").order_by("received_at", "id")


def case_queues_for_user(*, user: Any) -> CaseQueues:
    today = clock.today_local()
    workbench = reverse("cases:workbench")
    queues = []
    for key, (label, tone, kind) in QUEUES.items():
        if kind == "cases" and not (user.is_superuser or user.role in _WINDOW_ROLES):
            continue
        rows = queue_steps(user=user, key=key, today=today) if kind == "steps" else None
        count = rows.count() if rows is not None else queue_cases(user=user, key=key).count()
        queues.append(Queue(key, label, tone, count, f"{workbench}?tab=queue&queue={key}"))
    return CaseQueues(queues, _next_items(user, today), soon_workdays())


def _next_items(user: Any, today: dt.date) -> list[NextItem]:
    """The most urgent work first: red, due today, returned, yellow, then the window's — but at
    most PER_KIND of each kind before the rest fill the list, so a long red backlog does not hide
    the work that can still be done in time."""
    groups: list[list[NextItem]] = []
    seen: set[int] = set()
    for key in ("late", "today", "returned", "soon"):
        label, tone, _ = QUEUES[key]
        group = []
        for step in queue_steps(user=user, key=key, today=today)[:SHOWN]:
            if step.pk in seen:
                continue
            seen.add(step.pk)
            case = step.case
            group.append(NextItem(case.number, case.title, step.name, step.deadline, tone, label))
        groups.append(group)
    for key in ("online", "to_conclude"):
        label, tone, _ = QUEUES[key]
        task = "受理或一次性告知补正" if key == "online" else "办结"
        group = []
        for case in queue_cases(user=user, key=key)[:SHOWN]:
            due = case.promised_deadline if key == "to_conclude" else None
            group.append(NextItem(case.number, case.title, task, due, tone, label))
        groups.append(group)
    first = [item for group in groups for item in group[:PER_KIND]]
    rest = [item for group in groups for item in group[PER_KIND:]]
    chosen = (first + rest)[:SHOWN]
    order = {id(item): index for index, item in enumerate(i for g in groups for i in g)}
    return sorted(chosen, key=lambda item: order[id(item)])
