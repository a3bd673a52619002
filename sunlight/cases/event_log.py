"""Event logs of cases for process-mining tools (`sunlight cases export-log`): XES (IEEE 1849),
OCEL 2.0 (JSON) and CSV (one row per event).

Each case is a trace; each step is a start event and, once handled, a complete event; pauses
(补正 rounds, special procedures, extensions) are events too, and two milestones (收件, 办结 or
不予受理) frame the case. The sunlight:* attributes carry what the platform knows (step ids,
which step opened which, results, the case's fields), so an XES export imports back into an
empty database as the same cases and steps (history_import.py). Applicants' identities are
left out unless asked for (`personal_data`): a mining tool needs none of them.

Cases are read in chunks of ids (steps, pauses and documents for each chunk in one query each),
so a log of millions of events streams in bounded memory."""

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from django.db import transaction
from django.db.models import Min

from sunlight.audit.services import audit_record
from sunlight.cases.choices import CaseState, DocumentKind, PauseKind
from sunlight.cases.models import Case, CaseDocument, CasePause, CaseStep
from sunlight.catalog.permissions import can_see_department
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import NotFound
from sunlight.core.spreadsheets import safe_text
from sunlight.org.models import Department

FORMATS = ("xes", "ocel", "csv")
CHUNK = 2000
PREFIX = "sunlight:"
_PERSONAL = ("applicant_name", "id_number", "phone", "address", "agent_name",
             "agent_id_number", "agent_phone")  # fmt: skip
_CASE_VALUES = {
    "number": "number", "original_number": "source_number", "power": "power_item__code",
    "power_version": "power_version__number", "department": "department__code",
    "region": "department__region_id", "department_name": "department__name",
    "applicant_kind": "applicant_kind", "applicant_name": "applicant_name",
    "id_number": "applicant_id_number", "phone": "applicant_phone",
    "address": "applicant_address", "agent_name": "agent_name",
    "agent_id_number": "agent_id_number", "agent_phone": "agent_phone", "channel": "channel",
    "state": "state", "received_at": "received_at", "accepted_at": "accepted_at",
    "concluded_at": "concluded_at", "conclusion_code": "conclusion_code",
    "decision": "decision", "opinion": "conclusion_opinion", "penalty_kind": "penalty_kind",
    "penalty_amount": "penalty_amount", "fee_due": "fee_due", "fee_paid": "fee_paid",
    "not_accepted_reason": "not_accepted_reason", "correction_items": "correction_items",
    "fields": "fields", "registered_by": "registered_by__username", "id": "id",
    "joint_number": "joint_parent__number", "joint_item": "joint_parent__joint_item__name",
}  # fmt: skip
_BY_CASE = ("case_id", "started_at", "id")
_TIMES = {"received_at", "accepted_at", "concluded_at"}
_NOT_ATTRIBUTES = {"number", "id", "department", "region", "department_name"}


@dataclass
class Event:
    activity: str
    time: dt.datetime
    transition: str
    kind: str  # step, pause, case
    attributes: dict[str, Any] = field(default_factory=dict)
    resource: str = ""
    role: str = ""


@dataclass
class Trace:
    case: dict[str, Any]
    events: list[Event]


@dataclass(frozen=True)
class LogFilter:
    department: Department | None = None
    power_code: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


def _scope(actor: Any, log_filter: LogFilter) -> Any:
    # A joint application's own row has no steps: its parts are the traces.
    query = Case.objects.exclude(joint_item__isnull=False, joint_parent__isnull=True)
    if log_filter.department is not None:
        if not can_see_department(actor, log_filter.department):
            raise NotFound("部门不存在或无权查看")
        query = query.filter(department=log_filter.department)
    elif actor is not None and not actor.is_superuser:
        raise NotFound("请指定部门")
    if log_filter.power_code:
        query = query.filter(power_item__code=log_filter.power_code)
    if log_filter.start is not None:
        query = query.filter(received_at__gte=_day(log_filter.start))
    if log_filter.end is not None:
        query = query.filter(received_at__lt=_day(log_filter.end + dt.timedelta(days=1)))
    return query


def _day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI)


