"""Score pages on the city of scores_world.py: the month table, a department's page with every
formula beside its value and the drill links, the rows behind a figure, the alerts behind a
deduction, the scheme page (edited by supervisors only), the compute button, the export — and
a department's staff seeing their own department only."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from sunlight.core import clock
from sunlight.supervision.models import Alert, DepartmentScore, ScoreScheme
from sunlight.supervision.scan import scan_run
from sunlight.supervision.scores import scores_compute
from sunlight.supervision.tests.fixtures import enable_only
from sunlight.supervision.tests.scores_world import AFTER, MARCH, at, build_city

pytestmark = pytest.mark.django_db
MONTH = "2026-03"


@pytest.fixture
def city():
    built = build_city()
    enable_only("case-red")
    with clock.frozen(at(3, 31, 21)):
        scan_run(full=True)
    with clock.frozen(AFTER):
        scores_compute(month=MARCH)
    return built


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _department_url(office) -> str:
    return reverse("supervision:score_department", args=[MONTH, office.department.pk])


def _drill_url(office, code: str, part: str) -> str:
    return reverse("supervision:score_drill", args=[MONTH, office.department.pk, code, part])


def test_a_supervisor_sees_every_department_of_the_month_ranked_by_total(city):
    page = client_of(city.supervisor).get(reverse("supervision:score_month"), {"month": MONTH})

    text = page.content.decode()
    assert page.status_code == 200
    assert text.index(city.a.department.name) < text.index(city.b.department.name)  # 84.36 > 79.79
    assert "84.36" in text and "79.79" in text and "88.9%" in text  # A's online rate 8/9
    # Each indicator says in one line what it counts, so that 按时办结率 and 逾期率 reconcile.
    assert "仅看当月办结的办件" in text and "含在办超期" in text
    assert "部门间分布" in text and "最低 <strong>79.79</strong>" in text


def test_the_table_sorts_by_total_ascending_on_request(city):
    page = client_of(city.supervisor).get(
        reverse("supervision:score_month"), {"month": MONTH, "sort": "total"}
    )

    text = page.content.decode()
    assert text.index(city.b.department.name) < text.index(city.a.department.name)


def test_the_department_page_shows_each_formula_with_its_figures_and_drill_links(city):
    page = client_of(city.supervisor).get(_department_url(city.a))

    text = page.content.decode()
    assert page.status_code == 200
    assert "网上运行率 = 当月网上运行办件数 ÷ 当月办件总数 × 100% = 8 ÷ 9" in text
    assert "附件上传率 = 当月办结且文书齐全的办件数 ÷ 当月办结办件数 × 100% = 2 ÷ 5" in text
    assert _drill_url(city.a, "upload", "rest") in text
    assert "暂无数据（本月无好差评），不计分" in text and "不计分" in text
    assert "÷ 其权重合计 80.00 × 100" in text
    assert f"/staff/supervision/alerts/?department={city.a.department.pk}&amp;level=red" in text


def test_a_drill_link_lists_the_cases_behind_the_figure(city):
    page = client_of(city.supervisor).get(_drill_url(city.a, "upload", "rest"))

    text = page.content.decode()
    shown = {letter for letter, case in city.cases.items() if case.number in text}
    assert page.status_code == 200
    assert shown == {"C2", "C3", "C6"}


def test_the_time_ratio_drill_shows_each_case_s_days_used(city):
    page = client_of(city.supervisor).get(_drill_url(city.a, "time_ratio", "den"))

    text = page.content.decode()
    assert city.cases["C3"].number in text and "55.0%" in text  # 11 of 20 working days


def test_a_power_and_an_order_drill_list_their_rows(city):
    powers = client_of(city.supervisor).get(_drill_url(city.a, "power_usage", "rest"))
    orders = client_of(city.supervisor).get(_drill_url(city.a, "reply", "rest"))

    assert city.p2.code in powers.content.decode()
    assert "2026-03-12" in orders.content.decode()


def test_a_deduction_lists_the_alerts_behind_it(city):
    red = Alert.objects.get(department=city.a.department, level="red")

    page = client_of(city.supervisor).get(
        reverse("supervision:score_alerts", args=[MONTH, city.a.department.pk, 0])
    )

    assert page.status_code == 200
    assert city.cases["C4"].number in page.content.decode()
    assert reverse("supervision:alert_detail", args=[red.pk]) in page.content.decode()


def test_an_approver_sees_only_their_own_department(city):
    head = client_of(city.a.head)

    table = head.get(reverse("supervision:score_month"), {"month": MONTH}).content.decode()

    assert city.a.department.name in table and city.b.department.name not in table
    assert head.get(_department_url(city.a)).status_code == 200
    assert head.get(_department_url(city.b)).status_code == 404
    assert head.get(_drill_url(city.b, "online", "den")).status_code == 404


def test_an_unknown_indicator_or_part_is_not_found(city):
    supervisor = client_of(city.supervisor)

    assert supervisor.get(_drill_url(city.a, "nonsense", "den")).status_code == 404
    assert supervisor.get(_drill_url(city.a, "online", "over")).status_code == 404


def test_a_clerk_sees_the_scheme_but_may_not_change_it(city):
    clerk = client_of(city.a.clerk)

    shown = clerk.get(reverse("supervision:score_scheme"))
    posted = clerk.post(reverse("supervision:score_scheme"), {"scheme": 1, "weight_process": 20})

    assert (
        shown.status_code == 200
        and '<form method="post" class="card"' not in shown.content.decode()
    )
    assert posted.status_code == 403
    assert ScoreScheme.objects.count() == 1


def _scheme_form(scheme, **changes) -> dict:
    data = {"scheme": scheme.pk, "cap_at_weight": "on"}
    data.update({f"weight_{k}": v for k, v in scheme.weights.items()})
    data.update({f"deduction_{k}": v for k, v in scheme.deductions.items() if k != "cap_at_weight"})
    data.update({f"bonus_{k}": v for k, v in scheme.bonuses.items()})
    data.update(changes)
    return data


def test_a_supervisor_saves_a_new_scheme_version(city):
    scheme = ScoreScheme.objects.get()

    response = client_of(city.supervisor).post(
        reverse("supervision:score_scheme"),
        _scheme_form(scheme, weight_process="20", weight_fees="2"),
    )

    assert response.status_code == 302
    assert ScoreScheme.objects.get(active=True).weights["process"] == 20


def test_a_scheme_whose_weights_do_not_add_up_is_shown_again_with_the_problem(city):
    scheme = ScoreScheme.objects.get()

    response = client_of(city.supervisor).post(
        reverse("supervision:score_scheme"), _scheme_form(scheme, weight_process="30")
    )

    assert response.status_code == 400
    assert "各项权重之和应为100分" in response.content.decode()
    assert ScoreScheme.objects.count() == 1


def test_the_compute_button_recomputes_for_a_supervisor_only(city):
    url = reverse("supervision:score_compute")
    DepartmentScore.objects.filter(month=MARCH).update(total=0)  # so a recompute shows

    refused = client_of(city.a.clerk).post(url, {"month": MONTH})
    assert refused.status_code == 403 and not DepartmentScore.objects.exclude(total=0).exists()

    with clock.frozen(AFTER):
        done = client_of(city.supervisor).post(url, {"month": MONTH})
    assert done.status_code == 302
    assert DepartmentScore.objects.get(department=city.b.department).total == Decimal("79.79")


def test_the_export_opens_with_the_values_and_a_formula_sheet(city):
    response = client_of(city.supervisor).get(reverse("supervision:score_export", args=[MONTH]))

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    scores = workbook["部门考核"]
    rows = {row[1]: row for row in scores.iter_rows(min_row=2, values_only=True)}
    header = [cell.value for cell in scores[1]]
    a = rows[city.a.department.name]
    assert a[header.index("总分")] == pytest.approx(84.36)
    assert a[2] == pytest.approx(8 / 9)  # 网上运行率
    formulas = [row[1] for row in workbook["指标公式"].iter_rows(min_row=2, values_only=True)]
    assert "网上运行率 = 当月网上运行办件数 ÷ 当月办件总数 × 100%" in formulas
    assert "attachment" in response["Content-Disposition"]


def test_an_approver_s_export_holds_only_their_department(city):
    response = client_of(city.a.head).get(reverse("supervision:score_export", args=[MONTH]))

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    names = [row[1] for row in workbook["部门考核"].iter_rows(min_row=2, values_only=True)]
    assert names == [city.a.department.name]
