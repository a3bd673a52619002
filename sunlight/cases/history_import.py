"""Importing past cases from a file (`sunlight cases import`, the 补录 page): the template
(.xlsx with sheets 办件 and 环节, or two CSV files) or an XES event log, into an approved
declared batch. All or nothing: every problem of the file is listed with its line, and one bad
line writes nothing. The write itself is the batch service's (history.cases_record_history),
the same path a department's own system pushing cases uses."""

import gc
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sunlight.cases.history import cases_record_history
from sunlight.cases.history_batches import require_may_declare
from sunlight.cases.history_models import BatchState, HistoryBatch
from sunlight.cases.history_rows import ReadBatch, RecordBuilder
from sunlight.cases.history_template import read_csv, read_workbook
from sunlight.cases.history_xes import read_xes
from sunlight.core.errors import FieldProblem, InvalidTransition, ValidationFailed
from sunlight.core.spreadsheets import ZIP_SIGNATURE

FORMATS = ("xlsx", "csv", "xes")


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
) -> ReadBatch:
    kind = file_format(name, data)
    if kind == "xlsx":
        return read_workbook(data, max_bytes=max_bytes)
    if kind == "xes":
        return read_xes(data)
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
    # A batch is hundreds of thousands of small objects that all live until it is written;
    # the collector's full passes over them would only cost time (nothing here is cyclic).
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
    read = read_file(name, data, steps_data, max_bytes=max_bytes)
    builder = RecordBuilder(department, default_power=default_power.strip())
    records = builder.build(read)
    if builder.problems:
        raise ValidationFailed(_ordered(builder.problems))
    digest = hashlib.sha256(data + (steps_data or b"")).hexdigest()
    try:
        cases = cases_record_history(
            actor=actor, department=department, records=records, batch=batch,
            file_name=name, file_sha256=digest,
        )  # fmt: skip
    except ValidationFailed as failed:
        # The batch checks count records; the file's user needs its lines.
        sheet = read.cases[0].sheet if read.cases else "办件表"
        raise ValidationFailed(
            _ordered(
                [
                    FieldProblem(
                        f"{sheet}·{p.field}",
                        p.message,
                        builder.lines[p.row - 1] if p.row and p.row <= len(builder.lines) else None,
                    )
                    for p in failed.problems
                ]
            )
        ) from None
    batch.refresh_from_db()
    return ImportResult(cases=cases, steps=batch.step_count, notes=list(batch.notes))


def _ordered(problems: list[FieldProblem]) -> list[FieldProblem]:
    return sorted(problems, key=lambda p: (p.field.split("·")[0], p.row or 0))
