"""The demo's discretion step: published benchmarks in two regions with differences, a
revised and a pending one, and penalty decisions entered as history with planted deviations."""

import pytest
from django.db import transaction

from sunlight.audit.verify import audit_verify
from sunlight.demo import discretion as demo
from sunlight.demo.seed import STEPS, DemoOptions
from sunlight.demo.tests.helpers import SCALE
from sunlight.discretion.compare import benchmarks_compare
from sunlight.discretion.models import Benchmark, BenchmarkVersion, PenaltyDecision
from sunlight.org.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One small demo city up to this step (later steps are other apps'), for the whole
    module, rolled back at the end."""
    options = DemoOptions(scale=SCALE, progress=False)
    labels = [step.label for step in STEPS]
    steps = STEPS[: labels.index("自由裁量基准") + 1]
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield "\n".join(f"{step.label}：{step.run(options)}" for step in steps)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_benchmarks_are_published_in_two_regions_with_differences(seeded):
    regions = set(
        Benchmark.objects.filter(current_version__isnull=False).values_list("region_id", flat=True)
    )
    assert "自由裁量基准" in seeded
    assert len(regions) == 2 and "338500" in regions
    district = Region.objects.get(code=(regions - {"338500"}).pop())
    result = benchmarks_compare(
        user=None, region_a=Region.objects.get(code="338500"), region_b=district
    )
    assert result.matched and result.differing >= 1


def test_one_benchmark_was_revised_and_one_awaits_review(seeded):
    assert BenchmarkVersion.objects.filter(status="superseded").count() == 1
    assert BenchmarkVersion.objects.filter(status="submitted").count() == 1


def test_decisions_are_history_mostly_within_with_planted_deviations(seeded):
    decided = PenaltyDecision.objects.all()
    outside = decided.filter(within_range=False)

    assert decided.count() >= 10
    assert all(decided.values_list("recorded_as_history", flat=True))
    assert outside.filter(deviation_reason="").exists()
    assert outside.count() < decided.count() / 3
    assert demo.discretion_ready(2026)
    assert audit_verify().ok
