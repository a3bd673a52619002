"""The scoring scheme (考核方案) as data, and the arithmetic that turns a department's indicators
and alerts into item scores, deductions, bonuses and a total.

Defaults are the local rules in DOMAIN.md: a 100-point month over nine items; −3 for every three
reminders, −5 per yellow, −10 per red light (each alert charged to the item its rule concerns,
an item losing at most its weight); +1 when at least 10% of the month's completions were early
and +1 per further 10%; +1 in proportion to the share of powers promising a limit at least 30%
shorter than the statutory one. Each item says which indicators judge it (`ITEMS`), so the
mapping is shown beside the weights; items with no data yet score full marks and say so.

Pure functions over plain values: no queries here, so every threshold is tested exactly.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sunlight.supervision.choices import Check, Level, RuleCategory
from sunlight.supervision.indicators import BY_CODE, LOWER, AlertRow, Measure, Params


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    indicators: tuple[str, ...]  # indicator codes whose rates judge the item (mean of them)
    note: str = ""  # shown when no indicator judges it


NO_DATA = "暂无数据，按满分计（评价数据随门户好差评功能接入）"
BY_ALERTS = "无量化指标，按满分计，相关违规预警扣分"
ITEMS: tuple[Item, ...] = (
    Item("openness", "政务公开", ("power_usage", "upload")),
    Item("process", "流程规范", ("online",)),
    Item("deadline", "期限合法", ("on_time", "overdue")),
    Item("fees", "收费合理", (), BY_ALERTS),
    Item("satisfaction", "满意度", (), NO_DATA),
    Item("attitude", "服务态度", (), NO_DATA),
    Item("supervision", "监督检查", ("reply",)),
    Item("legal", "法律责任", (), BY_ALERTS),
    Item("integrity", "廉洁行政", (), BY_ALERTS),
)
ITEM_BY_CODE = {item.code: item for item in ITEMS}
# Shown, not scored: the early rate and the promise share feed the bonuses.
REFERENCE_INDICATORS = {"time_ratio": "参考指标，不计分", "early": "用于提前办结加分",
                        "promise": "用于承诺提速加分"}  # fmt: skip

DEFAULT_WEIGHTS = {
    "openness": 10, "process": 14, "deadline": 14, "fees": 8, "satisfaction": 10,
    "attitude": 10, "supervision": 14, "legal": 10, "integrity": 10,
}  # fmt: skip
# Which item an alert is charged to: by its rule's check, else by its category.
ITEM_BY_CHECK = {
    Check.CASE_REMIND: "deadline", Check.CASE_YELLOW: "deadline", Check.CASE_RED: "deadline",
    Check.STATUTORY_RED: "deadline", Check.STEP_YELLOW: "deadline", Check.STEP_RED: "deadline",
    Check.NO_STEPS: "process", Check.TOO_FAST: "process", Check.ENTERED_LATE: "process",
    Check.OUT_OF_ORDER: "process", Check.DOCUMENTS_MISSING: "process",
    Check.REFUSAL_NO_REASON: "legal", Check.FEE_IRREGULAR: "fees",
    Check.DISCRETION_DEVIATION: "legal", Check.POWER_NOT_IN_USE: "integrity",
    Check.FIELDS_EMPTY: "openness", Check.POWER_IDLE: "openness",
    Check.ORDER_OVERDUE: "supervision",
    Check.FOLLOW_UP_OVERDUE: "satisfaction", Check.PETITION_OVERDUE: "attitude",
}  # fmt: skip
ITEM_BY_CATEGORY = {
    RuleCategory.TIME: "deadline", RuleCategory.PROCESS: "process",
    RuleCategory.CONTENT: "openness", RuleCategory.DISCRETION: "legal",
    RuleCategory.RISK: "integrity", RuleCategory.OTHER: "supervision",
}  # fmt: skip
DEFAULT_DEDUCTIONS: dict[str, Any] = {
    "remind_every": 3,
    "remind_points": 3,
    "yellow_points": 5,
    "red_points": 10,
    "cap_at_weight": True,
}
DEFAULT_BONUSES: dict[str, Any] = {
    "early_percent": 10,
    "early_step_percent": 10,
    "early_points": 1,
    "early_margin_workdays": 1,
    "promise_cut_percent": 30,
    "promise_points": 1,
}

# Each number a supervisor may edit: label, minimum, maximum, whole numbers only?
NumberSpec = tuple[str, float, float, bool]
DEDUCTION_SPECS: dict[str, NumberSpec] = {
    "remind_every": ("每累计几次提醒扣分一次", 1, 100, True),
    "remind_points": ("每次累计提醒扣分", 0, 100, False),
    "yellow_points": ("每个黄灯扣分", 0, 100, False),
    "red_points": ("每个红灯扣分", 0, 100, False),
}
BONUS_SPECS: dict[str, NumberSpec] = {
    "early_percent": ("提前办结率达到（%）起加分", 1, 100, True),
    "early_step_percent": ("此后每增加（%）", 1, 100, True),
    "early_points": ("每档加分", 0, 10, False),
    "early_margin_workdays": ("提前至少几个工作日算提前办结", 1, 30, True),
    "promise_cut_percent": ("承诺时限比法定时限缩短（%）及以上", 1, 99, True),
    "promise_points": ("承诺提速加分（按事项占比折算）", 0, 10, False),
}
TOTAL_WEIGHT = 100
CENT = Decimal("0.01")


def money(value: Fraction | Decimal | int) -> Decimal:
    """Points to two decimals, half up."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def number(value: Any) -> Fraction:
    return Fraction(Decimal(str(value)))


