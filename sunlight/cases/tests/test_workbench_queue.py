"""The workbench says what to do next: each person's own steps past their deadline, due today,
due within the next working days (a setting), returned by a send-back; the window's new online
applications — first on their home page, each one click from the case."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from sunlight.cases import services
from sunlight.cases.choices import Channel, StepState
from sunlight.cases.queue import case_queues_for_user, queue_cases, queue_steps
from sunlight.cases.services import CaseRequest, case_register
from sunlight.cases.tests import factories
from sunlight.cases.tests.ui import client_of
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def _at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@pytest.fixture
def office():
    return factories.office_with_power()


@pytest.fixture
def reviewing(office):
    """Accepted on Monday 16 November 2026: the head's 审查 (5 working days) is due Monday 23rd."""
    with clock.frozen(_at("2026-11-16")):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
    return case


def _counts(user, day: str, hour: int = 10) -> dict[str, int]:
    with clock.frozen(_at(day, hour)):
        return {q.key: q.count for q in case_queues_for_user(user=user).queues}


def test_a_step_turns_yellow_then_due_today_then_red(office, reviewing):
    assert _counts(office.head, "2026-11-17")["soon"] == 0
    assert _counts(office.head, "2026-11-19")["soon"] == 1
    assert _counts(office.head, "2026-11-23")["today"] == 1
    late = _counts(office.head, "2026-11-24")
    assert (late["late"], late["today"], late["soon"]) == (1, 0, 0)


def test_the_yellow_window_is_a_setting(office, reviewing, settings):
    settings.SUNLIGHT_DUE_SOON_WORKDAYS = 4
    assert _counts(office.head, "2026-11-17")["soon"] == 1


def test_a_step_sent_back_is_in_the_returned_queue(office, reviewing):
    with clock.frozen(_at("2026-11-17")):
        review = reviewing.steps.get(name="审查", state=StepState.OPEN)
        services.step_complete(
            actor=office.head, step=review, fields={"site_inspection_required": False}
        )
        decision = reviewing.steps.get(name="决定", state=StepState.OPEN)
        services.step_send_back(actor=office.head, step=decision, opinion="审查意见不完整")
        returned = list(queue_steps(user=office.head, key="returned"))
    assert [s.name for s in returned] == ["审查"]


def test_new_online_applications_wait_for_the_window_not_for_legal(office):
    with clock.frozen(_at("2026-11-17")):
        case = case_register(
            actor=None,
            request=CaseRequest(
                power_code=office.code, applicant=factories.person(), channel=Channel.ONLINE,
                materials=factories.all_materials(office),
            ),
        )  # fmt: skip
    legal = org.user("legal", in_region=office.department.region)
    assert list(queue_cases(user=office.clerk, key="online")) == [case]
    assert "online" not in {q.key for q in case_queues_for_user(user=legal).queues}


def test_the_home_page_shows_the_queue_first_with_links_to_the_work(office, reviewing):
    with clock.frozen(_at("2026-11-24")):
        page = client_of(office.head).get(reverse("staff:home")).content.decode()
        listed = client_of(office.head).get(
            reverse("cases:workbench"), {"tab": "queue", "queue": "late"}
        )
    assert page.index("今日工作") < page.index("待办与概况")
    assert reverse("cases:detail", args=[reviewing.number]) in page
    assert "?tab=queue&amp;queue=late" in page
    assert listed.status_code == 200
    assert "今日工作 · 已超期" in listed.content.decode()
    assert reviewing.number in listed.content.decode()


def test_an_unknown_queue_shows_my_todos(office, reviewing):
    response = client_of(office.clerk).get(
        reverse("cases:workbench"), {"tab": "queue", "queue": "x"}
    )
    assert response.status_code == 200
    assert "今日工作 ·" not in response.content.decode()


def test_supervisors_get_no_case_queue(office):
    supervisor = org.user("supervisor", in_region=office.department.region)
    page = client_of(supervisor).get(reverse("staff:home")).content.decode()
    assert "今日工作" not in page


def test_a_red_backlog_leaves_room_for_work_due_today_in_the_next_steps(office):
    for day in ("2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06",
                "2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12", "2026-11-23"):  # fmt: skip
        with clock.frozen(_at(day)):
            case = factories.register(office)
            services.case_accept(actor=office.clerk, case=case)
    with clock.frozen(_at("2026-11-30")):
        items = case_queues_for_user(user=office.head).next_items
    reasons = [item.reason for item in items]
    assert reasons == ["已超期"] * 7 + ["今日到期"]  # nine red, yet today's step is there
