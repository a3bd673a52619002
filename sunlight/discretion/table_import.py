"""A bureau's whole discretion table (many laws, many penalty powers, one file) imported at
once: each violation is matched to one of the department's penalty powers by legal basis and
name (`power_match.py`) and lands in that power's benchmark draft; violations that match none
wait for an officer to assign them (`UnassignedViolation`).

All or nothing: with any problem, nothing is written — unless the officer asks for the good
rows only, when exactly the violations without problems are written and the rest listed. A dry
run reports what would be written and writes nothing. The content goes through the same
services as the form (create, update the draft, or a new version of a published benchmark).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.catalog.choices import Category, ItemStatus
from sunlight.catalog.models import PowerItem
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, ValidationFailed
from sunlight.core.spreadsheets import SpreadsheetRefused
from sunlight.discretion import permissions
from sunlight.discretion.choices import AmountMode, BenchmarkStatus
from sunlight.discretion.drafts import (
    BenchmarkDraft,
    SheetProblem,
    ViolationDraft,
    draft_normalised,
    draft_problems,
)
from sunlight.discretion.models import Benchmark, UnassignedViolation
from sunlight.discretion.power_match import PowerCandidate, best_match, candidate
from sunlight.discretion.selectors import version_draft
from sunlight.discretion.serial import violation_as_data, violation_from_data
from sunlight.discretion.services import (
    benchmark_create,
    benchmark_version_create_next,
    benchmark_version_update,
)
from sunlight.discretion.sheet_reader import read_benchmark
from sunlight.org.models import Department


@dataclass
class PowerLanding:
    """Where a power's violations go: its code and name, how many, and what happens."""

    code: str
    name: str
    violations: int
    action: str  # 新建裁量基准 / 替换草稿内容 / 修订（新版本）


@dataclass
class TableImportReport:
    violations: int = 0
    tiers: int = 0
    penalties: int = 0
    problems: list[FieldProblem] = field(default_factory=list)
    notices: list[FieldProblem] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    landings: list[PowerLanding] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)  # 待核定 standards, by cell
    skipped: int = 0  # violations left out (good rows only)
    written: bool = False
    dry_run: bool = False
    refused: bool = False  # problems stop it: nothing is (or would be) written

    def as_json(self) -> dict[str, Any]:
        return {
            "violations": self.violations,
            "tiers": self.tiers,
            "penalties": self.penalties,
            "problems": [_problem_json(p) for p in self.problems],
            "unmatched": self.unmatched,
            "matched": [vars(landing) for landing in self.landings],
            "flagged": self.flagged,
            "notices": [_problem_json(p) for p in self.notices],
            "skipped": self.skipped,
            "written": self.written,
            "dry_run": self.dry_run,
            "refused": self.refused,
        }


def _problem_json(problem: FieldProblem) -> dict[str, Any]:
    return {
        "where": getattr(problem, "address", "") or "",
        "field": problem.field,
        "message": problem.message,
    }


def _where_text(violation: ViolationDraft) -> str:
    where = violation.where
    return where.address if where is not None else ""


def penalty_candidates(department: Department) -> list[PowerCandidate]:
    """The department's published penalty powers, as matching needs them."""
    items = (
        PowerItem.objects.filter(
            department=department,
            status__in=(ItemStatus.PUBLISHED, ItemStatus.SUSPENDED),
            current_version__category=Category.PENALTY,
        )
        .select_related("current_version")
        .prefetch_related("current_version__legal_bases")
        .order_by("code")
    )
    return [
        candidate(
            item.pk,
            item.code,
            item.current_version.name,
            [(b.law_name, b.article) for b in item.current_version.legal_bases.all()],
        )
        for item in items
    ]