def params_of(bonuses: dict[str, Any]) -> Params:
    return Params(
        early_margin_workdays=int(bonuses.get("early_margin_workdays", 1)),
        promise_cut_percent=int(bonuses.get("promise_cut_percent", 30)),
    )


def item_of_alert(alert: AlertRow) -> str:
    return ITEM_BY_CHECK.get(alert.kind) or ITEM_BY_CATEGORY.get(alert.category, "supervision")


# ---------------------------------------------------------------- one department's score


def deductions_for(alerts: list[AlertRow], deductions: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per item and level with the alerts behind it (their ids), before any cap."""
    grouped: dict[tuple[str, str], list[int]] = {}
    for alert in alerts:
        grouped.setdefault((item_of_alert(alert), alert.level), []).append(alert.id)
    entries = []
    order = {code: index for index, item in enumerate(ITEMS) for code in [item.code]}
    levels = [Level.RED, Level.YELLOW, Level.REMIND]
    for (item_code, level), ids in sorted(
        grouped.items(), key=lambda kv: (order.get(kv[0][0], 99), levels.index(kv[0][1]))
    ):
        if level == Level.REMIND:
            every = max(int(deductions["remind_every"]), 1)
            units, each = len(ids) // every, number(deductions["remind_points"])
            rule = f"每累计{every}次提醒扣{money(each)}分"
        else:
            units, each = len(ids), number(deductions[f"{level}_points"])
            rule = f"每个{Level(level).label}扣{money(each)}分"
        points = each * units
        entries.append(
            {
                "item": item_code,
                "item_name": ITEM_BY_CODE[item_code].name,
                "level": str(level),
                "level_name": Level(level).label,
                "alerts": len(ids),
                "units": units,
                "rule": rule,
                "points": str(money(points)),
                "alert_ids": ids,
            }
        )
    return entries


def early_bonus(early: int, concluded: int, bonuses: dict[str, Any]) -> Fraction:
    """+points when early ÷ concluded ≥ the threshold, +points per further step — in whole
    numbers, so exactly 10% earns the point and 9.9% does not."""
    threshold, step = int(bonuses["early_percent"]), int(bonuses["early_step_percent"])
    if concluded <= 0 or early * 100 < threshold * concluded:
        return Fraction(0)
    steps = 1 + (early * 100 - threshold * concluded) // (step * concluded)
    return number(bonuses["early_points"]) * steps


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def bonuses_for(values: dict[str, Measure], bonuses: dict[str, Any]) -> list[dict[str, Any]]:
    early, promise = values.get("early"), values.get("promise")
    entries = []
    if early is not None:
        points = early_bonus(int(early.numerator), early.denominator, bonuses)
        entries.append(
            {
                "code": "early",
                "name": "提前办结加分",
                "rule": (
                    f"提前办结率达到{bonuses['early_percent']}%加{bonuses['early_points']}分，"
                    f"此后每增加{bonuses['early_step_percent']}%再加{bonuses['early_points']}分"
                ),
                "basis": f"提前办结 {int(early.numerator)} ÷ 办结 {early.denominator}"
                f" = {_percent(early.value)}",
                "points": str(money(points)),
            }
        )
    if promise is not None:
        share = Fraction(int(promise.numerator), promise.denominator) if promise.denominator else 0
        points = number(bonuses["promise_points"]) * share
        entries.append(
            {
                "code": "promise",
                "name": "承诺提速加分",
                "rule": (
                    f"承诺时限比法定时限缩短{bonuses['promise_cut_percent']}%及以上的事项，"
                    f"按其占在用事项的比例折算，最高加{bonuses['promise_points']}分"
                ),
                "basis": f"提速事项 {int(promise.numerator)} ÷ 在用事项 {promise.denominator}"
                f" = {_percent(promise.value)}",
                "points": str(money(points)),
            }
        )
    return entries


def items_for(
    values: dict[str, Measure],
    deductions: list[dict[str, Any]],
    weights: dict[str, Any],
    rules: dict[str, Any],
) -> list[dict[str, Any]]:
    """Each item: weight × the mean of its indicators' rates (a lower-is-better rate counts as
    1 − rate), less its deductions (at most its weight when capped), never below zero."""
    charged: dict[str, Fraction] = {}
    for entry in deductions:
        charged[entry["item"]] = charged.get(entry["item"], Fraction(0)) + number(entry["points"])
    rows = []
    for item in ITEMS:
        weight = number(weights.get(item.code, 0))
        rates = []
        for code in item.indicators:
            measure = values.get(code)
            if measure is None or not measure.denominator:
                continue
            rate = Fraction(measure.numerator).limit_denominator(10**9) / measure.denominator
            rates.append(1 - rate if BY_CODE[code].better == LOWER else rate)
        if rates:
            base, note = weight * sum(rates) / len(rates), ""
        elif item.indicators:
            base, note = weight, "本月无可计算的办件或督办单，按满分计"
        else:
            base, note = weight, item.note
        raw = charged.get(item.code, Fraction(0))
        applied = min(raw, weight) if rules.get("cap_at_weight", True) else raw
        rows.append(
            {
                "code": item.code,
                "name": item.name,
                "weight": str(money(weight)),
                "indicators": list(item.indicators),
                "base": str(money(base)),
                "deducted_raw": str(money(raw)),
                "deducted": str(money(applied)),
                "score": str(money(max(base - applied, Fraction(0)))),
                "note": note,
            }
        )
    return rows


def total_of(items: list[dict[str, Any]], bonuses: list[dict[str, Any]]) -> Decimal:
    return money(
        sum((Decimal(i["score"]) for i in items), Decimal(0))
        + sum((Decimal(b["points"]) for b in bonuses), Decimal(0))
    )


def indicator_values(values: dict[str, Measure], params: Params) -> dict[str, Any]:
    """The indicators as stored on the score: value, numerator, denominator and the formula."""
    stored = {}
    for code, indicator in BY_CODE.items():
        measure = values.get(code, Measure(0, 0))
        stored[code] = {
            "name": indicator.name,
            "formula": indicator.formula_text(params),
            "numerator": measure.numerator,
            "denominator": measure.denominator,
            "value": None if measure.value is None else round(measure.value, 6),
            "better": indicator.better,
        }
    return stored
