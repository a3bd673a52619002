"""Reporting forms of case handling, generated from the cases themselves.

Important powers (重要) produce a stage registration form (重要行政权力动态运行情况登记表) for each
case at each stage it reaches: 受理 (accepted), 办理 (the first handling step after acceptance
done) and 办结 (concluded, or ended by 不予受理). Other powers are filed once a month per department
(非重要行政权力动态运行情况备案表), listing the cases concluded that month. Every form is due
REPORT_DUE_DAYS calendar days after its stage was reached (after the month's end for filings);
a department user marks it reported (报送); an unreported form past its due date is overdue.

Generation is set-based and idempotent: one query per stage finds the cases that reached it and
have no form for it yet (an anti-join on the report table, whose unique constraints back it up),
and the new forms are inserted in bulk. Running it twice creates nothing the second time.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery

from sunlight.audit.services import audit_record
from sunlight.cases.choices import CaseState, StepResult, StepState
from sunlight.cases.deadlines import local_date
from sunlight.cases.models import Case, CaseStep, ReportKind, ReportStage, StageReport
from sunlight.cases.report_content import filing_content, stage_content
from sunlight.core import clock
from sunlight.core.bulk import db_datetime, insert_many
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import DomainError, InvalidTransition, NotFound, PermissionDenied
from sunlight.org.choices import Role
from sunlight.org.permissions import department_scope_q

# The one setting of the reporting period: forms are due this many calendar days (自然日) after
# the stage was reached, or after the last day of the filed month.
REPORT_DUE_DAYS = 7
# A stage reached shortly before the last run may have been committed after it looked: the
# next run looks this far behind the last one (the anti-join keeps it from repeating forms).
STAGE_LOOKBACK = dt.timedelta(days=REPORT_DUE_DAYS)
CHUNK = 1_000
ENDED_STATES = (CaseState.CONCLUDED, CaseState.NOT_ACCEPTED)
_HANDLED = (StepState.DONE, StepState.SENT_BACK)
_ACCEPTANCE_RESULTS = (StepResult.ACCEPTED, StepResult.NOT_ACCEPTED)
_INSERT_FIELDS = (
    "kind",
    "case",
    "department",
    "stage",
    "period_start",
    "period_end",
    "reached_at",
    "created_at",
    "due_date",
    "content",
)
# Arbitrary constant naming the PostgreSQL advisory lock that serialises generation runs.
_PG_GENERATION_LOCK = 0x5A1_4E9


def due_date_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=REPORT_DUE_DAYS)


# ---------------------------------------------------------------- generation


def stage_reports_generate(*, now: dt.datetime, since: dt.datetime | None = None) -> dict[str, int]:
    """Create the registration forms of important powers' cases for every stage reached by
    `now` that has none yet; returns the number created per stage. Only stages reached since
    the last run (less STAGE_LOOKBACK) are looked at, unless `since` says otherwise."""
    with transaction.atomic():
        _lock_generation()
        if since is None:
            since = _last_stage_run()
        created: dict[str, int] = {}
        for stage in ReportStage.values:
            pending = list(_stage_candidates(stage=stage, since=since, now=now))
            created[stage] = len(pending)
            for start in range(0, len(pending), CHUNK):
                rows = _stage_rows(stage=stage, pending=pending[start : start + CHUNK], now=now)
                insert_many(StageReport, _INSERT_FIELDS, rows)
        if any(created.values()):
            audit_record(
                actor=None,
                action="cases.report.generated",
                object_type="cases.report",
                object_id=f"stage:{now:%Y-%m-%dT%H:%M:%S}",
                data={"kind": ReportKind.STAGE_REGISTRATION, "created": created},
            )
    return created


def _lock_generation() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_GENERATION_LOCK])
    # SQLite: transactions are BEGIN IMMEDIATE (settings), so generation runs are serial.


def _last_stage_run() -> dt.datetime | None:
    last = StageReport.objects.filter(kind=ReportKind.STAGE_REGISTRATION).aggregate(
        last=Max("created_at")
    )["last"]
    return last - STAGE_LOOKBACK if last is not None else None


def _reportable(*, important: bool) -> QuerySet[Case]:
    # A joint approval's parent has no flow of its own: each part is reported on its own power.
    return Case.objects.filter(power_version__important=important, joint_item__isnull=True)


def _stage_candidates(
    *, stage: str, since: dt.datetime | None, now: dt.datetime
) -> QuerySet[Case, tuple[int, dt.datetime]]:
    """(case id, moment the stage was reached) for cases with no form for `stage` yet."""
    has_form = StageReport.objects.filter(
        kind=ReportKind.STAGE_REGISTRATION, case=OuterRef("pk"), stage=stage
    )
    cases = _reportable(important=True).filter(~Exists(has_form))
    if stage == ReportStage.ACCEPTED:
        cases = cases.filter(accepted_at__isnull=False).annotate(reached=F("accepted_at"))
    elif stage == ReportStage.HANDLING:
        first_handled = (
            CaseStep.objects.filter(
                case=OuterRef("pk"), kind="user_task", state__in=_HANDLED, finished_at__isnull=False
            )
            .exclude(result__in=_ACCEPTANCE_RESULTS)
            .order_by("finished_at")
            .values("finished_at")[:1]
        )
        cases = cases.filter(accepted_at__isnull=False)
        if since is not None:
            # Handling comes before conclusion: cases concluded earlier can't qualify.
            cases = cases.filter(Q(concluded_at__isnull=True) | Q(concluded_at__gte=since))
        cases = cases.annotate(reached=Subquery(first_handled)).filter(reached__isnull=False)
    else:
        cases = cases.filter(state__in=ENDED_STATES, concluded_at__isnull=False).annotate(
            reached=F("concluded_at")
        )
    if since is not None:
        cases = cases.filter(reached__gte=since)
    return cases.filter(reached__lte=now).order_by("pk").values_list("pk", "reached")


def _stage_rows(
    *, stage: str, pending: Sequence[tuple[int, dt.datetime]], now: dt.datetime
) -> Iterator[list[Any]]:
    ids = [case_id for case_id, _ in pending]
    cases = {
        case.pk: case
        for case in Case.objects.filter(pk__in=ids).select_related(
            "power_item", "power_version__handling_section", "department"
        )
    }
    steps: dict[int, list[CaseStep]] = {case_id: [] for case_id in ids}
    for step in (
        CaseStep.objects.filter(case_id__in=ids)
        .select_related("handler")
        .order_by("case_id", "started_at", "id")
    ):
        steps[step.case_id].append(step)
    created = db_datetime(now)
    for case_id, reached in pending:
        case = cases[case_id]
        if stage == ReportStage.HANDLING:
            as_of = min(now, case.concluded_at) if case.concluded_at else now
        else:
            as_of = reached
        due = due_date_after(local_date(reached))
        content = stage_content(
            case=case,
            steps=steps[case_id],
            stage=stage,
            reached_at=reached,
            as_of=as_of,
            due_date=due,
            generated_at=now,
        )
        yield _row(
            kind=ReportKind.STAGE_REGISTRATION,
            case=case_id,
            department=case.department_id,
            stage=stage,
            reached_at=db_datetime(reached),
            created_at=created,
            due_date=due,
            content=content,
        )


def _row(**values: Any) -> list[Any]:
    """Values in database form, in _INSERT_FIELDS order."""
    meta = StageReport._meta
    row = []
    for name in _INSERT_FIELDS:
        value = values.get(name)
        if name in ("content", "due_date", "period_start", "period_end") and value is not None:
            value = meta.get_field(name).get_db_prep_save(value, connection)
        elif name == "stage" and value is None:
            value = ""
        row.append(value)
    return row


@dataclass(frozen=True)
class Month:
    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, day: dt.date) -> "Month":
        start = day.replace(day=1)
        following = (start + dt.timedelta(days=32)).replace(day=1)
        return cls(start, following - dt.timedelta(days=1))

    @property
    def previous(self) -> "Month":
        return Month.of(self.start - dt.timedelta(days=1))

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first moment, first moment of the next month) in Asia/Shanghai."""
        following = self.end + dt.timedelta(days=1)
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=SHANGHAI),
            dt.datetime.combine(following, dt.time.min, tzinfo=SHANGHAI),
        )


