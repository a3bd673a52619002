"""Writing a checked 补录 batch (history.py): plain multi-row INSERTs of cases, steps, pauses and
documents with their ids reserved up front, case numbers by the live rule with the counters
moved on, deadlines as the live engine computes them, and one audit entry per case."""

import datetime as dt
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, models

from sunlight.audit.services import AuditRecord, actor_label, audit_record_many
from sunlight.cases.choices import PauseKind
from sunlight.cases.deadlines import add_limit, case_due, local_date, paused_days, step_due
from sunlight.cases.history_checks import joint_parent_view, sorted_parts
from sunlight.cases.history_context import BatchContext, VersionInfo, step_kind
from sunlight.cases.models import Case, CaseCounter, CaseDocument, CasePause, CaseStep
from sunlight.cases.services import _QUERY_ALPHABET, calendar
from sunlight.catalog.choices import CaseType, LimitUnit
from sunlight.core.bulk import insert_many

if TYPE_CHECKING:
    from sunlight.cases.history import HistoricalCase, HistoricalPause


def write_batch(
    *,
    context: BatchContext,
    actor: Any,
    rng: random.Random,
    records: Sequence["HistoricalCase"],
    batch_id: int | None = None,
) -> int:
    """Insert a checked batch (the caller holds the transaction); the number of cases written."""
    writer = _Writer(context, actor, rng, context.now)
    writer.batch_id = batch_id
    return writer.write(records)


@dataclass
class _Row:
    """One case to write, in write order: a record, or a joint parent built from one."""

    record: "HistoricalCase"
    row: int
    version: VersionInfo
    parent: int | None = None  # index of the joint parent in the write order
    id: int = 0
    number: str = ""


