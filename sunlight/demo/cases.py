"""Demo step: the city's cases (办件) — about 52,000 at full scale, received from the day each
power was published up to the demo's "now" (timeline.now(), a working afternoon two years
after the catalog work started), across every department and many powers: most concluded
early, about one in ten late, a few in a thousand stuck open past their deadline, some refused
or sent to correct their materials, paused for special procedures, extended or sent back; a
few hundred in progress today (the workbench's to-dos), several joint approvals, and planted
anomalies for supervision.

Each department's cases are one declared 补录 batch (cases.history), entered by its head in one
transaction at timeline.recorded_at(); an interrupted run redoes only the departments with no
cases. Then the reporting job runs once (timeline.reports_at()): stage registration forms for
the last 30 days and last month's filing forms, so the reports pages have data; an interrupted
run redoes it,
and forms already there are not made again (generation is an anti-join on unique forms).
Deterministic: every draw comes from a Random seeded by the demo seed and the department.
"""

import datetime as dt
import random
import sys
from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from tqdm import tqdm

from sunlight.cases.choices import OPEN_STATES, CaseState, Channel, DocumentKind, StepState
from sunlight.cases.history import HistoricalCase, cases_record_history
from sunlight.cases.history_context import load_graphs, version_windows
from sunlight.cases.joint import joint_item_create
from sunlight.cases.models import Case, JointItem, ReportKind, ReportStage, StageReport
from sunlight.cases.reports import (
    ENDED_STATES,
    Month,
    filing_reports_generate,
    stage_reports_generate,
)
from sunlight.cases.services import calendar
from sunlight.catalog.choices import CaseType, Category, HandlingForm, ItemStatus
from sunlight.catalog.models import Material, PowerVersion
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.demo import applicants, case_anomalies, city, lifecycle, timeline
from sunlight.demo import case_texts as texts
from sunlight.demo.case_model import (
    CORRECTING,
    DAY,
    EARLY,
    LATE,
    PENDING,
    STALLED,
    UNCONCLUDED,
    Fate,
    Power,
    Staff,
    WorkClock,
    limit_minutes,
)
from sunlight.demo.case_sim import CaseRun
from sunlight.flows.expressions import parse_condition
from sunlight.flows.graph import USER_TASK
from sunlight.org.choices import Role
from sunlight.org.models import Department, User


def __getattr__(name: str) -> Any:
    """The moments other modules read as `cases.NOW` and so on, from the timeline at the time
    they are read (they follow `timeline.pin`). New code calls `timeline` directly."""
    moments = {
        "NOW": timeline.now,
        "RECORDED_AT": timeline.recorded_at,
        "REPORTS_AT": timeline.reports_at,
        "JOINT_SINCE": timeline.joint_since,
        "REPORTS_SINCE": _reports_since,
        "REPORTS_MONTH": _reports_month,
    }
    if name in moments:
        return moments[name]()
    raise AttributeError(name)


def _reports_since() -> dt.datetime:
    """The reporting job's one run, after the batches were entered, makes the stage forms of
    the stages reached in the last 30 days, and the filing forms of the month before now's."""
    return timeline.now() - dt.timedelta(days=30)


def _reports_month() -> Month:
    return Month.of(timeline.now().date()).previous


FULL_CASES = 52_000
ANOMALIES_EACH = 20
JOINT_CASES = 150
MIN_PER_DEPARTMENT = 5
TODO_TARGET = {Role.CLERK: 4, Role.APPROVER: 4, Role.LEGAL: 1}

