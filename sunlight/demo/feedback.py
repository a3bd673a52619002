"""Demo step: the public's answers over the two months before the demo's "now" — 好差评 on cases
accepted and concluded in that time (most good, a few bad ones with their follow-ups, some
rectified, some still open, a few past their 15 working days), consultations and complaints
(online, some complaints proven by SMS code, others registered by the 12345 operator), handled
by the departments — most answered in time, some late, a few still unanswered past their
deadline — with an upheld complaint turned into a 督办 order, and the public board.

Everything goes through the feedback services with the clock frozen at each moment, played in
time order; then the two supervision rules are switched on and scanned at "now", and the
months' department scores are recomputed so that 满意度 and 服务态度 count the ratings.
Deterministic: every draw comes from a Random seeded by the demo seed."""

import datetime as dt
import heapq
import random
import re
from collections.abc import Callable
from typing import Any

from sunlight.cases.choices import CaseState
from sunlight.cases.models import Case
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.demo import applicants, city
from sunlight.demo import timeline as demo_time  # the demo's "now", read when used
from sunlight.feedback import petitions, ratings
from sunlight.feedback.choices import PetitionKind
from sunlight.feedback.models import FollowUp, Petition, Rating
from sunlight.feedback.petitions import PetitionInput
from sunlight.notifications.models import OutboxMessage
from sunlight.org import services as org_services
from sunlight.org.models import Department, User

HISTORY_DAYS = 60
HOTLINE = "rx_12345"
SUPERVISOR = "jw_supervisor"
MAX_RATINGS = 1500
RATE_ACCEPTED, RATE_CONCLUDED = 0.25, 0.35  # share of applicants who rate each stage
LEVELS = [("1", 62), ("2", 24), ("3", 8), ("4", 4), ("5", 2)]  # 非常满意 … 非常不满意
GOOD_COMMENTS = [
    "窗口工作人员耐心细致，一次就办好了。", "网上申请很方便，不用跑腿。",
    "比承诺的时间提前办完，点赞！", "材料一次性告知，很清楚。",
    "工作人员主动打电话提醒补充材料，服务很好。",
]  # fmt: skip
BAD_COMMENTS = [
    "材料要求前后说法不一，跑了三趟。", "电话一直打不通，进度也查不到。",
    "窗口人员态度生硬，不愿解释。", "等了很久才受理，排队时间太长。",
    "办结后通知不及时，耽误了我的事。",
]  # fmt: skip
CONSULTATIONS = [
    ("办理需要哪些材料", "请问办理{power}需要准备哪些材料？复印件需要盖章吗？"),
    ("能否网上办理", "{power}能不能在网上申请？需要到窗口核验原件吗？"),
    ("办理时限咨询", "我上周提交了{power}的申请，一般多久能办好？"),
    ("收费标准咨询", "{power}是否收费？收费依据是什么？"),
]
COMPLAINTS = [
    ("窗口人员态度差", "在{dept}窗口办理业务时，工作人员态度生硬，对材料要求解释不清。"),
    ("超时未办结", "我的申请已超过承诺时限，{dept}一直没有答复，电话也无人接听。"),
    ("要求提供额外材料", "{dept}要求提供办事指南上没有列出的证明材料，来回跑了多次。"),
]
REPLIES = [
    "您好，经核实，您反映的问题已转交相关科室处理，具体如下：{detail}如有疑问请致电本部门咨询电话。",
]
DETAILS = [
    "所需材料以办事指南公布的清单为准，复印件无需盖章。",
    "该事项已开通网上申请，原件在领取结果时核验。",
    "承诺时限为受理后的工作日，您可凭办件编号和查询码查询进度。",
    "经查属实，已对相关工作人员批评教育，并优化了窗口服务流程。",
    "经查，该件因需现场核查暂停计时，已向您说明情况。",
]


class _Timeline:
    """Events played in time order; an event may schedule later ones (a reply after a
    submission), so the audit chain and every timeline read as they would have happened."""

    def __init__(self) -> None:
        self._queue: list[tuple[dt.datetime, int, Callable[[], None]]] = []
        self._count = 0

    def at(self, moment: dt.datetime, action: Callable[[], None]) -> None:
        if moment < demo_time.now():
            self._count += 1
            heapq.heappush(self._queue, (moment, self._count, action))

    def play(self) -> None:
        while self._queue:
            moment, _, action = heapq.heappop(self._queue)
            with clock.frozen(moment):
                action()


