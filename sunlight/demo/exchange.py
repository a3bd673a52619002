"""Demo step: a vertically managed department system (条管) pushing its cases to the platform.

The province's market regulation system (省市场监管业务一体化平台: registration and licensing,
run by the province for every city's 市场监管局) is registered by
the platform admin for the city's 市场监督管理局 two weeks before the demo's day and issued a key
(not printed: an integrator issues their own on the source's page). From then on it pushes every
working evening (and once on the demo's day, before the afternoon the city stands at): the cases
received, the steps started or finished along the power's published flow (an open step first,
finished later with a higher data version), the step documents, the results. The first push
carries the cases it still had open when it was connected; two of them conclude after their
promised deadline, so supervision (the next steps) sees them late. Twice a batch is refused as
a real system's would be — a company's 统一社会信用代码 typed with a wrong check digit, a step
(法制审核) the flow does not have — and resent corrected a few minutes later, so the traffic,
rejects and data-quality pages have something to show.

Everything goes through the exchange's own services (`source_register`, `source_key_issue`,
`exchange_ingest`) at the moment it happens (the clock frozen there). Deterministic: every draw
comes from a Random seeded by the demo seed."""

import dataclasses
import datetime as dt
import functools
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from sunlight.cases import engine
from sunlight.catalog.choices import Category, ItemStatus
from sunlight.catalog.models import PowerItem
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.demo import applicants, city, timeline
from sunlight.demo.case_model import DAY, WorkClock, limit_minutes
from sunlight.exchange import cases_bridge, credentials
from sunlight.exchange.choices import ExchangeTable
from sunlight.exchange.models import ExchangeBatch, SourceSystem
from sunlight.exchange.services import (
    IngestResult,
    exchange_ingest,
    source_key_issue,
    source_register,
)
from sunlight.org.calendar_selectors import work_calendar
from sunlight.org.choices import Role
from sunlight.org.models import Department, User

SOURCE_CODE = "scjg-prov-xk"
SOURCE_NAME = "省市场监管业务一体化平台"
DEPARTMENT_CODE = "022"  # 市场监督管理局 (vocab/economy.py)
CONNECTED_DAYS = 14  # registered this many days before the demo's day
BACKLOG = 6  # cases still open in the system when it was connected
NEW_CASES = 30
LATE = 2  # backlog cases concluded after their promised deadline
PUSH_AT = dt.time(17, 30)  # the evening sync
LAST_PUSH_AT = dt.time(15, 30)  # the demo's day: before the afternoon the city stands at
WRONG_STEP = "法制审核"  # a step of the province system's own workflow, not of the city's flow


def exchange_ready(seed: int) -> bool:
    return ExchangeBatch.objects.filter(source__code=SOURCE_CODE).exists()


@dataclass
class _Step:
    node: Any  # engine.GraphNode
    row: str  # the process record's number
    started: dt.datetime
    finished: dt.datetime
    handler: str
    result: str
    pushed_open: bool = False
    pushed_done: bool = False


@dataclass
class _Case:
    number: str
    item: PowerItem
    applicant: Any
    late: bool = False
    received: dt.datetime = dt.datetime.min.replace(tzinfo=dt.UTC)
    steps: list[_Step] = field(default_factory=list)
    concluded: dt.datetime | None = None