CATEGORY_WEIGHTS = {
    Category.LICENSING: 10.0,
    Category.PENALTY: 0.8,
    Category.COERCION: 0.4,
    Category.LEVY: 3.0,
    Category.PAYMENT: 6.0,
    Category.INSPECTION: 1.5,
    Category.CONFIRMATION: 6.0,
    Category.REWARD: 0.4,
    Category.ADJUDICATION: 0.5,
    Category.OTHER: 5.0,
    Category.PUBLIC_SERVICE: 5.0,
}
# Bundles a real city runs: name, the lead bureau's body code, the bureaus taking part, each
# with the words its power's name should hold (best first), and the overall limit (days).
JOINT_ITEMS = [
    (
        "企业开办一件事",
        "022",
        (
            ("022", ("营业执照", "设立登记", "登记")),
            ("005", ("印章",)),
            ("031", ("发票",)),
            ("009", ("社会保险登记", "社会保险")),
            ("038", ("公积金缴存登记", "公积金")),
        ),
        5,
    ),
    (
        "建设工程施工许可并联审批",
        "012",
        (
            ("012", ("施工许可",)),
            ("010", ("建设工程规划许可", "规划许可")),
            ("032", ("消防设计", "消防")),
            ("027", ("人防", "防空")),
        ),
        20,
    ),
    (
        "建设项目环评与取水许可联办",
        "011",
        (("011", ("环境影响", "环评")), ("014", ("取水许可", "取水"))),
        30,
    ),
]
# Only powers an applicant asks for can be bundled (never a penalty, a levy or an inspection).
_JOINT_CATEGORIES = {
    Category.LICENSING,
    Category.CONFIRMATION,
    Category.OTHER,
    Category.PUBLIC_SERVICE,
}
_ONLINE_FORMS = {HandlingForm.ONLINE, HandlingForm.MOBILE}


def _city_cases() -> Any:
    return Case.objects.filter(department__region__code__startswith=city.CITY_CODE[:4])


def _departments_with_cases() -> set[int]:
    own = _city_cases().filter(joint_parent__isnull=True)
    return set(own.values_list("department_id", flat=True).distinct())


def _departments_wanting_cases() -> set[int]:
    """Departments with a power that has been in use, with a flow (the plan's criterion)."""
    versions = PowerVersion.objects.filter(
        item__department__region__code__startswith=city.CITY_CODE[:4],
        published_at__isnull=False,
        flow__isnull=False,
    )
    return set(versions.values_list("item__department_id", flat=True).distinct())


def cases_ready(seed: int) -> bool:
    if not lifecycle.catalog_ready(seed):
        return False
    return _departments_wanting_cases() <= _departments_with_cases() and not _reports_pending()


def _reports_pending() -> bool:
    """Whether the reporting run has forms left to make: a 受理 or 办结 form of the window, or a
    filing of REPORTS_MONTH (the generator's own criteria). 办理 forms need no check of their
    own: they are made in the same transaction as the 受理 and 办结 ones."""
    important = _city_cases().filter(power_version__important=True, joint_item__isnull=True)
    window = (_reports_since(), timeline.reports_at())

    def lacking(stage: str) -> Exists:
        return ~Exists(
            StageReport.objects.filter(
                kind=ReportKind.STAGE_REGISTRATION, case=OuterRef("pk"), stage=stage
            )
        )

    if important.filter(accepted_at__range=window).filter(lacking(ReportStage.ACCEPTED)).exists():
        return True
    ended = important.filter(state__in=ENDED_STATES, concluded_at__range=window)
    if ended.filter(lacking(ReportStage.CONCLUDED)).exists():
        return True
    month = _reports_month()
    start, end = month.bounds()
    filed = StageReport.objects.filter(
        kind=ReportKind.PERIODIC_FILING,
        department=OuterRef("department"),
        period_start=month.start,
    )
    unfiled = _city_cases().filter(
        power_version__important=False,
        joint_item__isnull=True,
        state__in=ENDED_STATES,
        concluded_at__gte=start,
        concluded_at__lt=end,
    )
    return unfiled.filter(~Exists(filed)).exists()


def reports_build() -> str:
    """The reporting job's run at timeline.reports_at() (the same services as
    `generate_stage_reports`)."""
    at, month = timeline.reports_at(), _reports_month()
    with clock.frozen(at):
        created = stage_reports_generate(now=at, since=_reports_since())
        filed = filing_reports_generate(month=month.start, now=at)
    return f"登记表 {sum(created.values())} 份、{month.start:%Y年%m月}备案表 {filed} 份"


# ---------------------------------------------------------------- the plan


