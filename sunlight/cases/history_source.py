"""The lines of a past-case file handed out a chunk of cases at a time, each case with its step
lines, so that a migration of a million step rows is read, checked and written without ever
holding it whole in memory (history_import.py).

A CSV pair is indexed, not loaded: one pass over each file notes where every record starts and
ends (and, for a step, the next step of the same case: a chain through an array), and a chunk's
records are parsed from the file's bytes when the chunk is built. What stays for the whole run is
a few numbers per line and the set of case numbers. Workbooks and XES logs are read whole by
their readers (a sheet holds at most 1,048,576 rows) and handed out the same way.

Cases come in order of receipt (lines whose receipt cannot be read last: they are refused
anyway), so case numbers, which follow receipt within a day, are the same however the file is
split into chunks. The parts of a joint application (one 并联申请编号) come together and are
never split between chunks."""

import codecs
import csv
import datetime as dt
from abc import ABC, abstractmethod
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sunlight.cases.history_rows import (
    CASE_SHEET,
    STEP_SHEET,
    CaseLine,
    ReadBatch,
    StepLine,
    parse_time,
    text,
)
from sunlight.core.errors import FieldProblem

_LAST = dt.datetime.max.replace(tzinfo=dt.UTC)


def _receipt(value: Any) -> dt.datetime:
    try:
        return parse_time(value) or _LAST
    except (TypeError, ValueError):
        return _LAST


def receipt_order(entries: Iterable[tuple[dt.datetime, str]]) -> list[int]:
    """Line indexes in order of (receipt, joint number): the parts of a joint application
    (lines with the same 并联申请编号) together, at the earliest receipt among them."""
    entries = list(entries)
    first: dict[str, dt.datetime] = {}
    for receipt, joint in entries:
        if joint and (joint not in first or receipt < first[joint]):
            first[joint] = receipt
    keys = sorted(
        (first[joint] if joint else receipt, joint, index)
        for index, (receipt, joint) in enumerate(entries)
    )
    return [index for _, _, index in keys]


def chunk_bounds(count: int, size: int, joint_of: Callable[[int], str]) -> Iterator[range]:
    """Positions `size` at a time, a chunk running on until a joint application's parts are
    all in it (`joint_of(position)`: the joint number of the line there, "" for none)."""
    start = 0
    while start < count:
        end = min(start + size, count)
        last = joint_of(end - 1)
        while last and end < count and joint_of(end) == last:
            end += 1
        yield range(start, end)
        start = end


def _joint(values: dict[str, Any]) -> str:
    return text(values.get("joint_number"))


class LineSource(ABC):
    """What history_import needs of a file: reading problems (`fatal` when no line can be
    read), the cases in chunks, each case's steps, and the steps that name no case."""

    case_sheet = CASE_SHEET
    fatal = False

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []
        self.case_numbers: set[str] = set()

    @abstractmethod
    def case_chunks(self, size: int) -> Iterator[list[CaseLine]]: ...

    @abstractmethod
    def steps_of(self, number: str) -> list[StepLine]: ...

    @abstractmethod
    def stray_steps(self) -> Iterator[StepLine]: ...


class ReadSource(LineSource):
    """A file read whole (workbook, XES)."""

    def __init__(self, read: ReadBatch) -> None:
        super().__init__()
        self.problems = read.problems
        self.fatal = not read.cases and bool(read.problems)
        if read.cases:
            self.case_sheet = read.cases[0].sheet
        order = receipt_order(
            (_receipt(c.values.get("received_at")), _joint(c.values)) for c in read.cases
        )
        self.cases = [read.cases[index] for index in order]
        self.case_numbers = {text(c.values.get("source_number")) for c in read.cases}
        self.steps: dict[str, list[StepLine]] = defaultdict(list)
        for step in read.steps:
            self.steps[text(step.values.get("source_number"))].append(step)

    def case_chunks(self, size: int) -> Iterator[list[CaseLine]]:
        cases = self.cases
        for span in chunk_bounds(len(cases), size, lambda at: _joint(cases[at].values)):
            yield cases[span.start : span.stop]

    def steps_of(self, number: str) -> list[StepLine]:
        return self.steps.get(number, [])

    def stray_steps(self) -> Iterator[StepLine]:
        for number, steps in self.steps.items():
            if number not in self.case_numbers:
                yield from steps


