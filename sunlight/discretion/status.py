"""Discretion counts for `sunlight status --json`."""

from typing import Any

from sunlight.discretion.models import Benchmark, PenaltyDecision


def collect() -> dict[str, Any]:
    return {
        "benchmarks_published": Benchmark.objects.filter(current_version__isnull=False).count(),
        "penalty_decisions": PenaltyDecision.objects.count(),
        "penalty_decisions_outside_range": PenaltyDecision.objects.filter(
            within_range=False
        ).count(),
    }