class _Catalog:
    """The powers cases can use, and how many cases each gets (the same for any run)."""

    def __init__(self, seed: int, scale: float) -> None:
        self.scale = scale
        cal = calendar()
        now = timeline.now()
        # The clock runs a little past now, so a moment on a day the calendar treats otherwise
        # than the timeline (a provisional holiday) still has its office minute.
        last = now.date() + dt.timedelta(days=30)
        self.clock = WorkClock(cal, timeline.clock_from(), last)
        self.now = self.clock.minute_of(now)
        versions = list(
            PowerVersion.objects.filter(
                item__department__region__code__startswith=city.CITY_CODE[:4],
                published_at__isnull=False,
                flow__isnull=False,
            )
            .select_related("item", "flow")
            .order_by("item__code", "number")
        )
        windows = version_windows([v.item_id for v in versions])
        self.versions: dict[int, PowerVersion] = {}
        self.windows: dict[int, list[tuple[int, int]]] = {}
        for version in versions:
            spans = []
            for start, end in windows.get(version.pk, ()):
                first = self.clock.minute_of(start) + 1  # the minute after, to the second
                last = self.now if end is None else self.clock.minute_of(end)
                if last - first > 3 * DAY:
                    first += DAY  # applications start coming the day after publication
                if last > first + 1:
                    spans.append((first, last))
            if spans:
                self.versions[version.pk] = version
                self.windows[version.pk] = spans
        self.materials: dict[int, list[tuple[str, bool, int]]] = {}
        for version_id, name, mandatory, originals in (
            Material.objects.filter(version__in=list(self.versions))
            .order_by("version_id", "position")
            .values_list("version_id", "name", "mandatory", "originals")
        ):
            self.materials.setdefault(version_id, []).append((name, mandatory, originals))
        self.graphs = load_graphs(v.flow.pk for v in self.versions.values())
        self.powers: dict[int, Power] = {}
        self._plan(random.Random(f"{seed}:cases:plan"), scale)

    def _plan(self, rng: random.Random, scale: float) -> None:
        ids = list(self.versions)
        span = max(self.now - min(s for v in ids for s, _ in self.windows[v]), 1)
        weights = [
            CATEGORY_WEIGHTS.get(self.versions[v].category, 1.0)
            * min(rng.paretovariate(1.3), 30.0)
            * sum(e - s for s, e in self.windows[v])
            / span
            for v in ids
        ]
        total = max(300, round(FULL_CASES * scale))
        self.counts = Counter(rng.choices(ids, weights=weights, k=total)) if ids else Counter()
        by_department: dict[int, list[int]] = {}  # heaviest first
        for version_id, _weight in sorted(zip(ids, weights, strict=True), key=lambda p: -p[1]):
            department_id = self.versions[version_id].item.department_id
            by_department.setdefault(department_id, []).append(version_id)
        for version_ids in by_department.values():
            have = sum(self.counts[v] for v in version_ids)
            if have < MIN_PER_DEPARTMENT:
                self.counts[version_ids[0]] += MIN_PER_DEPARTMENT - have
        self.anomalies: dict[int, list[str]] = {}
        each = max(2, round(ANOMALIES_EACH * scale))
        for kind in case_anomalies.KINDS:
            for version_id in rng.choices(ids, weights=weights, k=each):
                self.anomalies.setdefault(version_id, []).append(kind)
        self.by_department = by_department

    def power(self, version_id: int) -> Power:
        found = self.powers.get(version_id)
        if found is None:
            found = self.powers[version_id] = self._load(self.versions[version_id])
        return found

    def _load(self, version: PowerVersion) -> Power:
        graph = self.graphs[version.flow.pk]
        node_minutes = {
            n.id: limit_minutes(n.limit, n.limit_unit)
            for n in graph.nodes.values()
            if n.kind == USER_TASK or n.kind == "timer"
        }
        names: set[str] = set()
        for edges in graph.outgoing.values():
            for edge in edges:
                if edge.condition:
                    names |= parse_condition(edge.condition).fields
        first = [graph.nodes[e.target].name for e in graph.outgoing[graph.start_id]]
        return Power(
            version=version,
            code=version.item.code,
            category=version.category,
            case_type=version.case_type,
            department_id=version.item.department_id,
            graph=graph,
            online=bool(_ONLINE_FORMS & set(version.handling_form_codes)),
            service_objects=version.service_objects,
            charges_fee=version.charges_fee,
            materials=self.materials.get(version.pk, []),
            windows=self.windows[version.pk],
            promised_minutes=limit_minutes(version.promised_limit, version.promised_limit_unit),
            path_minutes=max(sum(node_minutes.values()), 60.0),
            node_minutes=node_minutes,
            fields=frozenset(names),
            applies="申请" in first,
        )