def exchange_build(seed: int) -> str:
    rng = random.Random(f"{seed}:exchange")
    department = _department()
    items = _items(department) if department else []
    if not items:
        return "没有可由自建系统报送的市场监管许可、登记事项（演示规模过小），未接入"
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("region_id", "id")[0]
    calendar = work_calendar()
    first = timeline.day() - dt.timedelta(days=CONNECTED_DAYS)
    connected = dt.datetime.combine(
        calendar.next_workday_on_or_after(first), dt.time(10), tzinfo=SHANGHAI
    )
    pushes = _push_moments(connected)
    # Office minutes from well before the backlog to well after the open cases' last steps.
    hours = WorkClock(
        calendar, first - dt.timedelta(days=120), timeline.day() + dt.timedelta(days=120)
    )
    cases = _cases(rng, items, department, hours, connected, pushes[-1])
    # The two mistakes: a wrong check digit one evening, a step not in the flow a later one.
    first_mistake = len(pushes) // 3
    mistakes = {
        ExchangeTable.CASE_BASIC: pushes[first_mistake],
        ExchangeTable.CASE_PROCESS: pushes[first_mistake + len(pushes) // 3],
    }
    accepted = refused = 0
    with transaction.atomic(), _reproducible(random.Random(f"{seed}:exchange:codes")):
        with clock.frozen(connected):
            source = source_register(
                actor=admin, code=SOURCE_CODE, name=SOURCE_NAME, level="province",
                vertical=True, departments=[department],
            )  # fmt: skip
        with clock.frozen(connected + dt.timedelta(minutes=5)):
            source_key_issue(actor=admin, source=source)
        previous = None
        for moment in pushes:
            a, r = _push(source, cases, previous, moment, mistakes)
            accepted, refused, previous = accepted + a, refused + r, moment
    open_now = sum(1 for c in cases if c.concluded is None or c.concluded > pushes[-1])
    return (
        f"{SOURCE_NAME}（条管，代码 {SOURCE_CODE}）为{department.name}报送办件 {len(cases)} 件"
        f"（在办 {open_now} 件，超期办结 {LATE} 件）；接收批次 {accepted} 个，整批拒收 {refused} 个"
    )


@contextmanager
def _reproducible(rng: random.Random) -> Iterator[None]:
    """Two seeds write the same rows and the same audit chain: for the length of the build the
    pushed cases get their query codes from the seeded source (the exchange's bridge leaves
    `rng` to the system's random source), and the key its prefix — a public label, recorded in
    the audit entry — while the key itself and its signing secret stay random, never the same
    in two copies of the demo."""
    record_history = cases_bridge.cases_record_history
    issue_key = credentials.issue_key

    def seeded_key() -> credentials.IssuedKey:
        issued = issue_key()
        prefix = f"{rng.getrandbits(32):08x}"
        key = f"{credentials.KEY_PREFIX}_{prefix}_{issued.key.split('_', 2)[2]}"
        return dataclasses.replace(
            issued, key=key, prefix=prefix, key_hash=credentials.key_hash(key)
        )

    cases_bridge.cases_record_history = functools.partial(record_history, rng=rng)
    credentials.issue_key = seeded_key
    try:
        yield
    finally:
        cases_bridge.cases_record_history = record_history
        credentials.issue_key = issue_key


def _department() -> Department | None:
    return Department.objects.filter(code=DEPARTMENT_CODE, region_id=city.CITY_CODE).first()


def _items(department: Department) -> list[PowerItem]:
    """Published licences and registrations (行政确认) of the department whose flow runs
    straight (no parallel review, no step that stops the clock): the province system handles
    those end to end."""
    found = []
    candidates = PowerItem.objects.filter(
        department=department,
        status=ItemStatus.PUBLISHED,
        current_version__category__in=[Category.LICENSING, Category.CONFIRMATION],
        current_version__flow__isnull=False,
        # Not an important power: those are reported stage by stage by the cases step's run.
        current_version__important=False,
    ).select_related("current_version__flow")
    for item in candidates.order_by("code"):
        if _path(item) and item.current_version.promised_limit:
            found.append(item)
    return found


def _path(item: PowerItem) -> list[Any]:
    graph = engine.load_graph(item.current_version.flow.pk)
    fields = {"accepted": True, "materials_complete": True}
    path, advance = [], graph.first_tasks()
    while advance.open_tasks:
        if len(advance.open_tasks) > 1 or advance.join_arrivals:
            return []
        node = advance.open_tasks[0][0]
        if node.stops_clock or node.kind != engine.USER_TASK or node in path:
            return []
        path.append(node)
        advance = engine.advance(graph, node.id, fields)
    return path if advance.reached_end and len(path) >= 4 else []


def _push_moments(connected: dt.datetime) -> list[dt.datetime]:
    calendar = work_calendar()
    day, last = connected.date(), timeline.day()
    moments = []
    while day < last:
        if calendar.is_workday(day):
            moments.append(dt.datetime.combine(day, PUSH_AT, tzinfo=SHANGHAI))
        day += dt.timedelta(days=1)
    moments.append(dt.datetime.combine(last, LAST_PUSH_AT, tzinfo=SHANGHAI))
    return moments


def _staff(department: Department) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    users = User.objects.filter(department=department, is_active=True).order_by("id")
    for user in users:
        names.setdefault(user.role, []).append(user.full_name or user.username)
    return names


def _cases(
    rng: random.Random,
    items: list[PowerItem],
    department: Department,
    hours: WorkClock,
    connected: dt.datetime,
    last_push: dt.datetime,
) -> list[_Case]:
    staff = _staff(department)
    clerks = staff.get(Role.CLERK) or ["窗口工作人员"]
    heads = staff.get(Role.APPROVER) or clerks
    start, end = hours.minute_of(connected), hours.minute_of(last_push)
    cases = []
    for index in range(BACKLOG + NEW_CASES):
        item = rng.choice(items)
        version = item.current_version
        promised = int(limit_minutes(version.promised_limit, version.promised_limit_unit))
        late = index < LATE
        if late:
            # Concluded two to four working days after its promised deadline, inside the window.
            span = promised + DAY * rng.randint(2, 4)
            received = start + rng.randint(DAY, max(end - start - DAY, DAY + 1)) - span
        elif index < BACKLOG:
            # Still open in the system when it was connected.
            received = start - rng.randint(DAY // 4, max(promised // 2, DAY // 4 + 1))
            span = int(promised * rng.uniform(0.6, 0.95))
        else:
            # Busier lately (the system's users moved over from paper): some still open.
            received = start + int((end - 30 - start) * rng.random() ** 0.6)
            span = int(promised * rng.uniform(0.3, 0.9))
        received = _office(received, rng)
        applicant = applicants.applicant_for(rng, version.service_objects)
        day = hours.at(received).astimezone(SHANGHAI)
        case = _Case(f"SCJG{day:%Y%m%d}{index + 1:04d}", item, applicant, late=late)
        _plan_steps(rng, case, _path(item), received, received + span, hours, clerks, heads)
        case.received = case.steps[0].started
        last = case.steps[-1].finished
        case.concluded = last if last <= last_push else None
        cases.append(case)
    return cases


def _office(minute: int, rng: random.Random) -> int:
    """A minute inside the office day, not in its last hour."""
    day, offset = divmod(minute, DAY)
    return day * DAY + min(offset, DAY - 60) + rng.randint(0, 9)


def _plan_steps(
    rng: random.Random,
    case: _Case,
    path: list[Any],
    received: int,
    concluded: int,
    hours: WorkClock,
    clerks: list[str],
    heads: list[str],
) -> None:
    """申请 and 受理 at the window within the hour; the other steps share the time left to the
    conclusion. Each step starts the moment the one before it finishes."""
    minutes = [received, received + rng.randint(5, 15)]
    minutes.append(minutes[-1] + rng.randint(10, 40))  # 受理
    rest = path[2:]
    weights = [rng.uniform(0.5, 1.5) if n.role == "approver" else rng.uniform(1, 3) for n in rest]
    left = max(concluded - minutes[-1], len(rest) * 30)
    for weight in weights:
        minutes.append(minutes[-1] + max(int(left * weight / sum(weights)), 30))
    moments = [hours.at(m, rng.randint(0, 59)) for m in minutes]
    clerk = rng.choice(clerks)
    for number, node in enumerate(path):
        handler = rng.choice(heads) if node.role == "approver" else clerk
        result = "4" if node.name == "受理" else ("" if number == 0 else "1")
        case.steps.append(
            _Step(node, f"{case.number}-{number + 1:02d}", moments[number], moments[number + 1],
                  handler, result)
        )  # fmt: skip


# ---------------------------------------------------------------- the pushes


def _text(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _entered(event: dt.datetime, push: dt.datetime, minutes: int) -> str:
    return _text(min(event + dt.timedelta(minutes=minutes), push))


def _push(
    source: SourceSystem,
    cases: list[_Case],
    previous: dt.datetime | None,
    moment: dt.datetime,
    mistakes: dict[str, dt.datetime],
) -> tuple[int, int]:
    """One evening's sync: basic records, process rows, documents, results, in that order."""
    since = previous or dt.datetime.min.replace(tzinfo=dt.UTC)
    basics = [c for c in cases if since < c.received <= moment]
    process: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    for case in cases:
        for step in case.steps:
            if step.pushed_done or step.started > moment:
                continue
            done = step.finished <= moment
            if not done and step.pushed_open:
                continue
            process.append(_process(case, step, moment, done))
            if done:
                documents += _documents(case, step, moment)
                step.pushed_done = True
            else:
                step.pushed_open = True
    results = [c for c in cases if c.concluded and since < c.concluded <= moment]
    batches = [
        (ExchangeTable.CASE_BASIC, [_basic(c, moment) for c in basics]),
        (ExchangeTable.CASE_PROCESS, process),
        (ExchangeTable.MATERIAL, documents),
        (ExchangeTable.CASE_RESULT, [_result(c, moment) for c in results]),
    ]
    # The approver's steps (决定, or as the flow names it): where a legal review would come.
    decisions = {s.node.name for c in cases for s in c.steps if s.node.role == Role.APPROVER}
    accepted = refused = 0
    at = moment
    for table, records in batches:
        if not records:
            continue
        due = mistakes.get(table)
        wrong = _wrong(table, records, decisions) if due is not None and due <= moment else None
        if wrong is not None:
            refused += _send(source, table, wrong, at, expect=False)
            at += dt.timedelta(minutes=12)  # the system's operator fixes it and resends
            del mistakes[table]
        accepted += _send(source, table, records, at, expect=True)
        at += dt.timedelta(minutes=1)
    return accepted, refused


def _send(
    source: SourceSystem, table: str, records: list[dict[str, Any]], at: dt.datetime, expect: bool
) -> int:
    with clock.frozen(at):
        result: IngestResult = exchange_ingest(source=source, table=table, records=records)
    if result.accepted != expect:
        problems = result.batch.problems[:3]
        raise RuntimeError(f"演示数据交换批次结果不符（{table}）：{problems}")
    return 1


def _wrong(
    table: str, records: list[dict[str, Any]], decisions: set[str]
) -> list[dict[str, Any]] | None:
    """The batch as the system first sent it, with a realistic mistake (None: nothing in it to
    get wrong this evening: the mistake comes on a later one)."""
    if table == ExchangeTable.CASE_BASIC:
        # A company's 统一社会信用代码 typed with a wrong last character (a resident's ID number
        # when the evening has no company).
        ordered = sorted(range(len(records)), key=lambda i: records[i]["applicant_kind"] != "2")
        index = ordered[0]
        code = records[index]["applicant_id"]
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY" if code[:1] == "9" else "0123456789X"
        wrong = alphabet[(alphabet.index(code[-1]) + 7) % len(alphabet)]
        spoiled = records[index] | {"applicant_id": code[:-1] + wrong}
        return records[:index] + [spoiled] + records[index + 1 :]
    if table == ExchangeTable.CASE_PROCESS:
        for index, record in enumerate(records):
            # Before the decision: the province's workflow has a legal review there.
            if record["step_name"] in decisions and record.get("finished_at"):
                extra = record | {
                    "external_id": record["external_id"] + "-FZ",
                    "step_code": "FZSH",
                    "step_name": WRONG_STEP,
                    "handler": "法规科审核员",
                    "finished_at": record["started_at"],
                    "result": "1",
                }
                return records[:index] + [extra] + records[index:]
        return None
    return None


def _basic(case: _Case, moment: dt.datetime) -> dict[str, Any]:
    applicant = case.applicant
    return {
        "external_id": case.number,
        "data_version": 1,
        "entered_at": _entered(case.received, moment, 6),
        "power_code": case.item.code,
        "applicant_kind": "1" if applicant.kind == "person" else "2",
        "applicant_name": applicant.name,
        "applicant_id": applicant.id_number,
        "applicant_phone": applicant.phone,
        "channel": "1" if case.number[-1] in "13579" else "0",
        "case_type": "2",
        "received_at": _text(case.received),
        # Accepted when the application is taken in: 受理 then issues the notice.
        "accepted_at": _text(case.steps[1].started),
    }


def _process(case: _Case, step: _Step, moment: dt.datetime, done: bool) -> dict[str, Any]:
    index = case.steps.index(step)
    record = {
        "external_id": step.row,
        "data_version": 2 if done and step.pushed_open else 1,
        "entered_at": _entered(step.finished if done else step.started, moment, 3),
        "case_external_id": case.number,
        "step_code": step.node.id,
        "step_name": step.node.name,
        "handler": step.handler,
        "unit": step.node.org_unit,
        "started_at": _text(step.started),
    }
    if index:
        record["previous_step_code"] = case.steps[index - 1].node.id
    if done:
        record["finished_at"] = _text(step.finished)
        if step.result:
            record["result"] = step.result
            record["opinion"] = "材料齐全，符合法定形式，予以受理" if step.result == "4" else "同意"
    return record


def _documents(case: _Case, step: _Step, moment: dt.datetime) -> list[dict[str, Any]]:
    found = []
    for number, name in enumerate(step.node.required_documents, start=1):
        found.append(
            {
                "external_id": f"{step.row}-W{number}",
                "data_version": 1,
                "entered_at": _entered(step.finished, moment, 4),
                "case_external_id": case.number,
                "kind": "2",
                "name": name,
                "step_external_id": step.row,
                "submitted_at": _text(step.finished - dt.timedelta(minutes=2)),
                "original": "1",
            }
        )
    return found


def _result(case: _Case, moment: dt.datetime) -> dict[str, Any]:
    assert case.concluded is not None
    return {
        "external_id": f"{case.number}-JG",
        "data_version": 1,
        "entered_at": _entered(case.concluded, moment, 8),
        "case_external_id": case.number,
        "concluded_at": _text(case.concluded),
        "result": "0",
        "decision": "1",
        "fee_due": "0",
        "fee_paid": "0",
    }
