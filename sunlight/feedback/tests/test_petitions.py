"""投诉、咨询: filed (anonymous consultation, 实名 complaint), routed, signed, transferred,
replied, closed, published when agreed (masked), and turned into a 督办 order when upheld."""

import datetime as dt

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.core import clock
from sunlight.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from sunlight.feedback import petitions as svc
from sunlight.feedback.models import Petition, PetitionEvent
from sunlight.feedback.selectors import (
    board_entry,
    board_list,
    petition_by_number_and_code,
    petition_list_for_user,
)
from sunlight.feedback.tests.world import RATED, complaint, consultation, sent_code, world
from sunlight.notifications.models import Notification, OutboxMessage
from sunlight.supervision.models import SupervisionOrder
from sunlight.supervision.tests.fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def _messages(exc):
    return {p.field: p.message for p in exc.value.problems}


def _replied(w, petition, *, upheld=None, moment=None):
    with clock.frozen(moment or at(2026, 3, 10)):
        svc.petition_sign(actor=w.office.clerk, petition=petition, expected_revision=0)
        svc.petition_reply(actor=w.office.head, petition=petition, reply="已核实并答复。",
                           upheld=upheld, expected_revision=1)  # fmt: skip
    return petition


def test_an_anonymous_consultation_is_routed_with_a_five_working_day_deadline(w):
    petition = consultation(w)
    assert petition.number.startswith("ZX20260309") and len(petition.query_code) == 8
    assert (petition.department_id, petition.state) == (w.department.pk, "submitted")
    assert petition.due_date == dt.date(2026, 3, 16)  # Monday + 5 working days
    assert petition.name == "" and petition.id_number == ""
    assert Notification.objects.filter(recipient=w.office.clerk, subject__contains="咨询").exists()
    assert AuditEntry.objects.filter(action="feedback.petition.submitted").count() == 1


def test_a_complaint_about_a_case_goes_to_its_department_with_fifteen_working_days(w):
    petition = complaint(w)
    assert petition.number.startswith("TS") and petition.case == w.case
    assert petition.department_id == w.case.department_id
    assert petition.due_date == dt.date(2026, 3, 30)


def _complaint_data(w):
    return svc.PetitionInput(
        kind="complaint", about="department", department_id=w.department.pk, name="张三",
        id_number="330102199001011234", phone="13900001234", title="投诉", content="内容",
    )  # fmt: skip


def test_a_complaint_online_needs_the_phone_proven_by_a_one_time_code(w):
    with pytest.raises(ValidationFailed) as exc:
        svc.petition_submit(data=_complaint_data(w))
    assert "验证码" in _messages(exc)["短信验证码"]
    assert not Petition.objects.exists()


def test_a_wrong_one_time_code_is_refused_and_the_right_one_works_once(w):
    svc.phone_code_send(phone="13900001234", client="127.0.0.1")
    code = sent_code("13900001234")
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationFailed) as exc:
        svc.petition_submit(data=_complaint_data(w), phone_code=wrong)
    assert "验证码不正确" in _messages(exc)["短信验证码"]
    assert not Petition.objects.exists()
    svc.petition_submit(data=_complaint_data(w), phone_code=code)
    with pytest.raises(ValidationFailed) as exc:
        svc.petition_submit(data=_complaint_data(w), phone_code=code)
    assert "已使用" in _messages(exc)["短信验证码"]
    assert Petition.objects.count() == 1


def test_the_code_is_not_used_up_when_something_else_is_wrong(w):
    svc.phone_code_send(phone="13900001234", client="127.0.0.1")
    code = sent_code("13900001234")
    data = _complaint_data(w)
    data.title = ""
    with pytest.raises(ValidationFailed) as exc:
        svc.petition_submit(data=data, phone_code=code)
    assert set(_messages(exc)) == {"标题"}
    svc.petition_submit(data=_complaint_data(w), phone_code=code)


def test_the_petitioner_is_told_of_the_reply_by_sms_once(w):
    petition = complaint(w)
    _replied(w, petition, upheld=False)
    (sms,) = OutboxMessage.objects.filter(address="13900001234", source_type="feedback.petition")
    assert petition.number in sms.body and "已由" in sms.body


def test_a_complaint_must_be_made_in_a_real_name(w):
    data = _complaint_data(w)
    data.name, data.id_number, data.phone = "", "330102199001011230", "123"
    with pytest.raises(ValidationFailed) as exc:
        svc.petition_submit(data=data, phone_code="123456")
    problems = _messages(exc)
    assert set(problems) == {"姓名", "证件号码", "手机号码"}
    assert not Petition.objects.exists()


def test_a_wrong_query_code_does_not_reach_the_case(w):
    with pytest.raises(ValidationFailed) as exc:
        complaint(w, case_query_code="WRONG123")
    assert _messages(exc)["办件"] == "办件编号或查询码不正确"


