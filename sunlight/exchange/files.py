"""Bulk files of exchange records — JSONL, CSV (UTF-8 or GB18030) or XLSX, one record per line
or row, the header naming the fields — read into the same records the API takes, so files and
pushes go through one path (services.exchange_ingest)."""

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

from django.conf import settings

from sunlight.core.errors import FieldProblem, ValidationFailed
from sunlight.core.spreadsheets import SpreadsheetRefused, sheet_rows, xlsx_open

FORMATS = (".jsonl", ".ndjson", ".csv", ".xlsx")


def read_records(data: bytes, file_name: str) -> list[Any]:
    suffix = PurePath(file_name).suffix.lower()
    limit = settings.SUNLIGHT_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise _refused(f"文件超过大小上限（{limit // 1024 // 1024} MB）")
    if not data.strip():
        raise _refused("文件为空")
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl(data)
    if suffix == ".csv":
        return _csv(data)
    if suffix == ".xlsx":
        return _xlsx(data)
    raise _refused(f"不支持的文件类型“{suffix or file_name}”：请用 {'、'.join(FORMATS)}")


def jsonl_chunks(stream: Any, size: int) -> Iterator[list[Any]]:
    """A JSONL file of any length read `size` records at a time (memory stays bounded): each
    chunk is one batch of the same write path. Lines are numbered in the whole file."""
    chunk: list[Any] = []
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise _refused(f"第 {number} 行不是 UTF-8 编码") from None
        if not line.strip():
            continue
        try:
            chunk.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise _refused(f"第 {number} 行不是合法的 JSON：{error.msg}") from None
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _refused(message: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem("file", message)])


def _text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refused("文件编码无法识别：请用 UTF-8 或 GB18030（GBK）保存")


def _jsonl(data: bytes) -> list[Any]:
    records = []
    for number, line in enumerate(_text(data).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise _refused(f"第 {number} 行不是合法的 JSON：{error.msg}") from None
        records.append(record)
    return records


def _csv(data: bytes) -> list[Any]:
    reader = csv.DictReader(io.StringIO(_text(data)))
    if not reader.fieldnames:
        raise _refused("CSV 文件没有表头行")
    records = []
    for row in reader:
        if None in row:
            raise _refused(f"第 {reader.line_num} 行的列数多于表头")
        if any((value or "").strip() for value in row.values()):
            records.append({k.strip(): (v or "").strip() for k, v in row.items() if k})
    return records


def _xlsx(data: bytes) -> list[Any]:
    try:
        with xlsx_open(data) as workbook:
            rows = list(sheet_rows(workbook.worksheets[0]))
    except SpreadsheetRefused as error:
        raise _refused(error.message) from None
    if not rows:
        raise _refused("工作表为空")
    header = [str(v).strip() if v is not None else "" for v in rows[0].values]
    records = []
    for row in rows[1:]:
        if row.is_empty:
            continue
        if row.formula_columns:
            raise _refused(f"第 {row.number} 行含公式：请粘贴为数值后再导入")
        records.append(
            {name: _cell(value) for name, value in zip(header, row.values, strict=False) if name}
        )
    return records


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value