class _Writer:
    def __init__(
        self, context: BatchContext, actor: Any, rng: random.Random, now: dt.datetime
    ) -> None:
        self.context = context
        self.actor = actor
        self.rng = rng
        self.now = now
        self.at = datetime_adapter()
        self.stamp = self.at(now)
        self.calendar = calendar()
        self.labels: dict[int, str] = {}
        self.batch_id: int | None = None
        self.entropy: list[int] = []
        self.deadlines: dict[tuple[Any, ...], tuple[Any, bool]] = {}

    def write(self, records: Sequence["HistoricalCase"]) -> int:
        rows = self._rows(records)
        for row, case_id in zip(rows, _reserve_ids(Case, len(rows)), strict=True):
            row.id = case_id
        self._number(rows)
        step_ids = iter(_reserve_ids(CaseStep, sum(len(r.record.steps) for r in rows)))
        case_rows, step_rows, pause_rows, document_rows, audit = [], [], [], [], []
        for row in rows:
            record = row.record
            ids = [next(step_ids) for _ in record.steps]
            case_rows.append(self._case_row(row, rows))
            step_rows += self._step_rows(row, ids)
            pause_rows += self._pause_rows(row)
            document_rows += self._document_rows(row, ids)
            audit.append(self._audit(row, rows))
        _insert(Case, CASE_COLUMNS, case_rows)
        _insert(CaseStep, STEP_COLUMNS, step_rows)
        _insert(CasePause, PAUSE_COLUMNS, pause_rows)
        _insert(CaseDocument, DOCUMENT_COLUMNS, document_rows)
        audit_record_many(records=audit)
        return len(rows)

    def _rows(self, records: Sequence["HistoricalCase"]) -> list[_Row]:
        rows: list[_Row] = []
        for number, record in enumerate(records, start=1):
            if record.joint_item is None:
                rows.append(_Row(record, number, self.context.version_of(record)))
                continue
            parent = joint_parent_view(record, self.context)
            rows.append(_Row(parent, number, self.context.version_of(parent)))
            at = len(rows) - 1
            for part in sorted_parts(record, self.context):
                rows.append(_Row(part, number, self.context.version_of(part), parent=at))
        return rows

    def _number(self, rows: list[_Row]) -> None:
        """Numbers by the live rule (region + department + day + 5-digit sequence), in order of
        receipt within each day; the counters move on so later live registrations follow."""
        keys = [(r.version.department_id, local_date(r.record.received_at)) for r in rows]
        days = [day for _, day in keys]
        existing = {
            (d, day): (pk, last)
            for pk, d, day, last in CaseCounter.objects.select_for_update()
            .filter(department_id__in={d for d, _ in keys}, day__gte=min(days), day__lte=max(days))
            .values_list("pk", "department_id", "day", "last")
        }
        last = {key: value[1] for key, value in existing.items()}
        prefixes = self.context.department_prefixes
        order = sorted(range(len(rows)), key=lambda i: (rows[i].record.received_at, i))
        for index in order:
            key = keys[index]
            last[key] = last.get(key, 0) + 1
            rows[index].number = f"{prefixes[key[0]]}{key[1]:%Y%m%d}{last[key]:05d}"
        for key, (pk, _old) in existing.items():
            CaseCounter.objects.filter(pk=pk).update(last=last[key])
        insert_many(
            CaseCounter,
            ["department", "day", "last"],
            [(d, day, n) for (d, day), n in last.items() if (d, day) not in existing],
        )

    def _label(self, user: Any) -> str:
        if user is None:
            return ""
        label = self.labels.get(user.pk)
        if label is None:
            label = self.labels[user.pk] = actor_label(user)
        return label

    def _case_row(self, row: _Row, rows: list[_Row]) -> tuple[Any, ...]:
        record, version = row.record, row.version
        applicant = record.applicant
        pauses = record.pauses
        special = sum(self._pause_days(p, version) for p in pauses if p.kind == PauseKind.SPECIAL)
        extension = sum(p.extension_days for p in pauses if p.kind == PauseKind.EXTENSION)
        statutory, promised, provisional = self._deadlines(row, special + extension)
        conclusion = record.conclusion
        joint = record.joint_item
        case_type = (
            CaseType.JOINT if joint is not None or row.parent is not None else version.case_type
        )
        return (
            row.id,
            row.number,
            self._query_code(),
            version.item_id,
            version.id,
            None if joint is not None else version.flow_id,
            version.department_id if joint is None else joint.lead_department_id,
            version.region_code if joint is None else self.context.department.region_id,
            case_type,
            record.channel,
            case_title(joint.name if joint else version.full_name, applicant.name),
            applicant.kind,
            applicant.name.strip(),
            applicant.id_number.strip().upper(),
            applicant.phone.strip(),
            applicant.address.strip(),
            applicant.agent_name.strip(),
            applicant.agent_id_number.strip().upper(),
            applicant.agent_phone.strip(),
            connection.ops.adapt_json_value(record.fields, None),
            record.state,
            self.at(record.received_at),
            self.at(record.accepted_at),
            self.at(record.concluded_at),
            self.at(record.entered_at) if record.entered_at else self.stamp,
            statutory,
            promised,
            provisional,
            extension,
            special,
            record.not_accepted_reason.strip(),
            record.correction_items.strip(),
            conclusion.code if conclusion else "",
            conclusion.decision if conclusion else "",
            conclusion.opinion.strip() if conclusion else "",
            conclusion.penalty_kind.strip() if conclusion else "",
            conclusion.penalty_amount if conclusion else None,
            conclusion.fee_due if conclusion else Decimal(0),
            conclusion.fee_paid if conclusion else Decimal(0),
            rows[row.parent].id if row.parent is not None else None,
            joint.pk if joint is not None else None,
            _pk(record.registered_by),
            0,
            self.batch_id,
            record.source_number.strip(),
        )

    def _step_deadline(self, started: dt.datetime, node: Any) -> tuple[Any, bool]:
        """step_due, as stored; limits in days depend only on the day the step started, so
        each (day, limit, unit) is computed once per batch."""
        unit = node.limit_unit or LimitUnit.WORKING_DAY
        if unit in (LimitUnit.HOUR, LimitUnit.MINUTE):
            deadline, provisional = step_due(self.calendar, started=started, limit=node.limit,
                                             unit=unit)  # fmt: skip
            return self.at(deadline), provisional
        key = (local_date(started), node.limit, unit)
        found = self.deadlines.get(key)
        if found is None:
            deadline, provisional = step_due(self.calendar, started=started, limit=node.limit,
                                             unit=unit)  # fmt: skip
            found = self.deadlines[key] = (self.at(deadline), provisional)
        return found

    def _query_code(self) -> str:
        """Eight characters of the query-code alphabet. With the system's random source (real
        batches) taken from os.urandom in bulk: 32 symbols, so a byte's low five bits are an
        unbiased pick, and a batch of 100,000 cases needs no million calls to choice()."""
        if not isinstance(self.rng, random.SystemRandom):
            return "".join(self.rng.choice(_QUERY_ALPHABET) for _ in range(8))
        if not self.entropy:
            self.entropy = list(os.urandom(8 * 4096))
        picked = self.entropy[-8:]
        del self.entropy[-8:]
        return "".join(_QUERY_ALPHABET[b & 31] for b in picked)

    def _pause_days(self, pause: "HistoricalPause", version: VersionInfo) -> int:
        if pause.ended_at is None:
            return 0
        return paused_days(
            self.calendar,
            unit=version.statutory_unit,
            start=pause.started_at,
            end=pause.ended_at,
        )

    def _deadlines(self, row: _Row, extra: int) -> tuple[Any, Any, bool]:
        """As services.recompute_deadlines (and joint registration for a joint parent)."""
        record, version = row.record, row.version
        accepted = record.accepted_at
        if accepted is None:
            return None, None, False
        cal = self.calendar
        if record.joint_item is not None:
            due = add_limit(
                cal, start=local_date(accepted), limit=record.joint_item.limit_days,
                unit=LimitUnit.WORKING_DAY,
            )  # fmt: skip
            return due.day, due.day, due.provisional
        statutory = case_due(
            cal, accepted=accepted, limit=version.statutory_limit, unit=version.statutory_unit,
            extra_days=extra,
        )  # fmt: skip
        promised = case_due(
            cal, accepted=accepted, limit=version.promised_limit, unit=version.promised_unit,
            extra_days=extra,
        )  # fmt: skip
        if version.case_type == CaseType.INSTANT and version.promised_limit in (None, 0):
            promised = case_due(cal, accepted=accepted, limit=0, unit=version.promised_unit)
        return (
            statutory.day,
            promised.day or statutory.day,
            statutory.provisional or promised.provisional,
        )

    def _step_rows(self, row: _Row, ids: list[int], start: int = 0) -> list[tuple[Any, ...]]:
        """The rows of the record's steps from `start` on (`ids`: every step's id)."""
        steps = row.record.steps
        graph = self.context.graph(row.version.flow_id) if len(steps) > start else None
        result = []
        for index in range(start, len(steps)):
            step = steps[index]
            node = graph.nodes[step.node_id]
            kind = step_kind(graph, node)
            if kind == "join":
                deadline, provisional = None, False
            else:
                deadline, provisional = self._step_deadline(step.started_at, node)
            result.append(
                (
                    ids[index],
                    row.id,
                    step.node_id,
                    kind,
                    node.name or ("汇合" if kind == "join" else ""),
                    node.role,
                    node.org_unit,
                    step.state,
                    self.at(step.started_at),
                    self.at(step.finished_at),
                    deadline,
                    provisional,
                    node.stops_clock,
                    _pk(step.handler),
                    self._label(step.handler) or step.handler_name.strip()[:150],
                    step.result,
                    step.opinion.strip(),
                    step.via_edge,
                    ids[step.previous] if step.previous is not None else None,
                )
            )
        return result

    def _pause_rows(self, row: _Row) -> list[tuple[Any, ...]]:
        return [
            (
                row.id,
                p.kind,
                p.procedure,
                p.reason.strip(),
                self.at(p.started_at),
                self.at(p.ended_at),
                p.limit_days,
                p.extension_days,
                _pk(p.requested_by),
                _pk(p.approved_by),
                0 if p.kind == PauseKind.EXTENSION else self._pause_days(p, row.version),
            )
            for p in row.record.pauses
        ]

    def _document_rows(self, row: _Row, ids: list[int]) -> list[tuple[Any, ...]]:
        return [
            (
                row.id,
                ids[d.step] if d.step is not None else None,
                d.kind,
                d.name.strip()[:200],
                d.document_number.strip()[:100],
                d.original_received,
                d.copy_received,
                d.file_path,
                d.file_name[:200],
                d.content_type,
                d.size,
                d.sha256,
                self.at(d.uploaded_at),
                _pk(d.uploaded_by),
            )
            for d in row.record.documents
        ]

    def _audit(self, row: _Row, rows: list[_Row]) -> AuditRecord:
        record = row.record
        data: dict[str, Any] = {
            "power": row.version.code,
            "version": row.version.number,
            "state": record.state,
            "channel": record.channel,
            "received_at": record.received_at.isoformat(),
            "accepted_at": record.accepted_at.isoformat() if record.accepted_at else None,
            "concluded_at": record.concluded_at.isoformat() if record.concluded_at else None,
            "steps": len(record.steps),
            "batch_row": row.row,
        }
        if record.joint_item is not None:
            data["joint_item"] = record.joint_item.pk
        if row.parent is not None:
            data["joint_parent"] = rows[row.parent].number
        if record.declared_anomaly:
            data["declared_anomaly"] = record.declared_anomaly
        if self.batch_id is not None:
            data["batch"] = self.batch_id
        if record.source_number:
            data["source_number"] = record.source_number
        if record.id_number_unknown and not record.applicant.id_number.strip():
            data["flags"] = ["申请人无证件号码"]
        return AuditRecord(
            action="cases.case.recorded",
            object_type="cases.case",
            object_id=row.number,
            data=data,
            actor_id=_pk(self.actor),
            actor_name=actor_label(self.actor),
        )


