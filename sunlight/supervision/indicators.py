"""Department indicators (部门考核指标): each a small declarative object with its Chinese formula,
the terms it uses defined in words, and its numerator and denominator as one set-based query
grouped by department — every department of a month in a constant number of queries.

The sets counted and the month measured are in scores_sets.py. Working days are counted in SQL
through the working-day ordinal table (supervision.WorkdayOrdinal: the working days in (a, b]
are ordinal(b) − ordinal(a)); the scores service makes sure it is built. Only the average time
used needs the calendar's other units (natural days, months), so it is one pass over the
month's concluded cases as value tuples, with O(1) calendar lookups.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from sunlight.cases.choices import DocumentKind, StepResult, StepState
from sunlight.cases.models import Case, CaseDocument, CaseStep
from sunlight.catalog.models import PowerVersion
from sunlight.core.workdays import WorkCalendar
from sunlight.supervision.models import FlowRequiredDocument, OrderReply
from sunlight.supervision.scores_sets import (
    TIME_COLUMNS,
    AlertRow,
    Measure,
    Params,
    Period,
    TimeUsed,
    alerts_by_department,
    concluded_in,
    concluded_q,
    in_use_items,
    local_day,
    open_at_end_q,
    orders_due_in,
    ordinal,
    own_cases,
    received_in,
    scored_department_ids,
    time_used,
    volume_by_department,
)

__all__ = [
    "BY_CODE",
    "INDICATORS",
    "AlertRow",
    "Indicator",
    "Measure",
    "Params",
    "Period",
    "TimeRatioIndicator",
    "TimeUsed",
    "alerts_by_department",
    "measure_all",
    "scored_department_ids",
    "time_used",
    "volume_by_department",
]

HIGHER, LOWER = "higher", "lower"  # which way is better
HANDLED = (StepResult.AGREE, StepResult.DISAGREE)  # a step decided (as the 补录 checks read it)

# ---------------------------------------------------------------- indicators


Base = Callable[[Period, Params], QuerySet[Any]]
Hit = Callable[[Period, Params], Q]


@dataclass(frozen=True)
class Indicator:
    """One indicator: `base` is its denominator set over all departments (rows with a
    department_id), `hit` the condition that puts a row in the numerator."""

    code: str
    name: str
    formula: str  # may name {early_margin_workdays} / {promise_cut_percent}
    terms: tuple[str, ...]
    numerator_label: str
    denominator_label: str
    rest_label: str  # the denominator's rows not in the numerator
    subject: str  # "case", "power" or "order": what a drill-down lists
    base: Base
    hit: Hit
    better: str = HIGHER
    # One line under the indicator's column header: what is counted, over which rows, in which
    # period — so that two rates on one row can be reconciled by a reader.
    header: str = ""

    def formula_text(self, params: Params) -> str:
        return self.formula.format(**params.__dict__)

    def header_text(self, params: Params) -> str:
        return self.header.format(**params.__dict__)

    def terms_text(self, params: Params) -> list[str]:
        return [term.format(**params.__dict__) for term in self.terms]

    def measure(self, period: Period, params: Params) -> dict[int, Measure]:
        """Numerator and denominator of every department, in one query."""
        rows = (
            self.base(period, params)
            .values("department_id")
            .annotate(den=Count("pk"), num=Count("pk", filter=self.hit(period, params)))
            .order_by()
        )
        return {r["department_id"]: Measure(r["num"], r["den"]) for r in rows}

    def members(
        self, period: Period, params: Params, department_id: int, part: str
    ) -> QuerySet[Any]:
        """The rows behind a figure: "den" the denominator, "num" the numerator, "rest" the
        denominator's other rows."""
        base = self.base(period, params).filter(department_id=department_id)
        if part == "den":
            return base
        hits = base.filter(self.hit(period, params))
        if part == "num":
            return hits
        # Rows not hit, by key: the hit condition may be NULL for some rows, so no ~Q here.
        return base.exclude(pk__in=hits.values("pk"))


def _has_step(period: Period, params: Params) -> Q:
    return Q(Exists(CaseStep.objects.filter(case=OuterRef("pk"), kind="user_task")))


