"""Staff pages: department-scoped petitions and follow-ups (others get 404), the hotline desk
for operators only."""

import pytest

from sunlight.core import clock
from sunlight.feedback.hotline import WRONG_PER_CASE, WRONG_PER_OPERATOR
from sunlight.feedback.models import Petition
from sunlight.feedback.ratings import rating_submit
from sunlight.feedback.tests.world import RATED, complaint, consultation, world
from sunlight.ratelimit.models import RateBucket
from sunlight.supervision.models import SupervisionOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def test_the_department_signs_and_replies_from_the_page(w, client):
    petition = consultation(w)
    client.force_login(w.office.clerk)
    assert petition.title in client.get("/staff/feedback/").content.decode()
    client.post(f"/staff/feedback/petitions/{petition.number}/sign/", {"revision": 0})
    response = client.post(f"/staff/feedback/petitions/{petition.number}/reply/",
                           {"revision": 1, "reply": "已答复"})  # fmt: skip
    assert response.status_code == 302
    assert Petition.objects.get().state == "replied"


def test_an_empty_reply_is_refused_on_the_page(w, client):
    petition = consultation(w)
    client.force_login(w.office.clerk)
    client.post(f"/staff/feedback/petitions/{petition.number}/sign/", {"revision": 0})
    response = client.post(f"/staff/feedback/petitions/{petition.number}/reply/",
                           {"revision": 1, "reply": ""})  # fmt: skip
    assert response.status_code == 400
    assert Petition.objects.get().state == "handling"


def test_another_department_gets_not_found(w, client):
    petition = consultation(w)
    client.force_login(w.other.clerk)
    assert client.get(f"/staff/feedback/petitions/{petition.number}/").status_code == 404
    assert client.post(f"/staff/feedback/petitions/{petition.number}/sign/",
                       {"revision": 0}).status_code == 404  # fmt: skip


def test_a_supervisor_orders_from_an_upheld_complaint_on_the_page(w, client):
    petition = complaint(w)
    client.force_login(w.office.clerk)
    client.post(f"/staff/feedback/petitions/{petition.number}/sign/", {"revision": 0})
    client.post(f"/staff/feedback/petitions/{petition.number}/reply/",
                {"revision": 1, "reply": "经查属实", "upheld": "yes"})  # fmt: skip
    client.force_login(w.supervisor)
    page = client.get(f"/staff/feedback/petitions/{petition.number}/").content.decode()
    assert "发出督办单" in page
    response = client.post(
        f"/staff/feedback/petitions/{petition.number}/order/",
        {"revision": 2, "suggestion": "请整改", "reply_due": "2027-01-20"},
    )
    assert response.status_code == 302
    assert SupervisionOrder.objects.get().department_id == w.department.pk


def test_follow_ups_are_handled_by_the_department(w, client):
    with clock.frozen(RATED):
        follow_up = rating_submit(case=w.case, stage="accepted", level="4").follow_up
    client.force_login(w.office.head)
    assert w.case.number in client.get("/staff/feedback/follow-ups/").content.decode()
    client.post(f"/staff/feedback/follow-ups/{follow_up.pk}/verify/",
                {"revision": 0, "finding": "属实"})  # fmt: skip
    client.post(f"/staff/feedback/follow-ups/{follow_up.pk}/close/",
                {"revision": 1, "outcome": "rectified", "measures": "已整改"})  # fmt: skip
    follow_up.refresh_from_db()
    assert follow_up.state == "closed"
    client.force_login(w.other.head)
    assert client.get(f"/staff/feedback/follow-ups/{follow_up.pk}/").status_code == 404


def test_the_hotline_desk_looks_up_and_registers(w, client):
    client.force_login(w.hotline)
    page = client.get("/staff/feedback/hotline/", {"number": w.case.number, "phone_last4": "0000"})
    text = page.content.decode()
    assert page.status_code == 200 and "张*" in text and "13800000000" not in text
    wrong = client.get("/staff/feedback/hotline/", {"number": w.case.number, "phone_last4": "9"})
    assert wrong.status_code == 400
    response = client.post("/staff/feedback/hotline/?kind=consultation", {
        "kind": "consultation", "about": "department", "department": w.department.pk,
        "title": "来电咨询", "content": "询问办理地点",
    })  # fmt: skip
    assert response.status_code == 302
    assert Petition.objects.get().channel == "hotline"
    client.force_login(w.office.clerk)
    assert client.get("/staff/feedback/hotline/").status_code == 403


def test_the_hotline_desk_serves_an_operator_many_rightful_lookups(w, client):
    client.force_login(w.hotline)
    for _ in range(WRONG_PER_OPERATOR.attempts + 5):
        for case in (w.case, w.done):
            page = client.get("/staff/feedback/hotline/",
                              {"number": case.number, "phone_last4": "0000"})  # fmt: skip
            assert page.status_code == 200 and "张*" in page.content.decode()


def test_the_hotline_desk_refuses_wrong_guesses_past_the_limit_with_a_message(w, client):
    client.force_login(w.hotline)
    for _ in range(WRONG_PER_CASE.attempts):
        wrong = client.get("/staff/feedback/hotline/",
                           {"number": w.case.number, "phone_last4": "1111"})  # fmt: skip
        assert wrong.status_code == 404 and "不匹配" in wrong.content.decode()
    counted = list(RateBucket.objects.values_list("count", flat=True))
    right = {"number": w.case.number, "phone_last4": "0000"}
    refused = client.get("/staff/feedback/hotline/", right)
    assert refused.status_code == 429
    assert "查询失败次数过多" in refused.content.decode() and "张*" not in refused.content.decode()
    response = client.post("/staff/feedback/hotline/?kind=consultation", {
        "kind": "consultation", "about": "case", "case_number": w.case.number,
        "phone_last4": "0000", "title": "来电咨询", "content": "询问进度",
    })  # fmt: skip
    assert response.status_code == 400 and "查询失败次数过多" in response.content.decode()
    assert not Petition.objects.exists()
    assert list(RateBucket.objects.values_list("count", flat=True)) == counted
