"""Monthly figures a department's own system reported (exchange table 部门统计数据表) for a
department of this instance: kept as lines of `RolledUpStatistic` (reported_by = the system,
the department named), so they go up to the superior platform with the rest of the monthly
statistics, and shown on the public statistics for a department none of whose cases of that
period are on the platform (publication's reported-figures provider, registered at start-up).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from sunlight.audit.services import AuditRecord, audit_record_many
from sunlight.core import clock
from sunlight.exchange.models import SourceSystem
from sunlight.org.models import Department
from sunlight.publication.statistics import Period, StatRow
from sunlight.rollup.models import LowerInstance, RolledUpStatistic
from sunlight.rollup.statistics import FIGURES


@dataclass
class ReportedLine:
    department: Department
    month: dt.date  # the first day
    received: int
    accepted: int
    not_accepted: int
    concluded: int
    on_time: int  # concluded within the limit (the source does not tell early from on time)
    late: int

    def figures(self) -> dict[str, int]:
        return {name: getattr(self, name, 0) for name in FIGURES} | {"early": 0}


def statistics_record_reported(*, source: SourceSystem, lines: list[ReportedLine]) -> int:
    """Keep each line once per (region, month, department): a corrected figure replaces the
    old one, in the caller's transaction, with one audit entry per line. From a lower
    platform's source system the line is that platform's statistics, as if pulled."""
    now = clock.now()
    lower = LowerInstance.objects.filter(source=source).first()
    records = []
    with transaction.atomic():
        for line in lines:
            department = line.department
            sender = (
                {"via": lower, "reported_by": None, "department": None}
                if lower is not None
                else {"via": None, "reported_by": source, "department": department}
            )
            RolledUpStatistic.objects.update_or_create(
                region_code=department.region_id,
                month=line.month,
                department_code=department.code,
                power_code="",
                defaults=line.figures()
                | {
                    "department_name": department.name, "power_name": "", "score": None,
                    "received_at": now,
                } | sender,
            )  # fmt: skip
            records.append(
                AuditRecord(
                    action="rollup.statistics.received" if lower else "rollup.statistics.reported",
                    object_type="rollup.statistic",
                    object_id=f"{department.full_code}:{line.month:%Y-%m}",
                    data={"source": source.code, "month": f"{line.month:%Y-%m}"} | line.figures(),
                )
            )
        audit_record_many(records=records)
        latest = max((line.month for line in lines), default=None)
        if (
            lower is not None
            and latest is not None
            and (lower.statistics_month is None or latest > lower.statistics_month)
        ):
            LowerInstance.objects.filter(pk=lower.pk).update(statistics_month=latest)
    return len(lines)


def reported_rows(*, period: Period, department_ids: list[int] | None) -> dict[int, StatRow]:
    """Department id → the figures its systems reported for the months of `period`."""
    months = [month.first_day for month in period.months()]
    lines = RolledUpStatistic.objects.filter(
        reported_by__isnull=False, department__isnull=False, power_code="", month__in=months
    )
    if department_ids is not None:
        lines = lines.filter(department_id__in=department_ids)
    rows: dict[int, StatRow] = {}
    for line in lines.select_related("reported_by"):
        assert line.department_id is not None
        row = rows.setdefault(line.department_id, StatRow(key=line.department_id, label=""))
        for name in FIGURES:
            setattr(row, name, getattr(row, name) + getattr(line, name))
        row.reported_by = line.reported_by.name if line.reported_by else ""
    return rows