def feedback_ready(seed: int) -> bool:
    return Rating.objects.filter(region_code__startswith=city.CITY_CODE[:4]).exists()


def feedback_build(seed: int) -> str:
    from sunlight.feedback import petitions

    rng = random.Random(f"{seed}:feedback")
    start = demo_time.now() - dt.timedelta(days=HISTORY_DAYS)
    hotline = _hotline_operator()
    supervisor = User.objects.get(username=SUPERVISOR)
    timeline = _Timeline()
    _rating_events(rng, start, timeline)
    _petition_events(rng, start, hotline, supervisor, timeline)
    numbers = random.Random(f"{seed}:petition-numbers")
    petitions.number_digits = lambda: numbers.randrange(10**6)  # the same numbers every seed
    try:
        timeline.play()
    finally:
        petitions.number_digits = petitions.system_digits
    scanned = _scan(supervisor)
    _rescore()
    return _summary(scanned)


def _hotline_operator() -> User:
    found = User.objects.filter(username=HOTLINE).first()
    if found is not None:
        return found
    from django.contrib.auth.hashers import make_password

    with clock.frozen(demo_time.now() - dt.timedelta(days=HISTORY_DAYS + 1)):
        return org_services.user_create(
            actor=None, username=HOTLINE, full_name="12345热线话务员", role="hotline",
            password_hash=make_password(city.DEMO_PASSWORD),
        )  # fmt: skip


def _level(rng: random.Random) -> str:
    return rng.choices([code for code, _ in LEVELS], weights=[w for _, w in LEVELS])[0]


def _comment(rng: random.Random, level: str) -> str:
    if level in ("4", "5"):
        return rng.choice(BAD_COMMENTS)
    return rng.choice(GOOD_COMMENTS) if rng.random() < 0.3 else ""


def _rating_events(rng: random.Random, start: dt.datetime, timeline: _Timeline) -> None:
    recent = Case.objects.filter(accepted_at__gte=start, accepted_at__lt=demo_time.now()).order_by(
        "id"
    )
    planned = 0
    for case in recent.only("id", "accepted_at", "concluded_at", "state").iterator():
        if planned >= MAX_RATINGS:
            break
        if rng.random() < RATE_ACCEPTED:
            at = case.accepted_at + dt.timedelta(minutes=rng.randint(20, 2 * 24 * 60))
            timeline.at(at, _rate(case.pk, "accepted", rng, timeline))
            planned += 1
        if (
            case.state == CaseState.CONCLUDED
            and case.concluded_at is not None
            and rng.random() < RATE_CONCLUDED
        ):
            at = case.concluded_at + dt.timedelta(minutes=rng.randint(30, 3 * 24 * 60))
            timeline.at(at, _rate(case.pk, "concluded", rng, timeline))
            planned += 1


def _rate(case_id: int, stage: str, rng: random.Random, timeline: _Timeline) -> Any:
    level = _level(rng)
    comment = _comment(rng, level)
    channel = rng.choice(["sms", "sms", "web"])
    fate = rng.random()

    def run() -> None:
        case = Case.objects.get(pk=case_id)
        if not ratings.stage_reached(case, stage):
            return
        rating = ratings.rating_submit(
            case=case, stage=stage, level=level, comment=comment, channel=channel
        )
        if rating.is_bad:
            _follow_up_handled(rng, rating.follow_up, fate, timeline)

    return run


def _follow_up_handled(
    rng: random.Random, follow_up: FollowUp, fate: float, timeline: _Timeline
) -> None:
    """Departments verify and rectify most bad ratings within their 15 working days; some are
    still being worked on; a few are left untouched (late once their days have run)."""
    head = (
        User.objects.filter(department=follow_up.department_id, role="approver")
        .order_by("id")
        .first()
    )
    if head is None or fate < 0.12:
        return
    verified = follow_up.opened_at + dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 6))
    closed = verified + dt.timedelta(days=rng.randint(2, 12))
    finding, measures = rng.choice(DETAILS), rng.choice(DETAILS)
    outcome = "rectified" if rng.random() < 0.75 else "unfounded"

    def verify() -> None:
        ratings.followup_verify(actor=head, follow_up=follow_up, finding=finding,
                                expected_revision=follow_up.revision)  # fmt: skip

    def close() -> None:
        ratings.followup_close(actor=head, follow_up=follow_up, outcome=outcome,
                               measures=measures, expected_revision=follow_up.revision)  # fmt: skip

    timeline.at(verified, verify)
    if fate >= 0.25:
        timeline.at(closed, close)


