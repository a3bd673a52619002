"""Importing past cases from a file (`sunlight cases import`, the 补录 page): the template
(.xlsx with sheets 办件 and 环节, or two CSV files) or an XES event log, into an approved
declared batch. All or nothing: every problem of the file is listed with its line, and one bad
line writes nothing. The file is read, checked and written a chunk of cases at a time inside the
batch's one transaction (history_source.py, history.cases_record_history_chunks), so memory
stays bounded however large the migration; the write is the batch service's, the same path a
department's own system pushing cases uses."""

import gc
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sunlight.cases.history import HistoryChunk, cases_record_history_chunks
from sunlight.cases.history_batches import require_may_declare
from sunlight.cases.history_models import BatchState, HistoryBatch
from sunlight.cases.history_rows import RecordBuilder
from sunlight.cases.history_source import LineSource, ReadSource
from sunlight.cases.history_template import read_csv, read_workbook
from sunlight.cases.history_xes import read_xes
from sunlight.core.errors import FieldProblem, InvalidTransition, ValidationFailed
from sunlight.core.spreadsheets import ZIP_SIGNATURE

FORMATS = ("xlsx", "csv", "xes")
# Cases checked and written at a time: a chunk's records, checks and rows take about 4 KB per
# step row, so 2,000 cases of four steps are some 35 MB, whatever the file's size.
CHUNK_CASES = 2000


@dataclass
class ImportResult:
    cases: int
    steps: int
    notes: list[str] = field(default_factory=list)


def file_format(name: str, data: bytes) -> str:
    """What the file is, by its name and first bytes; ValidationFailed when the two disagree
    (a .xlsx that is not a workbook, an .xes that is not XML)."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix == "xlsx":
        if not data.startswith(ZIP_SIGNATURE):
            raise ValidationFailed(
                [FieldProblem("文件", "扩展名是 .xlsx，内容却不是 Excel 工作簿")]
            )
        return "xlsx"
    if suffix in ("xes", "xml"):
        if not head.startswith(b"<"):
            raise ValidationFailed([FieldProblem("文件", "扩展名是 .xes，内容却不是 XML")])
        return "xes"
    if suffix in ("csv", "txt"):
        if data.startswith(ZIP_SIGNATURE) or b"\x00" in data[:4096]:
            raise ValidationFailed([FieldProblem("文件", "扩展名是 .csv，内容却不是文本")])
        return "csv"
    raise ValidationFailed(
        [FieldProblem("文件", "只接受 .xlsx、.csv（办件表和环节表各一个）或 .xes 文件")]
    )


def read_file(
    name: str, data: bytes, steps_data: bytes | None = None, *, max_bytes: int | None = None
) -> LineSource:
    kind = file_format(name, data)
    if kind == "xlsx":
        return ReadSource(read_workbook(data, max_bytes=max_bytes))
    if kind == "xes":
        return ReadSource(read_xes(data))
    return read_csv(data, steps_data)


def cases_import_file(
    *,
    actor: Any,
    batch: HistoryBatch,
    name: str,
    data: bytes,
    steps_data: bytes | None = None,
    default_power: str = "",
    max_bytes: int | None = None,
) -> ImportResult:
    """Read, check and write one file into `batch` (approved, not yet written)."""
    department = batch.department
    require_may_declare(actor, department)
    if batch.state != BatchState.APPROVED:
        raise InvalidTransition(
            f"补录批次{batch.pk}{batch.get_state_display()}：只有经纪检监察批准、尚未导入的批次"
            "可以导入办件"
        )
    # A chunk is tens of thousands of small objects that live until it is written; the
    # collector's passes over them would only cost time. It runs once per chunk instead.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import(actor, batch, name, data, steps_data, default_power, max_bytes)
    finally:
        if collecting:
            gc.enable()


def _import(
    actor: Any,
    batch: HistoryBatch,
    name: str,
    data: bytes,
    steps_data: bytes | None,
    default_power: str,
    max_bytes: int | None,
) -> ImportResult:
    department = batch.department
    source = read_file(name, data, steps_data, max_bytes=max_bytes)
    if source.fatal:
        raise ValidationFailed(_ordered(source.problems))
    builder = RecordBuilder(department, default_power=default_power.strip())

    def chunks() -> Iterator[HistoryChunk]:
        reading = list(source.problems)
        for lines in source.case_chunks(CHUNK_CASES):
            records, rows = builder.build_chunk(lines, source.steps_of)
            reading += builder.problems
            builder.problems = []
            yield HistoryChunk(records, rows, _ordered(reading), prefix=f"{source.case_sheet}·")
            reading = []
            # The collector is off (below): free what the chunk left in cycles (Django's query
            # machinery) before the next. Only the youngest generation: with automatic
            # collection off it holds exactly what was made since the last chunk.
            gc.collect(0)
        yield HistoryChunk([], problems=reading + builder.stray_problems(source.stray_steps()))

    digest = hashlib.sha256(data)
    digest.update(steps_data or b"")
    try:
        cases = cases_record_history_chunks(
            actor=actor, department=department, chunks=chunks(), batch=batch,
            file_name=name, file_sha256=digest.hexdigest(),
        )  # fmt: skip
    except ValidationFailed as failed:
        problems = failed.problems
        head = problems[:1] if problems and problems[0].row is None else []
        raise ValidationFailed(head + _ordered(problems[len(head) :])) from None
    batch.refresh_from_db()
    return ImportResult(cases=cases, steps=batch.step_count, notes=list(batch.notes))


def _ordered(problems: list[FieldProblem]) -> list[FieldProblem]:
    return sorted(problems, key=lambda p: (p.field.split("·")[0], p.row or 0))
