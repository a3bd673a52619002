"""`sunlight status` counts of the discretion app."""

from decimal import Decimal

import pytest

from sunlight.core.status import collect_status
from sunlight.discretion import decisions
from sunlight.discretion.tests import factories

pytestmark = pytest.mark.django_db


def test_status_counts_published_benchmarks_and_decisions_outside_the_range():
    po = factories.penalty_office()
    benchmark = factories.published_benchmark(item=po.item, region=po.region)
    violation = benchmark.current_version.violations.get(name="未按规定建立进货查验记录")
    tier = violation.tiers.get(name="一般处罚")
    decisions.decision_record(
        actor=po.office.clerk,
        case=factories.penalty_case(po.office),
        decision=decisions.DecisionInput(
            violation.pk, tier.pk, "fine", Decimal(90000), deviation_reason="情节特别严重"
        ),
    )

    status = collect_status()

    assert status["benchmarks_published"] == 1
    assert status["penalty_decisions"] == 1
    assert status["penalty_decisions_outside_range"] == 1