@pytest.mark.parametrize("content", ["", " \u200b ", "诉" * 100_000])
def test_empty_or_oversized_content_is_refused(w, content):
    with pytest.raises(ValidationFailed) as exc:
        consultation(w, content=content)
    assert "内容" in _messages(exc)
    assert not Petition.objects.exists()


def test_sign_reply_close_with_a_timeline_and_a_lookup_for_the_petitioner(w):
    petition = _replied(w, consultation(w))
    with clock.frozen(at(2026, 3, 11)):
        svc.petition_close(actor=w.office.head, petition=petition, expected_revision=2)
    assert petition.state == "closed"
    actions = list(PetitionEvent.objects.filter(petition=petition).values_list("action", flat=True))
    assert actions == ["submitted", "signed", "replied", "closed"]
    found = petition_by_number_and_code(number=petition.number, query_code=petition.query_code)
    assert found.reply == "已核实并答复。"
    with pytest.raises(NotFound):
        petition_by_number_and_code(number=petition.number, query_code="AAAAAAAA")


def test_only_the_department_concerned_handles_it_and_a_stale_click_fails(w):
    petition = consultation(w)
    with pytest.raises(PermissionDenied):
        svc.petition_sign(actor=w.other.clerk, petition=petition, expected_revision=0)
    svc.petition_sign(actor=w.office.clerk, petition=petition, expected_revision=0)
    with pytest.raises(InvalidTransition):
        svc.petition_sign(actor=w.office.head, petition=petition, expected_revision=0)


def test_a_transfer_sends_it_to_the_other_department_keeping_the_deadline(w):
    petition = consultation(w)
    due = petition.due_date
    svc.petition_transfer(actor=w.office.clerk, petition=petition,
                          to_department_id=w.other.department.pk, note="属于对方职责",
                          expected_revision=0)  # fmt: skip
    assert (petition.department_id, petition.state, petition.due_date) == (
        w.other.department.pk, "submitted", due,
    )  # fmt: skip
    assert petition_list_for_user(user=w.other.clerk).filter(pk=petition.pk).exists()
    assert not petition_list_for_user(user=w.office.clerk).filter(pk=petition.pk).exists()
    with pytest.raises(ValidationFailed):
        svc.petition_transfer(actor=w.other.clerk, petition=petition,
                              to_department_id=w.other.department.pk, note="",
                              expected_revision=1)  # fmt: skip


def test_a_complaint_reply_says_whether_it_was_upheld(w):
    petition = complaint(w)
    svc.petition_sign(actor=w.office.clerk, petition=petition, expected_revision=0)
    with pytest.raises(ValidationFailed) as exc:
        svc.petition_reply(actor=w.office.head, petition=petition, reply="已处理", upheld=None,
                           expected_revision=1)  # fmt: skip
    assert "投诉是否属实" in _messages(exc)
    petition.refresh_from_db()
    assert petition.state == "handling"


def test_an_upheld_complaint_becomes_a_supervision_order_in_one_step(w):
    petition = _replied(w, complaint(w), upheld=True)
    with clock.frozen(at(2026, 3, 11)):
        svc.petition_order(
            actor=w.supervisor,
            petition=petition,
            suggestion="请说明情况并整改窗口服务",
            reply_due=dt.date(2026, 3, 18),
        )
    order = SupervisionOrder.objects.get()
    assert petition.order == order and order.department_id == w.department.pk
    assert order.case_id == w.case.pk and petition.number in order.subject
    with pytest.raises(InvalidTransition, match="已发出督办单"):
        svc.petition_order(actor=w.supervisor, petition=petition, suggestion="再发",
                           reply_due=dt.date(2026, 3, 18))  # fmt: skip


def test_a_complaint_not_upheld_cannot_become_an_order(w):
    petition = _replied(w, complaint(w), upheld=False)
    with pytest.raises(InvalidTransition):
        svc.petition_order(actor=w.supervisor, petition=petition, suggestion="督办",
                           reply_due=dt.date(2026, 3, 18))  # fmt: skip
    with pytest.raises(PermissionDenied):
        svc.petition_order(actor=w.office.head, petition=petition, suggestion="督办",
                           reply_due=dt.date(2026, 3, 18))  # fmt: skip
    assert not SupervisionOrder.objects.exists()


def test_the_public_board_shows_agreed_replies_masked(w):
    shown = _replied(
        w, complaint(w, content="我的电话13900001234，身份证330102199001011234"), upheld=True
    )
    hidden = _replied(w, consultation(w, publish_consent=False))
    rows = list(board_list())
    assert rows == [shown] and hidden not in rows
    entry = board_entry(shown)
    assert entry.who == "张*" and "13900001234" not in entry.content
    assert "139****1234" in entry.content and "330102********1234" in entry.content


def test_a_petition_not_yet_replied_is_not_on_the_board(w):
    complaint(w)
    assert not board_list().exists()
    assert RATED  # the world's moment