def _has_case(period: Period, params: Params) -> Q:
    return Q(Exists(received_in(period).filter(power_item=OuterRef("pk"))))


def _documents_complete(period: Period, params: Params) -> Q:
    # A required document is missing when a decided step of its node has no uploaded file of
    # that name on a step of the same node (send-backs repeat a node; any of its runs counts).
    decided = CaseStep.objects.filter(
        case=OuterRef(OuterRef("pk")), node_id=OuterRef("node"), state=StepState.DONE,
        result__in=HANDLED,
    )  # fmt: skip
    uploaded = CaseDocument.objects.filter(
        case=OuterRef(OuterRef("pk")), step__node_id=OuterRef("node"), name=OuterRef("name")
    ).exclude(sha256="")
    missing = FlowRequiredDocument.objects.filter(flow=OuterRef("flow_id")).filter(
        Exists(decided), ~Exists(uploaded)
    )
    result = CaseDocument.objects.filter(case=OuterRef("pk"), kind=DocumentKind.RESULT).exclude(
        sha256=""
    )
    return Q(Exists(result)) & ~Q(Exists(missing))


def _on_time(period: Period, params: Params) -> Q:
    return Q(promised_deadline__isnull=True) | Q(concluded_day__lte=F("promised_deadline"))


def _early_base(period: Period, params: Params) -> QuerySet[Case]:
    return concluded_in(period).annotate(
        margin=ordinal(OuterRef("promised_deadline")) - ordinal(OuterRef("concluded_day"))
    )


def _early(period: Period, params: Params) -> Q:
    return Q(margin__gte=params.early_margin_workdays)


def _overdue_base(period: Period, params: Params) -> QuerySet[Case]:
    return (
        own_cases()
        .filter(concluded_q(period) | open_at_end_q(period))
        .annotate(concluded_day=local_day("concluded_at"))
    )


def _overdue(period: Period, params: Params) -> Q:
    late = concluded_q(period) & Q(concluded_day__gt=F("promised_deadline"))
    still_open = open_at_end_q(period) & Q(promised_deadline__lt=period.cutoff_day)
    return late | still_open


def _replied_in_time(period: Period, params: Params) -> Q:
    replies = OrderReply.objects.annotate(day=local_day("replied_at")).filter(
        order=OuterRef("pk"), day__lte=OuterRef("first_due")
    )
    return Q(Exists(replies))


def _promise_shorter(period: Period, params: Params) -> Q:
    keep = 100 - params.promise_cut_percent
    shorter = (
        PowerVersion.objects.filter(
            pk=OuterRef("in_use_version"),
            promised_limit__isnull=False,
            promised_limit_unit=F("statutory_limit_unit"),
            statutory_limit__gt=0,
        )
        .alias(promised_100=F("promised_limit") * 100)
        .filter(promised_100__lte=F("statutory_limit") * keep)
    )
    return Q(Exists(shorter))


