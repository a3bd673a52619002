"""Public statistics (办件统计): per department, power and period — received, accepted, not
accepted, concluded, concluded early / on time / late, average working days used against the
statutory and promised limits, 提前办结率 and 不予受理率.

One aggregate query (GROUP BY department or power) over the cases of the period, on SQLite and
PostgreSQL alike; working days come from supervision's `WorkdayOrdinal` table (workdays between
two dates is a subtraction). Each measure counts by its own moment: received by the receiving
time, accepted by the acceptance, concluded and 不予受理 by the conclusion — so the numbers of
a month are what happened in that month. The public sees only the cases of public powers; staff
see every case of the departments in their scope, and the cases behind each number."""

import calendar as month_calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate

from sunlight.cases.choices import CaseState
from sunlight.cases.models import Case
from sunlight.core import clock
from sunlight.core.bulk import db_datetime
from sunlight.core.errors import NotFound
from sunlight.org.models import Department

PERIOD_KINDS = {"month": "月度", "quarter": "季度", "year": "年度"}
MEASURES = {
    "received": "收件",
    "accepted": "受理",
    "not_accepted": "不予受理",
    "concluded": "办结",
    "early": "提前办结",
    "on_time": "按期办结",
    "late": "逾期办结",
}
# Ratings (好差评) come from the feedback app when it registers a provider:
# provider(period, group, keys) -> {key: (satisfied, rated)}, group "department" or "power";
# the page shows 满意率 = satisfied ÷ rated. None: the column says so.
RATING_PROVIDER: Callable[..., dict[int, tuple[int, int]]] | None = None


def rating_provider_register(provider: Callable[..., dict[int, tuple[int, int]]]) -> None:
    global RATING_PROVIDER
    RATING_PROVIDER = provider


# Figures departments' own systems reported (rollup registers a provider):
# provider(period, department_ids) -> {department id: StatRow}. A department shows them only
# for a period none of its cases on the platform falls in — its cases, when here, are counted.
REPORTED_PROVIDER: Callable[..., dict[int, "StatRow"]] | None = None


def reported_provider_register(provider: Callable[..., dict[int, "StatRow"]]) -> None:
    global REPORTED_PROVIDER
    REPORTED_PROVIDER = provider