def _petition_events(
    rng: random.Random, start: dt.datetime, hotline: User, supervisor: User, timeline: _Timeline
) -> None:
    departments = list(
        Department.objects.filter(
            region__code__startswith=city.CITY_CODE[:4], is_supervision_office=False
        ).order_by("id")
    )
    cases = list(Case.objects.filter(accepted_at__gte=start, accepted_at__lt=demo_time.now())
                 .order_by("id").values_list("id", flat=True)[:2000])  # fmt: skip
    if not departments:
        return
    span = int((demo_time.now() - start).total_seconds())
    for index in range(110):
        at = start + dt.timedelta(seconds=rng.randint(0, span))
        if not 8 <= at.astimezone(SHANGHAI).hour < 20:
            at = at.replace(hour=2)  # 10:00 in Shanghai
        kind = PetitionKind.COMPLAINT if index % 4 == 0 else PetitionKind.CONSULTATION
        timeline.at(at, _petition(rng, kind, departments, cases, hotline, supervisor, timeline))


def _petition(
    rng: random.Random, kind: str, departments: list[Department], case_ids: list[int],
    hotline: User, supervisor: User, timeline: _Timeline,
) -> Any:  # fmt: skip
    department = rng.choice(departments)
    case_id = rng.choice(case_ids) if case_ids and rng.random() < 0.4 else None
    channel = "hotline" if kind == PetitionKind.COMPLAINT and rng.random() < 0.6 else "online"
    if kind == PetitionKind.CONSULTATION and rng.random() < 0.2:
        channel = "hotline"
    phone = applicants.mobile(rng)
    anonymous = kind == PetitionKind.CONSULTATION and rng.random() < 0.4
    name = "" if anonymous else applicants.person_name(rng)
    id_number = "" if anonymous else applicants.resident_id(rng)
    consent = rng.random() < 0.6
    # How the department answers: (delay in working days as a share of the limit, or None).
    fate = rng.random()
    upheld = rng.random() < 0.35
    ordered = kind == PetitionKind.COMPLAINT and upheld and rng.random() < 0.3

    def run() -> None:
        case = Case.objects.select_related("department", "power_version").get(pk=case_id) \
            if case_id else None  # fmt: skip
        dept = case.department if case else department
        power = case.power_version.name if case else "营业执照"
        template = rng.choice(COMPLAINTS if kind == PetitionKind.COMPLAINT else CONSULTATIONS)
        data = PetitionInput(
            kind=kind, about="case" if case else "department", department_id=dept.pk,
            title=template[0], content=template[1].format(power=power, dept=dept.name),
            name=name, id_number=id_number, phone=phone if not anonymous or fate < 0.5 else "",
            case_number=case.number if case else "", case_query_code=case.query_code if case
            else "", publish_consent=consent,
        )  # fmt: skip
        if channel == "hotline":
            petition = petitions.petition_submit(data=data, channel="hotline", actor=hotline,
                                                 case=case)  # fmt: skip
        elif kind == PetitionKind.COMPLAINT:
            petitions.phone_code_send(phone=phone, client="203.0.113.7")
            petition = petitions.petition_submit(data=data, phone_code=_code_sent_to(phone))
        else:
            petition = petitions.petition_submit(data=data)
        _answer(rng, petition, fate, upheld, ordered, supervisor, timeline)

    return run


def _code_sent_to(phone: str) -> str:
    """The code as the petitioner reads it on their phone (the outbox row just written)."""
    body = (
        OutboxMessage.objects.filter(address=phone)
        .order_by("-id")
        .values_list("body", flat=True)[0]
    )
    found = re.search(r"验证码为(\d{6})", body)
    return found.group(1) if found else ""


