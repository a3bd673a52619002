"""Demo step: department scores (部门考核) for the six months before the demo's "now" and the
month in progress, under the default scheme (DOMAIN.md's weights, deductions and bonuses).

Runs after the cases, the alerts and the orders, so the scores count them; computed through
the real service with the clock frozen at the demo's "now", as the daily job would have left
them (late that day). Re-running recomputes nothing once every month has its scores."""

import datetime as dt

from sunlight.core import clock
from sunlight.demo import timeline
from sunlight.supervision.models import DepartmentScore
from sunlight.supervision.scores import previous_month, scheme_install_default, scores_compute

MONTHS = 6  # complete months before the demo's month


def demo_months() -> list[dt.date]:
    """The months scored, oldest first: six complete months and the demo's own month."""
    current = timeline.day().replace(day=1)
    months = [current]
    for _ in range(MONTHS):
        months.insert(0, previous_month(months[0]))
    return months


def scores_ready(seed: int) -> bool:
    scored = set(DepartmentScore.objects.values_list("month", flat=True).distinct())
    return set(demo_months()) <= scored


def scores_build(seed: int) -> str:
    # Late on the demo's day, after the day's batches, scans and orders: what the daily job
    # would have computed that night.
    with clock.frozen(timeline.scored_at()):
        scheme_install_default()
        counts = [scores_compute(month=month) for month in demo_months()]
    first, last = demo_months()[0], demo_months()[-1]
    return (
        f"{first.year}年{first.month}月至{last.year}年{last.month}月，"
        f"共 {len(counts)} 个月，每月 {max(counts, default=0)} 个部门"
    )