@dataclass(frozen=True)
class Period:
    kind: str  # month / quarter / year
    year: int
    number: int = 1  # month 1–12 or quarter 1–4

    @property
    def first_day(self) -> dt.date:
        if self.kind == "year":
            return dt.date(self.year, 1, 1)
        month = self.number if self.kind == "month" else 3 * self.number - 2
        return dt.date(self.year, month, 1)

    @property
    def last_day(self) -> dt.date:
        if self.kind == "year":
            return dt.date(self.year, 12, 31)
        month = self.number if self.kind == "month" else 3 * self.number
        return dt.date(self.year, month, month_calendar.monthrange(self.year, month)[1])

    @property
    def key(self) -> str:
        if self.kind == "year":
            return str(self.year)
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.year}年"
        if self.kind == "quarter":
            return f"{self.year}年第{self.number}季度"
        return f"{self.year}年{self.number}月"

    def shifted(self, step: int) -> "Period":
        if self.kind == "year":
            return Period("year", self.year + step)
        per_year = 12 if self.kind == "month" else 4
        index = self.year * per_year + self.number - 1 + step
        return Period(self.kind, index // per_year, index % per_year + 1)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware moments: the period's days in Asia/Shanghai."""
        start = dt.datetime.combine(self.first_day, dt.time(), tzinfo=clock.SHANGHAI)
        end = dt.datetime.combine(
            self.last_day + dt.timedelta(days=1), dt.time(), tzinfo=clock.SHANGHAI
        )
        return start, end

    def months(self) -> list["Period"]:
        first = Period("month", self.first_day.year, self.first_day.month)
        count = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return [first.shifted(i) for i in range(count)]


def period_from(kind: str = "", at: str = "", today: dt.date | None = None) -> Period:
    """Clean raw GET values (anything unreadable falls back to the current month/quarter/year)."""
    today = today or clock.today_local()
    kind = kind if kind in PERIOD_KINDS else "month"
    try:
        if kind == "year" and at:
            return Period("year", _year(int(at)))
        if kind == "quarter" and at:
            year, _, quarter = at.partition("-Q")
            if 1 <= int(quarter) <= 4:
                return Period("quarter", _year(int(year)), int(quarter))
        if kind == "month" and at:
            year, _, month = at.partition("-")
            if 1 <= int(month) <= 12:
                return Period("month", _year(int(year)), int(month))
    except ValueError:
        pass
    if kind == "year":
        return Period("year", today.year)
    if kind == "quarter":
        return Period("quarter", today.year, (today.month - 1) // 3 + 1)
    return Period("month", today.year, today.month)


def _year(value: int) -> int:
    if not 2000 <= value <= 2100:
        raise ValueError(value)
    return value


@dataclass
class StatRow:
    key: int
    label: str
    received: int = 0
    accepted: int = 0
    not_accepted: int = 0
    concluded: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    used_days_sum: int = 0
    used_days_count: int = 0
    statutory_sum: int = 0
    statutory_count: int = 0
    promised_sum: int = 0
    promised_count: int = 0
    rated: int = 0  # 好差评 given in the period (from the rating provider)
    satisfied: int = 0  # of them 非常满意, 满意 or 基本满意
    code: str = ""  # power code (power rows), for links
    reported_by: str = ""  # the department's own system, for figures it reported

    @property
    def average_days(self) -> float | None:
        return self.used_days_sum / self.used_days_count if self.used_days_count else None

    @property
    def average_statutory(self) -> float | None:
        return self.statutory_sum / self.statutory_count if self.statutory_count else None

    @property
    def average_promised(self) -> float | None:
        return self.promised_sum / self.promised_count if self.promised_count else None

    @property
    def early_rate(self) -> float | None:
        return self.early / self.concluded if self.concluded else None

    @property
    def rating(self) -> float | None:
        """满意率: the share of ratings at 基本满意 or better."""
        return self.satisfied / self.rated if self.rated else None

    @property
    def not_accepted_rate(self) -> float | None:
        decided = self.accepted + self.not_accepted
        return self.not_accepted / decided if decided else None

    @property
    def display(self) -> dict[str, str]:
        """The derived figures as shown beside the charts ("—" when there is nothing to rate)."""
        return {
            "average_days": _one_decimal(self.average_days),
            "average_statutory": _one_decimal(self.average_statutory),
            "average_promised": _one_decimal(self.average_promised),
            "early_rate": _percent(self.early_rate),
            "not_accepted_rate": _percent(self.not_accepted_rate),
            "rating": _percent(self.rating),
        }

    def add(self, other: "StatRow") -> None:
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _one_decimal(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


_SUMMED = [
    "received",
    "accepted",
    "not_accepted",
    "concluded",
    "early",
    "on_time",
    "late",
    "used_days_sum",
    "used_days_count",
    "statutory_sum",
    "statutory_count",
    "promised_sum",
    "promised_count",
    "rated",
    "satisfied",
]


@dataclass
class Statistics:
    period: Period
    level: str  # city / department / power
    title: str
    rows: list[StatRow]
    total: StatRow
    ratings_available: bool = False
    department_id: int | None = None
    power_code: str = ""
    crumbs: list[tuple[str, str]] = field(default_factory=list)  # (label, level key)


def _local_date(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE 'Asia/Shanghai')::date"
    return f"date({column}, '+8 hours')"


_PUBLIC = (
    " AND c.power_version_id IN"
    " (SELECT id FROM catalog_powerversion WHERE disclosure_scope = 'public')"
)


def _counts_sql(group: str, where: str) -> str:
    """The counts per group and power version, read from the cases alone (no join; on SQLite
    from the covering index of migration 0002). The inner SELECT works out each case's flags
    once — which measures it falls in, its local conclusion day only if it concluded in the
    period — and is kept from being merged into the outer one (LIMIT/OFFSET), so the date is
    computed once a case rather than once a measure. The limits are added per version after."""
    in_received = "c.received_at >= %s AND c.received_at < %s"
    in_accepted = "c.accepted_at >= %s AND c.accepted_at < %s"
    in_concluded = "c.concluded_at >= %s AND c.concluded_at < %s"
    done = f"c.state = 'concluded' AND {in_concluded}"
    keep = " OFFSET 0" if connection.vendor == "postgresql" else " LIMIT -1"
    return (
        "SELECT k, v, SUM(r), SUM(a), SUM(n), SUM(d),"  # noqa: S608 (fixed fragments)
        " SUM(CASE WHEN cd < dl THEN 1 ELSE 0 END), SUM(CASE WHEN cd = dl THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN cd > dl THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN d = 1 AND t = 1 THEN p ELSE 0 END),"
        " SUM(CASE WHEN d = 1 AND t = 1 THEN 1 ELSE 0 END) FROM"
        f" (SELECT {group} AS k, c.power_version_id AS v,"
        f" CASE WHEN {in_received} THEN 1 ELSE 0 END AS r,"
        f" CASE WHEN {in_accepted} THEN 1 ELSE 0 END AS a,"
        f" CASE WHEN c.state = 'not_accepted' AND {in_concluded} THEN 1 ELSE 0 END AS n,"
        f" CASE WHEN {done} THEN 1 ELSE 0 END AS d,"
        f" CASE WHEN {done} THEN {_local_date('c.concluded_at')} END AS cd,"
        " COALESCE(c.promised_deadline, c.statutory_deadline) AS dl,"
        " CASE WHEN c.accepted_at IS NOT NULL THEN 1 ELSE 0 END AS t,"
        " c.paused_workdays AS p"
        " FROM cases_case c"
        f" WHERE ({in_received} OR {in_accepted} OR {in_concluded}){where}{keep}) q"
        " GROUP BY k, v"
    )


def _ordinal_sum_sql(group: str, column: str, where: str) -> str:
    """Σ working-day ordinal of `column`'s day over the period's concluded cases, per group:
    grouped by day first, so the ordinal table is read once per day, not once per case."""
    return (
        "SELECT g.k, SUM(g.n * o.ordinal) FROM"  # noqa: S608 (fixed fragments)
        f" (SELECT {group} AS k, {_local_date(column)} AS d, COUNT(*) AS n FROM cases_case c"
        " WHERE c.state = 'concluded' AND c.concluded_at >= %s AND c.concluded_at < %s"
        f" AND c.accepted_at IS NOT NULL{where} GROUP BY {group}, {_local_date(column)}) g"
        " JOIN supervision_workdayordinal o ON o.day = g.d GROUP BY g.k"
    )


_COUNTED = _SUMMED[:7]


def _aggregate(
    period: Period,
    *,
    group: str,
    public: bool,
    department_ids: list[int] | None,
    power_item_id: int | None = None,
) -> dict[int, StatRow]:
    from sunlight.catalog.models import PowerVersion
    from sunlight.supervision.workdays import ordinals_ensure

    start, end = (db_datetime(moment) for moment in period.bounds())
    span = [start, end]
    where, extra = _PUBLIC if public else "", []
    if department_ids is not None:
        if not department_ids:
            return {}
        where += f" AND c.department_id IN ({', '.join(['%s'] * len(department_ids))})"
        extra += department_ids
    if power_item_id is not None:
        where += " AND c.power_item_id = %s"
        extra.append(power_item_id)
    with transaction.atomic():
        ordinals_ensure(clock.today_local())
    with connection.cursor() as cursor:
        # 3 ranges, `done` twice, the WHERE's three ranges, then the filters.
        cursor.execute(_counts_sql(group, where), span * 5 + span * 3 + extra)
        counted = cursor.fetchall()
        ordinals = {}
        for column in ("c.concluded_at", "c.accepted_at"):
            cursor.execute(_ordinal_sum_sql(group, column, where), span + extra)
            ordinals[column] = dict(cursor.fetchall())
    limits = {
        v.pk: v
        for v in PowerVersion.objects.filter(pk__in={row[1] for row in counted}).only(
            "statutory_limit", "statutory_limit_unit", "promised_limit", "promised_limit_unit"
        )
    }
    result: dict[int, StatRow] = {}
    for key, version_id, *values in counted:
        row = result.setdefault(key, StatRow(key=key, label=""))
        for name, value in zip(_COUNTED, values[:7], strict=True):
            setattr(row, name, getattr(row, name) + int(value or 0))
        row.used_days_sum -= int(values[7] or 0)
        row.used_days_count += int(values[8] or 0)
        version = limits.get(version_id)
        concluded = int(values[3] or 0)
        if version is not None and concluded:
            if version.statutory_limit_unit == "working_day" and version.statutory_limit:
                row.statutory_sum += concluded * version.statutory_limit
                row.statutory_count += concluded
            if version.promised_limit_unit == "working_day" and version.promised_limit is not None:
                row.promised_sum += concluded * version.promised_limit
                row.promised_count += concluded
    for key, row in result.items():
        row.used_days_sum += int(ordinals["c.concluded_at"].get(key) or 0) - int(
            ordinals["c.accepted_at"].get(key) or 0
        )
    return result


def _with_total(rows: list[StatRow], label: str) -> StatRow:
    total = StatRow(key=0, label=label)
    for row in rows:
        total.add(row)
    return total


def _ratings(period: Period, group: str, rows: list[StatRow]) -> bool:
    if RATING_PROVIDER is None:
        return False
    found = RATING_PROVIDER(period=period, group=group, keys=[r.key for r in rows])
    for row in rows:
        row.satisfied, row.rated = found.get(row.key, (0, 0))
    return True


def city_statistics(
    *, period: Period, public: bool = True, department_ids: list[int] | None = None
) -> Statistics:
    """One row per department with cases in the period (departments in their usual order)."""
    found = _aggregate(
        period, group="c.department_id", public=public, department_ids=department_ids
    )
    if REPORTED_PROVIDER is not None:
        reported = REPORTED_PROVIDER(period=period, department_ids=department_ids)
        found |= {key: row for key, row in reported.items() if key not in found}
    departments = Department.objects.filter(pk__in=found).order_by("region_id", "sort_order", "pk")
    rows = []
    for department in departments:
        row = found[department.pk]
        row.label = department.name
        rows.append(row)
    return Statistics(
        period=period,
        level="city",
        title="全市",
        rows=rows,
        ratings_available=_ratings(period, "department", rows),  # before the total sums them
        total=_with_total(rows, "合计"),
    )


def department_statistics(
    *,
    department_id: int,
    period: Period,
    public: bool = True,
    department_ids: list[int] | None = None,
) -> Statistics:
    """One row per power of the department with cases in the period."""
    if department_ids is not None and department_id not in department_ids:
        raise NotFound("部门不存在或无权查看")
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise NotFound("部门不存在")
    from sunlight.catalog.models import PowerItem

    found = _aggregate(
        period, group="c.power_item_id", public=public, department_ids=[department_id]
    )
    items = PowerItem.objects.filter(pk__in=found).select_related("current_version")
    rows = []
    for item in sorted(items, key=lambda i: i.code):
        row = found[item.pk]
        row.label = item.current_version.full_name if item.current_version else item.code
        row.code = item.code
        rows.append(row)
    return Statistics(
        period=period,
        level="department",
        title=department.name,
        rows=rows,
        ratings_available=_ratings(period, "power", rows),  # before the total sums them
        total=_with_total(rows, "合计"),
        department_id=department_id,
    )


def power_statistics(
    *, code: str, period: Period, public: bool = True, department_ids: list[int] | None = None
) -> Statistics:
    """One row per month of the period for one power."""
    from sunlight.catalog.models import PowerItem

    item = PowerItem.objects.select_related("current_version", "department").filter(code=code)
    power = item.first()
    if power is None or (department_ids is not None and power.department_id not in department_ids):
        raise NotFound("权力事项不存在或无权查看")
    if public and (
        power.current_version is None or power.current_version.disclosure_scope != "public"
    ):
        raise NotFound("权力事项不存在或未公开")
    rows = []
    for index, month in enumerate(period.months(), start=1):
        found = _aggregate(
            month,
            group="c.power_item_id",
            public=public,
            department_ids=None,
            power_item_id=power.pk,
        )
        row = found.get(power.pk, StatRow(key=index, label=""))
        if RATING_PROVIDER is not None:
            counts = RATING_PROVIDER(period=month, group="power", keys=[power.pk])
            row.satisfied, row.rated = counts.get(power.pk, (0, 0))
        row.key, row.label, row.code = index, month.label, month.key
        rows.append(row)
    name = power.current_version.full_name if power.current_version else power.code
    return Statistics(
        period=period,
        level="power",
        title=name,
        rows=rows,
        total=_with_total(rows, "合计"),
        ratings_available=RATING_PROVIDER is not None,
        department_id=power.department_id,
        power_code=power.code,
    )


# ---------------------------------------------------------------- the cases behind a number


def cases_behind(
    *,
    period: Period,
    measure: str,
    department_ids: list[int],
    department_id: int | None = None,
    power_code: str = "",
) -> QuerySet[Case]:
    """The cases a staff statistic counts (same rules as the aggregate), scoped to
    `department_ids` (the user's departments)."""
    if measure not in MEASURES:
        raise NotFound("没有这个统计项")
    start, end = period.bounds()
    cases = Case.objects.filter(department_id__in=department_ids)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    if power_code:
        cases = cases.filter(power_item__code=power_code)
    concluded = Q(state=CaseState.CONCLUDED, concluded_at__gte=start, concluded_at__lt=end)
    if measure == "received":
        return cases.filter(received_at__gte=start, received_at__lt=end)
    if measure == "accepted":
        return cases.filter(accepted_at__gte=start, accepted_at__lt=end)
    if measure == "not_accepted":
        return cases.filter(
            state=CaseState.NOT_ACCEPTED, concluded_at__gte=start, concluded_at__lt=end
        )
    cases = cases.filter(concluded)
    if measure == "concluded":
        return cases
    cases = cases.annotate(
        concluded_day=TruncDate("concluded_at", tzinfo=clock.SHANGHAI),
        due_day=Coalesce(F("promised_deadline"), F("statutory_deadline")),
    )
    compare = {"early": "lt", "on_time": "exact", "late": "gt"}[measure]
    return cases.filter(**{f"concluded_day__{compare}": F("due_day")})
