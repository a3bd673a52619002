"""Supervision order pages: list with labelled colours, issue form from a case or an alert,
reply with files (multipart, CSRF), accept/return, refusals shown, scoping, the workbench box."""

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.core import clock
from sunlight.org.tests import factories as org_factories
from sunlight.supervision.choices import OrderState
from sunlight.supervision.models import OrderAttachment, SupervisionOrder
from sunlight.supervision.tests.fixtures import at
from sunlight.supervision.tests.orders_world import (
    ISSUED,
    PDF,
    fresh,
    issue,
    pdf,
    red_alert,
    reply,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def w():
    return world()


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def detail_url(order) -> str:
    return reverse("supervision:order_detail", args=[order.number])


def act_url(order, action: str) -> str:
    return reverse("supervision:order_act", args=[order.number, action])


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# ---------------------------------------------------------------- list and detail


def test_order_list_shows_colours_as_labelled_badges(w):
    issue(w)
    issue(w, urgent=True)
    with clock.frozen(at(2026, 3, 18)):
        page = client_of(w.supervisor).get(reverse("supervision:order_list")).content.decode()
    assert '<span class="badge order-colour order-blue">蓝色督办</span>' in page
    assert '<span class="badge order-colour order-orange">橙色督办</span>' in page


def test_order_list_filters_by_colour(w):
    blue = issue(w)
    orange = issue(w, urgent=True)
    with clock.frozen(at(2026, 3, 18)):
        page = client_of(w.supervisor).get(reverse("supervision:order_list"), {"colour": "orange"})
    numbers = [order.number for order in page.context["page"]]
    assert numbers == [orange.number] and blue.number not in numbers


def test_order_list_marks_overdue_orders(w):
    issue(w)
    with clock.frozen(at(2026, 3, 25, 9)):
        page = client_of(w.head).get(reverse("supervision:order_list")).content.decode()
    assert "逾期未回复" in page


def test_detail_shows_the_case_link_and_the_timeline(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18), files=[pdf()])
    with clock.frozen(at(2026, 3, 18, 15)):
        page = client_of(w.supervisor).get(detail_url(order)).content.decode()
    assert reverse("cases:detail", args=[w.case.number]) in page
    assert "发出蓝色督办单" in page and "部门回复（第1次）" in page
    assert "整改报告.pdf" in page


def test_approver_of_another_department_gets_404(w):
    order = issue(w)
    other = org_factories.user("approver", department=org_factories.department(code="077"))
    response = client_of(other).get(detail_url(order))
    assert response.status_code == 404
    assert client_of(other).post(act_url(order, "reply"), {}).status_code == 404


def test_text_is_escaped(w):
    order = issue(w, subject="<script>alert(1)</script>")
    page = client_of(w.head).get(detail_url(order)).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


# ---------------------------------------------------------------- issue form


def test_issue_form_is_prefilled_from_a_case(w):
    with clock.frozen(ISSUED):
        response = client_of(w.supervisor).get(
            reverse("supervision:order_issue"), {"case": w.case.number}
        )
    form = response.context["form"]
    assert form.initial["department"] == w.department.pk
    assert form.initial["case"] == w.case.number
    assert w.case.number in form.initial["subject"]


def test_issue_form_is_prefilled_from_an_alert(w):
    alert = red_alert(w)
    with clock.frozen(ISSUED):
        response = client_of(w.supervisor).get(
            reverse("supervision:order_issue"), {"alert": alert.pk}
        )
    form = response.context["form"]
    assert (form.initial["alert"], form.initial["department"]) == (alert.pk, w.department.pk)
    assert form.initial["urgent"] is True  # a red light: urgent suggested


def test_issue_form_posts_an_order(w):
    data = {
        "department": w.department.pk,
        "subject": "超期未办结",
        "suggestion": "请说明原因。",
        "reply_due": "2026-03-24",
        "case": w.case.number,
    }
    with clock.frozen(ISSUED):
        response = client_of(w.supervisor).post(reverse("supervision:order_issue"), data)
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(order)
    assert order.case == w.case