def filing_reports_generate(*, month: dt.date, now: dt.datetime | None = None) -> int:
    """Create the monthly filing form of every department whose non-important powers had cases
    concluded in `month` (any day of it) and that has no form for that month yet. The month
    must be over: a form lists the whole month and never changes afterwards."""
    now = now or clock.now()
    period = Month.of(month)
    if period.end >= local_date(now):
        raise DomainError(f"{period.start.year}年{period.start.month}月尚未结束，不能生成备案表")
    start, end = period.bounds()
    filed = StageReport.objects.filter(
        kind=ReportKind.PERIODIC_FILING,
        department=OuterRef("department"),
        period_start=period.start,
    )
    cases = (
        _reportable(important=False)
        .filter(state__in=ENDED_STATES, concluded_at__gte=start, concluded_at__lt=end)
        .filter(~Exists(filed))
        .select_related("power_item", "power_version", "department")
        .order_by("department_id", "concluded_at", "pk")
    )
    due = due_date_after(period.end)
    created = db_datetime(now)
    counts: Counter[str] = Counter()
    with transaction.atomic():
        _lock_generation()
        rows = []
        for department_id, group in groupby(
            cases.iterator(chunk_size=2_000), key=lambda c: c.department_id
        ):
            listed = list(group)
            counts["departments"] += 1
            counts["cases"] += len(listed)
            content = filing_content(
                department_name=listed[0].department.name,
                period_start=period.start,
                period_end=period.end,
                cases=listed,
                due_date=due,
                generated_at=now,
            )
            rows.append(
                _row(
                    kind=ReportKind.PERIODIC_FILING,
                    department=department_id,
                    period_start=period.start,
                    period_end=period.end,
                    created_at=created,
                    due_date=due,
                    content=content,
                )
            )
        insert_many(StageReport, _INSERT_FIELDS, rows)
        if rows:
            audit_record(
                actor=None,
                action="cases.report.generated",
                object_type="cases.report",
                object_id=f"filing:{period.start:%Y-%m}",
                data={"kind": ReportKind.PERIODIC_FILING, **counts},
            )
    return len(rows)