def discretion_table_import(
    *,
    actor: Any,
    department: Department,
    file: bytes | IO[bytes],
    filename: str = "",
    dry_run: bool = False,
    good_rows_only: bool = False,
) -> TableImportReport:
    """Read a bureau's table, match its violations to the department's penalty powers and,
    unless `dry_run` or a problem stops it, write them into those powers' benchmark drafts
    (in the department's region) and keep the unmatched ones for assignment."""
    permissions.require_may_import(actor, department)
    report = TableImportReport(dry_run=dry_run)
    try:
        result = read_benchmark(file, filename)
    except SpreadsheetRefused as error:
        report.problems.append(FieldProblem("文件", error.message))
        report.refused = True
        return report
    report.notices = list(result.notices)
    draft = draft_normalised(result.draft)
    problems: list[FieldProblem] = list(result.problems)
    seen = {(getattr(p, "sheet", ""), p.row, getattr(p, "column", None)) for p in problems}

    def add(found: list[FieldProblem]) -> None:
        for problem in found:
            key = (getattr(problem, "sheet", ""), problem.row, getattr(problem, "column", None))
            if key not in seen:
                seen.add(key)
                problems.append(problem)

    for violation in draft.violations:
        add(draft_problems(BenchmarkDraft([violation])))
    powers = penalty_candidates(department)
    by_power: dict[int, list[ViolationDraft]] = defaultdict(list)
    unmatched: list[tuple[ViolationDraft, tuple[PowerCandidate, ...]]] = []
    for violation in draft.violations:
        basis = "\n".join(
            [violation.legal_basis, violation.penalty_basis]
            + [t.paragraph for t in violation.tiers]
        )
        match = best_match(powers, name=violation.name, basis=basis, hint=violation.power_hint)
        if match.power is not None:
            by_power[match.power.pk].append(violation)
        else:
            unmatched.append((violation, match.candidates))
    benchmarks = {
        b.power_item_id: b
        for b in Benchmark.objects.filter(
            power_item_id__in=by_power, region_id=department.region_id
        ).select_related("working_version", "current_version", "power_item")
    }
    for pk, violations in by_power.items():
        add(draft_problems(BenchmarkDraft(violations)))  # e.g. the same name twice
        benchmark = benchmarks.get(pk)
        working = benchmark.working_version if benchmark else None
        if working is not None and working.status != BenchmarkStatus.DRAFT:
            for violation in violations:
                where = violation.where
                add(
                    [
                        SheetProblem(
                            "处罚事项",
                            f"该违法行为所属事项的裁量基准第{working.number}版正在审核，不能导入",
                            where.row if where else None,
                            sheet=where.sheet if where else "",
                            column=where.column if where else None,
                        )
                    ]
                )
    report.problems = problems
    bad = _bad_violations(draft.violations, problems)
    blocking = bool(problems) and not good_rows_only
    keep = [v for v in draft.violations if id(v) not in bad]
    report.skipped = len(draft.violations) - len(keep) if good_rows_only else 0
    counted = draft.violations if blocking else keep
    report.violations = len(counted)
    report.tiers = sum(len(v.tiers) for v in counted)
    report.penalties = sum(len(t.penalties) for v in counted for t in v.tiers)
    report.flagged = [
        p.where.address if p.where else v.name
        for v in counted
        for t in v.tiers
        for p in t.penalties
        if p.mode == AmountMode.TEXT
    ]
    names = {p.pk: p for p in powers}
    kept = {id(v) for v in keep}
    report.unmatched = [
        {
            "where": _where_text(v),
            "name": v.name,
            "legal_basis": v.legal_basis,
            "candidates": [f"{c.code} {c.name}" for c in close],
        }
        for v, close in unmatched
        if blocking or id(v) in kept
    ]
    for pk, violations in by_power.items():
        chosen = violations if blocking else [v for v in violations if id(v) in kept]
        if chosen:
            benchmark = benchmarks.get(pk)
            action = (
                "新建裁量基准"
                if benchmark is None
                else "替换草稿内容"
                if benchmark.working_version_id
                else "修订（新版本）"
            )
            report.landings.append(
                PowerLanding(names[pk].code, names[pk].name, len(chosen), action)
            )
    report.refused = blocking or (bool(problems) and not keep)
    if report.refused or dry_run or not keep:
        return report
    _write(actor, department, filename, by_power, unmatched, kept, benchmarks, report)
    return report


def _bad_violations(violations: list[ViolationDraft], problems: list[FieldProblem]) -> set[int]:
    """Violations with a problem in their rows (problems outside every violation stop none)."""
    rows: dict[str, list[int]] = defaultdict(list)
    for problem in problems:
        sheet = getattr(problem, "sheet", "")
        if sheet and problem.row is not None:
            rows[sheet].append(problem.row)
    bad = set()
    for violation in violations:
        where, span = violation.where, violation.rows
        if where is None or span is None:
            continue
        if any(span[0] <= row <= span[1] for row in rows.get(where.sheet, [])):
            bad.add(id(violation))
    return bad


