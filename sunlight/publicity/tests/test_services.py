"""批前公示 through its services: the case waits while the window is open, anyone may object,
the handler answers, the clock (not a person) ends the window and the case goes on; bad input
is refused with nothing written."""

import datetime as dt

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.cases import services as case_services
from sunlight.cases.choices import CaseState, PauseKind
from sunlight.cases.models import CasePause
from sunlight.cases.services import Conclusion, calendar
from sunlight.core import clock
from sunlight.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from sunlight.org.tests import factories as org_factories
from sunlight.publicity.choices import NoticeState
from sunlight.publicity.models import Objection, PublicityNotice
from sunlight.publicity.services import (
    objection_answer,
    objection_submit,
    publicity_start,
    publicity_windows_close,
)
from sunlight.publicity.tests.world import MONDAY, finish_steps, notice_input, published, world

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _actions(case):
    return list(
        AuditEntry.objects.filter(object_type="cases.case", object_id=case.number)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_publishing_puts_the_case_on_hold_until_the_end_of_the_seventh_day():
    w = world()
    notice = published(w)
    w.case.refresh_from_db()
    assert w.case.state == CaseState.PUBLICITY
    # Published on Monday 16 Nov: counted from the 17th, the 7th day is the 23rd, to 24:00.
    assert notice.ends_at.astimezone(clock.SHANGHAI).date() == dt.date(2026, 11, 23)
    pause = CasePause.objects.get(case=w.case)
    assert pause.kind == PauseKind.PUBLICITY and pause.ended_at is None
    assert "publicity.notice.published" in _actions(w.case)


def test_working_day_windows_skip_the_weekend():
    w = world(days=5, unit="working_day")
    notice = published(w)
    assert notice.ends_at.astimezone(clock.SHANGHAI).date() == dt.date(2026, 11, 23)


def test_no_step_can_be_completed_while_the_window_is_open():
    w = world()
    published(w)
    step = w.case.steps.filter(state="open").first()
    with clock.frozen(MONDAY + DAY), pytest.raises(InvalidTransition, match="公示中"):
        case_services.step_complete(actor=w.office.head, step=step)


def test_objection_answered_then_the_clock_ends_the_window_and_the_case_goes_on():
    w = world()
    notice = published(w)
    with clock.frozen(MONDAY + 2 * DAY):
        objection = objection_submit(
            notice_id=notice.pk, text="楼高遮挡我小区采光，请核实日照分析。", name="赵六",
            contact="13912345678",
        )  # fmt: skip
    with clock.frozen(MONDAY + 3 * DAY):
        objection_answer(
            actor=w.office.clerk, objection_id=objection.pk, reply="经复核日照分析符合规范。"
        )
    # The day before the window ends: nothing happens.
    with clock.frozen(MONDAY + 6 * DAY):
        assert publicity_windows_close() == 0
    w.case.refresh_from_db()
    assert w.case.state == CaseState.PUBLICITY
    before = w.case.promised_deadline
    with clock.frozen(MONDAY + 8 * DAY):
        assert publicity_windows_close() == 1
        assert publicity_windows_close() == 0  # twice is harmless
    w.case.refresh_from_db()
    notice.refresh_from_db()
    assert notice.state == NoticeState.CLOSED
    assert w.case.state == CaseState.IN_PROGRESS
    assert w.case.paused_workdays > 0 and w.case.promised_deadline > before
    with clock.frozen(MONDAY + 9 * DAY):
        finish_steps(w)
        case_services.case_conclude(actor=w.office.clerk, case=w.case, conclusion=Conclusion())
    w.case.refresh_from_db()
    assert w.case.state == CaseState.CONCLUDED
    actions = _actions(w.case)
    for action in ("publicity.objection.received", "publicity.objection.answered",
                   "cases.case.publicity_ended", "publicity.notice.closed"):  # fmt: skip
        assert action in actions
    # The objector's name and phone stay out of the audit chain.
    assert not AuditEntry.objects.filter(data__icontains="13912345678").exists()


def test_the_window_pushes_the_waiting_steps_deadline_like_a_special_procedure():
    w = world()
    step = w.case.steps.get(state="open")
    before = step.deadline.astimezone(clock.SHANGHAI)
    published(w)  # Monday 16 Nov; the window ends with Monday 23 Nov
    with clock.frozen(MONDAY + 8 * DAY):  # closed by the job on Tuesday 24 Nov
        publicity_windows_close()
    step.refresh_from_db()
    after = step.deadline.astimezone(clock.SHANGHAI)
    # 16 → 24 Nov is six working days (17–20, 23, 24): the step gets them back.
    assert after.date() == calendar().add_workdays(before.date(), 6).day
    assert after.time() == before.time()


def test_an_unanswered_objection_blocks_conclusion():
    w = world()
    notice = published(w)
    with clock.frozen(MONDAY + DAY):
        objection_submit(notice_id=notice.pk, text="异议")
    with clock.frozen(MONDAY + 8 * DAY):
        publicity_windows_close()
        finish_steps(w)
        with pytest.raises(ValidationFailed, match="未答复"):
            case_services.case_conclude(actor=w.office.clerk, case=w.case, conclusion=Conclusion())


def test_a_granted_case_without_its_required_publicity_cannot_be_concluded():
    w = world()
    with clock.frozen(MONDAY + DAY):
        finish_steps(w)
        with pytest.raises(ValidationFailed, match="须经批前公示"):
            case_services.case_conclude(actor=w.office.clerk, case=w.case, conclusion=Conclusion())


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\u200b\u200b", "\ufeff \u2800", "x" * 1001],
    ids=["empty", "spaces", "zero-width", "bom-and-braille-blank", "oversized"],
)
def test_bad_objections_are_refused_with_nothing_written(text):
    w = world()
    notice = published(w)
    before = AuditEntry.objects.count()
    with clock.frozen(MONDAY + DAY), pytest.raises(ValidationFailed):
        objection_submit(notice_id=notice.pk, text=text)
    assert Objection.objects.count() == 0 and AuditEntry.objects.count() == before


