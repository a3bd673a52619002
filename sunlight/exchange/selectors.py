"""What admins see of source systems: traffic, rejects with reasons, data quality over time."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate

from sunlight.core import clock
from sunlight.exchange.choices import BatchOutcome
from sunlight.exchange.models import ExchangeBatch, ExchangeRecord, SourceSystem


@dataclass(frozen=True)
class QualityDay:
    day: dt.date
    batches: int
    refused: int
    records: int
    rejected: int

    @property
    def accepted_share(self) -> str:
        return f"{(self.batches - self.refused) / self.batches:.0%}" if self.batches else "—"


def source_list() -> QuerySet[SourceSystem]:
    return SourceSystem.objects.annotate(
        batch_count=Count("batches", distinct=True), record_count=Count("records", distinct=True)
    ).prefetch_related("departments")


def source_quality(*, source: SourceSystem, days: int = 30) -> list[QualityDay]:
    since = clock.now() - dt.timedelta(days=days)
    rows = (
        ExchangeBatch.objects.filter(source=source, received_at__gte=since)
        .annotate(day=TruncDate("received_at", tzinfo=clock.SHANGHAI))
        .values("day", "outcome")
        .annotate(batches=Count("id"), records=Sum("record_count"), rejected=Sum("rejected"))
    )
    by_day: dict[dt.date, dict[str, int]] = {}
    for row in rows:
        day = by_day.setdefault(row["day"], Counter())
        day["batches"] += row["batches"]
        day["records"] += row["records"] or 0
        day["rejected"] += row["rejected"] or 0
        if row["outcome"] == BatchOutcome.REFUSED:
            day["refused"] += row["batches"]
    return [
        QualityDay(day, v["batches"], v["refused"], v["records"], v["rejected"])
        for day, v in sorted(by_day.items(), reverse=True)
    ]


def source_reject_reasons(*, source: SourceSystem, limit: int = 200) -> list[tuple[str, int]]:
    """The most frequent problem codes of refused batches (what the source keeps getting wrong)."""
    counts: Counter[str] = Counter()
    for problems in ExchangeBatch.objects.filter(
        source=source, outcome=BatchOutcome.REFUSED
    ).values_list("problems", flat=True)[:limit]:
        counts.update(f"{p['field']}：{p['code']}" for p in problems)
    return counts.most_common(10)


def source_counts(*, source: SourceSystem) -> dict[str, Any]:
    return dict(
        ExchangeRecord.objects.filter(source=source)
        .values_list("table")
        .annotate(n=Count("id"))
        .values_list("table", "n")
    )
