"""The rule pages: reading, tuning with every problem shown, stale forms, replay before saving."""

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.core import clock
from sunlight.org.tests import factories as org_factories
from sunlight.supervision.models import Rule
from sunlight.supervision.rules import rules_install_defaults
from sunlight.supervision.tests.centre_world import build_world
from sunlight.supervision.tests.fixtures import at, supervisor

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_url(code: str) -> str:
    return reverse("supervision:rule_edit", args=[code])


def replay_url(code: str) -> str:
    return reverse("supervision:rule_replay", args=[code])


def form_data(rule: Rule, **changes) -> dict:
    """What the page posts for the rule as it is, with `changes` (param_* for thresholds)."""
    data = {
        "level": rule.level,
        "expected_revision": rule.revision,
        **{f"param_{k}": v for k, v in rule.params.items() if not isinstance(v, list)},
    }
    if rule.enabled:
        data["enabled"] = "on"
    data.update(changes)
    return data


@pytest.fixture
def rules():
    rules_install_defaults()


@pytest.fixture
def boss(rules):
    return supervisor(in_region=org_factories.region())


def test_rule_list_groups_the_rules_by_category_with_level_badges(boss):
    response = client_of(boss).get(reverse("supervision:rule_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert [label for label, _ in response.context["groups"]][:2] == ["时效", "流程"]
    assert '<span class="badge level-red">红灯</span>' in page
    assert '<span class="badge level-yellow">黄灯</span>' in page
    assert "已用时限比例：80%" in page
    assert "未启用" in page


def test_a_supervisor_tunes_a_threshold_and_switches_the_rule_on(boss):
    rule = Rule.objects.get(code="case-yellow")
    response = client_of(boss).post(
        edit_url(rule.code), form_data(rule, param_share="0.7", enabled="on")
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.params["share"] == 0.7
    assert rule.enabled
    assert rule.revision == 1


def test_a_share_above_one_is_refused_beside_its_field_and_nothing_is_saved(boss):
    rule = Rule.objects.get(code="case-yellow")
    response = client_of(boss).post(edit_url(rule.code), form_data(rule, param_share="1.5"))
    assert response.status_code == 400
    assert response.context["form"].errors["param_share"] == ["应在 5% 至 99% 之间"]
    rule.refresh_from_db()
    assert (rule.params["share"], rule.revision) == (0.8, 0)


def test_a_share_typed_as_a_percentage_is_saved_as_that_share(boss):
    rule = Rule.objects.get(code="case-yellow")
    response = client_of(boss).post(edit_url(rule.code), form_data(rule, param_share="60"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.params["share"] == 0.6


def test_negative_days_are_refused_and_nothing_is_saved(boss):
    rule = Rule.objects.get(code="case-remind")
    response = client_of(boss).post(
        edit_url(rule.code), form_data(rule, param_days="-2", enabled="on")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["param_days"] == ["不能小于 1"]
    rule.refresh_from_db()
    assert (rule.params["days"], rule.enabled, rule.revision) == (1, False, 0)


def test_a_stale_form_is_refused_as_changed_by_someone_else(boss):
    # Given two supervisors who opened the same rule; the first one saved
    rule = Rule.objects.get(code="case-yellow")
    stale = form_data(rule, param_share="0.6")
    client_of(boss).post(edit_url(rule.code), form_data(rule, param_share="0.7"))
    # When the second one saves the form they had
    second = supervisor(in_region=org_factories.region())
    response = client_of(second).post(edit_url(rule.code), stale)
    # Then it is refused, and the first one's value stands
    assert response.status_code == 400
    assert "已被他人修改" in response.content.decode()
    rule.refresh_from_db()
    assert rule.params["share"] == 0.7


def test_an_approver_reads_the_rule_but_gets_no_form_and_may_not_post(rules):
    approver = build_world().office_a.head
    rule = Rule.objects.get(code="case-yellow")
    client = client_of(approver)
    page = client.get(edit_url(rule.code)).content.decode()
    assert "承诺时限即将用尽" in page
    assert 'id="rule-form"' not in page
    assert client.post(edit_url(rule.code), form_data(rule, param_share="0.5")).status_code == 403
    assert client.post(replay_url(rule.code), form_data(rule)).status_code == 403
    rule.refresh_from_db()
    assert rule.params["share"] == 0.8


def test_replay_shows_what_the_unsaved_settings_would_have_raised(rules):
    # Given cases that went past their promised deadlines in March
    world = build_world()
    rule = Rule.objects.get(code="case-red")
    # When the supervisor replays the rule over February and March, without saving it
    with clock.frozen(at(2026, 3, 20)):
        response = client_of(world.supervisor).post(
            replay_url(rule.code),
            form_data(rule, replay_since="2026-02-01", replay_until="2026-03-20"),
        )
    # Then the page shows the totals by month and department and sample hits
    assert response.status_code == 200
    replay = response.context["replay"]
    assert replay.total >= 1
    assert [month for month, _ in replay.by_month] == ["2026-03"]
    page = response.content.decode()
    assert f"<strong>{replay.total}</strong>" in page
    assert "测试局041" in page
    assert world.cases["a_late"].number in page
    assert "保存并启用" in page


def test_replay_saves_nothing(rules):
    world = build_world()
    rule = Rule.objects.get(code="case-yellow")
    before = (rule.params, rule.revision, rule.enabled)
    with clock.frozen(at(2026, 3, 20)):
        client_of(world.supervisor).post(
            replay_url(rule.code), form_data(rule, param_share="0.5", enabled="on")
        )
    rule.refresh_from_db()
    assert (rule.params, rule.revision, rule.enabled) == before


def test_replay_with_a_bad_threshold_shows_the_problem(boss):
    rule = Rule.objects.get(code="case-yellow")
    response = client_of(boss).post(replay_url(rule.code), form_data(rule, param_share="100"))
    assert response.status_code == 400
    assert response.context["form"].errors["param_share"] == ["应在 5% 至 99% 之间"]


def test_replay_period_ending_before_it_starts_is_refused(boss):
    rule = Rule.objects.get(code="case-red")
    response = client_of(boss).post(
        replay_url(rule.code),
        form_data(rule, replay_since="2026-03-01", replay_until="2026-02-01"),
    )
    assert response.status_code == 400
    assert "开始日期不能晚于结束日期" in response.content.decode()


def test_save_and_enable_after_a_replay_switches_the_rule_on(boss):
    rule = Rule.objects.get(code="case-red")
    response = client_of(boss).post(edit_url(rule.code), form_data(rule, enable="1"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.enabled
