"""Demo step: three months of supervision orders (督办) before the demo's "now".

jw_supervisor issues orders on the city's red alerts (raised by the scan in an earlier step; when
there are none, on cases that ran past their promised deadline). Most departments reply in time
and are accepted; some replies are sent back and answered again; some departments miss the
deadline and their orders climb to orange and red; orders of the last days are still open.

Everything goes through the real services with the clock frozen at each moment, played in time
order, with the escalation job run once a day (just after midnight, as the worker would) — so
the timelines, the audit chain and the notifications read as they would have happened.
Deterministic: every draw comes from a Random seeded by the demo seed.
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F, Q

from sunlight.cases.choices import OPEN_STATES
from sunlight.cases.models import Case
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.demo import city, timeline
from sunlight.demo.documents import pdf_upload
from sunlight.org.calendar_selectors import work_calendar
from sunlight.org.choices import Role
from sunlight.org.models import User
from sunlight.supervision import orders
from sunlight.supervision.choices import AlertState, Level, OrderState
from sunlight.supervision.models import Alert, SupervisionOrder
from sunlight.supervision.orders_ladder import orders_escalate

SUPERVISOR = "jw_supervisor"
HISTORY_DAYS = 95
TARGET = 40
REPLY_DAYS = 5  # working days given by a blue order
# How a department behaves: (name, weight). "slow" misses the blue deadline (orange), "late"
# misses the orange one too (red), "silent" never answers.
BEHAVIOURS = [
    ("prompt", 46),
    ("returned", 16),
    ("slow", 15),
    ("late", 9),
    ("silent", 8),
    ("withdrawn", 3),
]

SUGGESTIONS = [
    "请于期限内书面说明超期原因，明确责任人，并提出整改措施。",
    "请核实该件办理情况，说明是否存在体外循环、事后补录等问题，并报送整改情况。",
    "请立即组织办理，说明延误原因及对申请人的告知情况，举一反三排查同类问题。",
    "请说明未按承诺时限办结的原因，已造成影响的，提出补救措施并追究相关人员责任。",
]
EXPLANATIONS = [
    "经核查，该件因承办人员请假交接不及时导致超期，现已办结并向申请人致歉。",
    "经核查，该件需现场核查，因申请人原因多次改期，未及时办理特别程序登记，导致系统显示超期。",
    "经核查，该件系业务量集中导致积压，承办科室已加派人员，现已办理完毕。",
    "经核查，系统录入时间晚于实际办理时间，属事后补录，已对承办人进行批评教育。",
    "经核查，该件因部门间征求意见时间较长未按期办结，已协调相关部门加快办理。",
]
MEASURES = [
    "一、对承办人员进行约谈提醒；二、建立办件到期前两个工作日提醒机制；三、每周通报超期件。",
    "一、规范特别程序登记；二、科室负责人每日查看预警；三、纳入月度绩效考核。",
    "一、严格执行网上全流程办理，杜绝事后补录；二、开展专项自查，报送自查报告。",
    "一、优化审批流程，压缩环节时限；二、明确AB岗，避免请假导致积压。",
]
RETURN_OPINIONS = [
    "回复未说明责任人及处理意见，请补充后重新回复。",
    "整改措施不具体，请明确完成时限和责任科室。",
    "情况说明与系统记录不符，请进一步核实后重新回复。",
]
ACCEPT_OPINIONS = [
    "经审核，回复情况属实，整改措施到位，同意办结。",
    "回复基本属实，请部门持续落实整改措施，同意办结。",
    "经核实，超期原因属实，已整改到位，督办办结。",
]
LATE_ACCEPT = "部门未按期回复，经升级督办后回复。回复情况基本属实，对逾期回复予以通报，督办办结。"
WITHDRAW_REASONS = ["经核实，该件已依法中止审查，超期预警属误判，撤回督办。"]


@dataclass
class _Plan:
    """One order to be: what it is about, when it is issued and how the department behaves."""

    key: int
    department: Any
    approver: User
    subject: str
    issued_at: dt.datetime
    behaviour: str
    urgent: bool
    alert: Alert | None = None
    case: Case | None = None
    number: str = ""
    events: list[tuple[dt.datetime, str]] = field(default_factory=list)


def orders_ready(seed: int) -> bool:
    return SupervisionOrder.objects.filter(region_code__startswith=city.CITY_CODE[:4]).exists()


def orders_build(seed: int) -> str:
    rng = random.Random(f"{seed}-supervision-orders")
    supervisor = User.objects.get(username=SUPERVISOR)
    plans = _plans(rng)
    if not plans:
        return "没有可督办的红灯预警或超期办件"
    now = timeline.now()
    events = sorted((at, plan.key, kind) for plan in plans for at, kind in plan.events if at < now)
    by_key = {plan.key: plan for plan in plans}
    ladder_day = min(plan.issued_at for plan in plans).astimezone(SHANGHAI).date()
    for at, key, kind in events:
        ladder_day = _climb_until(ladder_day, at.astimezone(SHANGHAI).date())
        with clock.frozen(at):
            _play(rng, supervisor, by_key[key], kind)
    _climb_until(ladder_day, now.astimezone(SHANGHAI).date())
    return _summary(plans)


def _climb_until(last: dt.date, day: dt.date) -> dt.date:
    """Run the escalation job once for every day after `last` up to `day`, at 00:10."""
    while last < day:
        last += dt.timedelta(days=1)
        with clock.frozen(dt.datetime.combine(last, dt.time(0, 10), tzinfo=SHANGHAI)):
            orders_escalate(today=last)
    return last


# ---------------------------------------------------------------- the plan


def _approvers() -> dict[int, User]:
    heads = User.objects.filter(
        role=Role.APPROVER, is_active=True, department__region__code__startswith=city.CITY_CODE[:4]
    ).order_by("username")
    found: dict[int, User] = {}
    for user in heads:
        found.setdefault(user.department_id, user)
    return found


def _plans(rng: random.Random) -> list[_Plan]:
    now = timeline.now()
    since = now - dt.timedelta(days=HISTORY_DAYS)
    latest = now - dt.timedelta(days=2)
    approvers = _approvers()
    subjects: list[tuple[dt.datetime, Any, Alert | None, Case | None, str]] = []
    alerts = (
        Alert.objects.filter(
            level=Level.RED,
            region_code__startswith=city.CITY_CODE[:4],
            tripped_at__gte=since,
            tripped_at__lt=latest,
            department_id__in=list(approvers),
        )
        .exclude(state=AlertState.CANCELLED)
        .select_related("rule", "department", "case")
        .order_by("tripped_at", "id")
    )
    for alert in _spread(rng, list(alerts), TARGET):
        text = f"{alert.get_level_display()}：{alert.rule.name}"
        if alert.detail:
            text += f"（{alert.detail}）"
        case = alert.case
        if case is not None and case.department_id != alert.department_id:
            case = None
        subjects.append((alert.tripped_at, alert.department, alert, case, text))
    if not subjects:  # the scan step raised no red light in the period: take late cases
        for case in _spread(rng, list(_overdue_cases(since, latest, approvers)), TARGET):
            due = dt.datetime.combine(case.promised_deadline, dt.time(18), tzinfo=SHANGHAI)
            text = f"办件超过承诺期限：{case.title}"
            subjects.append((due, case.department, None, case, text))
            if len(subjects) >= TARGET:
                break
    plans = []
    for key, (tripped, department, alert, case, text) in enumerate(sorted(subjects, key=_when)):
        issued_at = _office_moment(rng, tripped.astimezone(SHANGHAI).date(), rng.randint(1, 3))
        if issued_at >= latest:
            continue
        behaviour = rng.choices([b for b, _ in BEHAVIOURS], [w for _, w in BEHAVIOURS])[0]
        plan = _Plan(key, department, approvers[department.pk], text[:200], issued_at,
                     behaviour, urgent=rng.random() < 0.1, alert=alert, case=case)  # fmt: skip
        plan.events = _events(rng, plan)
        plans.append(plan)
    return plans


def _when(subject: tuple[Any, ...]) -> Any:
    return subject[0]


def _spread(rng: random.Random, rows: list[Any], wanted: int) -> list[Any]:
    """Up to `wanted` rows, at most three per department, in the rows' order."""
    rng.shuffle(rows)
    per_department: dict[int, int] = {}
    chosen = []
    for row in rows:
        if per_department.get(row.department_id, 0) >= 3:
            continue
        per_department[row.department_id] = per_department.get(row.department_id, 0) + 1
        chosen.append(row)
        if len(chosen) >= wanted:
            break
    return chosen