def test_a_bad_phone_is_refused():
    w = world()
    notice = published(w)
    with clock.frozen(MONDAY + DAY), pytest.raises(ValidationFailed, match="电话"):
        objection_submit(notice_id=notice.pk, text="异议", contact="12345")
    assert Objection.objects.count() == 0


def test_objections_after_the_window_are_refused_even_before_the_job_runs():
    w = world()
    notice = published(w)
    with (
        clock.frozen(notice.ends_at + dt.timedelta(seconds=1)),
        pytest.raises(InvalidTransition, match="公示期已结束"),
    ):
        objection_submit(notice_id=notice.pk, text="迟到的异议")
    assert Objection.objects.count() == 0


def test_a_located_approval_needs_its_district_and_a_point_inside_it():
    w = world()
    with clock.frozen(MONDAY), pytest.raises(ValidationFailed) as refused:
        publicity_start(
            actor=w.office.clerk, case=w.case,
            data=notice_input(district_code="", address="", longitude="", latitude=""),
        )  # fmt: skip
    assert "所在区县" in str(refused.value)
    with clock.frozen(MONDAY), pytest.raises(ValidationFailed, match="不在清源区范围内"):
        publicity_start(actor=w.office.clerk, case=w.case,
                        data=notice_input(longitude="120.15", latitude="29.65"))  # fmt: skip
    with clock.frozen(MONDAY), pytest.raises(ValidationFailed, match="填反"):
        publicity_start(actor=w.office.clerk, case=w.case,
                        data=notice_input(longitude="29.45", latitude="119.94"))  # fmt: skip
    assert PublicityNotice.objects.count() == 0
    w.case.refresh_from_db()
    assert w.case.state == CaseState.IN_PROGRESS


def test_only_the_cases_department_publishes_and_answers():
    w = world()
    stranger = org_factories.user("clerk", department=org_factories.department(code="099"))
    supervisor = org_factories.user("supervisor", in_region=org_factories.region())
    with clock.frozen(MONDAY), pytest.raises(Exception, match="不存在"):
        publicity_start(actor=stranger, case=w.case, data=notice_input())
    with clock.frozen(MONDAY), pytest.raises(PermissionDenied):
        publicity_start(actor=supervisor, case=w.case, data=notice_input())
    assert PublicityNotice.objects.count() == 0


def test_a_second_notice_for_the_same_case_is_refused():
    w = world()
    published(w)
    with clock.frozen(MONDAY), pytest.raises(InvalidTransition):
        publicity_start(actor=w.office.clerk, case=w.case, data=notice_input())
