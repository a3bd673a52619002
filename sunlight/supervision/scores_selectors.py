"""Reads of department scores: a month's table, one department's score and history, the scheme
as shown, and the drill-downs from each figure to the cases, powers, orders and alerts behind it.

Supervisors and admins (and the legal office) see the departments of their region's subtree;
a department's clerks and approvers see their own department only. A score a user may not see
is NotFound, never PermissionDenied. A drill-down measures the month as the score did (up to the
moment it was computed), so its rows are the ones the figure counted."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from sunlight.core.errors import NotFound
from sunlight.org.permissions import department_scope_q
from sunlight.supervision.indicators import (
    BY_CODE,
    INDICATORS,
    Indicator,
    Period,
    TimeRatioIndicator,
    time_used,
)
from sunlight.supervision.models import Alert, DepartmentScore, ScoreScheme
from sunlight.supervision.scores import scheme_active
from sunlight.supervision.scores_scheme import (
    BONUS_SPECS,
    DEDUCTION_SPECS,
    ITEM_BY_CATEGORY,
    ITEM_BY_CHECK,
    ITEM_BY_CODE,
    ITEMS,
    REFERENCE_INDICATORS,
    params_of,
)

SORTS = {
    "-total": ("-total", "department__sort_order"),
    "total": ("total", "department__sort_order"),
    "department": ("department__sort_order", "department__name"),
}
CASE_PARTS = ("num", "den", "rest")
TIME_PARTS = ("den", "over")


def parse_month(text: str) -> dt.date | None:
    """ "YYYY-MM" to the month's first day; None when it does not parse."""
    try:
        year, month = text.strip().split("-")
        return dt.date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        return None


def scores_visible_to(user: Any) -> QuerySet[DepartmentScore]:
    return DepartmentScore.objects.filter(department_scope_q(user))


def score_months_for_user(*, user: Any) -> list[dt.date]:
    """Months with scores the user may see, newest first."""
    months = scores_visible_to(user).order_by("-month").values_list("month", flat=True)
    return list(months.distinct())


def score_month_for_user(
    *, user: Any, month: dt.date, sort: str = "-total"
) -> list[DepartmentScore]:
    return list(
        scores_visible_to(user)
        .filter(month=month)
        .select_related("department", "scheme")
        .order_by(*SORTS.get(sort, SORTS["-total"]))
    )


def score_get_for_user(*, user: Any, month: dt.date, department_id: int) -> DepartmentScore:
    score = (
        scores_visible_to(user)
        .filter(month=month, department_id=department_id)
        .select_related("department", "scheme")
        .first()
    )
    if score is None:
        raise NotFound("该部门该月没有考核得分，或无权查看")
    return score


def score_history_for_user(
    *, user: Any, department_id: int, months: int = 12
) -> list[DepartmentScore]:
    """The department's last `months` scores, oldest first (for a trend line)."""
    rows = (
        scores_visible_to(user)
        .filter(department_id=department_id)
        .order_by("-month")
        .only("month", "total", "department_id", "computed_at")[:months]
    )
    return list(reversed(rows))


# ---------------------------------------------------------------- links