def department_staff(departments: list[Department]) -> dict[int, Staff]:
    """Each department's demo logins (clerk, head) and the city's legal officers."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[p.username for p in city.staff(city.units())])
    }
    legal = sorted((u for u in users.values() if u.role == Role.LEGAL), key=lambda u: u.username)
    prefixes = {u.key: u.user_prefix for u in city.units()}
    return {
        d.pk: Staff(
            users[f"{prefixes[d.full_code]}_clerk"], users[f"{prefixes[d.full_code]}_head"], legal
        )  # fmt: skip
        for d in departments
        if d.full_code in prefixes
    }


# ---------------------------------------------------------------- one department


class _Department:
    def __init__(
        self, catalog: _Catalog, department: Department, staff: dict[int, Staff], seed: int
    ) -> None:
        self.catalog, self.department, self.staff = catalog, department, staff
        self.rng = random.Random(f"{seed}:cases:{department.full_code}")
        self.records: list[HistoricalCase] = []
        self.graphs: dict[int, Any] = {}

    def run(self, power: Power, start: int, fate: Fate, **options: Any) -> HistoricalCase:
        case = CaseRun(
            clock=self.catalog.clock,
            now=self.catalog.now,
            power=power,
            staff=self.staff[power.department_id],
            fate=fate,
            rng=self.rng,
        )
        return case.run(start, **options)

    def build(self, joints: list[tuple[JointItem, list[Power]]]) -> list[HistoricalCase]:
        catalog = self.catalog
        version_ids = catalog.by_department.get(self.department.pk, [])
        by_code = sorted(version_ids, key=lambda v: catalog.versions[v].item.code)
        powers = [catalog.power(v) for v in by_code]
        for power in powers:
            for _ in range(catalog.counts[power.version.pk]):
                fate = self._fate(power)
                self.records.append(self.run(power, self._start(power, fate), fate))
            for anomaly in catalog.anomalies.get(power.version.pk, []):
                self._plant(power, anomaly)
        if powers:
            self._waiting(powers)
        for joint, parts in joints:
            if joint.lead_department_id == self.department.pk:
                self._joint_cases(joint, parts)
        for role, target in TODO_TARGET.items():
            self._todos(powers, role, target)
        self._number_results()
        return self.records

    def _fate(self, power: Power) -> Fate:
        rng = self.rng
        roll = rng.random()
        # About one in twelve concludes late (extensions save some of the late ones); a few in a
        # thousand are stuck open past their deadline — so overdue cases stay a small minority
        # (under a tenth) of the open ones, as on a platform whose lights are watched.
        kind = STALLED if roll < 0.006 else LATE if roll < 0.086 else EARLY
        return Fate(
            kind=kind,
            refused=power.applies and rng.random() < 0.03,
            correction=power.applies and rng.random() < 0.06,
            pause=rng.random() < 0.025,
            extension=rng.random() < (0.3 if kind == LATE else 0.005),
            send_back=rng.random() < 0.04,
        )

    def _start(self, power: Power, fate: Fate) -> int:
        rng, now = self.rng, self.catalog.now
        first, last = rng.choices(power.windows, weights=[e - s for s, e in power.windows])[0]
        start = rng.randint(first, last - 1)
        if fate.kind == STALLED:
            # Stuck only if received long enough ago that its promised deadline has passed, but
            # not long ago: within the 40 days before, in the publication window still open now
            # (a case stuck since an earlier version of the power would have been noticed long
            # before). The start is drawn like any other case's, so the stuck ones are a share of
            # the recent cases, not of the whole history (which made a fifth of the open cases
            # overdue on a city built with two years of cases).
            current_first, current_last = power.windows[-1]
            latest = now - int(power.promised_minutes * 1.2) - 2 * DAY
            earliest = max(current_first, latest - 40 * DAY)
            if not (current_last >= now and earliest <= start <= latest):
                fate.kind = EARLY
        return start

    def _plant(self, power: Power, anomaly: str) -> None:
        """One more case of `power`, concluded long enough ago, showing `anomaly`."""
        latest = self.catalog.now - int(power.promised_minutes) - 5 * DAY
        spans = [(s, min(e - 1, latest)) for s, e in power.windows if min(e - 1, latest) > s]
        if not spans:
            return
        for _ in range(6):
            first, last = self.rng.choice(spans)
            record = self.run(power, self.rng.randint(first, last), Fate(kind=EARLY))
            if case_anomalies.plant(record, anomaly, power.graph, self.rng):
                self.records.append(record)
                return

    def _waiting(self, powers: list[Power]) -> None:
        """Cases waiting at "now": applications not yet accepted, one still being corrected,
        one whose flow has ended but that is not concluded yet."""
        rng, now = self.rng, self.catalog.now
        applying = [p for p in powers if p.applies and p.windows[-1][1] >= now] or [
            p for p in powers if p.windows[-1][1] >= now
        ]
        if not applying:
            return
        power = max(applying, key=lambda p: self.catalog.counts[p.version.pk])
        for _ in range(2):
            channel = Channel.ONLINE if power.online else Channel.WINDOW
            start = now - rng.randint(5, 300)
            self.records.append(self.run(power, start, Fate(kind=PENDING), channel=channel))
        if any(required for _, required, _ in power.materials):
            start = now - rng.randint(1, 4) * DAY
            self.records.append(self.run(power, start, Fate(kind=CORRECTING)))
        start = max(power.windows[-1][0], now - int(power.promised_minutes * 0.9) - DAY)
        self.records.append(self.run(power, start, Fate(kind=UNCONCLUDED)))

    def _todos(self, powers: list[Power], role: str, target: int) -> None:
        """Enough open steps for each role that the department's logins have work today."""
        usable = [
            p
            for p in powers
            if p.windows[-1][1] >= self.catalog.now
            and any(n.role == role for n in p.graph.nodes.values() if n.kind == USER_TASK)
        ]
        if not usable:
            return
        rng = self.rng
        have = sum(self._open_steps(r, role) for r in self.records)
        for _ in range(3 * target):
            if have >= target:
                return
            power = rng.choice(usable)
            # Received recently enough to be within its promised limit now: to-dos due soon,
            # some today, rather than overdue (a limit of 0 means decided on the day).
            span = max(int(power.promised_minutes * 0.9), DAY // 2)
            start = max(power.windows[-1][0], self.catalog.now - rng.randint(DAY // 8, span))
            record = self.run(power, start, Fate(kind=EARLY, stall_role=role))
            have += self._open_steps(record, role)
            self.records.append(record)

    def _open_steps(self, record: HistoricalCase, role: str) -> int:
        if record.state != CaseState.IN_PROGRESS or record.power_version is None:
            return 0
        nodes = self.catalog.power(record.power_version.pk).graph.nodes
        return sum(
            1 for s in record.steps if s.state == StepState.OPEN and nodes[s.node_id].role == role
        )

    def _joint_cases(self, joint: JointItem, parts: list[Power]) -> None:
        rng, catalog = self.rng, self.catalog
        lead = self.staff[self.department.pk]
        first = max(
            catalog.clock.minute_of(timeline.joint_since()), *(p.windows[-1][0] for p in parts)
        )
        count = max(2, round(JOINT_CASES * catalog.scale / len(JOINT_ITEMS)))
        for _ in range(count):
            start = rng.randint(first, catalog.now - DAY)
            moment = catalog.clock.at(start, rng.randint(0, 59))
            applicant = _organisation(rng)
            records = []
            for power in sorted(parts, key=lambda p: p.code):
                roll = rng.random()
                fate = Fate(kind=LATE if roll < 0.1 else EARLY, pause=roll > 0.97)
                records.append(
                    self.run(power, start, fate, applicant=applicant, joint=(moment, lead.clerk),
                             channel=Channel.WINDOW)
                )  # fmt: skip
            done = all(r.state == CaseState.CONCLUDED for r in records)
            self.records.append(HistoricalCase(
                applicant=applicant, received_at=moment, channel=Channel.WINDOW,
                state=CaseState.CONCLUDED if done else CaseState.IN_PROGRESS,
                concluded_at=max(r.concluded_at for r in records) if done else None,
                registered_by=lead.clerk, joint_item=joint, parts=records,
            ))  # fmt: skip

    def _number_results(self) -> None:
        """Result documents numbered (文号) in the order they were issued, per year."""
        documents = []
        for record in self.records:
            for case in (record, *record.parts):
                for document in case.documents:
                    if document.kind == DocumentKind.RESULT and case.power_version is not None:
                        documents.append((document, case.power_version))
        documents.sort(key=lambda pair: pair[0].uploaded_at)
        last: Counter[tuple[str, int]] = Counter()
        short = self.department.short_name or self.department.name
        for document, version in documents:
            _granted, _refused, word = texts.RESULT_DOCUMENTS.get(
                version.category, texts.DEFAULT_RESULT_DOCUMENT
            )
            if version.item.department_id != self.department.pk:
                word += "联"
            year = document.uploaded_at.astimezone(SHANGHAI).year
            last[(word, year)] += 1
            document.document_number = f"{short}{word}〔{year}〕{last[(word, year)]}号"


def _organisation(rng: random.Random) -> Any:
    return applicants.organisation(rng)


# ---------------------------------------------------------------- the step


def _joint_items(catalog: _Catalog, departments: dict[str, Department]) -> list[Any]:
    """The configured joint items (created once, by the system, when the history is entered)."""
    found = []
    existing = {j.name: j for j in JointItem.objects.prefetch_related("powers")}
    for name, lead_code, parts, limit in JOINT_ITEMS:
        lead = departments.get(city.CITY_CODE + lead_code)
        versions = []
        for code, words in parts:
            department = departments.get(city.CITY_CODE + code)
            chosen = _joint_power(catalog, department, words) if department else None
            if chosen is not None:
                versions.append(chosen)
        if lead is None or len(versions) < 2 or versions[0].item.department_id != lead.pk:
            continue
        joint = existing.get(name)
        if joint is None:
            with transaction.atomic(), clock.frozen(timeline.recorded_at() - dt.timedelta(hours=1)):
                joint = joint_item_create(
                    actor=None, name=name, lead_department=lead,
                    powers=[v.item for v in versions], limit_days=limit,
                )  # fmt: skip
        found.append((joint, [catalog.power(v.pk) for v in versions]))
    return found


def _joint_power(
    catalog: _Catalog, department: Department, words: tuple[str, ...]
) -> PowerVersion | None:
    """The department's power for a joint item: a published one an applicant asks for, whose
    name holds the bundle's words (the first word best), then 联办件 and licences first."""
    candidates = [
        v
        for v in catalog.versions.values()
        if v.item.department_id == department.pk
        and v.item.status == ItemStatus.PUBLISHED
        and v.item.current_version_id == v.pk
        and catalog.windows[v.pk][-1][1] >= catalog.now
        and catalog.windows[v.pk][0][0] <= catalog.clock.minute_of(timeline.joint_since())
        and v.category in _JOINT_CATEGORIES
    ]

    def fit(version: PowerVersion) -> int:
        found = [i for i, word in enumerate(words) if word in version.name]
        return found[0] if found else len(words)

    candidates.sort(
        key=lambda v: (
            fit(v),
            v.case_type != CaseType.JOINT,
            v.category != Category.LICENSING,
            v.item.code,
        )
    )
    return candidates[0] if candidates else None


def cases_build(seed: int, scale: float, progress: bool = True) -> str:
    """Generate and record the cases of every demo department that has none yet."""
    catalog = _Catalog(seed, scale)
    departments = {
        d.full_code: d
        for d in Department.objects.filter(region__code__startswith=city.CITY_CODE[:4])
    }
    staff = department_staff(list(departments.values()))
    joints = _joint_items(catalog, departments)
    done = _departments_with_cases()
    todo = [
        departments[u.key]
        for u in city.units()
        if u.key in departments
        and departments[u.key].pk in catalog.by_department
        and departments[u.key].pk not in done
    ]
    written = planted = 0
    bar = tqdm(todo, desc="办件", unit="部门", file=sys.stderr, disable=not progress)
    for department in bar:
        records = _Department(catalog, department, staff, seed).build(joints)
        planted += sum(1 for r in records if r.declared_anomaly)
        with clock.frozen(timeline.recorded_at()):
            written += cases_record_history(
                actor=staff[department.pk].head,
                department=department,
                records=records,
                rng=random.Random(f"{seed}:codes:{department.full_code}"),
            )
    bar.close()
    reports = reports_build()
    cases = _city_cases()
    open_cases = cases.filter(state__in=OPEN_STATES).count()
    joint = cases.filter(joint_item__isnull=False, joint_parent__isnull=True).count()
    return (
        f"{written} 件办件（{len(todo)} 个部门；全市在办 {open_cases} 件，"
        f"联办件 {joint} 件，本次预置异常 {planted} 件，"
        f"补录于 {timeline.recorded_at():%Y-%m-%d %H:%M}）；"
        f"运行情况报表：{reports}"
    )