def traces(actor: Any, log_filter: LogFilter, *, personal_data: bool = False) -> Iterator[Trace]:
    """The cases in scope, oldest first, each with its events in time order."""
    ids = list(_scope(actor, log_filter).order_by("received_at", "id").values_list("id", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        cases = Case.objects.filter(pk__in=chunk).values(*_CASE_VALUES.values())
        by_id = {c["id"]: {k: c[v] for k, v in _CASE_VALUES.items()} for c in cases}
        steps = defaultdict(list)
        in_chunk = {"case_id__in": chunk}
        for step in CaseStep.objects.filter(**in_chunk).order_by(*_BY_CASE).values(
            "id", "case_id", "node_id", "kind", "name", "role", "state", "started_at",
            "finished_at", "handler_name", "result", "opinion", "via_edge", "previous_id",
        ):  # fmt: skip
            steps[step["case_id"]].append(step)
        pauses = defaultdict(list)
        for pause in CasePause.objects.filter(**in_chunk).order_by(*_BY_CASE).values(
            "case_id", "kind", "procedure", "reason", "started_at", "ended_at", "limit_days",
            "extension_days",
        ):  # fmt: skip
            pauses[pause["case_id"]].append(pause)
        materials, step_documents = defaultdict(list), defaultdict(list)
        for case_id, step_id, kind, name in (
            CaseDocument.objects.filter(case_id__in=chunk)
            .order_by("case_id", "uploaded_at", "id")
            .values_list("case_id", "step_id", "kind", "name")
        ):
            if step_id is not None:
                step_documents[step_id].append(name)
            elif kind == DocumentKind.MATERIAL and name not in materials[case_id]:
                materials[case_id].append(name)
        # A joint application's part: its first part (as written: sorted by power code) stands
        # for the application (主办件), so the log imports back as the same joint application.
        parents = {c["joint_number"] for c in by_id.values() if c["joint_number"]}
        leads = set(
            Case.objects.filter(joint_parent__number__in=parents)
            .values("joint_parent_id")
            .annotate(first=Min("id"))
            .values_list("first", flat=True)
        ) if parents else set()  # fmt: skip
        for case_id in chunk:
            case = by_id[case_id]
            case["materials"] = "、".join(materials[case_id])
            if case["joint_number"]:
                case["joint_lead"] = "是" if case_id in leads else "否"
            if not personal_data:
                for key in _PERSONAL:
                    case.pop(key)
            yield Trace(case, _events(case, steps[case_id], pauses[case_id], step_documents))


def _events(case: dict, steps: list, pauses: list, documents: dict) -> list[Event]:
    events = [Event("收件", case["received_at"], "complete", "case")]
    positions = {step["id"]: index for index, step in enumerate(steps, start=1)}
    for index, step in enumerate(steps, start=1):
        common = {"step": str(index), "node": step["node_id"]}
        start = Event(step["name"], step["started_at"], "start", "step", dict(common),
                      step["handler_name"], step["role"])  # fmt: skip
        if step["previous_id"] is not None:
            start.attributes["previous"] = str(positions[step["previous_id"]])
        if step["via_edge"]:
            start.attributes["via_edge"] = step["via_edge"]
        outcome = {"state": step["state"], "result": step["result"], "opinion": step["opinion"],
                   "documents": "、".join(documents.get(step["id"], ()))}  # fmt: skip
        outcome = {k: v for k, v in outcome.items() if v}
        events.append(start)
        if step["finished_at"] is None:
            start.attributes.update(outcome)
        else:
            events.append(Event(step["name"], step["finished_at"], "complete", "step",
                                common | outcome, step["handler_name"], step["role"]))  # fmt: skip
    for pause in pauses:
        label = str(PauseKind(pause["kind"]).label)
        details = {
            "opinion": pause["reason"],
            "procedure": pause["procedure"],
            "limit_days": pause["limit_days"],
            "extension_days": pause["extension_days"],
        }
        details = {k: str(v) for k, v in details.items() if v not in ("", None, 0)}
        if pause["kind"] == PauseKind.EXTENSION:
            events.append(Event(label, pause["started_at"], "complete", "pause", details))
            continue
        events.append(Event(label, pause["started_at"], "start", "pause", details))
        if pause["ended_at"] is not None:
            events.append(Event(label, pause["ended_at"], "complete", "pause", {}))
    if case["concluded_at"] is not None:
        name = "不予受理" if case["state"] == CaseState.NOT_ACCEPTED else "办结"
        events.append(Event(name, case["concluded_at"], "complete", "case"))
    order = {id(e): i for i, e in enumerate(events)}
    events.sort(key=lambda e: (e.time, order[id(e)]))
    return events


def _iso(moment: dt.datetime) -> str:
    """China time with milliseconds, or microseconds when they are there (nothing lost)."""
    spec = "milliseconds" if moment.microsecond % 1000 == 0 else "microseconds"
    return moment.astimezone(SHANGHAI).isoformat(timespec=spec)


def _case_attributes(case: dict) -> Iterator[tuple[str, str, str]]:
    """(XES type, key, value) of a trace's attributes."""
    yield "string", "concept:name", case["number"]
    for key, value in case.items():
        if key in _NOT_ATTRIBUTES or value in (None, ""):
            continue
        if key in _TIMES:
            yield "date", PREFIX + key, _iso(value)
        elif key == "fields":
            if value:
                yield "string", PREFIX + key, json.dumps(value, ensure_ascii=False, sort_keys=True)
        else:
            yield "string", PREFIX + key, str(value)
    yield "string", PREFIX + "department", case["region"] + case["department"]
    yield "string", PREFIX + "department_name", case["department_name"]


# ---------------------------------------------------------------- writers


def write_xes(stream: IO[bytes], items: Iterator[Trace]) -> int:
    out = io.TextIOWrapper(stream, encoding="utf-8", newline="\n", write_through=False)
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<log xes.version="1849-2016" xes.features="nested-attributes" '
        'xmlns="http://www.xes-standard.org/">\n'
        '<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
        '<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
        '<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>\n'
        '<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>\n'
        '<global scope="trace"><string key="concept:name" value="__INVALID__"/></global>\n'
        '<global scope="event"><string key="concept:name" value="__INVALID__"/>'
        '<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>'
        '<string key="lifecycle:transition" value="complete"/></global>\n'
        '<classifier name="Activity" keys="concept:name"/>\n'
        '<classifier name="Activity and transition" keys="concept:name lifecycle:transition"/>\n'
        '<string key="concept:name" value="阳光政务办件日志"/>\n'
    )  # fmt: skip
    count = 0
    for trace in items:
        out.write("<trace>\n")
        for kind, key, value in _case_attributes(trace.case):
            out.write(f"\t<{kind} key={quoteattr(key)} value={quoteattr(value)}/>\n")
        for event in trace.events:
            parts = [f'<string key="concept:name" value={quoteattr(event.activity)}/>',
                     f'<date key="time:timestamp" value="{_iso(event.time)}"/>',
                     f'<string key="lifecycle:transition" value="{event.transition}"/>',
                     f'<string key="sunlight:kind" value="{event.kind}"/>']  # fmt: skip
            if event.resource:
                parts.append(f'<string key="org:resource" value={quoteattr(event.resource)}/>')
            if event.role:
                parts.append(f'<string key="org:role" value={quoteattr(event.role)}/>')
            for key, value in event.attributes.items():
                parts.append(f"<string key={quoteattr(PREFIX + key)} value={quoteattr(value)}/>")
            out.write("\t<event>" + "".join(parts) + "</event>\n")
            count += 1
        out.write("</trace>\n")
    out.write("</log>\n")
    out.flush()
    out.detach()
    return count


CSV_COLUMNS = ["case:concept:name", "concept:name", "time:timestamp", "lifecycle:transition",
               "org:resource", "org:role", "sunlight:kind", "sunlight:step", "sunlight:previous",
               "sunlight:node", "sunlight:state", "sunlight:result", "case:power",
               "case:department", "case:state", "case:received_at"]  # fmt: skip


def write_csv(stream: IO[bytes], items: Iterator[Trace]) -> int:
    out = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=False)
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for trace in items:
        case = trace.case
        for e in trace.events:
            a = e.attributes
            writer.writerow(
                [safe_text(str(v)) for v in (
                    case["number"], e.activity, _iso(e.time), e.transition, e.resource, e.role,
                    e.kind, a.get("step", ""), a.get("previous", ""), a.get("node", ""),
                    a.get("state", ""), a.get("result", ""), case["power"],
                    case["region"] + case["department"], case["state"],
                    _iso(case["received_at"]),
                )]
            )  # fmt: skip
            count += 1
    out.flush()
    out.detach()
    return count


