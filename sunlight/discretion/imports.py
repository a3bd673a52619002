"""Import and export of benchmark tables (.xlsx). The import is all or nothing: every problem
of every sheet is reported with its sheet and row, and nothing is written unless there are
none. It replaces the content of the benchmark's draft, or starts a new version (修订) of a
published benchmark, through the same services as the form."""

from typing import IO, Any

from sunlight.core.errors import FieldProblem, InvalidTransition, NotFound, ValidationFailed
from sunlight.discretion import permissions
from sunlight.discretion.choices import BenchmarkStatus
from sunlight.discretion.drafts import BenchmarkDraft, draft_normalised, draft_problems
from sunlight.discretion.models import Benchmark, BenchmarkVersion
from sunlight.discretion.selectors import version_draft
from sunlight.discretion.services import benchmark_version_create_next, benchmark_version_update
from sunlight.discretion.sheet_reader import read_benchmark
from sunlight.discretion.spreadsheet import benchmark_workbook


def benchmark_read_upload(*, file: bytes | IO[bytes], filename: str = "") -> BenchmarkDraft:
    """The draft an uploaded table describes; ValidationFailed lists every problem (sheet and
    cell), SpreadsheetRefused a file that is not a table we open. Writes nothing."""
    if not filename:
        filename = getattr(file, "name", "") or ""
    result = read_benchmark(file, filename)
    found = result.problems
    draft = draft_normalised(result.draft)
    problems: list[FieldProblem] = list(found)
    seen = {(getattr(p, "sheet", ""), p.row, getattr(p, "column", None)) for p in found}
    for problem in draft_problems(draft):
        if (
            getattr(problem, "sheet", ""),
            problem.row,
            getattr(problem, "column", None),
        ) not in seen:
            problems.append(problem)
    if problems:
        raise ValidationFailed(problems)
    return draft


def benchmark_import(
    *, actor: Any, benchmark: Benchmark, file: bytes | IO[bytes], reason: str = ""
) -> BenchmarkVersion:
    """Replace the draft's content with the table's; a published benchmark without a draft
    gets a new version (修订, `reason` required)."""
    permissions.require_maintainer(actor, benchmark)
    working = benchmark.working_version
    if working is not None and working.status != BenchmarkStatus.DRAFT:
        raise InvalidTransition(f"第{working.number}版正在审核，不能导入")
    draft = benchmark_read_upload(file=file)
    if working is not None:
        return benchmark_version_update(actor=actor, version=working, draft=draft)
    return benchmark_version_create_next(
        actor=actor, benchmark=benchmark, reason=reason, draft=draft
    )


def benchmark_export(*, actor: Any, version: BenchmarkVersion) -> bytes:
    """The table of one version, in the layout the import reads."""
    permissions.require_visible(actor, version.benchmark)
    public = version.status in (BenchmarkStatus.PUBLISHED, BenchmarkStatus.SUPERSEDED)
    if not public and not permissions.sees_drafts(actor, version.benchmark):
        raise NotFound("版本不存在或无权查看")
    return benchmark_workbook(version_draft(version))


def export_filename(version: BenchmarkVersion) -> str:
    benchmark = version.benchmark
    power = benchmark.power_item.current_version
    name = power.name[:40] if power is not None else benchmark.power_item.code
    filename = f"裁量基准_{benchmark.region.name}_{name}_第{version.number}版.xlsx"
    return filename.replace("/", "_").replace("\\", "_")