ONLINE = Indicator(
    code="online",
    name="网上运行率",
    formula="网上运行率 = 当月网上运行办件数 ÷ 当月办件总数 × 100%",
    terms=(
        "当月办件总数：当月收件的办件（联办件计入各部门的分件，不计主件）。",
        "网上运行办件：在平台上至少有一个办理环节记录（含正在办理的环节）的办件；"
        "办结而没有任何办理环节记录的，视为线下办理后补录。",
    ),
    numerator_label="网上运行办件",
    denominator_label="当月办件",
    rest_label="无办理环节记录的办件",
    subject="case",
    base=lambda period, params: received_in(period),
    hit=_has_step,
    header="当月收件的办件中，平台上有办理环节记录的比例",
)
POWER_USAGE = Indicator(
    code="power_usage",
    name="在用权力使用率",
    formula="在用权力使用率 = 当月有办件的在用权力事项数 ÷ 在用权力事项数 × 100%",
    terms=(
        "在用权力事项：月末（当月截至今日）处于在用状态的权力事项（已发布，未暂停、未取消）。",
        "有办件：当月收到该事项至少一件办件。",
    ),
    numerator_label="当月有办件的在用事项",
    denominator_label="在用权力事项",
    rest_label="当月无办件的在用事项",
    subject="power",
    base=lambda period, params: in_use_items(period),
    hit=_has_case,
    header="月末在用的权力事项中，当月至少收到一件办件的比例",
)
UPLOAD = Indicator(
    code="upload",
    name="附件上传率",
    formula="附件上传率 = 当月办结且文书齐全的办件数 ÷ 当月办结办件数 × 100%",
    terms=(
        "当月办结办件：办结时间在当月的办件。",
        "文书齐全：流程中每个已办理（同意或不同意）环节要求上传的文书都已上传文件，"
        "并已上传结果文书。",
    ),
    numerator_label="文书齐全的办结办件",
    denominator_label="当月办结办件",
    rest_label="缺少文书的办结办件",
    subject="case",
    base=lambda period, params: concluded_in(period),
    hit=_documents_complete,
    header="当月办结的办件中，各环节文书和结果文书齐全的比例",
)
ON_TIME = Indicator(
    code="on_time",
    name="按时办结率",
    formula="按时办结率 = 当月在承诺期限内（含期限当日）办结的办件数 ÷ 当月办结办件数 × 100%",
    terms=(
        "按时：办结日期不晚于承诺办结期限（含提前办结；暂停与延长已计入期限；"
        "无承诺期限的视为按时）。",
    ),
    numerator_label="按时办结办件",
    denominator_label="当月办结办件",
    rest_label="逾期办结办件",
    subject="case",
    base=lambda period, params: concluded_in(period),
    hit=_on_time,
    header="仅看当月办结的办件：不晚于承诺期限办结的比例（在办超期的不在其中）",
)
EARLY = Indicator(
    code="early",
    name="提前办结率",
    formula=(
        "提前办结率 = 当月比承诺期限提前至少{early_margin_workdays}个工作日办结的办件数"
        " ÷ 当月办结办件数 × 100%"
    ),
    terms=(
        "提前（及时）：办结日之后到承诺办结期限（含）之间还有至少{early_margin_workdays}个"
        "工作日（按工作日历计；该天数为考核方案参数）。",
    ),
    numerator_label="提前办结办件",
    denominator_label="当月办结办件",
    rest_label="未提前办结的办件",
    subject="case",
    base=_early_base,
    hit=_early,
    header="当月办结的办件中，比承诺期限提前至少{early_margin_workdays}个工作日办结的比例",
)
OVERDUE = Indicator(
    code="overdue",
    name="逾期率",
    formula=(
        "逾期率 = （当月逾期办结办件数 + 月末在办且已超承诺期限的办件数）"
        " ÷ （当月办结办件数 + 月末在办办件数）× 100%"
    ),
    terms=(
        "逾期办结：办结日期晚于承诺办结期限。",
        "月末在办：月末（当月截至此刻）已受理、尚未办结的办件；其承诺期限在月末之前已届满的为超期。",
    ),
    numerator_label="逾期办件",
    denominator_label="当月办结与月末在办办件",
    rest_label="未逾期的办件",
    subject="case",
    base=_overdue_base,
    hit=_overdue,
    better=LOWER,
    header="当月办结加月末仍在办的办件中，逾期办结或已超期未结的比例（含在办超期，故不等于1−按时办结率）",
)
REPLY = Indicator(
    code="reply",
    name="督办回复率",
    formula="督办回复率 = 当月到期督办单中按期回复的数量 ÷ 当月到期督办单数 × 100%",
    terms=(
        "当月到期：首次确定的回复期限在当月且已届满（升级后另定的期限不算；已撤回的不计）。",
        "按期回复：部门在首次回复期限当日或之前提交了回复。",
    ),
    numerator_label="按期回复的督办单",
    denominator_label="当月到期督办单",
    rest_label="未按期回复的督办单",
    subject="order",
    base=lambda period, params: orders_due_in(period),
    hit=_replied_in_time,
    header="首次回复期限在当月且已届满的督办单中，按期回复的比例",
)
PROMISE = Indicator(
    code="promise",
    name="承诺提速事项占比",
    formula=(
        "承诺提速事项占比 = 承诺时限比法定时限缩短{promise_cut_percent}%及以上的在用事项数"
        " ÷ 在用权力事项数 × 100%"
    ),
    terms=(
        "缩短{promise_cut_percent}%及以上：现行版本的承诺时限 ≤ 法定时限 × "
        "(1 − {promise_cut_percent}%)，两者计量单位相同时才比较。",
    ),
    numerator_label="承诺提速的在用事项",
    denominator_label="在用权力事项",
    rest_label="未提速的在用事项",
    subject="power",
    base=lambda period, params: in_use_items(period),
    hit=_promise_shorter,
    header="在用权力事项中，承诺时限比法定时限缩短{promise_cut_percent}%及以上的比例",
)


