"""What the department indicators measure (indicators.py): the month (`Period`, up to now for
the month in progress), the sets of cases, powers and orders counted, the working days a
concluded case used, and the month's alerts. Sets are querysets over all departments (each row
carries its department_id), so an indicator is one GROUP BY query whatever the number of
departments."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate

from sunlight.cases.choices import CaseState
from sunlight.cases.deadlines import add_limit, local_date
from sunlight.cases.models import Case
from sunlight.catalog.choices import LimitUnit, TransitionAction
from sunlight.catalog.models import PowerItem, Transition
from sunlight.core.clock import SHANGHAI
from sunlight.core.workdays import WorkCalendar
from sunlight.supervision.choices import AlertState, OrderState
from sunlight.supervision.models import Alert, OrderEscalation, SupervisionOrder, WorkdayOrdinal

STATUS_ACTIONS = (
    TransitionAction.PUBLISH,
    TransitionAction.SUSPEND,
    TransitionAction.RESUME,
    TransitionAction.REVOKE,
)
IN_USE_ACTIONS = (TransitionAction.PUBLISH, TransitionAction.RESUME)

# ---------------------------------------------------------------- the month measured


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class Period:
    """A month as measured: from its first local midnight to `end` — the next month's first
    midnight, or now for the month in progress. `cutoff_day` is the first day not yet over:
    a deadline before it has passed."""

    month: dt.date
    start: dt.datetime
    end: dt.datetime
    cutoff_day: dt.date

    @classmethod
    def of(cls, month: dt.date, now: dt.datetime) -> "Period":
        first = month.replace(day=1)
        following = next_month(first)
        start, month_end = local_midnight(first), local_midnight(following)
        if now < month_end:
            return cls(first, start, max(now, start), max(local_date(now), first))
        return cls(first, start, month_end, following)

    @property
    def partial(self) -> bool:
        return self.cutoff_day < next_month(self.month)

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


@dataclass(frozen=True)
class Params:
    """The scheme's parameters the indicators themselves depend on."""

    early_margin_workdays: int = 1  # 提前办结: at least this many working days before the deadline
    promise_cut_percent: int = 30  # 承诺提速: promised limit at least this much shorter


@dataclass(frozen=True)
class Measure:
    numerator: float
    denominator: int

    @property
    def value(self) -> float | None:
        """The rate (0–1; the time ratio may exceed 1), None when there is nothing to measure."""
        return self.numerator / self.denominator if self.denominator else None


# ---------------------------------------------------------------- the sets measured


def own_cases() -> QuerySet[Case]:
    """Cases as departments run them: a joint application's parent is left out, its work is
    recorded on each department's part. Ordering cleared so GROUP BY is by department only."""
    return Case.objects.filter(joint_item__isnull=True).order_by()


def received_in(period: Period) -> QuerySet[Case]:
    return own_cases().filter(received_at__gte=period.start, received_at__lt=period.end)


def concluded_q(period: Period) -> Q:
    return Q(state=CaseState.CONCLUDED, concluded_at__gte=period.start, concluded_at__lt=period.end)


def open_at_end_q(period: Period) -> Q:
    """Accepted before the end and not concluded by it: the clock was running."""
    return Q(accepted_at__lt=period.end) & (
        Q(concluded_at__isnull=True) | Q(concluded_at__gte=period.end)
    )


def concluded_in(period: Period) -> QuerySet[Case]:
    return own_cases().filter(concluded_q(period)).annotate(concluded_day=local_day("concluded_at"))


def local_day(column: str) -> TruncDate:
    return TruncDate(column, tzinfo=SHANGHAI)


def ordinal(day: Any) -> Subquery:
    return Subquery(WorkdayOrdinal.objects.filter(day=day).values("ordinal")[:1])


def _status_before(end: dt.datetime, column: str, actions: Iterable[str]) -> Subquery:
    transitions = Transition.objects.filter(
        item=OuterRef("pk"), action__in=list(actions), at__lt=end
    )
    return Subquery(transitions.order_by("-at", "-id").values(column)[:1])


def in_use_items(period: Period) -> QuerySet[PowerItem]:
    """Powers in use (在用) at the end: their last publish / suspend / resume / revoke before it
    was a publication or a resumption. `in_use_version` is the version then published."""
    return (
        PowerItem.objects.order_by()
        .annotate(
            last_status=_status_before(period.end, "action", STATUS_ACTIONS),
            in_use_version=_status_before(period.end, "version_id", [TransitionAction.PUBLISH]),
        )
        .filter(last_status__in=IN_USE_ACTIONS)
    )


