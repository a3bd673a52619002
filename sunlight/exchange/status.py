"""Data exchange counts for `sunlight status --json`."""

from typing import Any

from sunlight.exchange.choices import BatchOutcome
from sunlight.exchange.models import ExchangeBatch, ExchangeRecord, SourceSystem


def collect() -> dict[str, Any]:
    return {
        "exchange_sources": SourceSystem.objects.filter(active=True).count(),
        "exchange_records": ExchangeRecord.objects.count(),
        "exchange_batches_refused": ExchangeBatch.objects.filter(
            outcome=BatchOutcome.REFUSED
        ).count(),
    }
