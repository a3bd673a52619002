"""Demo step: 信息公开 — the city departments' 机构概况, their scheduled disclosure matters for
the last half year (most periods disclosed in time, some late, a few not at all: those are what
the supervision rule flags), internal ones on the staff board (接待费、会议费、通信费), one
correction, announcements written and reviewed (one returned first, one still waiting), and a
few stage forms reported and 复核'd by the city's office. Every write goes through the services,
at moments read from the timeline, in time order; every draw comes from a Random seeded by the
demo seed."""

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from sunlight.cases.models import Case, ReportKind, StageReport
from sunlight.cases.reports import stage_report_mark_reported
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.demo import city
from sunlight.demo import timeline as demo_time  # the demo's "now", read when used
from sunlight.disclosure import announcements, report_reviews, schedule, services
from sunlight.disclosure.choices import AnnouncementState
from sunlight.disclosure.models import Announcement, DisclosureMatter
from sunlight.org.choices import Role
from sunlight.org.models import Department, User
from sunlight.org.profile import LeaderDraft, department_profile_update
from sunlight.supervision.scan import scan_run

DISCLOSING_DEPARTMENTS = 6
MONTHS_BACK = 6
ON_TIME_SHARE = 0.8
LATE_SHARE = 0.1  # the rest of the periods past due are never disclosed
POSTS = ("局长", "副局长", "副局长", "纪检监察组组长")
DUTIES = (
    "主持全面工作",
    "分管行政审批、政策法规工作",
    "分管执法监督、财务工作",
    "负责党风廉政建设和纪检监察工作",
)
ROADS = ("人民路", "解放路", "府前街", "中山路", "文化路", "建设路")
# (content, frequency, scope, form, how a period's text reads)
MATTERS: tuple[tuple[str, str, str, str, Callable[[random.Random, str], str]], ...] = (
    ("部门预算执行情况", "quarterly", "public", "online",
     lambda r, p: f"{p}本部门预算支出执行 {r.randint(120, 900)} 万元，"
                  f"执行率 {r.randint(70, 99)}%。"),
    ("行政事业性收费情况", "monthly", "public", "online",
     lambda r, p: f"{p}共收取行政事业性收费 {r.randint(2, 60)} 项次，"
                  f"合计 {r.randint(1, 40)}.{r.randint(0, 9)} 万元，均按公布的标准收取。"),
    ("公务接待费支出", "monthly", "internal", "board",
     lambda r, p: f"{p}公务接待 {r.randint(0, 6)} 批次 {r.randint(0, 40)} 人次，"
                  f"支出 {r.randint(0, 9)}.{r.randint(0, 9)} 千元。"),
    ("会议费支出", "quarterly", "internal", "board",
     lambda r, p: f"{p}召开会议 {r.randint(1, 8)} 次，会议费支出 {r.randint(1, 30)} 千元。"),
    ("通信费支出", "half_yearly", "internal", "document",
     lambda r, p: f"{p}通信费支出 {r.randint(5, 40)} 千元，按规定标准报销。"),
)  # fmt: skip
NEWS = (
    "召开“放管服”改革推进会",
    "开展窗口服务“好差评”专项整改",
    "完成年度权力清单“回头看”自查",
    "组织行政执法人员业务培训",
)
NOTICES = (
    "关于调整窗口办公时间的公告",
    "关于公开征求意见的公告",
    "关于行政许可事项办理流程优化的公告",
)


def disclosure_ready(seed: int) -> bool:
    return (
        DisclosureMatter.objects.exists()
        and Announcement.objects.filter(state=AnnouncementState.PUBLISHED).exists()
    )


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return min(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI), demo_time.now())


def _departments() -> list[tuple[Department, User, User]]:
    """City departments with a clerk and a head, in the city's order."""
    chosen = []
    departments = Department.objects.filter(region_id=city.CITY_CODE).order_by("sort_order", "code")
    for department in departments:
        staff = User.objects.filter(department=department, is_active=True).order_by("pk")
        clerk = staff.filter(role=Role.CLERK).first()
        head = staff.filter(role=Role.APPROVER).first()
        if clerk is not None and head is not None:
            chosen.append((department, clerk, head))
    return chosen