def write_ocel(stream: IO[bytes], items: Iterator[Trace]) -> int:
    """OCEL 2.0 JSON: objects 办件 (each case), 权力事项 and 部门; every event relates to its
    case, its power and its department. Written piece by piece (key order is free in JSON)."""
    out = io.TextIOWrapper(stream, encoding="utf-8", newline="\n", write_through=False)
    dump = lambda value: json.dumps(value, ensure_ascii=False, default=str)  # noqa: E731
    event_types: dict[str, set[str]] = {}
    powers: dict[str, str] = {}
    departments: dict[str, str] = {}
    out.write('{"events": [')
    count, cases = 0, []
    for trace in items:
        case = trace.case
        case_id = "case:" + case["number"]
        power_id, department_id = (
            "power:" + case["power"],
            "department:" + case["region"] + case["department"],
        )
        powers[power_id] = case["power"]
        departments[department_id] = case["department_name"]
        for e in trace.events:
            attributes = {
                "lifecycle": e.transition, "resource": e.resource, "role": e.role, "kind": e.kind,
            } | {k: v for k, v in e.attributes.items() if k in _OCEL_EVENT_ATTRIBUTES}  # fmt: skip
            attributes = {k: v for k, v in attributes.items() if v}
            event_types.setdefault(e.activity, set()).update(attributes)
            out.write(("," if count else "") + dump({
                "id": f"e{count + 1}", "type": e.activity, "time": _iso(e.time),
                "attributes": [{"name": k, "value": v} for k, v in attributes.items()],
                "relationships": [{"objectId": case_id, "qualifier": "办件"},
                                  {"objectId": power_id, "qualifier": "权力事项"},
                                  {"objectId": department_id, "qualifier": "办理部门"}],
            }))  # fmt: skip
            count += 1
        since = _iso(case["received_at"])
        cases.append({
            "id": case_id, "type": "办件",
            "attributes": [{"name": k, "time": since, "value": str(case[k])}
                           for k in ("state", "channel", "applicant_kind") if case.get(k)],
            "relationships": [{"objectId": power_id, "qualifier": "权力事项"},
                              {"objectId": department_id, "qualifier": "办理部门"}],
        })  # fmt: skip
    out.write('],\n"objects": [')
    objects = (
        cases
        + [_static_object(k, "权力事项", "code", v) for k, v in powers.items()]
        + [_static_object(k, "部门", "name", v) for k, v in departments.items()]
    )
    out.write(",".join(dump(o) for o in objects))
    out.write('],\n"eventTypes": ')
    out.write(dump([_type(name, sorted(attrs)) for name, attrs in event_types.items()]))
    out.write(',\n"objectTypes": ')
    out.write(dump([
        _type("办件", ["state", "channel", "applicant_kind"]),
        _type("权力事项", ["code"]),
        _type("部门", ["name"]),
    ]))  # fmt: skip
    out.write("}\n")
    out.flush()
    out.detach()
    return count


