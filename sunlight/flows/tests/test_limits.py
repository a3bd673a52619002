"""Time limits that agree: the longest path of step limits against the promised limit, shown
when submitting is refused, and scaled to fit when the staff choose so."""

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.catalog import services as catalog_services
from sunlight.catalog.choices import TransitionAction, VersionStatus
from sunlight.catalog.tests import factories as catalog_factories
from sunlight.core.errors import ValidationFailed
from sunlight.flows.limits import longest_limit_path, steps_scaled_to_fit
from sunlight.flows.services import flow_fit_limits, flow_save_from_steps
from sunlight.flows.steps import Branch, StepRow, build_flow
from sunlight.org.tests import factories

pytestmark = pytest.mark.django_db

BRANCHING = [
    StepRow("1", "受理", "clerk", 1),
    StepRow(
        "2", "审查", "approver", 5,
        branches=[
            Branch("需要现场核查", "3", "site_inspection_required == True"),
            Branch("无需核查", "4", "", is_default=True),
        ],
    ),
    StepRow("3", "现场核查", "clerk", 3),
    StepRow("4", "决定", "approver", 2),
]  # fmt: skip
PARALLEL = [
    StepRow("1", "受理", "clerk", 1),
    StepRow("2", "规划审查", "approver", 5, parallel_group="A"),
    StepRow("3", "消防审查", "clerk", 7, parallel_group="A"),
    StepRow("4", "听证", "clerk", 20, stops_clock=True),
    StepRow("5", "决定", "approver", 4, limit_unit="hour"),
]


def test_the_longest_path_takes_the_slowest_branch():
    path = longest_limit_path(build_flow(BRANCHING))
    assert path.days == 11
    assert path.text() == "受理（1天）→审查（5天）→现场核查（3天）→决定（2天）"


def test_parallel_branches_count_their_slowest_and_clock_stops_count_nothing():
    path = longest_limit_path(build_flow(PARALLEL))
    assert path.days == 8.5
    assert "消防审查（7天）" in path.text() and "规划审查" not in path.text()
    assert "决定（4小时）" in path.text()


def test_scaled_steps_fit_the_budget_and_keep_clock_stops():
    scaled = steps_scaled_to_fit(PARALLEL, build_flow(PARALLEL), 4)
    assert longest_limit_path(build_flow(scaled)).days <= 4
    assert scaled[3].limit == 20 and scaled[3].stops_clock


def test_a_same_day_promise_gets_hours():
    scaled = steps_scaled_to_fit(BRANCHING, build_flow(BRANCHING), 1)
    assert {s.limit_unit for s in scaled} == {"hour"}
    assert longest_limit_path(build_flow(scaled)).days <= 1


@pytest.fixture
def draft_over_its_promise():
    department = factories.department(code="051", name="测试局051")
    clerk = factories.user("clerk", department=department)
    item = catalog_factories.item(department=department, statutory_limit=20, promised_limit=5)
    flow_save_from_steps(actor=clerk, version=item.working_version, steps=BRANCHING)
    return clerk, item.working_version


def test_submitting_a_flow_over_the_promised_limit_is_refused_with_the_path(
    draft_over_its_promise,
):
    clerk, version = draft_over_its_promise
    with pytest.raises(ValidationFailed) as refused:
        catalog_services.power_version_transition(
            actor=clerk, version=version, action=TransitionAction.SUBMIT, opinion=""
        )
    message = str(refused.value.problems[0].message)
    assert "合计 11天，超过承诺时限 5天" in message
    assert "受理（1天）→审查（5天）→现场核查（3天）→决定（2天）" in message
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_scaling_by_the_staff_s_choice_lets_it_be_submitted(draft_over_its_promise):
    clerk, version = draft_over_its_promise

    flow_fit_limits(actor=clerk, version=version)
    catalog_services.power_version_transition(
        actor=clerk, version=version, action=TransitionAction.SUBMIT, opinion=""
    )

    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    assert version.flow.step_table[1]["limit"] < 5


def test_the_flow_page_shows_the_path_and_offers_to_scale_it(draft_over_its_promise):
    clerk, version = draft_over_its_promise
    page_url = reverse("flows:detail", args=[version.item_id, version.number])
    client = Client()
    client.force_login(clerk)

    page = client.get(page_url).content.decode()
    assert "超过承诺时限 5天" in page and "按承诺时限压缩环节时限" in page

    response = client.post(reverse("flows:fit_limits", args=[version.item_id, version.number]))
    assert response.status_code == 302
    assert "按承诺时限压缩环节时限" not in client.get(page_url).content.decode()


def test_scaling_needs_someone_who_may_draft(draft_over_its_promise):
    clerk, version = draft_over_its_promise
    other = factories.user("clerk", department=factories.department(code="052", name="测试局052"))
    client = Client()
    client.force_login(other)
    response = client.post(reverse("flows:fit_limits", args=[version.item_id, version.number]))
    assert response.status_code == 404
    version.flow.refresh_from_db()
    assert version.flow.step_table[1]["limit"] == 5
