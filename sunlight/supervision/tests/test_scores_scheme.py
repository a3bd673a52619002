"""The scoring arithmetic on plain values: item points from rates, deductions from alerts (with
the cap), bonus thresholds exactly at their edges. No database."""

from decimal import Decimal

from sunlight.supervision.choices import Check, Level, RuleCategory
from sunlight.supervision.indicators import AlertRow, Measure
from sunlight.supervision.scores_scheme import (
    DEFAULT_BONUSES,
    DEFAULT_DEDUCTIONS,
    DEFAULT_WEIGHTS,
    bonuses_for,
    deductions_for,
    early_bonus,
    items_for,
    total_of,
)


def _alerts(level: str, count: int, kind: str = Check.CASE_RED, start: int = 1) -> list[AlertRow]:
    return [AlertRow(start + i, level, kind, RuleCategory.TIME) for i in range(count)]


def _items(values=None, deductions=()) -> dict[str, dict]:
    rows = items_for(values or {}, list(deductions), DEFAULT_WEIGHTS, DEFAULT_DEDUCTIONS)
    return {row["code"]: row for row in rows}


def test_default_weights_add_up_to_a_hundred():
    assert sum(DEFAULT_WEIGHTS.values()) == 100


def test_exactly_ten_percent_early_earns_one_point():
    assert early_bonus(10, 100, DEFAULT_BONUSES) == 1


def test_just_under_ten_percent_early_earns_nothing():
    assert early_bonus(99, 1000, DEFAULT_BONUSES) == 0


def test_each_further_ten_percent_early_earns_another_point():
    assert early_bonus(20, 100, DEFAULT_BONUSES) == 2
    assert early_bonus(29, 100, DEFAULT_BONUSES) == 2
    assert early_bonus(30, 100, DEFAULT_BONUSES) == 3


def test_no_completions_earn_no_early_bonus():
    assert early_bonus(0, 0, DEFAULT_BONUSES) == 0


def test_promise_bonus_is_the_share_of_powers_promising_less():
    bonuses = bonuses_for({"promise": Measure(3, 4), "early": Measure(0, 0)}, DEFAULT_BONUSES)

    assert [(b["code"], b["points"]) for b in bonuses] == [("early", "0.00"), ("promise", "0.75")]


def test_every_three_reminders_cost_three_points():
    entries = deductions_for(_alerts(Level.REMIND, 7, Check.CASE_REMIND), DEFAULT_DEDUCTIONS)

    assert [(e["item"], e["units"], e["points"]) for e in entries] == [("deadline", 2, "6.00")]
    assert entries[0]["alert_ids"] == [1, 2, 3, 4, 5, 6, 7]


def test_two_reminders_cost_nothing():
    entries = deductions_for(_alerts(Level.REMIND, 2, Check.CASE_REMIND), DEFAULT_DEDUCTIONS)

    assert entries[0]["points"] == "0.00"


def test_each_yellow_and_red_light_costs_its_points_on_its_rule_s_item():
    alerts = _alerts(Level.YELLOW, 2, Check.CASE_YELLOW) + _alerts(
        Level.RED, 1, Check.FEE_IRREGULAR, start=10
    )

    entries = deductions_for(alerts, DEFAULT_DEDUCTIONS)

    assert [(e["item"], e["level"], e["points"], e["alert_ids"]) for e in entries] == [
        ("deadline", "yellow", "10.00", [1, 2]),
        ("fees", "red", "10.00", [10]),
    ]


def test_an_item_loses_at_most_its_weight():
    entries = deductions_for(_alerts(Level.RED, 3, Check.REFUSAL_NO_REASON), DEFAULT_DEDUCTIONS)

    legal = _items(deductions=entries)["legal"]

    assert (legal["deducted_raw"], legal["deducted"], legal["score"]) == ("30.00", "10.00", "0.00")


def test_an_item_scores_its_weight_times_the_mean_of_its_rates():
    values = {"power_usage": Measure(1, 2), "upload": Measure(2, 5)}

    assert _items(values)["openness"]["score"] == "4.50"  # 10 × (0.5 + 0.4) / 2


def test_a_lower_is_better_rate_counts_as_one_minus_the_rate():
    values = {"on_time": Measure(4, 5), "overdue": Measure(2, 8)}

    assert _items(values)["deadline"]["score"] == "10.85"  # 14 × (0.8 + 0.75) / 2


def test_items_without_data_score_full_marks_and_say_so():
    items = _items()

    assert items["satisfaction"]["score"] == "10.00"
    assert "暂无数据，按满分计" in items["satisfaction"]["note"]
    assert items["supervision"]["score"] == "14.00"  # no order due: nothing to judge
    assert items["supervision"]["note"]


def test_total_adds_item_scores_and_bonuses():
    items = list(_items({"online": Measure(8, 9)}).values())
    bonuses = [{"points": "6.00"}, {"points": "0.50"}]

    # 100 − 14 + 14 × 8/9 (12.44) + 6.5
    assert total_of(items, bonuses) == Decimal("104.94")