def reports_generate_due(*, now: dt.datetime) -> dict[str, int]:
    """What the periodic job runs: stage forms up to `now`, and the filing forms of the month
    that ended last (a month already filed is skipped)."""
    created = stage_reports_generate(now=now)
    last_month = Month.of(local_date(now)).previous
    created["filing"] = filing_reports_generate(month=last_month.start, now=now)
    return created


# ---------------------------------------------------------------- reporting (报送)


def require_report_reporter(user: Any, report: StageReport) -> None:
    """Marking a form reported is the department's own act: its clerks and heads."""
    require_report_visible(user, report)
    if (
        user is None
        or user.role not in (Role.CLERK, Role.APPROVER)
        or user.department_id != report.department_id
    ):
        raise PermissionDenied("只有本部门工作人员可以报送本部门的报表")


def require_report_visible(user: Any, report: StageReport) -> None:
    if user is None:
        return
    if not StageReport.objects.filter(department_scope_q(user), pk=report.pk).exists():
        raise NotFound("报表不存在或无权查看")


def stage_report_mark_reported(*, actor: Any, report: StageReport) -> StageReport:
    require_report_reporter(actor, report)
    now = clock.now()
    with transaction.atomic():
        moved = StageReport.objects.filter(pk=report.pk, reported_at__isnull=True).update(
            reported_at=now, reported_by=actor
        )
        if not moved:
            raise InvalidTransition("该报表已报送，无需重复报送")
        report.reported_at = now
        report.reported_by = actor
        audit_record(
            actor=actor,
            action="cases.report.reported",
            object_type="cases.report",
            object_id=report.pk,
            data={
                "kind": report.kind,
                "case": report.content.get("case_number", ""),
                "stage": report.stage,
                "period": report.content.get("period", ""),
                "due_date": f"{report.due_date:%Y-%m-%d}",
                "late": local_date(now) > report.due_date,
            },
        )
    return report


# ---------------------------------------------------------------- reads


REPORT_STATUSES = {"unreported": "未报送", "reported": "已报送", "overdue": "逾期未报送"}


def overdue_report_q(today: dt.date) -> Q:
    return Q(reported_at__isnull=True, due_date__lt=today)


def stage_reports_for_user(
    *,
    user: Any,
    kind: str = "",
    status: str = "",
    department_id: int | None = None,
    today: dt.date | None = None,
) -> QuerySet[StageReport]:
    """Forms of the departments the user may see, most urgent first."""
    today = today or clock.today_local()
    reports = StageReport.objects.filter(department_scope_q(user))
    if kind in ReportKind.values:
        reports = reports.filter(kind=kind)
    if status == "reported":
        reports = reports.filter(reported_at__isnull=False)
    elif status == "unreported":
        reports = reports.filter(reported_at__isnull=True)
    elif status == "overdue":
        reports = reports.filter(overdue_report_q(today))
    if department_id is not None:
        reports = reports.filter(department_id=department_id)
    return reports.select_related("department", "case", "reported_by").order_by(
        F("reported_at").desc(nulls_first=True), "due_date", "id"
    )


def stage_report_get_for_user(*, user: Any, report_id: int) -> StageReport:
    report = (
        StageReport.objects.filter(department_scope_q(user), pk=report_id)
        .select_related("department", "case")
        .first()
    )
    if report is None:
        raise NotFound("报表不存在或无权查看")
    return report


def is_overdue(report: StageReport, today: dt.date) -> bool:
    return report.reported_at is None and report.due_date < today


def may_report(user: Any, report: StageReport) -> bool:
    return (
        report.reported_at is None
        and user.role in (Role.CLERK, Role.APPROVER)
        and user.department_id == report.department_id
    )
