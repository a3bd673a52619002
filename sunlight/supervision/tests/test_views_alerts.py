"""The centre and alert pages as people use them: filters, scope, actions by permission."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sunlight.core import clock
from sunlight.supervision.alerts import alert_cancel
from sunlight.supervision.choices import AlertState
from sunlight.supervision.models import Alert, ScanRun
from sunlight.supervision.tests.centre_world import build_world
from sunlight.supervision.tests.fixtures import at

pytestmark = pytest.mark.django_db

LIST = reverse("supervision:alert_list")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(response) -> set[int]:
    return {alert.pk for alert in response.context["page"]}


def detail_url(alert) -> str:
    return reverse("supervision:alert_detail", args=[alert.pk])


def act_url(alert, action) -> str:
    return reverse("supervision:alert_act", args=[alert.pk, action])


@pytest.fixture
def world():
    return build_world()


# ---------------------------------------------------------------- the centre


def test_centre_shows_the_live_counts_by_department_and_the_charts(world):
    with clock.frozen(at(2026, 3, 20)):
        response = client_of(world.supervisor).get(reverse("supervision:centre"))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["counts"].red == 1
    assert response.context["counts"].yellow == 2
    assert f"{LIST}?department={world.office_a.department.pk}&amp;level=red" in page
    assert page.count("<svg") == 3  # departments, 30 days, 12 months
    assert '<title id="chart-daily-title">近30天预警趋势</title>' in page
    assert page.count("查看数据表") == 3
    assert "期限暂定" in page


def test_centre_names_every_scan_s_trigger_in_words(world):
    from sunlight.supervision.scan import scan_run

    with clock.frozen(at(2026, 3, 20)):
        scan_run(full=True, trigger="demo-feedback")
        scan_run(trigger="something-new")
        page = client_of(world.supervisor).get(reverse("supervision:centre")).content.decode()
    assert "演示数据" in page and "其他" in page
    assert "demo-feedback" not in page and "something-new" not in page


def test_centre_offers_the_scan_button_to_supervisors_only(world):
    centre = reverse("supervision:centre")
    assert "立即扫描" in client_of(world.supervisor).get(centre).content.decode()
    assert "立即扫描" not in client_of(world.office_a.head).get(centre).content.decode()


def test_scan_now_runs_a_manual_scan_and_says_what_it_found(world):
    before = ScanRun.objects.count()
    with clock.frozen(at(2026, 3, 17, 9)):
        response = client_of(world.supervisor).post(reverse("supervision:scan_now"), follow=True)
    assert ScanRun.objects.count() == before + 1
    assert ScanRun.objects.order_by("-id").first().trigger == "manual"
    assert "扫描完成：新增预警 0 条" in response.content.decode()


def test_scan_now_is_refused_to_a_department_approver(world):
    before = ScanRun.objects.count()
    response = client_of(world.office_a.head).post(reverse("supervision:scan_now"))
    assert response.status_code == 403
    assert ScanRun.objects.count() == before


# ---------------------------------------------------------------- the list and its filters


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "red"}, lambda w: Alert.objects.filter(level="red")),
        ({"level": "yellow"}, lambda w: Alert.objects.filter(level="yellow")),
        (
            {"department": "B"},
            lambda w: Alert.objects.filter(department=w.office_b.department),
        ),
        ({"power": "A"}, lambda w: Alert.objects.filter(power_item=w.office_a.item)),
        ({"kind": "case_remind"}, lambda w: Alert.objects.filter(rule__kind="case_remind")),
        ({"rule": "case-yellow"}, lambda w: Alert.objects.filter(rule__code="case-yellow")),
        ({"category": "process"}, lambda w: Alert.objects.none()),
        ({"month": "2026-02"}, lambda w: Alert.objects.none()),
        ({"month": "2026-03"}, lambda w: Alert.objects.all()),
        ({"q": "a_late_2"}, lambda w: Alert.objects.filter(case=w.cases["a_late_2"])),
    ],
)
def test_each_filter_narrows_the_list_to_what_it_names(world, params, expected):
    # Given the supervisor's list of live alerts (all four)
    assert len(listed(client_of(world.supervisor).get(LIST))) == 4
    # When one filter is applied ("A"/"B" and case keys stand for the world's objects)
    resolved = {
        "department": lambda v: {"A": world.office_a, "B": world.office_b}[v].department.pk,
        "power": lambda v: {"A": world.office_a, "B": world.office_b}[v].code,
        "q": lambda v: world.cases[v].number,
    }
    query = {k: resolved.get(k, lambda v: v)(v) for k, v in params.items()}
    response = client_of(world.supervisor).get(LIST, query)
    # Then exactly the matching alerts are listed
    assert response.status_code == 200
    assert listed(response) == set(expected(world).values_list("pk", flat=True))


def test_state_filter_shows_closed_alerts_only_when_asked(world):
    # Given the red light cancelled as a false alarm
    red = Alert.objects.get(level="red")
    alert_cancel(actor=world.supervisor, alert=red, reason="误报")
    client = client_of(world.supervisor)
    assert red.pk not in listed(client.get(LIST))
    assert listed(client.get(LIST, {"state": "cancelled"})) == {red.pk}
    assert len(listed(client.get(LIST, {"state": "all"}))) == 4
    assert listed(client.get(LIST, {"state": "resolved"})) == set()


def test_a_filter_value_that_does_not_parse_is_ignored(world):
    response = client_of(world.supervisor).get(LIST, {"month": "March", "level": "purple"})
    assert response.status_code == 200
    assert len(listed(response)) == 4


def test_a_department_approver_lists_only_their_departments_alerts(world):
    response = client_of(world.office_b.head).get(LIST, {"state": "all"})
    assert listed(response) == set(
        Alert.objects.filter(department=world.office_b.department).values_list("pk", flat=True)
    )
    assert "责任部门" not in [f.label for f in response.context["form"].visible_fields()]


def test_another_regions_supervisor_lists_nothing_here(world):
    assert listed(client_of(world.far_supervisor).get(LIST, {"state": "all"})) == set()


def test_the_list_page_takes_a_constant_number_of_queries(world, django_assert_max_num_queries):
    # Given the number of queries for a page of one alert
    client = client_of(world.supervisor)
    with CaptureQueriesContext(connection) as one_row:
        assert len(listed(client.get(LIST, {"level": "red"}))) == 1
    # When the page shows all four (two departments, two powers, three rules, four cases)
    # Then it takes no more queries than for one
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        assert len(listed(client.get(LIST))) == 4


# ---------------------------------------------------------------- one alert


def test_alert_page_shows_the_rule_the_case_and_the_times(world):
    red = Alert.objects.get(level="red")
    response = client_of(world.supervisor).get(detail_url(red))
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("cases:detail", args=[red.case.number]) in page
    assert "超过承诺期限（红灯）" in page
    assert '<span class="badge level-red">红灯</span>' in page
    assert "2026-03-17 00:05:00" in page  # raised (Asia/Shanghai)


def test_another_regions_supervisor_gets_404_on_the_alert(world):
    red = Alert.objects.get(level="red")
    assert client_of(world.far_supervisor).get(detail_url(red)).status_code == 404


def test_another_departments_approver_gets_404_on_the_alert(world):
    red = Alert.objects.get(level="red")  # department A's
    assert client_of(world.office_b.head).get(detail_url(red)).status_code == 404


def test_actions_are_offered_by_permission(world):
    red = Alert.objects.get(level="red")
    supervisor_page = client_of(world.supervisor).get(detail_url(red)).content.decode()
    approver_page = client_of(world.office_a.head).get(detail_url(red)).content.decode()
    clerk_page = client_of(world.office_a.clerk).get(detail_url(red)).content.decode()
    assert all(w in supervisor_page for w in ("签收", "解除", "撤销", "发督办"))
    assert f"{reverse('supervision:order_issue')}?alert={red.pk}" in supervisor_page
    assert act_url(red, "acknowledge") in approver_page
    assert act_url(red, "cancel") not in approver_page
    assert act_url(red, "acknowledge") not in clerk_page


def test_the_departments_approver_acknowledges_an_alert(world):
    red = Alert.objects.get(level="red")
    with clock.frozen(at(2026, 3, 17, 9)):
        response = client_of(world.office_a.head).post(act_url(red, "acknowledge"))
    assert response.status_code == 302
    red.refresh_from_db()
    assert red.state == AlertState.ACKNOWLEDGED
    assert red.acknowledged_by == world.office_a.head


def test_a_supervisor_cancels_an_alert_with_a_reason(world):
    red = Alert.objects.get(level="red")
    with clock.frozen(at(2026, 3, 17, 9)):
        client_of(world.supervisor).post(act_url(red, "cancel"), {"cancel-reason": "系统误报"})
    red.refresh_from_db()
    assert red.state == AlertState.CANCELLED
    assert red.close_reason == "系统误报"
    assert red.closed_by == world.supervisor


def test_cancelling_without_a_reason_is_refused_and_nothing_changes(world):
    red = Alert.objects.get(level="red")
    response = client_of(world.supervisor).post(act_url(red, "cancel"), {"cancel-reason": " "})
    assert response.status_code == 400
    assert "请写明理由" in response.content.decode()
    red.refresh_from_db()
    assert red.state == AlertState.RAISED


def test_an_approver_may_not_cancel(world):
    red = Alert.objects.get(level="red")
    response = client_of(world.office_a.head).post(
        act_url(red, "cancel"), {"cancel-reason": "不想要"}
    )
    assert response.status_code == 403
    red.refresh_from_db()
    assert red.state == AlertState.RAISED


def test_closing_an_already_closed_alert_says_so(world):
    red = Alert.objects.get(level="red")
    client = client_of(world.supervisor)
    client.post(act_url(red, "resolve"), {"resolve-reason": "已办结"})
    response = client.post(act_url(red, "resolve"), {"resolve-reason": "再次"}, follow=True)
    assert "该预警已解除或撤销" in response.content.decode()