def _overdue_cases(since: dt.datetime, latest: dt.datetime, approvers: dict[int, User]) -> Any:
    late = Q(state__in=OPEN_STATES) | Q(concluded_at__date__gt=F("promised_deadline"))
    return (
        Case.objects.filter(
            late,
            department__region__code__startswith=city.CITY_CODE[:4],
            department_id__in=list(approvers),
            promised_deadline__gte=since.date(),
            promised_deadline__lt=latest.date(),
            joint_parent__isnull=True,
        )
        .select_related("department")
        .order_by("promised_deadline", "id")[:400]
    )


def _office_moment(rng: random.Random, day: dt.date, workdays: int) -> dt.datetime:
    target = work_calendar().add_workdays(day, workdays).day
    return dt.datetime.combine(
        target, dt.time(rng.randint(9, 16), rng.randrange(0, 60, 5)), tzinfo=SHANGHAI
    )


def _events(rng: random.Random, plan: _Plan) -> list[tuple[dt.datetime, str]]:
    """The order's story as (moment, kind), each a working day or more after the one before."""
    day = plan.issued_at.astimezone(SHANGHAI).date()

    def after(low: int, high: int) -> dt.datetime:
        nonlocal day
        moment = _office_moment(rng, day, rng.randint(low, high))
        day = moment.date()
        return moment

    events = [(plan.issued_at, "issue")]
    story = {
        # Blue deadline 5 working days; orange gives 5 more, red 3 (orders_ladder.LADDER_DAYS).
        "prompt": [((1, 4), "reply"), ((1, 2), "accept")],
        "returned": [((2, 4), "reply"), ((1, 2), "return"), ((1, 3), "reply"),
                     ((1, 2), "accept")],
        "slow": [((6, 9), "reply"), ((1, 2), "accept_late")],
        "late": [((12, 13), "reply"), ((1, 3), "accept_late")],
        "silent": [],
        "withdrawn": [((1, 3), "withdraw")],
    }[plan.behaviour]  # fmt: skip
    if plan.urgent and plan.behaviour == "late":
        story = [((6, 7), "reply"), ((1, 2), "accept_late")]  # orange → red sooner
    for (low, high), kind in story:
        events.append((after(low, high), kind))
    return events


