"""Pushed records of the tables about a department's work become the platform's own objects,
in the batch's transaction: 投诉表 → petitions (feedback_bridge), 部门督办表 → 督办 orders and
部门监察异常表 → alerts (supervision_bridge), 部门统计数据表 → monthly statistics lines
(statistics_bridge). Each calls its app's service with the records written or corrected by
this batch (a resent, unchanged record is not passed again, so a retry changes nothing); what a
service refuses is mapped back to the record, field and a stable code, and the whole batch is
refused with it (`RecordsRefused` rolls the transaction back)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sunlight.cases.models import Case
from sunlight.core.errors import ValidationFailed
from sunlight.exchange.cases_bridge import CaseCheckFailed, cases_numbered, source_number
from sunlight.exchange.choices import ExchangeTable
from sunlight.exchange.models import SourceSystem
from sunlight.exchange.validation import Problem
from sunlight.org.models import Department


class RecordsRefused(CaseCheckFailed):
    """What the records would do to the platform's objects is refused (the batch with them)."""


@dataclass
class Written:
    """A record this batch wrote or corrected, with the department the context found."""

    index: int
    values: dict[str, Any]
    department_id: int

    @property
    def external_id(self) -> str:
        return str(self.values["external_id"])


def records_bridge(*, source: SourceSystem, table: str, written: Sequence[Written]) -> None:
    """Carry the written records of a department table over to their apps (other tables:
    nothing; their cases are cases_bridge's)."""
    from sunlight.exchange import feedback_bridge, statistics_bridge, supervision_bridge

    bridges: dict[str, Callable[..., None]] = {
        ExchangeTable.COMPLAINT: feedback_bridge.complaints_sync,
        ExchangeTable.SUPERVISION_ORDER: supervision_bridge.orders_sync,
        ExchangeTable.SUPERVISION_ANOMALY: supervision_bridge.anomalies_sync,
        ExchangeTable.STATISTICS: statistics_bridge.statistics_sync,
    }
    bridge = bridges.get(table)
    if bridge is not None and written:
        bridge(source=source, records=list(written), context=BridgeContext(source, written))


class BridgeContext:
    """What the records refer to, read once: their departments and the bridged cases."""

    def __init__(self, source: SourceSystem, written: Sequence[Written]) -> None:
        self.source = source
        self.departments = Department.objects.in_bulk({w.department_id for w in written})
        numbers = {
            source_number(source, w.values["case_external_id"])
            for w in written
            if w.values.get("case_external_id")
        }
        # Through the (department, source number) index, over every department the source
        # writes for: a case of another of them is found, and refused as the wrong department.
        departments = set(source.departments.values_list("pk", flat=True)) | set(self.departments)
        self.cases = {
            c.source_number: c
            for c in cases_numbered(list(departments), list(numbers)).select_related("department")
        }

    def ref(self, record: Written) -> str:
        return f"{self.source.code}:{record.external_id}"

    def case_of(self, record: Written, problems: list[Problem]) -> Case | None:
        """The platform case the record names (a case pushed by the same system), if any."""
        case_id = record.values.get("case_external_id")
        if not case_id:
            return None
        case = self.cases.get(source_number(self.source, case_id))
        if case is not None and case.department_id != record.department_id:
            problems.append(
                Problem(record.index, record.external_id, "case_external_id", "case_department",
                        f"办件“{case_id}”属于{case.department.name}，与记录的部门不符")
            )  # fmt: skip
            return None
        return case


def refused(
    error: ValidationFailed, records: Sequence[Written], codes: dict[str, str]
) -> RecordsRefused:
    """A service's problems (`row` = position in `records`) as exchange problems: the record,
    the field and its code (`codes` by field; `conflict` for any other)."""
    problems = []
    for found in error.problems:
        record = records[found.row] if found.row is not None and found.row < len(records) else None
        index = record.index if record else 0
        external_id = record.external_id if record else ""
        code = codes.get(found.field, "conflict")
        problems.append(Problem(index, external_id, found.field, code, found.message))
    return RecordsRefused(problems)