def orders_due_in(period: Period) -> QuerySet[SupervisionOrder]:
    """Orders whose first reply deadline fell in the month and has passed (withdrawn ones left
    out). An escalation sets a later deadline; the first one is the one the reply owed."""
    first_due = Subquery(
        OrderEscalation.objects.filter(order=OuterRef("pk"))
        .order_by("escalated_at", "id")
        .values("previous_due")[:1]
    )
    return (
        SupervisionOrder.objects.order_by()
        .exclude(state=OrderState.WITHDRAWN)
        .annotate(first_due=Coalesce(first_due, F("reply_due")))
        .filter(first_due__gte=period.month, first_due__lt=period.cutoff_day)
    )


# ---------------------------------------------------------------- average time used


@dataclass(frozen=True)
class TimeUsed:
    case_id: int
    used: int  # in the statutory limit's unit, pauses given back
    limit: int

    @property
    def ratio(self) -> float:
        return self.used / self.limit

    @property
    def percent(self) -> str:
        return f"{self.ratio * 100:.1f}%"


TIME_COLUMNS = (
    "department_id",
    "pk",
    "accepted_at",
    "concluded_at",
    "paused_workdays",
    "power_version__statutory_limit",
    "power_version__statutory_limit_unit",
)


def time_used(calendar: WorkCalendar, row: tuple[Any, ...]) -> TimeUsed | None:
    """Days used from the day after acceptance to the conclusion day, in the statutory limit's
    unit, special-procedure pauses given back. None when it can't be counted in days (hour and
    minute limits, a zero limit, no acceptance, a day outside the calendar)."""
    _department, pk, accepted, concluded, paused, limit, unit = row
    if accepted is None or concluded is None or not limit:
        return None
    first, last = local_date(accepted), local_date(concluded)
    try:
        if unit == LimitUnit.WORKING_DAY:
            used, days = calendar.workdays_between(first, last), limit
        elif unit == LimitUnit.NATURAL_DAY:
            used, days = (last - first).days, limit
        elif unit == LimitUnit.MONTH:
            due = add_limit(calendar, start=first, limit=limit, unit=unit).day
            used, days = (last - first).days, (due - first).days if due else 0
        else:
            return None
    except ValueError:
        return None
    if days <= 0:
        return None
    return TimeUsed(pk, max(used - paused, 0), days)


# ---------------------------------------------------------------- alerts and departments


@dataclass(frozen=True)
class AlertRow:
    id: int
    level: str
    kind: str
    category: str


def alerts_by_department(period: Period) -> dict[int, list[AlertRow]]:
    """The month's alerts by department: those whose condition became true in the month
    (tripped_at — a scan that ran late or replayed history still charges the right month);
    cancelled ones are false alarms and left out. One query."""
    rows = (
        Alert.objects.filter(tripped_at__gte=period.start, tripped_at__lt=period.end)
        .exclude(state=AlertState.CANCELLED)
        .order_by("tripped_at", "id")
        .values_list("department_id", "id", "level", "rule__kind", "category")
    )
    found: dict[int, list[AlertRow]] = {}
    for department_id, pk, level, kind, category in rows:
        found.setdefault(department_id, []).append(AlertRow(pk, level, kind, category))
    return found


def volume_by_department(period: Period) -> dict[int, int]:
    """Each department's cases of the month — received in it, concluded in it, or open at its
    end — the volume deductions are scaled by (per hundred cases). One query."""
    from django.db.models import Count

    rows = (
        own_cases()
        .filter(
            Q(received_at__gte=period.start, received_at__lt=period.end)
            | concluded_q(period)
            | open_at_end_q(period)
        )
        .values("department_id")
        .annotate(n=Count("pk"))
    )
    return {row["department_id"]: row["n"] for row in rows}


def scored_department_ids(period: Period) -> list[int]:
    """Departments that exercise powers: some power of theirs was published before the end."""
    published = Transition.objects.filter(action=TransitionAction.PUBLISH, at__lt=period.end)
    return sorted(
        set(published.order_by().values_list("item__department_id", flat=True).distinct())
    )
