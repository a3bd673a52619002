"""Reads for the supervision centre (监察中心): the scoped alert list and one alert, live counts
by department and power, trends over days and months, recent scans, provisional deadlines and
the rules. Supervisors and admins see their region's subtree; clerks and approvers their own
department (org.permissions.department_scope_q). An alert outside the scope is NotFound.

Counts and trends are a fixed handful of GROUP BY queries whatever the number of alerts, so the
centre stays fast on a city's worth of history."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth

from sunlight.cases.choices import OPEN_STATES
from sunlight.cases.models import Case
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import NotFound, PermissionDenied
from sunlight.org.choices import Role
from sunlight.org.permissions import department_scope_q
from sunlight.supervision.choices import LIVE_ALERT_STATES, AlertState, Level
from sunlight.supervision.models import Alert, Rule, ScanRun

LEVELS = (Level.RED, Level.YELLOW, Level.REMIND)  # the order the centre shows them in
STATE_FILTERS = {
    "live": "未解除",
    "all": "全部",
    "resolved": "已解除",
    "cancelled": "已撤销",
}


# ---------------------------------------------------------------- who may do what


def may_supervise(user: Any) -> bool:
    """Supervisors and admins tune rules, replay them and start scans (services check again)."""
    return bool(
        user.is_superuser or (user.is_active and user.role in (Role.SUPERVISOR, Role.ADMIN))
    )


def require_supervisor(user: Any) -> None:
    if not may_supervise(user):
        raise PermissionDenied("只有纪检监察人员和平台管理员可以调整监察规则和发起扫描")


def alert_actions_for_user(*, user: Any, alert: Alert) -> set[str]:
    """What the alert page offers this user: the services decide again when it is used.
    Supervisors and admins (of the alert's region, which scoping already ensured) acknowledge,
    resolve and cancel live alerts and issue orders; approvers of the department acknowledge."""
    if not alert.is_live:
        return set()
    actions: set[str] = set()
    unacknowledged = alert.state == AlertState.RAISED
    if may_supervise(user):
        actions |= {"resolve", "cancel", "order"}
        if unacknowledged:
            actions.add("acknowledge")
    elif (
        user.role == Role.APPROVER and user.department_id == alert.department_id and unacknowledged
    ):
        actions.add("acknowledge")
    return actions


# ---------------------------------------------------------------- the alert list


@dataclass(frozen=True)
class AlertFilters:
    level: str = ""
    state: str = "live"  # live / all / resolved / cancelled
    department_id: int | None = None
    power: str = ""  # power item code
    kind: str = ""  # Check value
    rule: str = ""  # rule code
    category: str = ""  # RuleCategory value
    month: dt.date | None = None  # any day of the month, on raised_at (Asia/Shanghai)
    query: str = ""  # case number, or its beginning


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def alerts_visible_to(user: Any) -> QuerySet[Alert]:
    return Alert.objects.filter(department_scope_q(user))


def alert_list_for_user(*, user: Any, filters: AlertFilters | None = None) -> QuerySet[Alert]:
    """The alerts the user may see, narrowed by the filters, newest first, with everything the
    list shows joined in (a constant number of queries per page)."""
    filters = filters or AlertFilters()
    alerts = alerts_visible_to(user)
    if filters.state == "live":
        alerts = alerts.filter(state__in=LIVE_ALERT_STATES)
    elif filters.state in (AlertState.RESOLVED, AlertState.CANCELLED):
        alerts = alerts.filter(state=filters.state)
    if filters.level:
        alerts = alerts.filter(level=filters.level)
    if filters.department_id:
        alerts = alerts.filter(department_id=filters.department_id)
    if filters.power.strip():
        alerts = alerts.filter(power_item__code=filters.power.strip())
    if filters.kind:
        alerts = alerts.filter(rule__kind=filters.kind)
    if filters.rule:
        alerts = alerts.filter(rule__code=filters.rule)
    if filters.category:
        alerts = alerts.filter(category=filters.category)
    if filters.month:
        start = _month_start(filters.month)
        alerts = alerts.filter(
            raised_at__gte=_local_midnight(start), raised_at__lt=_local_midnight(_next_month(start))
        )
    query = filters.query.strip()
    if query:
        alerts = alerts.filter(case__number__startswith=query)
    return alerts.select_related(
        "rule", "department", "case", "step", "power_item__current_version", "order"
    ).order_by("-raised_at", "-id")


def alert_get_for_user(*, user: Any, alert_id: int) -> Alert:
    alert = (
        alerts_visible_to(user)
        .select_related(
            "rule",
            "department",
            "case__power_version",
            "step",
            "power_item__current_version",
            "order",
            "acknowledged_by",
            "closed_by",
            "scan",
        )
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise NotFound("预警不存在或无权查看")
    return alert


# ---------------------------------------------------------------- live counts


@dataclass
class CountRow:
    """Live alerts of one department or one power, by level."""

    key: Any  # department id, or power code
    name: str
    red: int = 0
    yellow: int = 0
    remind: int = 0

    @property
    def total(self) -> int:
        return self.red + self.yellow + self.remind


@dataclass
class LiveCounts:
    red: int = 0
    yellow: int = 0
    remind: int = 0
    by_department: list[CountRow] = field(default_factory=list)
    by_power: list[CountRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.red + self.yellow + self.remind


def _level_counts() -> dict[str, Count]:
    return {level.value: Count("id", filter=Q(level=level)) for level in LEVELS}


def _row(key: Any, name: str, values: dict[str, Any]) -> CountRow:
    return CountRow(
        key=key,
        name=name,
        red=values[Level.RED],
        yellow=values[Level.YELLOW],
        remind=values[Level.REMIND],
    )


def live_counts(*, user: Any, top: int = 10) -> LiveCounts:
    """Live (raised or acknowledged) alerts by level: in total, per department (every department
    with one) and for the `top` powers with the most red, then yellow, lights. Three queries."""
    live = alerts_visible_to(user).filter(state__in=LIVE_ALERT_STATES)
    totals = live.aggregate(**_level_counts())
    counts = LiveCounts(
        red=totals[Level.RED], yellow=totals[Level.YELLOW], remind=totals[Level.REMIND]
    )
    departments = (
        live.values("department_id", "department__name")
        .annotate(**_level_counts())
        .order_by("-red", "-yellow", "-remind", "department__name")
    )
    counts.by_department = [_row(d["department_id"], d["department__name"], d) for d in departments]
    powers = (
        live.filter(power_item__isnull=False)
        .values("power_item__code", "power_item__current_version__name")
        .annotate(**_level_counts())
        .order_by("-red", "-yellow", "-remind", "power_item__code")
    )[:top]
    counts.by_power = [
        _row(p["power_item__code"], p["power_item__current_version__name"] or "", p) for p in powers
    ]
    return counts


# ---------------------------------------------------------------- trends


@dataclass
class TrendBucket:
    """One day or month: alerts raised in it by level, and how many were live at its end."""

    start: dt.date
    label: str
    red: int = 0
    yellow: int = 0
    remind: int = 0
    live_at_end: int = 0

    @property
    def raised(self) -> int:
        return self.red + self.yellow + self.remind


@dataclass
class Trend:
    unit: str  # "day" or "month"
    buckets: list[TrendBucket]

    @property
    def raised(self) -> int:
        return sum(b.raised for b in self.buckets)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(SHANGHAI).date() if value.tzinfo else value.date()
    return value


def alert_trend(*, user: Any, days: int | None = None, months: int | None = None) -> Trend:
    """Alerts raised per day (the last `days`, today included) or per month (the last `months`,
    this one included) by level, and the number live at the end of each — counted as raised up
    to then minus closed up to then, so three queries whatever the length."""
    if (days is None) == (months is None):
        raise ValueError("give days or months")
    today = clock.today_local()
    if days is not None:
        starts = [today - dt.timedelta(days=days - 1 - i) for i in range(days)]
        end = today + dt.timedelta(days=1)
        trunc: type[TruncDate] | type[TruncMonth] = TruncDate
        labels = [f"{d.month}-{d.day}" for d in starts]
    else:
        assert months is not None  # for the type checker; checked above
        first = _month_start(today)
        starts = [first]
        for _ in range(months - 1):
            starts.insert(0, _month_start(starts[0] - dt.timedelta(days=1)))
        end = _next_month(first)
        trunc = TruncMonth
        labels = [f"{d.year}-{d.month:02d}" for d in starts]
    window_start, window_end = _local_midnight(starts[0]), _local_midnight(end)
    alerts = alerts_visible_to(user)
    before = alerts.aggregate(
        raised=Count("id", filter=Q(raised_at__lt=window_start)),
        closed=Count("id", filter=Q(closed_at__lt=window_start)),
    )
    raised_rows = (
        alerts.filter(raised_at__gte=window_start, raised_at__lt=window_end)
        .annotate(bucket=trunc("raised_at", tzinfo=SHANGHAI))
        .values("bucket", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    closed_rows = (
        alerts.filter(closed_at__gte=window_start, closed_at__lt=window_end)
        .annotate(bucket=trunc("closed_at", tzinfo=SHANGHAI))
        .values("bucket")
        .annotate(n=Count("id"))
        .order_by()
    )
    buckets = {
        s: TrendBucket(start=s, label=label) for s, label in zip(starts, labels, strict=True)
    }
    for row in raised_rows:
        bucket = buckets.get(_as_date(row["bucket"]))
        if bucket is not None and row["level"] in (Level.RED, Level.YELLOW, Level.REMIND):
            setattr(bucket, row["level"], getattr(bucket, row["level"]) + row["n"])
    closed = {_as_date(row["bucket"]): row["n"] for row in closed_rows}
    live = before["raised"] - before["closed"]
    for start, bucket in buckets.items():
        live += bucket.raised - closed.get(start, 0)
        bucket.live_at_end = live
    return Trend(unit="day" if days is not None else "month", buckets=list(buckets.values()))


# ---------------------------------------------------------------- scans, deadlines, rules


def scan_runs_recent(*, limit: int = 10) -> list[ScanRun]:
    """The last scans (they cover the whole platform, so they are not scoped)."""
    return list(ScanRun.objects.order_by("-started_at", "-id")[:limit])


@dataclass
class ProvisionalDeadlines:
    count: int
    sample: list[Case]


def provisional_deadlines(*, user: Any, limit: int = 10) -> ProvisionalDeadlines:
    """Open cases whose deadline reaches a year with no calendar loaded (期限暂定): their lights
    are computed on weekends alone until the calendar comes, so the centre marks them."""
    cases = Case.objects.filter(
        department_scope_q(user), deadline_provisional=True, state__in=OPEN_STATES
    )
    sample = list(cases.select_related("department").order_by("promised_deadline", "id")[:limit])
    count = len(sample) if len(sample) < limit else cases.count()
    return ProvisionalDeadlines(count=count, sample=sample)


def rules_for_user(*, user: Any) -> QuerySet[Rule]:
    """Every rule (rules are platform-wide data; any staff member may read them, only
    supervisors and admins change them), with their department scope joined in."""
    return Rule.objects.prefetch_related("departments").order_by("category", "code")


def rule_get_for_user(*, user: Any, code: str) -> Rule:
    rule = rules_for_user(user=user).filter(code=code).first()
    if rule is None:
        raise NotFound("规则不存在")
    return rule
