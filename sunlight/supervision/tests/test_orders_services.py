"""Supervision order services: issue, reply, return, accept, withdraw — lifecycle, permissions,
bad input refused with nothing changed, compare-and-swap, audit chain, notifications."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sunlight.audit.models import AuditEntry
from sunlight.audit.verify import audit_verify
from sunlight.cases import uploads
from sunlight.cases.tests.sample_files import minimal_png
from sunlight.core import clock
from sunlight.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from sunlight.notifications.models import Notification
from sunlight.org.tests import factories as org_factories
from sunlight.supervision import orders
from sunlight.supervision.choices import OrderColour, OrderState
from sunlight.supervision.models import OrderAttachment, OrderReply, OrderReview, SupervisionOrder
from sunlight.supervision.orders_selectors import order_get_for_user, order_list_for_user
from sunlight.supervision.tests.fixtures import at
from sunlight.supervision.tests.orders_world import (
    ISSUED,
    REPLY_DUE,
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


def _problems(exc: ValidationFailed) -> dict[str, str]:
    return {p.field: p.message for p in exc.problems}


# ---------------------------------------------------------------- lifecycle


def test_full_lifecycle_issue_reply_return_reply_accept(w):
    # Given an order issued on an overdue case
    order = issue(w)
    assert (order.state, order.colour, order.reply_due) == ("issued", "blue", REPLY_DUE)
    # When the head replies, the supervisor sends it back, the head replies again and the
    # supervisor accepts
    reply(w, order, moment=at(2026, 3, 19), files=[pdf()])
    with clock.frozen(at(2026, 3, 20)):
        orders.order_return(actor=w.supervisor, order=order, opinion="未说明责任人，请补充。")
    assert fresh(order).state == OrderState.RETURNED
    reply(w, order, moment=at(2026, 3, 23))
    with clock.frozen(at(2026, 3, 24)):
        orders.order_accept(
            actor=w.supervisor, order=order, truthful=True, objective=False, opinion="同意办结。"
        )
    # Then the order is closed with the marks, two replies and two reviews on record
    order = fresh(order)
    assert order.state == OrderState.ACCEPTED
    assert (order.truthful, order.objective, order.conclusion) == (True, False, "同意办结。")
    assert order.closed_at == at(2026, 3, 24)
    assert OrderReply.objects.filter(order=order).count() == 2
    reviews = list(OrderReview.objects.filter(order=order).values_list("accepted", flat=True))
    assert reviews == [False, True]
    assert order.revision == 4


def test_numbers_follow_region_and_year_in_sequence(w):
    first = issue(w)
    second = issue(w)
    assert first.number == "DB33850020260001"
    assert second.number == "DB33850020260002"


def test_urgent_order_starts_at_orange(w):
    order = issue(w, urgent=True)
    assert order.colour == OrderColour.ORANGE


def test_order_on_an_alert_takes_the_alerts_case(w):
    alert = red_alert(w)
    order = issue(w, alert=alert, case=None)
    assert (order.alert, order.case) == (alert, w.case)


def test_return_keeps_the_deadline_unless_a_new_one_is_given(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18))
    with clock.frozen(at(2026, 3, 19)):
        orders.order_return(actor=w.supervisor, order=order, opinion="请补充。")
    assert fresh(order).reply_due == REPLY_DUE


def test_return_may_give_a_new_deadline(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18))
    with clock.frozen(at(2026, 3, 19)):
        orders.order_return(
            actor=w.supervisor, order=order, opinion="请补充。", reply_due=dt.date(2026, 3, 31)
        )
    assert fresh(order).reply_due == dt.date(2026, 3, 31)


def test_withdraw_closes_an_open_order_with_the_reason(w):
    order = issue(w)
    with clock.frozen(at(2026, 3, 18)):
        orders.order_withdraw(actor=w.supervisor, order=order, reason="预警属误判。")
    order = fresh(order)
    assert (order.state, order.conclusion) == (OrderState.WITHDRAWN, "预警属误判。")


def test_reply_stores_attachments_with_their_hash(w, tmp_path):
    order = issue(w)
    stored = reply(w, order, moment=at(2026, 3, 18), files=[pdf()])
    (attachment,) = OrderAttachment.objects.filter(reply=stored)
    assert attachment.file_name == "整改报告.pdf"
    assert attachment.content_type == "application/pdf"
    assert len(attachment.sha256) == 64
    assert (tmp_path / "cases" / attachment.file_path).is_file()


# ---------------------------------------------------------------- permissions


@pytest.mark.parametrize("role", ["clerk", "approver"])
def test_department_staff_cannot_issue(w, role):
    staff = w.clerk if role == "clerk" else w.head
    with pytest.raises(PermissionDenied):
        issue(w, actor=staff)
    assert not SupervisionOrder.objects.exists()


def test_approver_of_another_department_cannot_reply(w):
    order = issue(w)
    other = org_factories.user("approver", department=org_factories.department(code="077"))
    with clock.frozen(at(2026, 3, 18)), pytest.raises(NotFound):
        orders.order_reply(actor=other, order=order, explanation="越权回复")
    assert fresh(order).state == OrderState.ISSUED


def test_clerk_of_the_department_sees_but_cannot_reply(w):
    order = issue(w)
    assert order_get_for_user(user=w.clerk, number=order.number) == order
    with clock.frozen(at(2026, 3, 18)), pytest.raises(PermissionDenied):
        orders.order_reply(actor=w.clerk, order=order, explanation="窗口人员回复")


def test_supervisor_of_another_region_cannot_see_the_order(w):
    order = issue(w)
    elsewhere = org_factories.region(code="339900", name="远方市")
    stranger = org_factories.user("supervisor", in_region=elsewhere)
    with pytest.raises(NotFound):
        order_get_for_user(user=stranger, number=order.number)
    assert list(order_list_for_user(user=stranger)) == []
    with pytest.raises(NotFound):
        orders.order_withdraw(actor=stranger, order=order, reason="越权撤回")


def test_supervisor_cannot_issue_to_a_department_outside_the_region(w):
    elsewhere = org_factories.region(code="339900", name="远方市")
    stranger = org_factories.user("supervisor", in_region=elsewhere)
    with pytest.raises(ValidationFailed) as caught:
        issue(w, actor=stranger)
    assert _problems(caught.value)["被督办部门"] == "不在您的监察范围内"


def test_approver_cannot_accept_the_reply(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18))
    with pytest.raises(PermissionDenied):
        orders.order_accept(actor=w.head, order=order, truthful=True, objective=True, opinion="好")


# ---------------------------------------------------------------- bad input


def test_issue_reports_every_problem_at_once_and_creates_nothing(w):
    other_office_case = world(code="052").case
    with pytest.raises(ValidationFailed) as caught:
        issue(w, suggestion="  ", subject="", reply_due=dt.date(2026, 3, 17),
              case=other_office_case)  # fmt: skip
    assert _problems(caught.value) == {
        "督办事由": "不能为空",
        "督办意见": "不能为空，请写明要求部门说明和整改的内容",
        "回复期限": "必须晚于今天",
        "办件": "该办件不属于被督办部门",
    }
    assert not SupervisionOrder.objects.exists()
    assert not AuditEntry.objects.filter(object_type="supervision.order").exists()


def test_issue_on_an_alert_of_another_department_is_refused(w):
    alert = red_alert(w)
    other = org_factories.department(code="088")
    with pytest.raises(ValidationFailed) as caught:
        issue(w, department=other, alert=alert, case=None)
    assert _problems(caught.value)["预警"] == "该预警不属于被督办部门"


def test_reply_with_a_disguised_file_is_refused_and_nothing_changes(w):
    order = issue(w)
    disguised = pdf(name="整改报告.pdf", data=b"MZ\x90\x00 this is an executable")
    with pytest.raises(ValidationFailed) as caught:
        reply(w, order, moment=at(2026, 3, 18), files=[pdf(), disguised])
    assert "不是允许的类型" in _problems(caught.value)["附件"]
    assert fresh(order).state == OrderState.ISSUED
    assert not OrderReply.objects.exists() and not OrderAttachment.objects.exists()


@pytest.mark.parametrize("explanation", ["  ", "\ufeff\u200b"])  # invisible is not text
def test_reply_without_explanation_is_refused(w, explanation):
    order = issue(w)
    with clock.frozen(at(2026, 3, 18)), pytest.raises(ValidationFailed) as caught:
        orders.order_reply(actor=w.head, order=order, explanation=explanation)
    assert _problems(caught.value) == {"情况说明": "不能为空"}
    assert fresh(order).state == OrderState.ISSUED


def test_return_without_opinion_is_refused(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18))
    with clock.frozen(at(2026, 3, 19)), pytest.raises(ValidationFailed) as caught:
        orders.order_return(actor=w.supervisor, order=order, opinion="")
    assert _problems(caught.value) == {"退回意见": "不能为空"}
    assert fresh(order).state == OrderState.REPLIED


def test_return_after_the_deadline_needs_a_new_one(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 24))
    with clock.frozen(at(2026, 3, 26)), pytest.raises(ValidationFailed) as caught:
        orders.order_return(actor=w.supervisor, order=order, opinion="请补充。")
    assert _problems(caught.value) == {"回复期限": "原回复期限已过，请给出新的回复期限"}


def test_reply_to_an_accepted_order_is_refused(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18))
    with clock.frozen(at(2026, 3, 19)):
        orders.order_accept(actor=w.supervisor, order=order, truthful=True, objective=True,
                            opinion="同意。")  # fmt: skip
    with clock.frozen(at(2026, 3, 20)), pytest.raises(InvalidTransition):
        orders.order_reply(actor=w.head, order=fresh(order), explanation="再回复")


# ---------------------------------------------------------------- compare-and-swap


def test_double_accept_one_succeeds_the_other_fails_cleanly(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18))
    # Given two supervisors who loaded the same replied order
    first, second = fresh(order), fresh(order)
    other = org_factories.user("supervisor", in_region=w.department.region)
    with clock.frozen(at(2026, 3, 19)):
        orders.order_accept(actor=w.supervisor, order=first, truthful=True, objective=True,
                            opinion="同意。")  # fmt: skip
        with pytest.raises(InvalidTransition) as caught:
            orders.order_return(actor=other, order=second, opinion="退回。")
    assert "已被他人处理" in caught.value.message
    assert fresh(order).state == OrderState.ACCEPTED
    assert OrderReview.objects.filter(order=order).count() == 1


def test_an_action_on_a_stale_revision_fails_cleanly(w):
    # Given a reply sent back and answered again after the supervisor's page was loaded
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18))
    stale = fresh(order)
    with clock.frozen(at(2026, 3, 19)):
        orders.order_return(actor=w.supervisor, order=fresh(order), opinion="请补充。")
    reply(w, fresh(order), moment=at(2026, 3, 20))
    # When the old page's accept arrives, then it refers to a reply not read: refused
    with clock.frozen(at(2026, 3, 20, 15)), pytest.raises(InvalidTransition):
        orders.order_accept(actor=w.supervisor, order=stale, truthful=True, objective=True,
                            opinion="同意。")  # fmt: skip
    assert fresh(order).state == OrderState.REPLIED


# ---------------------------------------------------------------- audit and notifications


def test_every_step_is_on_the_audit_chain(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18), files=[pdf()])
    with clock.frozen(at(2026, 3, 19)):
        orders.order_accept(actor=w.supervisor, order=order, truthful=True, objective=True,
                            opinion="同意。")  # fmt: skip
    entries = AuditEntry.objects.filter(object_type="supervision.order", object_id=order.number)
    assert list(entries.order_by("id").values_list("action", flat=True)) == [
        "supervision.order.issued",
        "supervision.order.replied",
        "supervision.order.accepted",
    ]
    assert audit_verify().ok


def test_issue_notifies_the_department_approvers(w):
    order = issue(w)
    (notice,) = Notification.objects.filter(source_id=order.number)
    assert notice.recipient == w.head
    assert (notice.category, notice.level) == ("order", "info")
    assert notice.link == f"/staff/supervision/orders/{order.number}/"


def test_reply_notifies_the_issuing_supervisor(w):
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18))
    notice = Notification.objects.filter(recipient=w.supervisor).get()
    assert order.number in notice.subject and "已回复" in notice.subject


def test_issue_time_is_the_clock(w):
    order = issue(w)
    assert order.issued_at == ISSUED


# ---------------------------------------------------------------- a reply's files: one submission
# Checked like an online application's before any is stored, kept all or nothing.


def _stored_files() -> list[Path]:
    root = uploads.upload_root()
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_several_files_in_one_reply_are_all_kept(w):
    order = issue(w)
    png = SimpleUploadedFile("现场照片.png", minimal_png(), content_type="image/png")
    reply(w, order, moment=at(2026, 3, 18), files=[pdf("整改报告.pdf"), png])
    names = sorted(OrderAttachment.objects.values_list("file_name", flat=True))
    assert names == ["整改报告.pdf", "现场照片.png"]
    assert len(_stored_files()) == 2


def test_one_bad_file_refuses_the_reply_and_stores_none(w):
    order = issue(w)
    polyglot = pdf("说明.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationFailed) as caught:
        reply(w, order, moment=at(2026, 3, 18), files=[pdf("整改报告.pdf"), polyglot])
    assert "说明.pdf" in _problems(caught.value)["附件"]
    assert fresh(order).state == OrderState.ISSUED
    assert not OrderReply.objects.exists()
    assert _stored_files() == []  # not even the good file


def test_the_submission_limits_of_online_applications_apply(w):
    order = issue(w)
    many = [pdf(f"附件{i}.pdf") for i in range(uploads.MAX_FILES_PER_SUBMISSION + 1)]
    with pytest.raises(ValidationFailed) as caught:
        reply(w, order, moment=at(2026, 3, 18), files=many)
    assert (
        f"一次最多上传 {uploads.MAX_FILES_PER_SUBMISSION} 个文件" in _problems(caught.value)["附件"]
    )
    assert _stored_files() == []


def test_a_reply_that_cannot_be_written_removes_what_it_stored(w):
    order = issue(w)
    stale = fresh(order)
    with clock.frozen(at(2026, 3, 18)):
        orders.order_withdraw(actor=w.supervisor, order=order, reason="预警属误判。")
        with pytest.raises(InvalidTransition):
            orders.order_reply(
                actor=w.head, order=stale, explanation="已办结。", files=[pdf("整改报告.pdf")]
            )
    assert not OrderReply.objects.exists()
    assert _stored_files() == []