def _write(
    actor: Any,
    department: Department,
    filename: str,
    by_power: dict[int, list[ViolationDraft]],
    unmatched: list[tuple[ViolationDraft, tuple[PowerCandidate, ...]]],
    kept: set[int],
    benchmarks: dict[int, Benchmark],
    report: TableImportReport,
) -> None:
    reason = f"导入裁量基准表{filename and f'《{filename}》'}"
    items = PowerItem.objects.select_related("current_version", "department").in_bulk(
        list(by_power)
    )
    try:
        with transaction.atomic():
            for pk, violations in by_power.items():
                chosen = [v for v in violations if id(v) in kept]
                if not chosen:
                    continue
                content = BenchmarkDraft(chosen)
                benchmark = benchmarks.get(pk)
                if benchmark is None:
                    benchmark_create(
                        actor=actor,
                        power_item=items[pk],
                        region=department.region,
                        draft=content,
                    )
                elif benchmark.working_version_id is not None:
                    benchmark_version_update(
                        actor=actor, version=benchmark.working_version, draft=content
                    )
                else:
                    benchmark_version_create_next(
                        actor=actor, benchmark=benchmark, reason=reason, draft=content
                    )
            now = clock.now()
            user = actor if getattr(actor, "pk", None) else None
            waiting = UnassignedViolation.objects.bulk_create(
                [
                    UnassignedViolation(
                        department=department,
                        source=(filename or "")[:200],
                        place=_where_text(v)[:80],
                        name=v.name[:500],
                        content=violation_as_data(v),
                        imported_by=user,
                        imported_at=now,
                    )
                    for v, _ in unmatched
                    if id(v) in kept
                ]
            )
            audit_record(
                actor=actor,
                action="discretion.table.imported",
                object_type="org.department",
                object_id=department.pk,
                data={
                    "file": filename,
                    "violations": report.violations,
                    "tiers": report.tiers,
                    "penalties": report.penalties,
                    "powers": {landing.code: landing.violations for landing in report.landings},
                    "unassigned": [w.pk for w in waiting],
                    "skipped": report.skipped,
                },
            )
    except ValidationFailed as error:
        # Someone changed a benchmark between our check and the write: nothing was written.
        report.problems += error.problems
        report.refused = True
        return
    report.written = True


# ---------------------------------------------------------------- assigning


def unassigned_assign(
    *, actor: Any, unassigned: UnassignedViolation, power_item: PowerItem
) -> Benchmark:
    """Put a violation that matched no power into `power_item`'s benchmark draft (in the
    department's region): added to the draft, or to a new version of a published one."""
    department = unassigned.department
    permissions.require_may_import(actor, department)
    problems = []
    if unassigned.assigned_at is not None:
        problems.append(FieldProblem("违法行为", "该违法行为已归入裁量基准"))
    version = power_item.current_version
    if (
        power_item.department_id != department.pk
        or version is None
        or version.category != Category.PENALTY
        or power_item.status not in (ItemStatus.PUBLISHED, ItemStatus.SUSPENDED)
    ):
        problems.append(FieldProblem("处罚事项", "请选择本部门已发布的行政处罚事项"))
    if problems:
        raise ValidationFailed(problems)
    violation = violation_from_data(unassigned.content)
    with transaction.atomic():
        locked = UnassignedViolation.objects.select_for_update().get(pk=unassigned.pk)
        if locked.assigned_at is not None:
            raise ValidationFailed([FieldProblem("违法行为", "该违法行为已被他人归入")])
        benchmark = (
            Benchmark.objects.select_related("working_version", "current_version")
            .filter(power_item=power_item, region_id=department.region_id)
            .first()
        )
        if benchmark is None:
            benchmark = benchmark_create(
                actor=actor,
                power_item=power_item,
                region=department.region,
                draft=BenchmarkDraft([violation]),
            )
        elif benchmark.working_version is not None:
            working = benchmark.working_version
            content = version_draft(working)
            content.violations.append(violation)
            benchmark_version_update(actor=actor, version=working, draft=content)
        else:
            content = version_draft(benchmark.current_version)
            content.violations.append(violation)
            benchmark_version_create_next(
                actor=actor,
                benchmark=benchmark,
                reason=f"归入导入的违法行为“{violation.name[:40]}”",
                draft=content,
            )
        now = clock.now()
        locked.assigned_to = benchmark
        locked.assigned_by = actor if getattr(actor, "pk", None) else None
        locked.assigned_at = now
        locked.save(update_fields=["assigned_to", "assigned_by", "assigned_at"])
        audit_record(
            actor=actor,
            action="discretion.violation.assigned",
            object_type="discretion.benchmark",
            object_id=benchmark.pk,
            data={"unassigned": locked.pk, "power": power_item.code, "name": violation.name},
        )
    unassigned.refresh_from_db()
    return benchmark
