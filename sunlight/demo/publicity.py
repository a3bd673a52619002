"""Demo step: 批前公示. The city's planning permits (一书两证: 选址意见书, 建设用地/建设工程/乡村
建设规划许可) need 7 or 10 natural days of publicity with the project's site on the map; one
other licence needs 5 working days without a site. Open cases of those powers are put to the
public a few hours after their last step: the latest are still in their window (an objection
waiting for an answer), the longest waiting had theirs closed by the clock, their objections
answered, and some went on to be concluded (批后). Deterministic: every draw comes from a
Random seeded by the demo seed, and every moment from the demo timeline."""

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q

from sunlight.cases import engine
from sunlight.cases import services as case_services
from sunlight.cases.choices import CaseState, DocumentKind, StepState
from sunlight.cases.models import Case, CaseDocument, CaseStep
from sunlight.cases.services import CaseRequest, MaterialReceipt
from sunlight.cases.uploads import store_upload
from sunlight.catalog.choices import Category, ItemStatus
from sunlight.catalog.models import PowerItem
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import DomainError
from sunlight.demo import applicants
from sunlight.demo import cases as demo_cases
from sunlight.demo import timeline as demo_time  # the demo's "now", read when used
from sunlight.demo.city import GIVEN, SURNAMES
from sunlight.demo.documents import pdf_upload
from sunlight.org.choices import Role
from sunlight.org.models import User
from sunlight.publicity import district_map
from sunlight.publicity.models import PublicityNotice, PublicityRequirement
from sunlight.publicity.selectors import district_outlines
from sunlight.publicity.services import (
    NoticeInput,
    objection_answer,
    objection_submit,
    publicity_requirement_set,
    publicity_start,
    publicity_windows_close,
)

LOCATED_WORDS = ("规划许可", "选址意见书")
SITE_WORDS = ("建设", "工程", "拆除", "公墓", "水土保持", "设施", "防护")
OPEN_PER_POWER = 2
PAST_DAYS = (45, 28)  # applications received that many days before the demo's day
PROJECTS = (
    "滨江花园二期住宅", "城南中学扩建", "望湖路商业综合体", "凤鸣工业园标准厂房",
    "临江公园配套用房", "桐溪卫生院迁建", "安澜物流仓储中心", "云岭水厂提标改造",
    "清源新区邻里中心", "江南大道人才公寓", "西山村村民活动中心", "北岸文体中心",
)  # fmt: skip
ROADS = ("滨江路", "望湖路", "人民大道", "凤鸣街", "学府路", "江南大道", "清源大道", "桐溪路")
OBJECTIONS = (
    "项目楼高可能遮挡我小区南侧住宅采光，请公开日照分析报告。",
    "施工期间噪声和渣土运输如何管理？希望夜间不施工。",
    "项目出入口紧邻学校，请评估交通安全影响。",
    "建议增加公共停车位和绿地面积。",
)
REPLIES = (
    "经复核，日照分析报告符合国家和省有关日照标准，报告摘要已在现场公示栏张贴。",
    "已要求建设单位制定文明施工方案，夜间22时至次日6时禁止产生噪声的施工作业。",
    "已会同交警部门评估，出入口将设置减速和警示设施，并调整至远离学校一侧。",
    "意见已转设计单位研究，方案已按规范配建停车位，绿地率满足规划条件。",
)


def publicity_ready(seed: int) -> bool:
    return PublicityRequirement.objects.exists()


def _powers() -> list[tuple[PowerItem, bool]]:
    """The planning permits (with their site); at a small demo scale, where the city may have
    none with open cases, other site-bound licences stand in. One more licence without a site."""
    items = list(
        PowerItem.objects.filter(
            status=ItemStatus.PUBLISHED, current_version__category=Category.LICENSING
        )
        .annotate(open=Count("case", filter=Q(case__state=CaseState.IN_PROGRESS)))
        .filter(open__gt=0)
        .select_related("current_version")
        .order_by("-open", "code")
    )
    located = [i for i in items if any(w in i.current_version.name for w in LOCATED_WORDS)]
    stand_ins = [
        i for i in items
        if i not in located and any(w in i.current_version.name for w in SITE_WORDS)
    ]  # fmt: skip
    located = (located + stand_ins[: max(0, 3 - len(located))])[:4]
    other = [i for i in items if i not in located][:1]
    return [(i, True) for i in located] + [(i, False) for i in other]


def _staff(department_id: int, role: str) -> Any:
    return (
        User.objects.filter(department_id=department_id, role=role, is_active=True)
        .order_by("pk")
        .first()
    )


def _last_activity(case: Case) -> dt.datetime:
    steps = CaseStep.objects.filter(case=case).aggregate(
        started=Max("started_at"), finished=Max("finished_at")
    )
    moments = [m for m in (case.accepted_at, steps["started"], steps["finished"]) if m]
    return max(moments)