def case_title(name: str, applicant_name: str) -> str:
    """A case's title: the power's (or joint item's) name and the applicant's, as registration
    makes it."""
    return f"{name}（{applicant_name.strip()}）"[:300]


# ---------------------------------------------------------------- plain SQL helpers


CASE_COLUMNS = [
    "id", "number", "query_code", "power_item", "power_version", "flow", "department",
    "region_code", "case_type", "channel", "title", "applicant_kind", "applicant_name",
    "applicant_id_number", "applicant_phone", "applicant_address", "agent_name",
    "agent_id_number", "agent_phone", "fields", "state", "received_at", "accepted_at",
    "concluded_at", "entered_at", "statutory_deadline", "promised_deadline",
    "deadline_provisional", "extension_days", "paused_workdays", "not_accepted_reason",
    "correction_items", "conclusion_code", "decision", "conclusion_opinion", "penalty_kind",
    "penalty_amount", "fee_due", "fee_paid", "joint_parent", "joint_item", "registered_by",
    "revision", "history_batch", "source_number",
]  # fmt: skip
STEP_COLUMNS = [
    "id", "case", "node_id", "kind", "name", "role", "org_unit", "state", "started_at",
    "finished_at", "deadline", "deadline_provisional", "stops_clock", "handler", "handler_name",
    "result", "opinion", "via_edge", "previous",
]  # fmt: skip
PAUSE_COLUMNS = [
    "case", "kind", "procedure", "reason", "started_at", "ended_at", "limit_days",
    "extension_days", "requested_by", "approved_by", "workdays",
]  # fmt: skip
DOCUMENT_COLUMNS = [
    "case", "step", "kind", "name", "document_number", "original_received", "copy_received",
    "file_path", "file_name", "content_type", "size", "sha256", "uploaded_at", "uploaded_by",
]  # fmt: skip