_OCEL_EVENT_ATTRIBUTES = ("step", "previous", "node", "state", "result")


def _type(name: str, attributes: list[str]) -> dict[str, Any]:
    return {"name": name, "attributes": [{"name": a, "type": "string"} for a in attributes]}


def _static_object(object_id: str, kind: str, attribute: str, value: str) -> dict[str, Any]:
    """An object whose one attribute never changes (OCEL dates it at the epoch)."""
    epoch = "1970-01-01T00:00:00Z"
    attributes = [{"name": attribute, "time": epoch, "value": value}]
    return {"id": object_id, "type": kind, "attributes": attributes}


WRITERS = {"xes": write_xes, "ocel": write_ocel, "csv": write_csv}


def cases_export_log(
    *, actor: Any, stream: IO[bytes], log_format: str, log_filter: LogFilter,
    personal_data: bool = False,
) -> int:  # fmt: skip
    """Write the log of the cases in scope; the number of events. Audited (who took what)."""
    if log_format not in WRITERS:
        raise ValueError(log_format)
    events = WRITERS[log_format](stream, traces(actor, log_filter, personal_data=personal_data))
    with transaction.atomic():
        _audit(actor, log_format, log_filter, events, personal_data)
    return events


def _audit(actor: Any, log_format: str, log_filter: LogFilter, events: int, personal: bool) -> None:
    department = log_filter.department
    audit_record(
        actor=actor,
        action="cases.log.exported",
        object_type="cases.case",
        object_id=department.full_code if department is not None else "*",
        data={
            "format": log_format,
            "power": log_filter.power_code,
            "from": log_filter.start.isoformat() if log_filter.start else None,
            "to": log_filter.end.isoformat() if log_filter.end else None,
            "events": events,
            "personal_data": personal,
        },
    )