# ---------------------------------------------------------------- playing it


def _play(rng: random.Random, supervisor: User, plan: _Plan, kind: str) -> None:
    if kind == "issue":
        due = work_calendar().add_workdays(clock.today_local(), REPLY_DAYS).day
        order = orders.order_issue(
            actor=supervisor,
            department=plan.department,
            subject=plan.subject,
            suggestion=rng.choice(SUGGESTIONS),
            reply_due=due,
            alert=plan.alert,
            case=plan.case,
            urgent=plan.urgent,
        )
        plan.number = order.number
        return
    order = SupervisionOrder.objects.select_related("department").get(number=plan.number)
    if kind == "reply":
        files = [_report_pdf(order.number)] if rng.random() < 0.6 else []
        orders.order_reply(
            actor=plan.approver,
            order=order,
            explanation=rng.choice(EXPLANATIONS),
            measures=rng.choice(MEASURES),
            files=files,
        )
    elif kind == "return":
        due = work_calendar().add_workdays(clock.today_local(), 3).day
        orders.order_return(
            actor=supervisor, order=order, opinion=rng.choice(RETURN_OPINIONS), reply_due=due
        )
    elif kind in ("accept", "accept_late"):
        late = kind == "accept_late"
        orders.order_accept(
            actor=supervisor,
            order=order,
            truthful=True,
            objective=not late or rng.random() < 0.5,
            opinion=LATE_ACCEPT if late else rng.choice(ACCEPT_OPINIONS),
        )
    elif kind == "withdraw":
        orders.order_withdraw(actor=supervisor, order=order, reason=rng.choice(WITHDRAW_REASONS))


def _report_pdf(number: str) -> SimpleUploadedFile:
    """A small, valid one-page PDF standing in for the department's written report."""
    return pdf_upload("整改情况报告.pdf", f"Rectification report for supervision order {number}")


def _summary(plans: list[_Plan]) -> str:
    numbers = [plan.number for plan in plans if plan.number]
    rows = SupervisionOrder.objects.filter(number__in=numbers)
    by_colour = {c: rows.filter(colour=c).count() for c in ("blue", "orange", "red")}
    by_state = {s: rows.filter(state=s).count() for s in OrderState.values}
    return (
        f"{len(numbers)} 张督办单（蓝 {by_colour['blue']}、橙 {by_colour['orange']}、"
        f"红 {by_colour['red']}；已办结 {by_state[OrderState.ACCEPTED]}，"
        f"待回复 {by_state[OrderState.ISSUED] + by_state[OrderState.RETURNED]}，"
        f"待审核 {by_state[OrderState.REPLIED]}，已撤回 {by_state[OrderState.WITHDRAWN]}）"
    )