@dataclass(frozen=True)
class TimeRatioIndicator(Indicator):
    """平均用时比: not a count, so measured in one pass over the concluded cases' value tuples."""

    calendar: Callable[[], WorkCalendar] = field(default=lambda: WorkCalendar({}, [], []))

    def measure(self, period: Period, params: Params) -> dict[int, Measure]:
        cal = self.calendar()
        sums: dict[int, tuple[float, int]] = {}
        for row in concluded_in(period).values_list(*TIME_COLUMNS):
            used = time_used(cal, row)
            if used is not None:
                total, count = sums.get(row[0], (0.0, 0))
                sums[row[0]] = (total + used.ratio, count + 1)
        return {d: Measure(round(total, 6), count) for d, (total, count) in sums.items()}

    def members(
        self, period: Period, params: Params, department_id: int, part: str
    ) -> QuerySet[Any]:
        cases = concluded_in(period).filter(department_id=department_id)
        if part == "over":  # used more than the statutory limit
            cal = self.calendar()
            over = [
                used.case_id
                for row in cases.values_list(*TIME_COLUMNS)
                if (used := time_used(cal, row)) is not None and used.used > used.limit
            ]
            return cases.filter(pk__in=over)
        return cases


def _work_calendar() -> WorkCalendar:
    from sunlight.org.calendar_selectors import work_calendar

    return work_calendar()


TIME_RATIO = TimeRatioIndicator(
    code="time_ratio",
    name="平均用时比",
    formula="平均用时比 = Σ（办件实际用时 ÷ 法定时限）÷ 计入的当月办结办件数 × 100%",
    terms=(
        "实际用时：受理次日起至办结日止，按法定时限的计量单位计算（工作日按工作日历，"
        "扣除特别程序暂停的天数；延长审批的天数不加入法定时限，超过100%即用足并超出法定时限）。",
        "以小时、分钟计时限的即办件和法定时限为0的事项不计入。",
    ),
    numerator_label="Σ 用时比",
    denominator_label="计入的当月办结办件",
    rest_label="用时超过法定时限的办件",
    subject="case",
    base=lambda period, params: concluded_in(period),
    hit=lambda period, params: Q(),
    better=LOWER,
    calendar=_work_calendar,
    header="当月办结的办件，实际用时占法定时限之比的平均数（参考，不计分）",
)

# A list other apps add to at start-up (`register`): feedback's satisfaction and reply rates
# are measured over its own tables, which supervision does not import.
INDICATORS: list[Indicator] = [
    ONLINE, POWER_USAGE, UPLOAD, ON_TIME, EARLY, OVERDUE, TIME_RATIO, REPLY, PROMISE,
]  # fmt: skip
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}


def register(indicator: Indicator) -> None:
    """Add an indicator measured by another app (idempotent, by code)."""
    if indicator.code in BY_CODE:
        INDICATORS[INDICATORS.index(BY_CODE[indicator.code])] = indicator
    else:
        INDICATORS.append(indicator)
    BY_CODE[indicator.code] = indicator


def measure_all(period: Period, params: Params) -> dict[str, dict[int, Measure]]:
    """Every indicator for every department of the month: one query per indicator."""
    return {indicator.code: indicator.measure(period, params) for indicator in INDICATORS}