def _site(rng: random.Random, outline: list[district_map.Polygon]) -> tuple[Decimal, Decimal]:
    ring = outline[0][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    while True:
        point = (rng.uniform(min(lons), max(lons)), rng.uniform(min(lats), max(lats)))
        if district_map.contains(outline, point):
            return Decimal(f"{point[0]:.5f}"), Decimal(f"{point[1]:.5f}")


def notice_input(rng: random.Random, case: Case, located: bool, serial: int) -> NoticeInput:
    project = PROJECTS[serial % len(PROJECTS)]
    name = case.power_version.name
    if not located:
        return NoticeInput(
            title=f"{project}{name}",
            summary=f"申请事项：{name}。项目名称：{project}。现将有关情况予以公示，"
            "公示期内对该申请有异议的，可以通过本页提出。",
        )
    outlines = district_outlines(prefix=case.region_code[:4])
    districts = sorted(outlines)
    code = districts[serial % len(districts)] if districts else ""
    longitude, latitude = _site(rng, outlines[code]) if code else (None, None)
    road = ROADS[serial % len(ROADS)]
    floors, area = rng.randint(3, 26), rng.randint(8, 160) * 100
    return NoticeInput(
        title=f"{project}{name}",
        summary=f"项目名称：{project}。建设内容：地上{floors}层，总建筑面积约{area}平方米。"
        "建设位置见地图；规划总平面图、效果图已在项目现场同步张贴。",
        district_code=code,
        address=f"{road}{rng.randint(1, 300)}号",
        longitude=str(longitude) if longitude is not None else "",
        latitude=str(latitude) if latitude is not None else "",
    )


def _office_hours(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """`moment` if it falls in office hours (9:00–17:00 Beijing time), else the next working
    morning at a drawn minute."""
    local = moment.astimezone(SHANGHAI)
    if (
        local.hour in range(9, 17)
        and demo_time.first_workday_on_or_after(local.date()) == local.date()
    ):
        return moment
    day = local.date() + dt.timedelta(days=1 if local.hour >= 17 else 0)
    day = demo_time.first_workday_on_or_after(day)
    return dt.datetime.combine(day, dt.time(9, rng.randint(0, 59)), SHANGHAI)


def _past_case(rng: random.Random, item: PowerItem, received: dt.datetime) -> Case:
    """An organisation's application, registered and accepted at the window on `received`."""
    version = item.current_version
    clerk = _staff(item.department_id, Role.CLERK)
    materials = [
        MaterialReceipt(m.name, original_received=True, copy_received=True)
        for m in version.materials.all()
    ]
    with clock.frozen(received):
        case = case_services.case_register(
            actor=clerk,
            request=CaseRequest(
                power_code=item.code, applicant=applicants.organisation(rng), materials=materials
            ),
        )
    with clock.frozen(received + dt.timedelta(minutes=40)):
        case_services.case_accept(actor=clerk, case=case)
    case.refresh_from_db()
    return case


def _missing_documents(case: Case, step: CaseStep, node: Any) -> list[str]:
    if node is None or not node.required_documents:
        return []
    have = set(
        CaseDocument.objects.filter(case=case, step__node_id=step.node_id)
        .exclude(sha256="")
        .values_list("name", flat=True)
    )
    return [name for name in node.required_documents if name not in have]


def _conclude(case: Case, at: dt.datetime) -> bool:
    """Drive the case through its open steps to 办结 (批后), as its staff would; a flow that
    needs documents or fields the demo does not have is left in work."""
    try:
        with transaction.atomic(), clock.frozen(at):
            case.refresh_from_db()
            for _ in range(20):
                if case.state != CaseState.IN_PROGRESS:
                    break
                step = case.steps.filter(state=StepState.OPEN, kind="user_task").first()
                actor = step and _staff(case.department_id, step.role or Role.CLERK)
                if step is None or actor is None:
                    raise DomainError("no one to handle the step")
                node = engine.load_graph(case.flow_id).nodes.get(step.node_id)
                for name in _missing_documents(case, step, node):
                    text = f"{case.number} {step.node_id}"
                    stored = store_upload(pdf_upload(f"{name}.pdf", text))
                    case_services.document_attach(
                        actor=actor, case=case, name=name, stored=stored, step=step,
                        kind=DocumentKind.STEP,
                    )  # fmt: skip
                case_services.step_complete(actor=actor, step=step, opinion="同意")
                case.refresh_from_db()
            clerk = _staff(case.department_id, Role.CLERK)
            case_services.case_conclude(
                actor=clerk, case=case, conclusion=case_services.Conclusion(opinion="准予许可")
            )
    except DomainError:
        return False
    return True


@contextmanager
def _seeded_query_codes(rng: random.Random) -> Iterator[None]:
    """The demo's own applications get query codes from the seeded source for the length of
    the build (the system's random source otherwise), so two seeds write the same rows."""
    original = case_services.new_query_code
    alphabet = case_services._QUERY_ALPHABET
    case_services.new_query_code = lambda: "".join(rng.choice(alphabet) for _ in range(8))
    try:
        yield
    finally:
        case_services.new_query_code = original


def publicity_build(seed: int) -> str:
    rng = random.Random(f"{seed}:publicity")
    with _seeded_query_codes(random.Random(f"{seed}:publicity:codes")):
        return _build(rng)


def _build(rng: random.Random) -> str:
    now = demo_time.now()
    plans = []
    for item, located in _powers():
        days = 10 if "建设工程" in item.current_version.name else (7 if located else 5)
        unit = "natural_day" if located else "working_day"
        # Set at the demo's "now": the city's other open cases of these powers were accepted
        # before the duty and may conclude without it (the 办结 check reads that moment).
        with clock.frozen(now):
            publicity_requirement_set(
                actor=None, version=item.current_version, window_days=days, window_unit=unit,
                located=located,
            )  # fmt: skip
        latest = sorted(
            Case.objects.filter(
                power_item=item, state=CaseState.IN_PROGRESS, joint_parent__isnull=True
            ).select_related("power_version"),
            key=lambda c: (_last_activity(c), c.number),
        )[-OPEN_PER_POWER:]
        plans += [(case, located, None) for case in latest]
        # Two applications from weeks ago whose windows the clock has closed: one went on to
        # 办结 (批后公示), the other is still in work (批中).
        for back, conclude in ((PAST_DAYS[0], True), (PAST_DAYS[1], False)):
            received = demo_time.first_workday_on_or_after((now - dt.timedelta(days=back)).date())
            case = _past_case(rng, item, dt.datetime.combine(received, dt.time(9, 30), SHANGHAI))
            plans.append((case, located, conclude))
    notices = []
    for serial, (case, located, conclude) in enumerate(plans):
        # Published a few hours to a day after the case's last step, when the handler had
        # the publicity text ready.
        start = _office_hours(_last_activity(case) + dt.timedelta(hours=rng.randint(2, 26)), rng)
        if start >= now - dt.timedelta(hours=2):
            continue
        handler = _staff(case.department_id, Role.CLERK)
        with clock.frozen(start):
            notice = publicity_start(
                actor=handler, case=case, data=notice_input(rng, case, located, serial)
            )
        notices.append((notice, handler, conclude))
    answered = pending = 0
    for index, (notice, handler, _) in enumerate(notices):
        until = min(notice.ends_at, now)
        still_open = notice.ends_at > now
        count = 1 + index % 2 if still_open else index % 3
        for k in range(count):
            at = notice.starts_at + (until - notice.starts_at) * (k + 1) / (count + 2)
            # Some objectors leave a name and a phone (kept for the answer, never shown).
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN) if k == 0 else ""
            phone = f"139{rng.randint(10000000, 99999999)}" if name else ""
            with clock.frozen(at):
                objection = objection_submit(
                    notice_id=notice.pk, text=OBJECTIONS[(index + k) % len(OBJECTIONS)],
                    name=name, contact=phone,
                )  # fmt: skip
            # Still in the window: the newest objection waits for its answer (the workbench).
            if still_open and k == count - 1:
                pending += 1
                continue
            with clock.frozen(at + (until - at) / 2):
                objection_answer(
                    actor=handler, objection_id=objection.pk,
                    reply=REPLIES[(index + k) % len(REPLIES)],
                )  # fmt: skip
            answered += 1
    # The clock closes each window at its end, in order, as the worker would have.
    for end in sorted({n.ends_at for n, _, _ in notices if n.ends_at < now}):
        with clock.frozen(end + dt.timedelta(minutes=1)):
            publicity_windows_close()
    concluded = 0
    for notice, _, conclude in notices:
        notice.refresh_from_db()
        if conclude and notice.ends_at < now - dt.timedelta(days=2):
            concluded += _conclude(notice.case, notice.ends_at + dt.timedelta(days=1, hours=2))
    located_count = PublicityNotice.objects.filter(district__isnull=False).count()
    # The applications registered here are the reporting job's business too: its run makes
    # their 登记表 as it made the other cases' (it adds none twice).
    reports = demo_cases.reports_build()
    return (
        f"{len(notices)} 件批前公示（{located_count} 件标注位置），异议已答复 {answered} 条、"
        f"待答复 {pending} 条，{concluded} 件已办结并批后公示；补做运行情况报表：{reports}"
    )
