"""The demo's scores: six complete months before the demo's "now" and the month in progress,
under the default scheme, computed once."""

import datetime as dt

import pytest

from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.demo import supervision_scores, timeline
from sunlight.supervision.models import DepartmentScore, ScoreScheme
from sunlight.supervision.tests.fixtures import accepted_case, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_day():
    """The demo's day these stories are told up to (the demo takes it from the clock else)."""
    timeline.pin(dt.date(2026, 11, 20))
    yield
    timeline.pin(None)


@pytest.fixture
def offices():
    with clock.frozen(at(2026, 4, 1)):
        built = [factories.office_with_power(code=code) for code in ("005", "012")]
    accepted_case(built[0], at(2026, 9, 7))
    return built


def test_the_demo_scores_the_last_six_months_and_this_one(offices):
    assert not supervision_scores.scores_ready(2026)

    summary = supervision_scores.scores_build(2026)

    months = sorted(set(DepartmentScore.objects.values_list("month", flat=True)))
    assert months == [dt.date(2026, m, 1) for m in range(5, 12)]
    assert DepartmentScore.objects.filter(month=dt.date(2026, 9, 1)).count() == 2
    assert ScoreScheme.objects.filter(active=True).count() == 1
    assert "共 7 个月" in summary
    assert supervision_scores.scores_ready(2026)