def month_key(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def drill_link(score: DepartmentScore, code: str, part: str) -> str:
    return reverse(
        "supervision:score_drill",
        args=[month_key(score.month), score.department_id, code, part],
    )


def centre_alerts_link(*, department_id: int, level: str, month: dt.date) -> str:
    """The centre's alert list of the department, level and month (state "all": cancelled
    alerts show there too, though they never count). That list takes the month an alert was
    found; scores take the month it tripped — the same in live running, where a scan runs
    every minute."""
    query = urlencode(
        {"department": department_id, "level": level, "month": month_key(month), "state": "all"}
    )
    return f"{reverse('supervision:alert_list')}?{query}"


def case_list_link(*, department_id: int, period: Period) -> str:
    """The case list (全部办件) of the department's cases received in the month."""
    last = period.cutoff_day - dt.timedelta(days=1)
    query = urlencode({"tab": "all", "department": department_id,
                       "received_from": period.month.isoformat(),
                       "received_to": max(last, period.month).isoformat()})  # fmt: skip
    return f"{reverse('cases:workbench')}?{query}"


# ---------------------------------------------------------------- what a score shows


@dataclass(frozen=True)
class FigureLink:
    label: str
    count: Any
    url: str


@dataclass(frozen=True)
class IndicatorView:
    code: str
    name: str
    formula: str
    terms: list[str]
    value: float | None
    numerator: Any
    denominator: int
    better: str
    used_by: str  # the item it is judged under, or why it is only shown
    links: list[FigureLink]


def _used_by() -> dict[str, str]:
    found = dict(REFERENCE_INDICATORS)
    for item in ITEMS:
        for code in item.indicators:
            found[code] = f"计入“{item.name}”"
    return found


def indicator_views(score: DepartmentScore) -> list[IndicatorView]:
    """Each stored indicator beside its formula and the terms it uses, with the drill links of
    its numerator, denominator and the rest."""
    params = params_of(score.scheme.bonuses)
    stored = (score.indicators or {}).get("values", {})
    used_by = _used_by()
    views = []
    for indicator in INDICATORS:
        value = stored.get(indicator.code, {})
        numerator, denominator = value.get("numerator", 0), value.get("denominator", 0)
        if isinstance(indicator, TimeRatioIndicator):
            links = [
                FigureLink(indicator.denominator_label, denominator,
                           drill_link(score, indicator.code, "den")),
                FigureLink(indicator.rest_label, None, drill_link(score, indicator.code, "over")),
            ]  # fmt: skip
        else:
            links = [
                FigureLink(indicator.numerator_label, numerator,
                           drill_link(score, indicator.code, "num")),
                FigureLink(indicator.denominator_label, denominator,
                           drill_link(score, indicator.code, "den")),
                FigureLink(indicator.rest_label, denominator - numerator,
                           drill_link(score, indicator.code, "rest")),
            ]  # fmt: skip
        views.append(
            IndicatorView(
                code=indicator.code,
                name=indicator.name,
                formula=value.get("formula") or indicator.formula_text(params),
                terms=indicator.terms_text(params),
                value=value.get("value"),
                numerator=numerator,
                denominator=denominator,
                better=indicator.better,
                used_by=used_by.get(indicator.code, ""),
                links=links,
            )
        )
    return views


def deduction_views(score: DepartmentScore) -> list[dict[str, Any]]:
    """The deductions with links to the alerts behind each (ours, exactly, and the centre's)."""
    views = []
    for index, entry in enumerate(score.deductions or []):
        views.append(
            {
                **entry,
                "alerts_url": reverse(
                    "supervision:score_alerts",
                    args=[month_key(score.month), score.department_id, index],
                ),
                "centre_url": centre_alerts_link(
                    department_id=score.department_id, level=entry["level"], month=score.month
                ),
            }
        )
    return views


def deduction_alerts_for_user(
    *, user: Any, month: dt.date, department_id: int, index: int
) -> tuple[DepartmentScore, dict[str, Any], QuerySet[Alert]]:
    score = score_get_for_user(user=user, month=month, department_id=department_id)
    entries = score.deductions or []
    if not 0 <= index < len(entries):
        raise NotFound("没有这项扣分")
    entry = entries[index]
    alerts = (
        Alert.objects.filter(pk__in=entry.get("alert_ids", []), department_id=department_id)
        .select_related("rule", "case", "power_item", "order")
        .order_by("tripped_at", "id")
    )
    return score, entry, alerts


# ---------------------------------------------------------------- drill-down


@dataclass
class Drill:
    score: DepartmentScore
    indicator: Indicator
    part: str
    label: str
    period: Period
    rows: QuerySet[Any]

    @property
    def subject(self) -> str:
        return self.indicator.subject


def _part_label(indicator: Indicator, part: str) -> str:
    return {
        "num": indicator.numerator_label,
        "den": indicator.denominator_label,
        "rest": indicator.rest_label,
        "over": indicator.rest_label,
    }[part]


def indicator_members_for_user(
    *, user: Any, month: dt.date, department_id: int, code: str, part: str
) -> Drill:
    """The rows behind one figure of a department's score."""
    score = score_get_for_user(user=user, month=month, department_id=department_id)
    indicator = BY_CODE.get(code)
    parts = TIME_PARTS if isinstance(indicator, TimeRatioIndicator) else CASE_PARTS
    if indicator is None or part not in parts:
        raise NotFound("没有这项指标")
    params = params_of(score.scheme.bonuses)
    period = Period.of(score.month, score.computed_at)
    rows = indicator.members(period, params, department_id, part)
    if indicator.subject == "case":
        rows = rows.select_related("power_version").order_by("-received_at", "-id")
    elif indicator.subject == "power":
        rows = rows.select_related("current_version").order_by("code")
    elif indicator.subject == "rating":
        rows = rows.select_related("case").order_by("-rated_at", "-id")
    elif indicator.subject == "petition":
        rows = rows.order_by("due_date", "id")
    else:
        rows = rows.order_by("first_due", "id")
    return Drill(score, indicator, part, _part_label(indicator, part), period, rows)


def time_used_of(cases: list[Any]) -> dict[int, Any]:
    """Days used and the limit of each case on a drill-down page (平均用时比)."""
    from sunlight.org.calendar_selectors import work_calendar

    calendar = work_calendar()
    found = {}
    for case in cases:
        version = case.power_version
        row = (
            case.department_id,
            case.pk,
            case.accepted_at,
            case.concluded_at,
            case.paused_workdays,
            version.statutory_limit,
            version.statutory_limit_unit,
        )
        found[case.pk] = time_used(calendar, row)
    return found


# ---------------------------------------------------------------- the scheme shown


@dataclass(frozen=True)
class SchemeView:
    scheme: ScoreScheme
    items: list[dict[str, Any]]
    deductions: list[tuple[str, Any]]
    bonuses: list[tuple[str, Any]]
    alert_items: list[tuple[str, str]]  # check label → item name
    category_items: list[tuple[str, str]]


def scheme_get(*, scheme_id: int) -> ScoreScheme:
    """A scheme version by id (an edit form names the version it was opened on)."""
    scheme = ScoreScheme.objects.filter(pk=scheme_id).first()
    if scheme is None:
        raise NotFound("考核方案不存在")
    return scheme


def scheme_view(scheme: ScoreScheme | None = None) -> SchemeView | None:
    """The scheme as a supervisor reads it: each weight with the indicators that judge it."""
    from sunlight.supervision.choices import Check, RuleCategory

    scheme = scheme or scheme_active()
    if scheme is None:
        return None
    params = params_of(scheme.bonuses)
    items = []
    for item in ITEMS:
        items.append(
            {
                "code": item.code,
                "name": item.name,
                "weight": scheme.weights.get(item.code, 0),
                "indicators": [
                    {
                        "name": BY_CODE[c].name,
                        "formula": BY_CODE[c].formula_text(params),
                        "lower": BY_CODE[c].better == "lower",
                    }
                    for c in item.indicators
                ],  # fmt: skip
                "note": item.note,
            }
        )
    deductions = [
        (label, scheme.deductions.get(key)) for key, (label, *_r) in DEDUCTION_SPECS.items()
    ]
    deductions.append(
        ("每项扣分以该项权重为限", "是" if scheme.deductions.get("cap_at_weight", True) else "否")
    )
    bonuses = [(label, scheme.bonuses.get(key)) for key, (label, *_r) in BONUS_SPECS.items()]
    return SchemeView(
        scheme=scheme,
        items=items,
        deductions=deductions,
        bonuses=bonuses,
        alert_items=[(Check(k).label, ITEM_BY_CODE[v].name) for k, v in ITEM_BY_CHECK.items()],
        category_items=[
            (RuleCategory(k).label, ITEM_BY_CODE[v].name) for k, v in ITEM_BY_CATEGORY.items()
        ],
    )


# ---------------------------------------------------------------- the spread of a month


@dataclass
class Spread:
    """How far apart a month's totals are: the figures and a histogram of 5-point bands."""

    count: int
    lowest: Decimal
    highest: Decimal
    median: Decimal
    mean: Decimal
    deviation: Decimal
    chart: Any


def spread_of(totals: list[Decimal]) -> Spread | None:
    import statistics

    from sunlight.supervision.charts import Series, horizontal_bars

    if not totals:
        return None
    values = sorted(float(t) for t in totals)
    top = max(100, int(values[-1] // 5 * 5 + 5))
    low = min(top - 5, int(values[0] // 5 * 5))
    bands = list(range(top - 5, low - 1, -5))
    counts = [sum(1 for v in values if band <= v < band + 5) for band in bands]
    chart = horizontal_bars(
        ident="score-spread", title="各部门总分分布（每5分一档）",
        labels=[f"{band}–{band + 5}分" for band in bands],
        series=[Series("n", "部门数", "#3a6ea5")], values={"n": counts},
        first_column="分数段", label_chars=8, row_height=22,
    )  # fmt: skip

    def cents(value: float) -> Decimal:
        return Decimal(str(round(value, 2)))

    return Spread(
        count=len(values), lowest=cents(values[0]), highest=cents(values[-1]),
        median=cents(statistics.median(values)), mean=cents(statistics.fmean(values)),
        deviation=cents(statistics.pstdev(values)), chart=chart,
    )  # fmt: skip