def _leader_names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(city.SURNAMES) + rng.choice(city.GIVEN) + rng.choice(city.GIVEN)
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _profiles(rng: random.Random, chosen: list[tuple[Department, User, User]]) -> int:
    # Leaders are officials: their names must not be taken for a staff user's or an applicant's.
    taken = set(User.objects.values_list("full_name", flat=True))
    taken |= set(Case.objects.values_list("applicant_name", flat=True).distinct())
    moment = demo_time.org_setup_at() + dt.timedelta(days=3)
    with clock.frozen(moment):
        for department, _clerk, head in chosen:
            names = _leader_names(rng, len(POSTS), taken)
            short = department.short_name or department.name
            department_profile_update(
                actor=head,
                department_id=department.pk,
                functions=(
                    f"贯彻执行国家和省、市有关{short}工作的法律法规和方针政策；\n"
                    f"依法实施本部门权力清单所列的行政许可、行政处罚、行政检查等事项；\n"
                    "负责本部门政务公开、行政执法监督和政务服务工作；\n"
                    "完成市委、市政府交办的其他任务。"
                ),
                address=f"清源市{rng.choice(ROADS)}{rng.randint(1, 300)}号",
                office_hours="工作日 上午 8:30—12:00，下午 14:00—17:30（法定节假日除外）",
                phone=department.phone,
                leaders=[
                    LeaderDraft(name, post, duty)
                    for name, post, duty in zip(names, POSTS, DUTIES, strict=True)
                ],
            )
    return len(chosen)