class CsvSource(LineSource):
    """The template's two CSV files (UTF-8 with or without BOM, or GB18030), indexed."""

    def __init__(self, cases: bytes, steps: bytes | None, case_columns: Any, step_columns: Any):
        super().__init__()
        self.case_file = _CsvFile(cases, case_columns, CASE_SHEET, self.problems)
        self.step_file = _CsvFile(steps or b"", step_columns, STEP_SHEET, self.problems)
        self.fatal = self.case_file.broken or self.step_file.broken
        if self.fatal:
            return
        # Cases: where each record is, in order of receipt.
        keys = []
        self.joints: dict[int, str] = {}  # file index → joint number, for joint parts only
        for index, (values, _) in enumerate(self.case_file.scan()):
            self.case_numbers.add(text(values.get("source_number")))
            joint = _joint(values)
            if joint:
                self.joints[index] = joint
            keys.append((_receipt(values.get("received_at")), joint))
        self.order = array("q", receipt_order(keys))
        del keys
        # Steps: the first of each case, then a chain to the next (array: 8 bytes a step).
        self.first: dict[str, int] = {}
        self.next = array("q")
        last: dict[str, int] = {}
        if steps is not None:
            for index, (values, _) in enumerate(self.step_file.scan()):
                number = text(values.get("source_number"))
                self.next.append(-1)
                if number in last:
                    self.next[last[number]] = index
                else:
                    self.first[number] = index
                last[number] = index

    def case_chunks(self, size: int) -> Iterator[list[CaseLine]]:
        order, joints = self.order, self.joints
        for span in chunk_bounds(len(order), size, lambda at: joints.get(order[at], "")):
            yield [
                CaseLine(*self.case_file.record(index)) for index in order[span.start : span.stop]
            ]

    def steps_of(self, number: str) -> list[StepLine]:
        return list(self._chain(self.first.get(number, -1)))

    def stray_steps(self) -> Iterator[StepLine]:
        for number, first in self.first.items():
            if number not in self.case_numbers:
                yield from self._chain(first)

    def _chain(self, index: int) -> Iterator[StepLine]:
        while index >= 0:
            yield StepLine(*self.step_file.record(index))
            index = self.next[index]


class _CsvFile:
    """One CSV file: its header's layout and, after scan(), each data record's line number and
    place in the bytes. Lines are decoded one at a time, as UTF-8 when the whole file is, else
    as GB18030 (a newline byte is never part of a character in either)."""

    def __init__(self, data: bytes, columns: Any, sheet: str, problems: list[FieldProblem]):
        self.data, self.columns, self.sheet, self.problems = data, columns, sheet, problems
        self.layout: list[str | None] | None = None
        self.broken = False  # nothing of it can be read
        self.header_end = self.header_number = 0
        self.numbers, self.starts, self.ends = array("q"), array("q"), array("q")
        self.encoding = _encoding(data)
        if self.encoding is None:
            self.broken = True
            problems.append(
                FieldProblem(sheet, "文件编码无法识别（请保存为 UTF-8 或 GB18030 的 CSV）")
            )
            return
        from sunlight.cases.history_template import header_layout

        start = 0
        if self.encoding == "utf-8-sig":
            # Lines are decoded one by one: the mark is skipped here, and the rest read as
            # plain UTF-8 (its codec is C; utf-8-sig's is Python).
            self.encoding = "utf-8"
            start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        try:
            for number, values, _start, end in _records(data, start, self.encoding):
                layout = header_layout(values, columns, sheet, problems, number)
                if layout is not None:
                    self.layout, self.header_end, self.header_number = layout, end, number
                    self.broken = not layout  # required columns missing
                    return
        except csv.Error as error:
            self.broken = True
            problems.append(FieldProblem(sheet, f"CSV 格式有误：{error}"))

    def scan(self) -> Iterator[tuple[dict[str, Any], int]]:
        """Each data record's values (for the index) and its line number; notes where it is."""
        if not self.layout:
            return
        records = _records(self.data, self.header_end, self.encoding, self.header_number)
        try:
            for number, values, start, end in records:
                if not any(v.strip() for v in values) or (values and values[0].startswith("#")):
                    continue  # blank, or the template's explanation line
                self.numbers.append(number)
                self.starts.append(start)
                self.ends.append(end)
                yield self._values(values), number
        except csv.Error as error:
            self.problems.append(FieldProblem(self.sheet, f"CSV 格式有误：{error}"))

    def record(self, index: int) -> tuple[int, dict[str, Any]]:
        line = self.data[self.starts[index] : self.ends[index]].decode(self.encoding)
        values = next(csv.reader([line]), [])
        return self.numbers[index], self._values(values)

    def _values(self, values: list[str]) -> dict[str, Any]:
        layout = self.layout or []
        return {key: values[i] for i, key in enumerate(layout) if key and i < len(values)}


def _encoding(data: bytes) -> str | None:
    """utf-8-sig when the whole file is UTF-8 (checked a megabyte at a time, nothing kept),
    else gb18030 when it decodes as that, else None."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), 1 << 20):
                decoder.decode(data[start : start + (1 << 20)])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _records(
    data: bytes, start: int, encoding: str, number: int = 0
) -> Iterator[tuple[int, list[str], int, int]]:
    """CSV records from `start` with their number (as counted from the file's first record)
    and where each starts and ends in the bytes (a quoted cell may span lines)."""
    lines = _Lines(data, start, encoding)
    reader = csv.reader(lines)
    while True:
        begin = lines.pos
        try:
            values = next(reader)
        except StopIteration:
            return
        number += 1
        yield number, values, begin, lines.pos


class _Lines:
    def __init__(self, data: bytes, pos: int, encoding: str) -> None:
        self.data, self.pos, self.encoding = data, pos, encoding

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        data, pos = self.data, self.pos
        if pos >= len(data):
            raise StopIteration
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end + 1
        self.pos = end
        return data[pos:end].decode(self.encoding)