def test_issue_form_shows_every_problem_and_keeps_input(w):
    data = {"department": w.department.pk, "subject": "超期", "suggestion": " ",
            "reply_due": "2026-03-16"}  # fmt: skip
    with clock.frozen(ISSUED):
        response = client_of(w.supervisor).post(reverse("supervision:order_issue"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "必须晚于今天" in errors["reply_due"][0]
    assert "suggestion" in errors
    assert not SupervisionOrder.objects.exists()


@pytest.mark.parametrize("role", ["clerk", "approver"])
def test_department_staff_cannot_open_the_issue_form(w, role):
    staff = w.clerk if role == "clerk" else w.head
    assert client_of(staff).get(reverse("supervision:order_issue")).status_code == 403


# ---------------------------------------------------------------- actions


def test_reply_form_uploads_files_and_they_download(w):
    order = issue(w)
    data = {
        "reply-revision": order.revision,
        "reply-explanation": "已办结。",
        "reply-measures": "加强提醒。",
        "reply-files": [pdf("一.pdf"), pdf("二.pdf")],
    }
    with clock.frozen(at(2026, 3, 18)):
        response = client_of(w.head).post(act_url(order, "reply"), data)
    assert response.status_code == 302
    assert fresh(order).state == OrderState.REPLIED
    attachment = OrderAttachment.objects.get(file_name="一.pdf")
    url = reverse("supervision:order_attachment", args=[order.number, attachment.pk])
    download = client_of(w.supervisor).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert OrderAttachment.objects.count() == 2


def test_reply_with_a_disguised_file_is_shown_and_nothing_changes(w):
    order = issue(w)
    data = {
        "reply-revision": order.revision,
        "reply-explanation": "已办结。",
        "reply-files": [pdf("报告.pdf", b"<html>not a pdf</html>")],
    }
    with clock.frozen(at(2026, 3, 18)):
        response = client_of(w.head).post(act_url(order, "reply"), data)
    assert response.status_code == 400
    assert "不是允许的类型" in response.content.decode()
    assert fresh(order).state == OrderState.ISSUED


def test_accept_form_closes_the_order(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18))
    data = {"accept-revision": fresh(order).revision, "accept-truthful": "1",
            "accept-objective": "0", "accept-opinion": "同意办结。"}  # fmt: skip
    with clock.frozen(at(2026, 3, 19)):
        response = client_of(w.supervisor).post(act_url(order, "accept"), data)
    assert response.status_code == 302
    order = fresh(order)
    assert (order.state, order.truthful, order.objective) == ("accepted", True, False)


def test_return_form_without_opinion_shows_the_problem(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18))
    with clock.frozen(at(2026, 3, 19)):
        response = client_of(w.supervisor).post(
            act_url(order, "return"), {"return-revision": fresh(order).revision}
        )
    assert response.status_code == 400
    assert "opinion" in response.context["forms"]["return"].errors


def test_a_stale_page_says_someone_else_handled_it(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18))
    stale_revision = fresh(order).revision
    colleague = org_factories.user("supervisor", in_region=w.department.region)
    data = {"accept-revision": stale_revision, "accept-truthful": "1", "accept-objective": "1",
            "accept-opinion": "同意。"}  # fmt: skip
    with clock.frozen(at(2026, 3, 19)):
        client_of(colleague).post(act_url(order, "accept"), data)
        response = client_of(w.supervisor).post(act_url(order, "accept"), data)
    assert response.status_code == 400
    assert any("已被他人处理" in m for m in _messages(response))


def test_posts_need_the_csrf_token(w):
    order = issue(w)
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.head)
    response = client.post(act_url(order, "reply"), {"reply-explanation": "无令牌"})
    assert response.status_code == 403
    assert fresh(order).state == OrderState.ISSUED


def test_reply_form_is_multipart_with_csrf(w):
    order = issue(w)
    page = client_of(w.head).get(detail_url(order)).content.decode()
    form = page[page.index(act_url(order, "reply")) - 80 :]
    assert 'enctype="multipart/form-data"' in form[:200]
    assert "csrfmiddlewaretoken" in form


# ---------------------------------------------------------------- workbench


def test_workbench_shows_the_approvers_orders_awaiting_reply(w):
    order = issue(w)
    page = client_of(w.head).get(reverse("staff:home")).content.decode()
    assert "督办待回复" in page and order.number in page


def test_workbench_shows_the_supervisor_replies_to_review(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18))
    page = client_of(w.supervisor).get(reverse("staff:home")).content.decode()
    assert "督办待审核" in page and order.number in page


def test_workbench_has_no_order_box_for_clerks(w):
    issue(w)
    page = client_of(w.clerk).get(reverse("staff:home")).content.decode()
    assert "督办待回复" not in page