def _insert(model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """insert_rows, with any column added to the model later given its default."""
    extra = [
        f
        for f in model._meta.concrete_fields
        if f.name not in columns and f.attname not in columns and not f.primary_key
    ]
    if extra:
        defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
        columns = columns + [f.name for f in extra]
        rows = [r + defaults for r in rows]
    insert_rows(model, columns, rows)


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Checked rows in database form inserted the fastest way the database offers: COPY on
    PostgreSQL (executemany there runs one INSERT per row), core.bulk.insert_many's prepared
    INSERT on SQLite (where that is the fast way)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        insert_many(model, fields, rows)
        return
    meta, quote = model._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for rows inserted with explicit ids (their children need them first).
    PostgreSQL hands them out from the table's sequence, so concurrent inserts never collide;
    SQLite writers are serial (BEGIN IMMEDIATE) and AUTOINCREMENT moves past explicit ids."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [value for (value,) in cursor.fetchall()]
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608 table name from model metadata
        (highest,) = cursor.fetchone()
    first = (highest or 0) + 1
    return list(range(first, first + count))


def datetime_adapter() -> Callable[[dt.datetime | None], Any]:
    """Datetimes as the database stores them. SQLite's form (naive UTC text, as Django's
    adapt_datetimefield_value makes it) is built directly: a batch has millions of them."""
    if connection.vendor == "sqlite" and connection.timezone is dt.UTC:

        def adapt(moment: dt.datetime | None) -> Any:
            if moment is None:
                return None
            if moment.tzinfo is not dt.UTC:
                moment = moment.astimezone(dt.UTC)
            return str(moment)[:-6]  # without its "+00:00"

        return adapt
    # The backend's adapter bound once: `connection` is a per-thread lookup on every use.
    adapt_value = connection.ops.adapt_datetimefield_value
    return lambda moment: None if moment is None else adapt_value(moment)


def _pk(user: Any) -> int | None:
    return getattr(user, "pk", None)
