"""The scoring scheme (考核方案) as data, and the arithmetic that turns a department's indicators
and alerts into item scores, deductions, bonuses and a total.

Weights and bonuses are the local rules in DOMAIN.md (a 100-point month over nine items; +1
when at least 10% of the month's completions were early and +1 per further 10%; +1 in
proportion to the share of powers promising a limit at least 30% shorter than the statutory).

Two rules differ from the plain local practice, so that scores tell departments apart:
- Deductions are in proportion to volume: each alert costs its points per hundred of the
  department's cases of the month (a department with fewer than a hundred counts as a hundred),
  at rates that leave room between a department with a few late cases in a hundred and one with
  many (red 0.5, yellow 0.2, three reminders 0.1),
  so a large department is not charged for being large; an item still loses at most its weight.
- No item is scored for lack of data. An item with nothing to judge this month (no ratings, no
  order due, no case…) shows 暂无数据 and is left out; the total is the scored items' points
  rescaled to 100: Σ points ÷ Σ their weights × 100, plus bonuses.

Each item says which indicators judge it (`ITEMS`), so the mapping is shown beside the weights.
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
    note: str = ""  # how the item is judged when no indicator rates it
    no_data: str = ""  # what "no data" means for this item


NO_DATA_RULE = "暂无数据的项目不计分，总分按有数据项目的权重折算为百分制"
BY_ALERTS = "无比率指标：以权重为基数，按每百件办件的相关违规预警扣分"
ITEMS: tuple[Item, ...] = (
    Item("openness", "政务公开", ("power_usage", "upload"), no_data="本月无在用事项"),
    Item("process", "流程规范", ("online",), no_data="本月无收件"),
    Item("deadline", "期限合法", ("on_time", "overdue"), no_data="本月无办结或在办的办件"),
    Item("fees", "收费合理", (), BY_ALERTS, "本月无办件"),
    Item("satisfaction", "满意度", ("satisfaction",), no_data="本月无好差评"),
    Item("attitude", "服务态度", ("petition_on_time",), no_data="本月无到期的咨询投诉"),
    Item("supervision", "监督检查", ("reply",), no_data="本月无到期的督办单"),
    Item("legal", "法律责任", (), BY_ALERTS, "本月无办件"),
    Item("integrity", "廉洁行政", (), BY_ALERTS, "本月无办件"),
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
    "per_cases": 100,
    # One late case trips several alerts (case, statutory, step; remind, yellow, red), ≈ 3 reds
    # and 2 yellows: 2 late cases in a hundred then cost ≈ 4 points, 10 in a hundred the item.
    "remind_every": 3,
    "remind_points": 0.1,
    "yellow_points": 0.2,
    "red_points": 0.5,
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
    "per_cases": ("扣分按每多少件办件折算（办件少于此数按此数计）", 10, 100000, True),
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


def volume_scale(deductions: dict[str, Any], volume: int) -> Fraction:
    """What one alert's points are multiplied by: per_cases ÷ the department's cases of the
    month (at least per_cases). A scheme from before volumes were counted has no per_cases and
    charges each alert in full, as it did."""
    per = deductions.get("per_cases")
    if not per:
        return Fraction(1)
    return Fraction(int(per), max(int(volume), int(per)))


def deductions_for(
    alerts: list[AlertRow], deductions: dict[str, Any], volume: int = 0
) -> list[dict[str, Any]]:
    """One entry per item and level with the alerts behind it (their ids), before any cap:
    the level's points per alert, scaled by volume (volume_scale)."""
    grouped: dict[tuple[str, str], list[int]] = {}
    for alert in alerts:
        grouped.setdefault((item_of_alert(alert), alert.level), []).append(alert.id)
    entries = []
    order = {code: index for index, item in enumerate(ITEMS) for code in [item.code]}
    levels = [Level.RED, Level.YELLOW, Level.REMIND]
    scale = volume_scale(deductions, volume)
    per = deductions.get("per_cases")
    per_text = (
        f"，按每{per}件办件折算（本月办件{volume}件，按{max(volume, int(per))}件计）" if per else ""
    )
    for (item_code, level), ids in sorted(
        grouped.items(), key=lambda kv: (order.get(kv[0][0], 99), levels.index(kv[0][1]))
    ):
        if level == Level.REMIND:
            every = max(int(deductions["remind_every"]), 1)
            units, each = len(ids) // every, number(deductions["remind_points"])
            rule = f"每累计{every}次提醒扣{money(each)}分{per_text}"
        else:
            units, each = len(ids), number(deductions[f"{level}_points"])
            rule = f"每个{Level(level).label}扣{money(each)}分{per_text}"
        points = each * units * scale
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
    volume: int = 0,
) -> list[dict[str, Any]]:
    """Each item: weight × the mean of its indicators' rates (a lower-is-better rate counts as
    1 − rate), less its deductions (at most its weight when capped), never below zero. An item
    judged by alerts alone starts from its weight when the department had cases this month;
    an item with no rate and no alert to judge it has no data: score None (暂无数据)."""
    charged: dict[str, Fraction] = {}
    for entry in deductions:
        charged[entry["item"]] = charged.get(entry["item"], Fraction(0)) + number(entry["points"])
    rows = []
    for item in ITEMS:
        weight = number(weights.get(item.code, 0))
        rates = []
        for code in item.indicators:
            measure = values.get(code)
            if measure is None or not measure.denominator or code not in BY_CODE:
                continue
            rate = Fraction(measure.numerator).limit_denominator(10**9) / measure.denominator
            rates.append(1 - rate if BY_CODE[code].better == LOWER else rate)
        raw = charged.get(item.code, Fraction(0))
        base: Fraction | None
        if rates:
            base, note = weight * sum(rates) / len(rates), ""
        elif not item.indicators and volume > 0:
            base, note = weight, item.note
        elif raw:  # nothing rated, but alerts judged it: they count against its weight
            base, note = weight, f"{item.no_data}，以权重为基数扣除预警扣分"
        else:
            base, note = None, f"暂无数据（{item.no_data}），不计分"
        applied = min(raw, weight) if rules.get("cap_at_weight", True) else raw
        score = None if base is None else max(base - applied, Fraction(0))
        rows.append(
            {
                "code": item.code,
                "name": item.name,
                "weight": str(money(weight)),
                "indicators": list(item.indicators),
                "has_data": base is not None,
                "base": None if base is None else str(money(base)),
                "deducted_raw": str(money(raw)),
                "deducted": str(money(applied if base is not None else Fraction(0))),
                "score": None if score is None else str(money(score)),
                "note": note,
            }
        )
    return rows


def scaling_of(items: list[dict[str, Any]]) -> dict[str, str]:
    """The items with data: their points, their weights, and the points rescaled to 100."""
    scored = [i for i in items if i.get("score") is not None]
    points = sum((Decimal(i["score"]) for i in scored), Decimal(0))
    weight = sum((Decimal(i["weight"]) for i in scored), Decimal(0))
    scaled = points * TOTAL_WEIGHT / weight if weight else Decimal(0)
    return {"points": str(money(points)), "weight": str(money(weight)),
            "scaled": str(money(scaled)), "items": str(len(scored))}  # fmt: skip


def total_of(items: list[dict[str, Any]], bonuses: list[dict[str, Any]]) -> Decimal:
    """Σ scored items' points ÷ Σ their weights × 100, plus bonuses."""
    return money(
        Decimal(scaling_of(items)["scaled"])
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
