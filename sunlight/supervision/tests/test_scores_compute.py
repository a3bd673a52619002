"""scores_compute on the small city of scores_world.py: totals worked out by hand, deductions
from the alerts a real scan raised (each traceable to its alert), recomputation that changes
nothing, the daily job, and who may compute."""

import datetime as dt
from decimal import Decimal

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.core import clock
from sunlight.core.errors import PermissionDenied, ValidationFailed
from sunlight.core.jobs import registered_jobs
from sunlight.org.tests import factories as org_factories
from sunlight.supervision.alerts import alert_cancel
from sunlight.supervision.choices import Level
from sunlight.supervision.models import Alert, DepartmentScore
from sunlight.supervision.scan import scan_run
from sunlight.supervision.scores import register_jobs, scores_compute, scores_daily
from sunlight.supervision.tests.fixtures import enable_only
from sunlight.supervision.tests.scores_world import AFTER, MARCH, at, build_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return build_city()


def _compute(city, actor=None, when=AFTER):
    with clock.frozen(when):
        return scores_compute(month=MARCH, actor=actor)


def _score(department) -> DepartmentScore:
    return DepartmentScore.objects.get(department=department.department, month=MARCH)


def _scan_reds(city):
    """Switch on the red light for open cases past their promised deadline and scan on the
    evening of 31 March: C4 (deadline 17 Mar) is the only open case of the city past it."""
    enable_only("case-red")
    with clock.frozen(at(3, 31, 21)):
        scan_run(full=True)


def test_compute_scores_every_department_with_the_totals_worked_out_by_hand(city):
    written = _compute(city)

    a, b = _score(city.a), _score(city.b)
    assert written == 2
    # A: 政务公开 10 × (1/2 + 2/5)/2 = 4.50; 流程规范 14 × 8/9 = 12.44; 期限合法 14 ×
    # (4/5 + 6/8)/2 = 10.85; 监督检查 14 × 1/2 = 7; 收费合理, 法律责任, 廉洁行政 judged by
    # alerts on its cases, none: 28. 满意度 and 服务态度 have no data (no ratings, no petition
    # due): not scored. 62.79 of 80 → 78.49 out of 100; bonuses: 60% early → +6, promise 1/2
    # → +0.50.
    assert a.total == Decimal("84.99")
    assert a.indicators["scaling"] == {"points": "62.79", "weight": "80.00", "scaled": "78.49",
                                       "items": "7"}  # fmt: skip
    assert [(bonus["code"], bonus["points"]) for bonus in a.bonuses] == [
        ("early", "6.00"), ("promise", "0.50"),
    ]  # fmt: skip
    # B: 期限合法 0 (late, overdue); 政务公开 10, 流程规范 14, the three alert items 28; no
    # order due, no rating, no petition: 52 of 66 → 78.79; promise 1/1 → +1.
    assert b.total == Decimal("79.79")


def test_items_without_data_are_shown_as_such_and_not_scored(city):
    _compute(city)

    items = {item["code"]: item for item in _score(city.b).indicators["items"]}
    for code in ("satisfaction", "attitude", "supervision"):
        assert (items[code]["has_data"], items[code]["score"]) == (False, None)
        assert items[code]["note"].startswith("暂无数据")


def test_every_indicator_is_stored_with_its_formula_numerator_and_denominator(city):
    _compute(city)

    online = _score(city.a).indicators["values"]["online"]
    assert online["formula"] == "网上运行率 = 当月网上运行办件数 ÷ 当月办件总数 × 100%"
    assert (online["numerator"], online["denominator"]) == (8, 9)
    assert online["value"] == pytest.approx(8 / 9, abs=1e-6)


def test_alerts_of_the_month_are_deducted_from_their_item_with_their_ids(city):
    _scan_reds(city)
    red = Alert.objects.get(department=city.a.department, level=Level.RED)

    _compute(city)

    score = _score(city.a)
    # A red light costs 0.5 per hundred cases; A had fewer than a hundred: counted as 100.
    assert [(d["item"], d["level"], d["points"], d["alert_ids"]) for d in score.deductions] == [
        ("deadline", "red", "0.50", [red.pk]),
    ]
    deadline = next(item for item in score.indicators["items"] if item["code"] == "deadline")
    assert (deadline["deducted"], deadline["score"]) == ("0.50", "10.35")
    assert score.total == Decimal("84.36")  # 62.29 of 80 → 77.86, + 6.50


def test_a_cancelled_alert_is_not_deducted(city):
    _scan_reds(city)
    with clock.frozen(at(4, 2)):
        alert_cancel(actor=city.supervisor, alert=Alert.objects.get(level=Level.RED), reason="误报")

    _compute(city)

    assert _score(city.a).deductions == []


def test_recomputing_replaces_the_month_with_the_same_scores_and_one_audit_entry(city):
    _compute(city)
    first = list(DepartmentScore.objects.values_list("department_id", "total", "indicators"))
    before = AuditEntry.objects.filter(action="supervision.scores.computed").count()

    _compute(city, when=AFTER + dt.timedelta(hours=1))

    again = list(DepartmentScore.objects.values_list("department_id", "total", "indicators"))
    assert sorted(again) == sorted(first)
    assert DepartmentScore.objects.count() == 2
    assert AuditEntry.objects.filter(action="supervision.scores.computed").count() == before + 1


def test_a_clerk_may_not_compute_and_nothing_is_written(city):
    with pytest.raises(PermissionDenied):
        _compute(city, actor=city.a.clerk)

    assert not DepartmentScore.objects.exists()


def test_a_month_not_yet_begun_is_refused(city):
    with clock.frozen(AFTER), pytest.raises(ValidationFailed) as refused:
        scores_compute(month=dt.date(2026, 5, 1), actor=city.supervisor)

    assert refused.value.problems[0].field == "月份"
    assert not DepartmentScore.objects.exists()


def test_a_supervisor_computes_and_is_named_on_the_audit_entry(city):
    _compute(city, actor=city.supervisor)

    entry = AuditEntry.objects.filter(action="supervision.scores.computed").latest("id")
    assert entry.actor_id == city.supervisor.pk and entry.object_id == "2026-03"


def test_the_daily_job_computes_this_and_last_month_once_a_day(city):
    with clock.frozen(at(4, 10, 1)):
        first = scores_daily()
    with clock.frozen(at(4, 10, 2)):
        second = scores_daily()
    with clock.frozen(at(4, 11, 1)):
        third = scores_daily()

    assert first == {"computed": {"2026-03": 2, "2026-04": 2}}
    assert second == {"skipped": True}
    assert "computed" in third
    assert set(DepartmentScore.objects.values_list("month", flat=True)) == {
        MARCH, dt.date(2026, 4, 1),
    }  # fmt: skip


def test_the_job_is_registered_hourly():
    register_jobs()

    job = next(job for job in registered_jobs() if job.name == "supervision.scores_compute")
    assert (job.every_seconds, job.label) == (3600, "部门考核计分")


def test_departments_without_powers_are_not_scored(city):
    org_factories.department(code="099", name="没有事项的局")

    assert _compute(city) == 2
