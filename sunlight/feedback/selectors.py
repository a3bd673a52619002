"""Reads: the public views (a case to rate, a petition by number + query code, the public
board) as plain masked read models, and the staff lists scoped by department or region."""

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from sunlight.cases.models import Case
from sunlight.cases.progress import progress_case
from sunlight.core import clock
from sunlight.core.errors import NotFound
from sunlight.core.identity import mask_name
from sunlight.feedback.choices import (
    ANSWERED,
    AWAITING_REPLY,
    OPEN_FOLLOW_UP_STATES,
    PetitionAction,
    PetitionKind,
    Satisfaction,
)
from sunlight.feedback.models import FollowUp, Petition, PetitionEvent, Rating
from sunlight.feedback.permissions import feedback_scope_q
from sunlight.feedback.text import mask_free_text

WRONG_PAIR = "编号或查询码不正确，请核对后重试"

# ---------------------------------------------------------------- public


def case_by_number_and_code(*, number: str, query_code: str) -> Case:
    """The case both halves name; NotFound with the same message whichever half is wrong, so
    a wrong guess never says whether the number exists (the progress lookup's rule)."""
    case = progress_case(number=number, code=query_code)
    if case is None:
        raise NotFound(WRONG_PAIR)
    return case


def _local(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(clock.SHANGHAI).date() if moment else None


def ratings_of_case(case: Case) -> list[Rating]:
    return list(Rating.objects.filter(case=case).order_by("rated_at"))


def petition_by_number_and_code(*, number: str, query_code: str) -> Petition:
    number, query_code = (number or "").strip().upper(), (query_code or "").strip().upper()
    petition = (
        Petition.objects.select_related("department").filter(number=number).first()
        if number and query_code
        else None
    )
    if petition is None or not secrets.compare_digest(petition.query_code, query_code):
        raise NotFound(WRONG_PAIR)
    return petition


@dataclass(frozen=True)
class BoardEntry:
    number: str
    kind: str
    title: str
    content: str
    department: str
    who: str
    received: dt.date
    replied: dt.date | None
    reply: str


def board_entry(petition: Petition) -> BoardEntry:
    return BoardEntry(
        number=petition.number,
        kind=petition.get_kind_display(),
        title=mask_free_text(petition.title),
        content=mask_free_text(petition.content),
        department=petition.department.name,
        who=mask_name(petition.name) if petition.name else "匿名",
        received=_local(petition.received_at) or clock.today_local(),
        replied=_local(petition.replied_at),
        reply=mask_free_text(petition.reply),
    )


def board_list(*, kind: str = "") -> QuerySet[Petition]:
    """The public board: replied petitions whose petitioner agreed to publication."""
    rows = Petition.objects.select_related("department").filter(
        publish_consent=True, state__in=ANSWERED
    )
    if kind in PetitionKind.values:
        rows = rows.filter(kind=kind)
    return rows.order_by("-replied_at", "-id")


# ---------------------------------------------------------------- staff


def petition_list_for_user(
    *, user: Any, kind: str = "", state: str = "", overdue: bool = False
) -> QuerySet[Petition]:
    rows = Petition.objects.select_related("department").filter(
        feedback_scope_q(user, petitions=True)
    )
    if kind:
        rows = rows.filter(kind=kind)
    if state:
        rows = rows.filter(state=state)
    if overdue:
        rows = rows.filter(state__in=AWAITING_REPLY, due_date__lt=clock.today_local())
    return rows.order_by("due_date", "id") if state in AWAITING_REPLY else rows


def petition_get_for_user(*, user: Any, number: str) -> Petition:
    found = (
        Petition.objects.select_related(
            "department", "case", "power_item", "order", "registered_by"
        )  # fmt: skip
        .filter(feedback_scope_q(user, petitions=True))
        .filter(number=number)
        .first()
    )
    if found is None:
        raise NotFound("投诉咨询不存在或无权查看")
    return found


def petition_events(petition: Petition) -> list[PetitionEvent]:
    return list(
        petition.events.select_related("actor", "department", "to_department").order_by("at", "id")
    )


def petition_public_events(petition: Petition) -> list[PetitionEvent]:
    """What the petitioner sees of the handling: the moves, not the internal notes."""
    return [e for e in petition_events(petition) if e.action != PetitionAction.NOTE]


def followup_list_for_user(*, user: Any, open_only: bool = False) -> QuerySet[FollowUp]:
    rows = FollowUp.objects.select_related("rating", "case", "department").filter(
        feedback_scope_q(user)
    )
    if open_only:
        rows = rows.filter(state__in=OPEN_FOLLOW_UP_STATES)
    return rows.order_by("state", "due_date", "id")


def followup_get_for_user(*, user: Any, pk: int) -> FollowUp:
    found = (
        FollowUp.objects.select_related("rating", "case", "department", "verified_by", "closed_by")
        .filter(feedback_scope_q(user))
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("整改不存在或无权查看")
    return found


def rating_list_for_user(*, user: Any, level: str = "") -> QuerySet[Rating]:
    rows = Rating.objects.select_related("case", "department").filter(feedback_scope_q(user))
    if level in Satisfaction.values:
        rows = rows.filter(level=level)
    return rows


def rating_counts_for_user(*, user: Any) -> dict[str, int]:
    counts = dict(
        Rating.objects.filter(feedback_scope_q(user))
        .order_by()
        .values_list("level")
        .annotate(n=Count("id"))
    )
    return {level.value: counts.get(level.value, 0) for level in Satisfaction}


def feedback_todo_counts(*, user: Any) -> dict[str, int]:
    """For the workbench: petitions waiting for this department, follow-ups open."""
    petitions = Petition.objects.filter(feedback_scope_q(user, petitions=True))
    return {
        "to_sign": petitions.filter(state="submitted").count(),
        "to_reply": petitions.filter(state="handling").count(),
        "overdue": petitions.filter(
            Q(state__in=AWAITING_REPLY) & Q(due_date__lt=clock.today_local())
        ).count(),
        "follow_ups": FollowUp.objects.filter(feedback_scope_q(user))
        .filter(state__in=OPEN_FOLLOW_UP_STATES)
        .count(),
    }


# ---------------------------------------------------------------- portal home


@dataclass(frozen=True)
class PortalSummary:
    """Last month's numbers for the portal home (好差评 and 投诉咨询)."""

    month: dt.date
    ratings: int
    satisfied: int
    complaints: int
    consultations: int
    answered_in_time: int
    due: int

    @property
    def satisfied_percent(self) -> str:
        return f"{self.satisfied * 100 / self.ratings:.1f}%" if self.ratings else "暂无数据"

    @property
    def in_time_percent(self) -> str:
        return f"{self.answered_in_time * 100 / self.due:.1f}%" if self.due else "暂无数据"


def portal_summary(today: dt.date | None = None) -> PortalSummary:
    """The last complete month: ratings (and how many satisfied), complaints and consultations
    received, and those due that month answered in time. A few aggregate queries."""
    today = today or clock.today_local()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    following = today.replace(day=1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=clock.SHANGHAI)
    end = dt.datetime.combine(following, dt.time.min, tzinfo=clock.SHANGHAI)
    rated = Rating.objects.filter(rated_at__gte=start, rated_at__lt=end)
    kinds = dict(
        Petition.objects.filter(received_at__gte=start, received_at__lt=end)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    due = Petition.objects.filter(due_date__gte=first, due_date__lt=following)
    in_time = sum(
        1
        for replied, due_date in due.values_list("replied_at", "due_date")
        if replied is not None and _local(replied) is not None and _local(replied) <= due_date
    )
    return PortalSummary(
        month=first,
        ratings=rated.count(),
        satisfied=rated.filter(level__in=("1", "2", "3")).count(),
        complaints=kinds.get(PetitionKind.COMPLAINT, 0),
        consultations=kinds.get(PetitionKind.CONSULTATION, 0),
        answered_in_time=in_time,
        due=due.count(),
    )
