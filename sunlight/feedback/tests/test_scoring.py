"""满意度 and 服务态度 in the department scores come from ratings and petitions: measured per
department, shown as 暂无数据 (and not scored) where there are none."""

import datetime as dt

import pytest

from sunlight.core import clock
from sunlight.feedback import petitions
from sunlight.feedback.ratings import rating_submit
from sunlight.feedback.tests.world import RATED, consultation, world
from sunlight.supervision.models import DepartmentScore
from sunlight.supervision.scores import scores_compute
from sunlight.supervision.tests.fixtures import at

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)


def _items(department) -> dict[str, dict]:
    score = DepartmentScore.objects.get(department=department, month=MARCH)
    return {item["code"]: item for item in score.indicators["items"]}


def _values(department) -> dict[str, dict]:
    return DepartmentScore.objects.get(department=department, month=MARCH).indicators["values"]


@pytest.fixture
def scored():
    w = world()
    with clock.frozen(RATED):
        rating_submit(case=w.done, stage="accepted", level="1")
        rating_submit(case=w.done, stage="concluded", level="2")
        rating_submit(case=w.case, stage="accepted", level="5", comment="很不满意")
    late = consultation(w)  # due 2026-03-16, answered on the 18th
    with clock.frozen(at(2026, 3, 18)):
        petitions.petition_sign(actor=w.office.clerk, petition=late, expected_revision=0)
        petitions.petition_reply(actor=w.office.clerk, petition=late, reply="答复",
                                 upheld=None, expected_revision=1)  # fmt: skip
    with clock.frozen(at(2026, 4, 2)):
        scores_compute(month=MARCH)
    return w


def test_satisfaction_is_measured_from_the_month_s_ratings(scored):
    value = _values(scored.department)["satisfaction"]
    assert (value["numerator"], value["denominator"]) == (2, 3)
    assert _items(scored.department)["satisfaction"]["score"] == "6.67"  # 10 × 2/3


def test_a_late_reply_counts_against_the_service_attitude(scored):
    value = _values(scored.department)["petition_on_time"]
    assert (value["numerator"], value["denominator"]) == (0, 1)
    assert _items(scored.department)["attitude"]["score"] == "0.00"


def test_a_department_without_ratings_shows_no_data_and_is_not_scored_in_full(scored):
    other = _items(scored.other.department)
    assert other["satisfaction"]["score"] is None and other["attitude"]["score"] is None
    assert "暂无数据（本月无好差评）" in other["satisfaction"]["note"]
    assert _values(scored.other.department)["satisfaction"]["value"] is None


def test_the_two_departments_are_told_apart(scored):
    totals = dict(DepartmentScore.objects.values_list("department_id", "total"))
    assert totals[scored.department.pk] != totals[scored.other.department.pk]


def test_the_score_pages_show_the_ratings_behind_the_figure(scored, client):
    client.force_login(scored.supervisor)
    base = f"/staff/supervision/scores/2026-03/{scored.department.pk}/"
    page = client.get(base)
    assert page.status_code == 200 and "满意率" in page.content.decode()
    drill = client.get(f"{base}satisfaction/rest/")
    assert drill.status_code == 200 and "很不满意" in drill.content.decode()
    late = client.get(f"{base}petition_on_time/rest/")
    assert late.status_code == 200 and "ZX2026" in late.content.decode()