def _answer(
    rng: random.Random, petition: Petition, fate: float, upheld: bool, ordered: bool,
    supervisor: User, timeline: _Timeline,
) -> None:  # fmt: skip
    """Schedule the department's signing, reply and closing (most in time, some late, a few
    never), and for some upheld complaints the supervisor's order."""
    staff = list(
        User.objects.filter(
            department=petition.department_id, role__in=("clerk", "approver")
        ).order_by("role", "id")
    )
    if not staff or fate < 0.06:  # never touched: late once the deadline passes
        return
    clerk, head = staff[0], staff[-1]
    received = clock.now()
    limit_days = (petition.due_date - received.astimezone(SHANGHAI).date()).days
    signed = received + dt.timedelta(hours=rng.randint(2, 40))
    if fate < 0.14:  # answered late
        replied = dt.datetime.combine(
            petition.due_date + dt.timedelta(days=rng.randint(1, 6)), dt.time(15), SHANGHAI
        )
    else:
        replied = signed + dt.timedelta(days=rng.uniform(0.2, max(limit_days - 2, 1)))
    closed = replied + dt.timedelta(days=rng.randint(1, 3))
    reply = REPLIES[0].format(detail=rng.choice(DETAILS))

    def sign() -> None:
        petitions.petition_sign(actor=clerk, petition=petition,
                                expected_revision=petition.revision)  # fmt: skip

    def answer() -> None:
        petitions.petition_reply(
            actor=head, petition=petition, reply=reply,
            upheld=upheld if petition.kind == PetitionKind.COMPLAINT else None,
            expected_revision=petition.revision,
        )  # fmt: skip

    def close() -> None:
        petitions.petition_close(actor=head, petition=petition,
                                 expected_revision=petition.revision)  # fmt: skip

    def order() -> None:
        due = (clock.now() + dt.timedelta(days=7)).astimezone(SHANGHAI).date()
        petitions.petition_order(actor=supervisor, petition=petition,
                                 suggestion="投诉经查属实，请说明整改措施并报送整改结果。",
                                 reply_due=due)  # fmt: skip

    timeline.at(signed, sign)
    timeline.at(max(replied, signed + dt.timedelta(hours=1)), answer)
    timeline.at(closed + dt.timedelta(hours=1), close)
    if ordered and upheld:
        timeline.at(replied + dt.timedelta(hours=5), order)


def _scan(supervisor: User) -> int:
    """Switch the two feedback rules on (the rest are on since the supervision step) and scan
    at the end of the demo day, as the worker would."""
    from sunlight.supervision.models import Rule
    from sunlight.supervision.rules import rule_update, rules_install_defaults
    from sunlight.supervision.scan import scan_run

    at = demo_time.now().replace(hour=22, minute=30)
    with clock.frozen(at):
        rules_install_defaults()
        for rule in Rule.objects.filter(code__in=["follow-up-overdue", "petition-overdue"]):
            if not rule.enabled:
                rule_update(
                    actor=supervisor, rule=rule, enabled=True, level=rule.level,
                    params=dict(rule.params), department_ids=[], power_categories=[],
                    expected_revision=rule.revision,
                )  # fmt: skip
        return scan_run(full=True, trigger="demo-feedback").raised


def _rescore() -> None:
    """The months of the ratings scored again, as the daily job would that night."""
    from sunlight.demo.supervision_scores import demo_months
    from sunlight.supervision.scores import scores_compute

    first = (
        (demo_time.now() - dt.timedelta(days=HISTORY_DAYS))
        .astimezone(SHANGHAI)
        .date()
        .replace(day=1)
    )
    with clock.frozen(demo_time.scored_at()):
        for month in demo_months():
            if month >= first:
                scores_compute(month=month)


def _summary(raised: int) -> str:
    rated = Rating.objects.count()
    bad = Rating.objects.filter(level__in=("4", "5")).count()
    open_follow_ups = FollowUp.objects.exclude(state="closed").count()
    complaints = Petition.objects.filter(kind=PetitionKind.COMPLAINT).count()
    consultations = Petition.objects.filter(kind=PetitionKind.CONSULTATION).count()
    late = Petition.objects.filter(
        state__in=("submitted", "handling"),
        due_date__lt=demo_time.now().astimezone(SHANGHAI).date(),
    ).count()
    return (
        f"好差评 {rated} 条（差评 {bad} 条，整改未办结 {open_follow_ups} 件）；"
        f"咨询 {consultations} 件、投诉 {complaints} 件，逾期未答复 {late} 件；"
        f"扫描新增预警 {raised} 条；热线账号 {HOTLINE}"
    )
