"""The change feed a superior platform pulls (lower level): every case, step, result and alert
changed since a cursor, in the exchange tables' record shapes, so the superior feeds them
straight into its `exchange_ingest`.

The cursor is the audit chain's sequence number. Every state change appends an audit entry in
its own transaction, and the chain is appended under a lock held until commit (each entry
hashes the one before), so sequence numbers become visible in order, without gaps a reader
could overtake — unlike a timestamp (two writers in the same millisecond, clocks that step
back) or an autoincrement id of the changed rows (a later id can commit first). Supervision's
incremental scan reads the same chain the same way.

A page covers a run of audit entries; every case named in them is sent whole (basic, every
step, result, alerts) as it is now, with the case's latest audit sequence number as its data
version: the superior keeps the newest and treats a repeat as unchanged. Records this instance
received through the exchange (from its own lower platforms or from departments' systems) are
relayed as they were stored, so county cases reach the province through the city.

The page is read without one snapshot across its statements (a read transaction would take
SQLite's write lock here). A change committing between reading a case's version and its rows
can pair newer content with the older version; the superior then refuses that page as a version
conflict, keeps its cursor, and the next pull reads the newer version: it heals by itself.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max, Q

from sunlight.audit.models import AuditEntry
from sunlight.cases.choices import ApplicantKind
from sunlight.cases.models import Case, CaseStep
from sunlight.core.errors import FieldProblem, ValidationFailed
from sunlight.exchange.models import ExchangeRecord
from sunlight.supervision.models import Alert

PAGE_ENTRIES = 500
MAX_PAGE_ENTRIES = 2000
# The alert records' table: 部门监察数据表. Not an exchange table yet (see docs/rollup.md).
ALERT_TABLE = "supervision_alert"
ALERT_CAP = 10_000
TABLE_ORDER = ["case_basic", "case_process", "case_result", ALERT_TABLE]
_CURSOR = re.compile(r"^v1\.(\d{1,18})$")
_WATCHED = Q(object_type="cases.case") | Q(action="exchange.batch.accepted")
_ALERT_ACTIONS = Q(object_type="supervision.scan") | Q(object_type="supervision.alert")


@dataclass
class Page:
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    next_cursor: str = ""
    more: bool = False

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.records.values())


def cursor_encode(sequence: int) -> str:
    return f"v1.{sequence}"


def cursor_decode(cursor: str) -> int:
    """The audit sequence number behind an opaque cursor ("" is the beginning)."""
    if not cursor:
        return 0
    found = _CURSOR.match(cursor.strip())
    if found is None:
        raise ValidationFailed([FieldProblem("since", "拉取进度（since）无效：请使用上次返回的值")])
    return int(found.group(1))


def changes_since(*, cursor: str, limit: int = PAGE_ENTRIES) -> Page:
    """One page of the records changed after `cursor`."""
    after = cursor_decode(cursor)
    if not 1 <= limit <= MAX_PAGE_ENTRIES:
        raise ValidationFailed(
            [FieldProblem("limit", f"每页条数应在 1 到 {MAX_PAGE_ENTRIES} 之间")]
        )
    head = AuditEntry.objects.aggregate(head=Max("id"))["head"] or 0
    entries = list(
        AuditEntry.objects.filter(Q(id__gt=after, id__lte=head) & (_WATCHED | _ALERT_ACTIONS))
        .order_by("id")
        .values_list("id", "occurred_at", "object_type", "object_id", "action", "data")[:limit]
    )
    more = len(entries) == limit
    # A full page stops at its last entry; otherwise everything up to the head has been read.
    last = entries[-1][0] if more else max(head, after)
    numbers = {e[3] for e in entries if e[2] == "cases.case"}
    batches = {_batch_of(e[5]) for e in entries if e[4] == "exchange.batch.accepted"}
    page = Page(next_cursor=cursor_encode(last), more=more)
    cases = _native_cases(numbers)
    relayed = _relayed_records(batches - {None})
    for table, rows in _case_records(cases).items():
        # A record relayed from where the case began wins over this instance's copy of it,
        # so the superior sees one record with one line of data versions.
        taken = {r["external_id"] for r in relayed.get(table, [])}
        page.records.setdefault(table, []).extend(r for r in rows if r["external_id"] not in taken)
    for table, rows in relayed.items():
        page.records.setdefault(table, []).extend(rows)
    alert_entries = [e for e in entries if e[2] in ("supervision.scan", "supervision.alert")]
    alerts = _alert_records(cases, [e[1] for e in alert_entries], last)
    if alerts:
        page.records.setdefault(ALERT_TABLE, []).extend(alerts)
    page.records = {t: page.records[t] for t in TABLE_ORDER if page.records.get(t)}
    return page


def _batch_of(data: str) -> int | None:
    found = re.search(r'"batch":\s*(\d+)', data)
    return int(found.group(1)) if found else None


def _native_cases(numbers: set[str]) -> list[Case]:
    """The cases of this instance among `numbers`, with their latest audit sequence."""
    if not numbers:
        return []
    versions = dict(
        AuditEntry.objects.filter(object_type="cases.case", object_id__in=numbers)
        .values("object_id")
        .annotate(last=Max("id"))
        .values_list("object_id", "last")
    )
    cases = list(
        Case.objects.filter(number__in=numbers).select_related("power_item").order_by("number")
    )
    # A case made here from a pushed record goes up as the record, relayed with the origin's id
    # and data versions, not as a case of this instance (else the superior would get the case
    # twice, once under a number of ours with versions that move at every re-ingest); past cases
    # brought in from files (补录) have no such record and go up as ours.
    bridged = _pushed_source_numbers(cases)
    cases = [c for c in cases if c.source_number not in bridged]
    for case in cases:
        case.rollup_version = versions.get(case.number, 1)  # type: ignore[attr-defined]
    return cases


def _pushed_source_numbers(cases: list[Case]) -> set[str]:
    """The source numbers among `cases` that the exchange's case bridge gave a case made from
    a pushed basic record: "<source code>:<the record's external id>" (its `source_number`).
    Source codes are slugs, so the first colon ends the code."""
    wanted = {c.source_number for c in cases if ":" in c.source_number}
    if not wanted:
        return set()
    pushed = ExchangeRecord.objects.filter(
        table="case_basic",
        source__code__in={n.split(":", 1)[0] for n in wanted},
        external_id__in={n.split(":", 1)[1] for n in wanted},
    ).values_list("source__code", "external_id")
    return {f"{code}:{external_id}" for code, external_id in pushed} & wanted


def _when(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def _case_records(cases: list[Case]) -> dict[str, list[dict[str, Any]]]:
    basic, process, result = [], [], []
    steps: dict[int, list[CaseStep]] = {}
    for step in (
        CaseStep.objects.filter(case__in=cases)
        .select_related("previous")
        .order_by("case_id", "started_at", "id")
    ):
        steps.setdefault(step.case_id, []).append(step)
    for case in cases:
        version = case.rollup_version  # type: ignore[attr-defined]
        item = case.power_item
        basic.append(
            {
                "external_id": case.number,
                "data_version": version,
                "entered_at": _when(max(case.entered_at, case.received_at)),
                "power_code": item.national_code or item.code,
                "applicant_kind": "1" if case.applicant_kind == ApplicantKind.PERSON else "2",
                "applicant_name": case.applicant_name,
                "applicant_id": case.applicant_id_number,
                "applicant_phone": case.applicant_phone or None,
                "channel": case.channel,
                "case_type": case.case_type,
                "received_at": _when(case.received_at),
                "accepted_at": _when(case.accepted_at),
            }
        )
        for step in steps.get(case.pk, []):
            process.append(
                {
                    "external_id": f"{case.number}-{step.pk}",
                    "data_version": version,
                    "entered_at": _when(step.finished_at or step.started_at),
                    "case_external_id": case.number,
                    "step_code": step.node_id,
                    "step_name": step.name or step.node_id,
                    "previous_step_code": step.previous.node_id if step.previous else None,
                    "handler": step.handler_name or step.org_unit or "未指定",
                    "unit": step.org_unit or None,
                    "opinion": step.opinion or None,
                    "started_at": _when(step.started_at),
                    "finished_at": _when(step.finished_at),
                    "result": step.result or None,
                }
            )
        if case.concluded_at and case.conclusion_code:
            opinion = case.conclusion_opinion or case.not_accepted_reason
            short = case.fee_paid < case.fee_due
            result.append(
                {
                    "external_id": f"{case.number}-result",
                    "data_version": version,
                    "entered_at": _when(case.concluded_at),
                    "case_external_id": case.number,
                    "concluded_at": _when(case.concluded_at),
                    "result": case.conclusion_code,
                    "opinion": opinion or None,
                    "fee_due": _money(case.fee_due),
                    "fee_paid": _money(case.fee_paid),
                    "waiver_reason": (opinion or "原系统未登记减免原因") if short else None,
                }
            )
    return {"case_basic": basic, "case_process": process, "case_result": result}


def relayed_id(record: ExchangeRecord, external_id: str) -> str:
    """A relayed record keeps the id its lower platform gave it (already unique: case numbers
    carry their region and department); a department system's id gets its source code in front,
    since two systems may number alike."""
    if hasattr(record.source, "lower_instance"):
        return external_id
    return f"{record.source.code}:{external_id}"


def _relayed_records(batches: set[int | None]) -> dict[str, list[dict[str, Any]]]:
    if not batches:
        return {}
    found: dict[str, list[dict[str, Any]]] = {}
    rows = (
        ExchangeRecord.objects.filter(batch_id__in=batches)
        .select_related("source__lower_instance")
        .order_by("id")
    )
    for record in rows:
        payload = dict(record.payload)
        payload["external_id"] = relayed_id(record, record.external_id)
        if payload.get("case_external_id"):
            payload["case_external_id"] = relayed_id(record, payload["case_external_id"])
        found.setdefault(record.table, []).append(payload)
    return found


def _alert_records(
    cases: list[Case], scan_times: list[dt.datetime], sequence: int
) -> list[dict[str, Any]]:
    """Alerts of the page's cases, and alerts raised, signed for or closed within the page's
    scans and alert actions (they change beside their audit entry, in its transaction). Their
    data version is the page's last sequence number: a later page sends a higher one.

    At most ALERT_CAP a page: a first scan over a large city raises hundreds of thousands at
    once. Paging alerts by their own cursor waits for the exchange to take the table."""
    wanted = Q(case__in=cases) if cases else Q(pk__in=[])
    if scan_times:
        start, end = min(scan_times), max(scan_times)
        for column in ("raised_at", "acknowledged_at", "closed_at"):
            wanted |= Q(**{f"{column}__gte": start, f"{column}__lte": end})
    rows = []
    for alert in (
        Alert.objects.filter(wanted)
        .select_related("rule", "department", "case")
        .order_by("id")[:ALERT_CAP]
    ):
        rows.append(
            {
                "external_id": f"{alert.region_code}-alert-{alert.pk}",
                "data_version": sequence,
                "entered_at": _when(alert.raised_at),
                "case_external_id": alert.case.number if alert.case else None,
                "rule_code": alert.rule.code,
                "rule_name": alert.rule.name,
                "level": alert.level,
                "category": alert.category,
                "department_code": alert.department.code,
                "region_code": alert.region_code,
                "state": alert.state,
                "tripped_at": _when(alert.tripped_at),
                "raised_at": _when(alert.raised_at),
                "closed_at": _when(alert.closed_at),
                "detail": alert.detail,
            }
        )
    return rows
