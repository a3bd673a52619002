"""How far ahead a yellow light or a prompt can be: bounds that let the live time checks read
only the cases whose deadline lies within reach (an index range), not every open case.

A case turns yellow when remaining ≤ (1 − share) × total working days, where total is its limit
plus any extension. Over all powers the limit is at most L working days (a natural day or a
month counts as at most one or 23 working days), so a case without an extension can only be
yellow when its deadline is within (1 − share) × L working days of today; cases with an
extension are always looked at (they are few, and partially indexed)."""

import datetime as dt
import math

from django.db.models import Max

from sunlight.catalog.choices import LimitUnit
from sunlight.catalog.models import PowerVersion
from sunlight.flows.models import FlowNode
from sunlight.supervision.models import WorkdayOrdinal

# Upper bound of working days in one unit of each limit unit.
WORKDAYS_PER_UNIT = {
    LimitUnit.WORKING_DAY: 1,
    LimitUnit.NATURAL_DAY: 1,
    LimitUnit.MONTH: 23,
    LimitUnit.HOUR: 1,
    LimitUnit.MINUTE: 1,
}


def _bound(rows: list[tuple[str, float | None]]) -> int:
    return max(
        (math.ceil((limit or 0) * WORKDAYS_PER_UNIT.get(unit, 23)) for unit, limit in rows),
        default=0,
    )


def case_limit_bound() -> int:
    """The most working days any power's promised or statutory limit can span."""
    rows: list[tuple[str, float | None]] = []
    for field in ("promised", "statutory"):
        rows += list(
            PowerVersion.objects.order_by()
            .values_list(f"{field}_limit_unit")
            .annotate(m=Max(f"{field}_limit"))
        )
    return _bound(rows)


def step_limit_bound() -> int:
    rows = list(FlowNode.objects.order_by().values_list("limit_unit").annotate(m=Max("limit")))
    return _bound(rows)


def day_after_workdays(today: dt.date, workdays: int) -> dt.date:
    """The last day whose working-day ordinal is at most today's + `workdays`."""
    ordinal = WorkdayOrdinal.objects.filter(day=today).values_list("ordinal", flat=True).first()
    if ordinal is None:
        return today + dt.timedelta(days=workdays * 2 + 14)
    last = (
        WorkdayOrdinal.objects.filter(ordinal__lte=ordinal + workdays)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    return last or today


def yellow_reach(today: dt.date, share: float, limit_bound: int) -> dt.date:
    return day_after_workdays(today, math.floor((1 - share) * limit_bound) + 1)
