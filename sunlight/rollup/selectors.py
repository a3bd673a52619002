"""What admins see of the roll-up: lower platforms with their progress and errors, their pulls,
the monthly statistics they reported; superior platforms and their keys."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from sunlight.rollup.feed import cursor_decode
from sunlight.rollup.models import (
    LowerInstance,
    PullRun,
    RolledUpStatistic,
    SuperiorKey,
    SuperiorPlatform,
)


@dataclass(frozen=True)
class LowerRow:
    lower: LowerInstance
    progress: int  # the lower platform's change sequence read up to (0: nothing yet)
    records: int
    runs: list[PullRun]


def lower_rows(*, runs_per_lower: int = 5) -> list[LowerRow]:
    lowers = list(
        LowerInstance.objects.select_related("source").annotate(
            record_count=Count("source__records", distinct=True)
        )
    )
    rows = []
    for lower in lowers:
        runs = list(
            PullRun.objects.filter(lower=lower).order_by("-started_at", "-id")[:runs_per_lower]
        )
        rows.append(LowerRow(lower, cursor_decode(lower.cursor), lower.record_count, runs))  # type: ignore[attr-defined]
    return rows


def superior_list() -> QuerySet[SuperiorPlatform]:
    return SuperiorPlatform.objects.prefetch_related("keys")


@dataclass(frozen=True)
class SuperiorRow:
    superior: SuperiorPlatform
    push_progress: int  # this instance's change sequence pushed up to (0: nothing yet)
    statistics_months: list[str]  # months whose statistics the superior acknowledged


def superior_rows() -> list[SuperiorRow]:
    return [
        SuperiorRow(
            superior,
            cursor_decode(superior.push_cursor),
            sorted(superior.statistics_pushed, reverse=True)[:6],
        )
        for superior in superior_list()
    ]


def superior_get(*, code: str) -> SuperiorPlatform | None:
    return SuperiorPlatform.objects.filter(code=code).first()


def superior_key_get(*, prefix: str) -> SuperiorKey | None:
    return SuperiorKey.objects.select_related("superior").filter(prefix=prefix).first()


def lower_get(*, code: str) -> LowerInstance | None:
    return LowerInstance.objects.select_related("source").filter(code=code).first()


def statistics_of_month(*, month: dt.date) -> tuple[list[RolledUpStatistic], dict[str, int]]:
    """The month's lines (departments' totals first within each region) and the overall sum
    of the departments' totals."""
    lines = list(
        RolledUpStatistic.objects.filter(month=month)
        .select_related("via", "reported_by")
        .order_by("region_code", "department_code", "power_code")
    )
    totals = RolledUpStatistic.objects.filter(month=month, power_code="").aggregate(
        received=Sum("received"), concluded=Sum("concluded"), late=Sum("late")
    )
    return lines, {k: v or 0 for k, v in totals.items()}


def statistics_months() -> list[dt.date]:
    return list(
        RolledUpStatistic.objects.order_by("-month").values_list("month", flat=True).distinct()[:24]
    )
