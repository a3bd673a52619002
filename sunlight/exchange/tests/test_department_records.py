"""Pushed records of the department tables become the platform's own objects in the batch's
transaction: complaints → petitions, 督办 → orders, 监察异常 → alerts, statistics → the monthly
lines the public statistics read. Retried batches change nothing; later versions append; what
the platform cannot take is refused with the record, field and code, and nothing is written."""

import datetime as dt

import pytest

from sunlight.core import clock
from sunlight.core.errors import InvalidTransition, PermissionDenied
from sunlight.exchange.models import ExchangeRecord
from sunlight.exchange.services import exchange_ingest
from sunlight.exchange.tests import records
from sunlight.exchange.tests.test_cases_from_exchange import accept_step
from sunlight.feedback.choices import PetitionAction, PetitionChannel, PetitionKind, PetitionState
from sunlight.feedback.models import Petition, PetitionEvent
from sunlight.feedback.petitions import petition_reply
from sunlight.org.tests import factories as org
from sunlight.publication.statistics import Period, city_statistics
from sunlight.rollup.models import RolledUpStatistic
from sunlight.rollup.statistics import statistics_for_month
from sunlight.supervision.choices import AlertState, Level, OrderColour, OrderState
from sunlight.supervision.models import Alert, OrderEscalation, OrderReply, SupervisionOrder
from sunlight.supervision.orders import order_reply
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import enable_only

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=clock.SHANGHAI)
BASE = {"data_version": 1, "entered_at": "2026-11-20 09:00:00", "department_code": "011"}


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def city(exchange_city):
    """The housing bureau's system has pushed case ZJ-1 (received and accepted)."""
    for table, rows in (
        ("case_basic", [records.basic(exchange_city["item"].code, "ZJ-1")]),
        ("case_process", [accept_step(case_external_id="ZJ-1")]),
    ):
        assert push(exchange_city, table, rows).accepted
    return exchange_city


def push(city, table, rows):
    return exchange_ingest(source=city["source"], table=table, records=rows)


def refusal(result) -> set[tuple[str, str]]:
    assert not result.accepted
    return {(e["field"], e["code"]) for a in result.acks for e in a.errors}


def complaint(**changes):
    return BASE | {
        "external_id": "C-1", "case_external_id": "ZJ-1", "kind": "1", "channel": "1",
        "complainant_name": "李四", "complainant_phone": "13912345678",
        "content": "审查拖了很久，没有人告诉我进度", "received_at": "2026-11-16 09:00:00",
    } | changes  # fmt: skip


def order(**changes):
    return BASE | {
        "external_id": "O-1", "case_external_id": "ZJ-1", "level": "1",
        "issuer": "清源市纪委监委派驻组", "reason": "审查环节超时，请说明原因",
        "issued_at": "2026-11-16 09:00:00", "due_date": "2026-11-27",
    } | changes  # fmt: skip


def anomaly(**changes):
    return BASE | {
        "external_id": "A-1", "case_external_id": "ZJ-1", "kind": "1", "level": "2",
        "description": "审查环节超过时限", "detected_at": "2026-11-16 09:00:00",
    } | changes  # fmt: skip


def statistics(**changes):
    return BASE | {
        "external_id": "S-1", "period": "2026-10", "received": 120, "accepted": 110,
        "not_accepted": 5, "concluded": 100, "concluded_on_time": 96, "overdue": 4,
    } | changes  # fmt: skip


REPLIED = {"data_version": 2, "replied_at": "2026-11-18 15:00:00", "reply": "已督促，11月19日办结",
           "finding": "1"}  # fmt: skip


# ---------------------------------------------------------------- complaints → petitions


def test_a_pushed_complaint_is_a_petition_of_its_department_on_the_reply_clock(city):
    result = push(city, "complaint", [complaint()])

    assert result.accepted and result.acks[0].status == "written"
    petition = Petition.objects.get()
    assert petition.kind == PetitionKind.COMPLAINT
    assert petition.channel == PetitionChannel.EXCHANGE
    assert petition.department == city["housing"]
    assert petition.case.source_number == "housing-oa:ZJ-1"
    assert petition.power_item == city["item"]
    assert petition.source_name == "住建局审批系统"
    assert petition.state == PetitionState.HANDLING
    assert petition.received_at == dt.datetime(2026, 11, 16, 9, 0, tzinfo=clock.SHANGHAI)
    assert petition.due_date > dt.date(2026, 11, 16)  # 15 working days from receipt
    actions = list(petition.events.values_list("action", flat=True))
    assert actions == [PetitionAction.SUBMITTED, PetitionAction.SIGNED]


def test_a_resent_complaint_batch_changes_nothing(city):
    push(city, "complaint", [complaint()])

    again = push(city, "complaint", [complaint()])

    assert again.accepted and again.acks[0].status == "unchanged"
    assert Petition.objects.count() == 1 and PetitionEvent.objects.count() == 2


