"""Reading XES event logs (IEEE 1849) of past cases into template lines (history_rows.py).

A trace is a case: its concept:name the case's original number, its attributes the case's
fields (sunlight:* keys, as our own export writes them — docs/past-cases.md lists them; a log
from elsewhere needs at least the power and the applicant, or the import's default power).
Events are steps: concept:name the activity (step name, or 补正/特别程序/延长审批 for pauses),
time:timestamp, org:resource the handler, lifecycle:transition start/complete paired per step
(a lone complete is a step of no duration); other transitions are ignored. Events marked
sunlight:kind=case (收件, 办结 milestones our export adds for mining tools) are skipped.

Parsed with defusedxml's SAX reader (no DTD, no entities), so every problem can name its line."""

import datetime as dt
from collections import defaultdict
from typing import Any
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException
from defusedxml.sax import parseString

from sunlight.cases.history_rows import CaseLine, ReadBatch, StepLine, parse_time
from sunlight.core.errors import FieldProblem

SHEET = "XES"
PREFIX = "sunlight:"
_ATTRIBUTE_TAGS = {"string", "date", "int", "float", "boolean", "id"}
_IGNORED_TRANSITIONS = {"schedule", "assign", "reassign", "suspend", "resume", "autoskip",
                        "manualskip", "withdraw", "ate_abort", "pi_abort", "unknown"}  # fmt: skip
# Trace attributes of logs from elsewhere, taken as ours.
_TRACE_ALIASES = {"power": "power", "applicant": "applicant_name", "applicant:name":
                  "applicant_name", "case:power": "power"}  # fmt: skip


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1] if name.startswith(("xes:", "x:")) else name


class _Handler(ContentHandler):
    def __init__(self, read: ReadBatch) -> None:
        super().__init__()
        self.read = read
        self.stack: list[str] = []
        self.trace: dict[str, Any] | None = None
        self.trace_line = 0
        self.event: dict[str, Any] | None = None
        self.event_line = 0
        self.events: list[tuple[int, dict[str, Any]]] = []
        self.locator: Any = None
        self.seen_log = False
        self.traces = 0

    def setDocumentLocator(self, locator: Any) -> None:  # noqa: N802 (SAX API)
        self.locator = locator

    def line(self) -> int:
        return self.locator.getLineNumber() if self.locator else 0

    def bad(self, line: int, where: str, message: str) -> None:
        self.read.problems.append(FieldProblem(f"{SHEET}·{where}", message, line))

    def startElement(self, name: str, attrs: Any) -> None:  # noqa: N802 (SAX API)
        tag = _local(name)
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(tag)
        if not self.seen_log:
            if tag != "log":
                raise SAXException("根元素不是 <log>，不是 XES 事件日志")
            self.seen_log = True
        elif tag == "trace" and parent == "log":
            self.trace, self.trace_line, self.events = {}, self.line(), []
            self.traces += 1
        elif tag == "event" and parent == "trace":
            self.event, self.event_line = {}, self.line()
        elif tag in _ATTRIBUTE_TAGS and parent in ("trace", "event"):
            key, value = attrs.get("key"), attrs.get("value")
            if key is None or value is None:
                self.bad(self.line(), tag, "属性缺少 key 或 value")
                return
            target = self.event if parent == "event" else self.trace
            if tag == "date":
                try:
                    value = parse_time(value)
                except ValueError:
                    self.bad(self.line(), key, f"“{value}”不是有效的时间")
                    return
            target[key] = value

    def endElement(self, name: str) -> None:  # noqa: N802 (SAX API)
        tag = self.stack.pop() if self.stack else _local(name)
        if tag == "event" and self.event is not None and self.stack[-1:] == ["trace"]:
            self.events.append((self.event_line, self.event))
            self.event = None
        elif tag == "trace" and self.trace is not None:
            self._finish_trace()
            self.trace = None

    def _finish_trace(self) -> None:
        trace, line = self.trace or {}, self.trace_line
        number = str(trace.get("concept:name", "")).strip()
        if not number:
            self.bad(line, "concept:name", "轨迹缺少 concept:name（办件原编号）")
            return
        values: dict[str, Any] = {"source_number": number}
        for key, value in trace.items():
            if key.startswith(PREFIX):
                values[key[len(PREFIX) :]] = value
            elif key in _TRACE_ALIASES:
                values.setdefault(_TRACE_ALIASES[key], value)
        steps = self._steps(number)
        if "received_at" not in values:
            times = [t for s in steps for t in (s.values.get("started_at"),
                                                s.values.get("finished_at")) if t]  # fmt: skip
            if times:
                values["received_at"] = min(times)
        self.read.cases.append(CaseLine(line, values, sheet=SHEET))
        self.read.steps.extend(steps)

    def _steps(self, number: str) -> list[StepLine]:
        done: list[StepLine] = []
        open_by_key: dict[str, list[StepLine]] = defaultdict(list)
        for line, event in self.events:
            if str(event.get(PREFIX + "kind", "")) == "case":
                continue
            activity = str(event.get("concept:name", "")).strip()
            moment = event.get("time:timestamp")
            if not activity or not isinstance(moment, dt.datetime):
                self.bad(line, "事件", "事件须有 concept:name 和 time:timestamp")
                continue
            transition = str(event.get("lifecycle:transition", "complete")).strip().lower()
            key = str(event.get(PREFIX + "step", "")) or activity
            if transition in _IGNORED_TRANSITIONS:
                continue
            if transition == "start":
                step = StepLine(line, self._step_values(number, activity, event), sheet=SHEET)
                step.values["started_at"] = moment
                open_by_key[key].append(step)
                done.append(step)
            elif transition == "complete":
                waiting = open_by_key.get(key)
                if waiting:
                    step = waiting.pop(0)
                    step.values.update(self._step_values(number, activity, event, complete=True))
                else:
                    step = StepLine(line, self._step_values(number, activity, event), sheet=SHEET)
                    step.values["started_at"] = moment
                    done.append(step)
                step.values["finished_at"] = moment
            else:
                self.bad(line, "lifecycle:transition", f"“{transition}”不是 XES 生命周期状态")
        return done

    @staticmethod
    def _step_values(
        number: str, activity: str, event: dict[str, Any], *, complete: bool = False
    ) -> dict[str, Any]:
        values: dict[str, Any] = {} if complete else {"source_number": number,
                                                      "activity": activity}  # fmt: skip
        for key, value in event.items():
            if key.startswith(PREFIX):
                name = key[len(PREFIX) :]
                values[{"step": "key", "node": "node_id"}.get(name, name)] = value
        if "org:resource" in event:
            values["resource"] = event["org:resource"]
        return values


def read_xes(data: bytes) -> ReadBatch:
    read = ReadBatch()
    handler = _Handler(read)
    try:
        parseString(data, handler, forbid_dtd=True, forbid_entities=True,
                    forbid_external=True)  # fmt: skip
    except DefusedXmlException:
        read.problems.append(FieldProblem(SHEET, "XES 文件含有 DTD 或实体声明，拒绝读取"))
    except SAXException as error:
        where = f"第{handler.line()}行" if handler.locator else ""
        message = error.getMessage() if hasattr(error, "getMessage") else str(error)
        read.problems.append(FieldProblem(SHEET, f"{where}不是格式正确的 XES 文件：{message}"))
    if not read.problems and handler.traces == 0:
        read.problems.append(FieldProblem(SHEET, "日志中没有任何轨迹（办件）"))
    return read