def _matters(rng: random.Random, chosen: list[tuple[Department, User, User]]) -> tuple[int, int]:
    """Register the matters, then disclose their periods in time order."""
    today = demo_time.day()
    index = today.year * 12 + today.month - 1 - MONTHS_BACK
    starts_on = dt.date(index // 12, index % 12 + 1, 1)
    events: list[tuple[dt.datetime, int, Callable[[], Any]]] = []
    matters = []
    with clock.frozen(_at(starts_on - dt.timedelta(days=3), 9)):
        for department, clerk, head in chosen[:DISCLOSING_DEPARTMENTS]:
            for content, frequency, scope, form, text in MATTERS:
                matter = services.matter_create(
                    actor=head, department_id=department.pk, content=content,
                    frequency=frequency, scope=scope, form=form, starts_on=starts_on,
                )  # fmt: skip
                matters.append((matter, clerk, text))
    with clock.frozen(demo_time.now()):
        services.dues_schedule()
    for matter, clerk, text in matters:
        for due in matter.dues.order_by("period_start"):
            draw = rng.random()
            first_day = due.period_end + dt.timedelta(days=1)
            if due.due_on <= today:
                if draw < ON_TIME_SHARE:
                    day = first_day + dt.timedelta(days=rng.randint(0, matter.grace_days))
                elif draw < ON_TIME_SHARE + LATE_SHARE:
                    day = due.due_on + dt.timedelta(days=rng.randint(1, 6))
                else:
                    continue
            elif first_day <= today and draw < 0.5:
                day = first_day + dt.timedelta(days=rng.randint(0, (today - first_day).days))
            else:
                continue
            if day > today:
                continue
            label = schedule.period_label(matter.frequency, due.period_start)
            body = text(rng, label)

            def publish(m=matter, d=due, c=clerk, b=body) -> Any:  # type: ignore[no-untyped-def]
                return services.disclosure_publish(actor=c, matter_id=m.pk, due_id=d.pk, body=b)

            events.append((_at(day, 10, rng.randint(0, 59)), len(events), publish))
    published = []
    for moment, _order, publish in sorted(events, key=lambda e: (e[0], e[1])):
        with clock.frozen(moment):
            published.append((publish(), moment))
    corrected = 0
    public = [(entry, moment) for entry, moment in published if entry.scope == "public"]
    if public:
        entry, moment = public[len(public) // 2]
        clerk = next(c for m, c, _t in matters if m.pk == entry.matter_id)
        with clock.frozen(min(moment + dt.timedelta(days=2), demo_time.now())):
            services.archive_correct(
                actor=clerk,
                entry_id=entry.pk,
                body=entry.body.replace("万元", "万元（含上期结转）", 1),
                reason="金额口径说明不完整，补充说明",
            )
        corrected = 1
    return len(published), corrected


def _announcements(rng: random.Random, chosen: list[tuple[Department, User, User]]) -> int:
    today = demo_time.day()
    published = 0
    plan: list[tuple[dt.datetime, str, str, Department, User, User]] = []
    for department, clerk, head in chosen[:DISCLOSING_DEPARTMENTS]:
        short = department.short_name or department.name
        for title in rng.sample(NEWS, 2):
            day = today - dt.timedelta(days=rng.randint(3, 60))
            plan.append((_at(day, 9, rng.randint(0, 59)), "news", f"{short}{title}", department,
                         clerk, head))  # fmt: skip
        day = today - dt.timedelta(days=rng.randint(3, 60))
        plan.append((_at(day, 9, rng.randint(0, 59)), "notice", rng.choice(NOTICES), department,
                     clerk, head))  # fmt: skip
    plan.sort(key=lambda p: p[0])
    for number, (moment, kind, title, department, clerk, head) in enumerate(plan):
        body = (
            f"{department.name}{title.removeprefix(department.short_name or '')}。\n"
            "为进一步规范行政权力运行、方便群众办事，现将有关事项公告如下：\n"
            "一、严格按照公布的权力清单和流程图办理；\n二、办理进度可在本网站查询；\n"
            f"三、咨询电话：{department.phone or '见机构概况'}。"
        )
        with clock.frozen(moment):
            item = announcements.announcement_save(actor=clerk, kind=kind, title=title, body=body)
            announcements.announcement_submit(actor=clerk, announcement_id=item.pk)
        if number == len(plan) - 1:
            continue  # the latest waits for its review
        review_at = moment + dt.timedelta(hours=2)
        if number == 0:
            with clock.frozen(review_at):
                announcements.announcement_review(
                    actor=head, announcement_id=item.pk, passed=False, opinion="请补充咨询电话"
                )
            review_at += dt.timedelta(hours=1)
            with clock.frozen(review_at):
                announcements.announcement_save(
                    actor=clerk, announcement_id=item.pk, kind=kind, title=title, body=body
                )
                announcements.announcement_submit(actor=clerk, announcement_id=item.pk)
            review_at += dt.timedelta(hours=1)
        with clock.frozen(min(review_at, demo_time.now())):
            announcements.announcement_review(
                actor=head, announcement_id=item.pk, passed=True, opinion="同意发布"
            )
        published += 1
    return published


def _reports() -> int:
    """A few of the day's registration forms reported and 复核'd by the city's office."""
    office = (
        User.objects.filter(role=Role.SUPERVISOR, is_active=True, region_id=city.CITY_CODE)
        .order_by("pk")
        .first()
    )
    if office is None:
        return 0
    forms = StageReport.objects.filter(
        kind=ReportKind.STAGE_REGISTRATION, department__region_id=city.CITY_CODE
    ).order_by("id")[:3]
    at = demo_time.reports_at() + dt.timedelta(minutes=5)
    reviewed = 0
    for number, report in enumerate(forms):
        clerk = (
            User.objects.filter(department=report.department, role=Role.CLERK, is_active=True)
            .order_by("pk")
            .first()
        )
        if clerk is None:
            continue
        with clock.frozen(at + dt.timedelta(minutes=number)):
            stage_report_mark_reported(actor=clerk, report=report)
        with clock.frozen(at + dt.timedelta(minutes=10 + number)):
            report_reviews.report_review(
                actor=office,
                report_id=report.pk,
                passed=number != 1,
                opinion="内容完整，同意公开" if number != 1 else "办理环节时间与流程不一致，请核实",
            )
        reviewed += 1
    return reviewed


def disclosure_build(seed: int) -> str:
    rng = random.Random(f"{seed}:disclosure")
    chosen = _departments()
    profiles = _profiles(rng, chosen)
    disclosed, corrected = _matters(rng, chosen)
    published = _announcements(rng, chosen)
    reviewed = _reports()
    # The supervision rule sees the periods left undisclosed (the city's rules are switched on).
    with clock.frozen(demo_time.supervision_scanned_at() + dt.timedelta(minutes=30)):
        scan_run(trigger="demo-disclosure")
    return (
        f"机构概况 {profiles} 个部门；公开存档 {disclosed} 条（更正 {corrected} 条）；"
        f"工作动态与公告 {published} 篇；复核报表 {reviewed} 份"
    )