def test_a_later_version_appends_the_reply_and_its_correction_to_the_timeline(city):
    push(city, "complaint", [complaint()])
    first_events = list(PetitionEvent.objects.values_list("pk", "action", "note"))

    push(city, "complaint", [complaint(**REPLIED)])
    petition = Petition.objects.get()
    assert petition.state == PetitionState.REPLIED
    assert petition.reply == "已督促，11月19日办结" and petition.upheld is True

    push(city, "complaint", [complaint(**REPLIED | {"data_version": 3, "finding": "3",
                                                    "reply": "经核查，已按期办理"})])  # fmt: skip
    petition.refresh_from_db()
    assert petition.reply == "经核查，已按期办理" and petition.upheld is False
    events = list(PetitionEvent.objects.values_list("pk", "action", "note"))
    assert events[:2] == first_events  # never rewritten
    assert [e[1] for e in events[2:]] == [PetitionAction.REPLIED, PetitionAction.REPLIED]
    assert events[3][2].startswith("答复更正（数据版本 3）")


def test_consultations_and_suggestions_are_consultations(city):
    push(city, "complaint", [
        complaint(external_id="Q-1", kind="2", content="物业资质怎么办？"),
        complaint(external_id="Q-2", kind="3", content="建议网上公示进度"),
    ])  # fmt: skip

    kinds = dict(Petition.objects.values_list("content", "kind"))
    assert kinds == {
        "物业资质怎么办？": PetitionKind.CONSULTATION,
        "【建议】建议网上公示进度": PetitionKind.CONSULTATION,
    }


def test_an_unanswered_pushed_complaint_trips_petition_overdue(city):
    enable_only("petition-overdue")
    push(city, "complaint", [complaint(received_at="2026-10-09 09:00:00")])

    scan_run(full=True)

    alert = Alert.objects.get(rule__code="petition-overdue")
    assert alert.subject == f"petition:{Petition.objects.get().pk}"


def test_staff_do_not_answer_a_petition_its_system_answers(city):
    push(city, "complaint", [complaint()])
    petition = Petition.objects.get()

    with pytest.raises(PermissionDenied, match="住建局审批系统"):
        petition_reply(actor=city["clerk"], petition=petition, reply="好的", upheld=True,
                       expected_revision=petition.revision)  # fmt: skip


def test_a_reply_cannot_be_withdrawn_and_the_batch_writes_nothing(city):
    push(city, "complaint", [complaint(**REPLIED)])
    events = PetitionEvent.objects.count()

    result = push(city, "complaint", [complaint(external_id="C-2"),
                                      complaint(data_version=3)])  # fmt: skip

    assert refusal(result) == {("replied_at", "reply_withdrawn")}
    assert result.acks[1].status == "rejected" and result.acks[0].status == "not_written"
    assert Petition.objects.count() == 1 and PetitionEvent.objects.count() == events
    assert ExchangeRecord.objects.get(external_id="C-1").data_version == 2
    assert not ExchangeRecord.objects.filter(external_id="C-2").exists()


def test_a_complaints_kind_cannot_change(city):
    push(city, "complaint", [complaint()])

    result = push(city, "complaint", [complaint(data_version=2, kind="2")])

    assert refusal(result) == {("kind", "kind_changed")}


def test_a_replied_complaint_needs_its_finding(city):
    result = push(city, "complaint", [complaint(**REPLIED | {"finding": None})])

    assert refusal(result) == {("finding", "required")}
    assert not Petition.objects.exists()


# ---------------------------------------------------------------- 督办 → orders


def test_a_pushed_order_is_a_supervision_order_against_the_bridged_case(city):
    result = push(city, "supervision_order", [order()])

    assert result.accepted
    pushed = SupervisionOrder.objects.get()
    assert pushed.case.source_number == "housing-oa:ZJ-1"
    assert pushed.department == city["housing"]
    assert (pushed.issued_by, pushed.issuer_name) == (None, "清源市纪委监委派驻组")
    assert pushed.source_name == "住建局审批系统"
    assert (pushed.colour, pushed.state) == (OrderColour.BLUE, OrderState.ISSUED)
    assert pushed.reply_due == dt.date(2026, 11, 27)
    assert push(city, "supervision_order", [order()]).acks[0].status == "unchanged"
    assert SupervisionOrder.objects.count() == 1


def test_later_versions_append_the_reply_and_the_escalation(city):
    push(city, "supervision_order", [order()])

    push(city, "supervision_order", [order(data_version=2, level="3", due_date="2026-11-24")])
    replied = {"replied_at": "2026-11-19 09:00:00", "reply": "已办结"}
    push(city, "supervision_order", [order(data_version=3, level="3", due_date="2026-11-24",
                                           **replied)])  # fmt: skip

    pushed = SupervisionOrder.objects.get()
    assert (pushed.colour, pushed.state) == (OrderColour.RED, OrderState.REPLIED)
    escalation = OrderEscalation.objects.get()
    assert (escalation.from_colour, escalation.to_colour) == (OrderColour.BLUE, OrderColour.RED)
    assert escalation.previous_due == dt.date(2026, 11, 27)
    assert list(OrderReply.objects.values_list("explanation", flat=True)) == ["已办结"]


