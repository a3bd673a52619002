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


def _items(values=None, deductions=(), volume=0) -> dict[str, dict]:
    rows = items_for(values or {}, list(deductions), DEFAULT_WEIGHTS, DEFAULT_DEDUCTIONS, volume)
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


def test_every_three_reminders_cost_their_points():
    entries = deductions_for(_alerts(Level.REMIND, 7, Check.CASE_REMIND), DEFAULT_DEDUCTIONS)

    assert [(e["item"], e["units"], e["points"]) for e in entries] == [("deadline", 2, "0.20")]
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
        ("deadline", "yellow", "0.40", [1, 2]),
        ("fees", "red", "0.50", [10]),
    ]


def test_deductions_are_per_hundred_cases_so_size_is_not_punished():
    reds = _alerts(Level.RED, 8, Check.CASE_RED)

    small = deductions_for(reds, DEFAULT_DEDUCTIONS, volume=40)  # counted as a hundred
    hundred = deductions_for(reds, DEFAULT_DEDUCTIONS, volume=100)
    large = deductions_for(reds, DEFAULT_DEDUCTIONS, volume=800)

    assert [e[0]["points"] for e in (small, hundred, large)] == ["4.00", "4.00", "0.50"]
    assert "本月办件800件" in large[0]["rule"]


def test_departments_with_the_same_red_lights_differ_by_their_volume():
    reds = _alerts(Level.RED, 6, Check.CASE_RED)
    values = {"on_time": Measure(1, 1), "overdue": Measure(0, 1)}

    def deadline(volume: int) -> str:
        entries = deductions_for(reds, DEFAULT_DEDUCTIONS, volume=volume)
        rows = items_for(values, entries, DEFAULT_WEIGHTS, DEFAULT_DEDUCTIONS, volume)
        return next(r["score"] for r in rows if r["code"] == "deadline")

    assert [deadline(v) for v in (100, 300, 1200)] == ["11.00", "13.00", "13.75"]


def test_a_scheme_from_before_volumes_charges_each_alert_in_full():
    old = {k: v for k, v in DEFAULT_DEDUCTIONS.items() if k != "per_cases"}

    entries = deductions_for(_alerts(Level.RED, 1), {**old, "red_points": 10}, volume=1000)

    assert entries[0]["points"] == "10.00"


def test_an_item_loses_at_most_its_weight():
    entries = deductions_for(_alerts(Level.RED, 30, Check.REFUSAL_NO_REASON), DEFAULT_DEDUCTIONS)

    legal = _items(deductions=entries, volume=50)["legal"]

    assert (legal["deducted_raw"], legal["deducted"], legal["score"]) == ("15.00", "10.00", "0.00")


def test_an_item_scores_its_weight_times_the_mean_of_its_rates():
    values = {"power_usage": Measure(1, 2), "upload": Measure(2, 5)}

    assert _items(values)["openness"]["score"] == "4.50"  # 10 × (0.5 + 0.4) / 2


def test_a_lower_is_better_rate_counts_as_one_minus_the_rate():
    values = {"on_time": Measure(4, 5), "overdue": Measure(2, 8)}

    assert _items(values)["deadline"]["score"] == "10.85"  # 14 × (0.8 + 0.75) / 2


def test_satisfaction_is_the_share_of_satisfied_ratings():
    assert _items({"satisfaction": Measure(7, 10)})["satisfaction"]["score"] == "7.00"


def test_items_without_data_are_not_scored_in_full_and_say_so():
    items = _items()

    assert items["satisfaction"]["score"] is None and not items["satisfaction"]["has_data"]
    assert (
        "暂无数据" in items["satisfaction"]["note"]
        and "本月无好差评" in items["satisfaction"]["note"]
    )
    assert items["supervision"]["score"] is None  # no order due: nothing to judge
    assert items["fees"]["score"] is None  # no case this month: no fee to judge


def test_items_judged_by_alerts_start_from_their_weight_when_there_were_cases():
    items = _items(volume=30)

    assert (items["fees"]["score"], items["legal"]["score"]) == ("8.00", "10.00")


def test_an_item_without_rates_but_with_alerts_loses_its_points():
    entries = deductions_for(_alerts(Level.RED, 2, Check.ORDER_OVERDUE), DEFAULT_DEDUCTIONS)

    supervision = _items(deductions=entries)["supervision"]

    assert (supervision["base"], supervision["score"]) == ("14.00", "13.00")


def test_the_total_rescales_the_items_with_data_to_a_hundred_and_adds_bonuses():
    items = list(_items({"online": Measure(8, 9)}).values())
    bonuses = [{"points": "6.00"}, {"points": "0.50"}]

    # Only 流程规范 has data: 14 × 8/9 = 12.44 of 14 → 88.86; + 6.5
    assert total_of(items, bonuses) == Decimal("95.36")


def test_a_department_without_ratings_is_scored_on_its_other_items_only():
    rated = {"satisfaction": Measure(9, 10), "online": Measure(1, 1)}
    unrated = {"online": Measure(1, 1)}

    with_ratings = total_of(list(_items(rated).values()), [])
    without = total_of(list(_items(unrated).values()), [])

    # 满意度 is left out of the unrated one (not counted full, not counted zero); the rated
    # one carries its 90%.
    assert (with_ratings, without) == (Decimal("95.83"), Decimal("100.00"))