def test_a_pushed_order_past_its_deadline_trips_order_overdue(city):
    enable_only("order-overdue")
    push(city, "supervision_order", [order(due_date="2026-11-18")])

    scan_run(full=True)

    assert Alert.objects.get(rule__code="order-overdue").order == SupervisionOrder.objects.get()


def test_the_department_answers_a_pushed_order_in_its_own_system(city):
    push(city, "supervision_order", [order()])
    approver = org.user("approver", department=city["housing"])

    with pytest.raises(InvalidTransition, match="源系统"):
        order_reply(actor=approver, order=SupervisionOrder.objects.get(), explanation="说明")


def test_an_orders_reply_cannot_be_withdrawn(city):
    push(city, "supervision_order", [order(replied_at="2026-11-17 09:00:00", reply="已说明")])

    result = push(city, "supervision_order", [order(data_version=2)])

    assert refusal(result) == {("replied_at", "reply_withdrawn")}
    assert SupervisionOrder.objects.get().state == OrderState.REPLIED


# ---------------------------------------------------------------- 监察异常 → alerts


def test_a_reported_anomaly_is_an_alert_naming_its_source_until_resolved(city):
    enable_only("reported-anomaly", "case-red")
    push(city, "supervision_anomaly", [anomaly()])

    alert = Alert.objects.get(rule__code="reported-anomaly")
    assert alert.detail.startswith("住建局审批系统报送（超期办理）")
    assert (alert.level, alert.state) == (Level.YELLOW, AlertState.RAISED)
    assert alert.case.source_number == "housing-oa:ZJ-1"
    assert alert.tripped_at == dt.datetime(2026, 11, 16, 9, 0, tzinfo=clock.SHANGHAI)

    scan_run(full=True)  # scans neither find nor clear reported anomalies
    push(city, "supervision_anomaly", [anomaly()])  # a retry
    assert Alert.objects.filter(rule__code="reported-anomaly").count() == 1
    assert Alert.objects.get(pk=alert.pk).state == AlertState.RAISED

    push(city, "supervision_anomaly", [anomaly(data_version=2, resolved_at="2026-11-18 09:00:00",
                                               resolution="已补办")])  # fmt: skip
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED
    assert alert.close_reason == "住建局审批系统报送处理完毕：已补办"
    assert Alert.objects.filter(rule__code="reported-anomaly").count() == 1  # kept


def test_with_the_rule_switched_off_an_anomaly_is_kept_but_raises_nothing(city):
    enable_only("case-red")

    assert push(city, "supervision_anomaly", [anomaly(level="3")]).accepted
    assert not Alert.objects.filter(rule__code="reported-anomaly").exists()


def test_an_anomaly_of_a_case_of_another_department_is_refused(city, exchange_city):
    other = org.department(code="013", name="清源市城市管理局")
    city["source"].departments.add(other)

    result = push(city, "supervision_anomaly", [anomaly(department_code="013")])

    assert refusal(result) == {("case_external_id", "case_department")}


# ---------------------------------------------------------------- statistics


def test_a_months_statistics_are_a_line_the_public_statistics_show(city):
    push(city, "statistics", [statistics()])

    line = RolledUpStatistic.objects.get()
    assert (line.reported_by, line.department, line.via) == (city["source"], city["housing"], None)
    assert (line.month, line.concluded, line.on_time, line.late) == (dt.date(2026, 10, 1), 100,
                                                                     96, 4)  # fmt: skip
    shown = city_statistics(period=Period("month", 2026, 10))
    row = next(r for r in shown.rows if r.key == city["housing"].pk)
    assert (row.received, row.concluded, row.reported_by) == (120, 100, "住建局审批系统")
    assert shown.total.received == 120
    sent_up = [line for line in statistics_for_month(month=dt.date(2026, 10, 1))
               if line["department_code"] == "011"]  # fmt: skip
    assert [line["received"] for line in sent_up] == [120]


def test_a_corrected_month_replaces_the_line(city):
    push(city, "statistics", [statistics()])

    push(city, "statistics", [statistics(data_version=2, received=130)])

    assert list(RolledUpStatistic.objects.values_list("received", flat=True)) == [130]


def test_a_departments_own_cases_on_the_platform_win_over_reported_figures(city):
    push(city, "statistics", [statistics(period="2026-11")])

    shown = city_statistics(period=Period("month", 2026, 11))

    row = next(r for r in shown.rows if r.key == city["housing"].pk)
    assert (row.received, row.reported_by) == (1, "")  # ZJ-1, received in November


def test_quarterly_figures_stay_exchange_records(city):
    assert push(city, "statistics", [statistics(period="2026-Q3")]).accepted

    assert not RolledUpStatistic.objects.exists()


def test_the_staff_page_shows_the_source_and_offers_no_handling(city, client):
    push(city, "complaint", [complaint()])
    petition = Petition.objects.get()
    client.force_login(city["clerk"])

    page = client.get(f"/staff/feedback/petitions/{petition.number}/").content.decode()

    assert "住建局审批系统（由该系统受理和答复，本平台不办理）" in page
    assert "提交答复" not in page and "签收</button>" not in page
