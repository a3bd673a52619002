"""The monthly statistics a platform reports upward (部门统计数据表): per department and power,
the figures of the public statistics page (publication.statistics, the same query), plus each
department's total with its score — and the lines its own lower platforms reported, relayed.

Lines are keyed by (region, department, power): a line this instance computes from its own
cases wins over a relayed one with the same key, so a county case that has become a city case
is never counted twice on its way to the province.
"""

import datetime as dt
import re
from typing import Any

from sunlight.core.errors import FieldProblem, ValidationFailed
from sunlight.org.models import Department
from sunlight.publication.statistics import Period, city_statistics, department_statistics
from sunlight.rollup.models import RolledUpStatistic
from sunlight.supervision.models import DepartmentScore

FIGURES = ["received", "accepted", "not_accepted", "concluded", "early", "on_time", "late"]


def month_parse(text: str) -> dt.date:
    found = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or not 2000 <= int(found.group(1)) <= 2100:
        raise ValidationFailed([FieldProblem("month", "月份应写作 YYYY-MM，如 2026-11")])
    return dt.date(int(found.group(1)), int(found.group(2)), 1)


def statistics_for_month(*, month: dt.date) -> list[dict[str, Any]]:
    period = Period("month", month.year, month.month)
    lines: dict[tuple[str, str, str], dict[str, Any]] = {}
    for line in _relayed(month):
        lines[(line["region_code"], line["department_code"], line["power_code"])] = line
    for line in _own(period, month):
        lines[(line["region_code"], line["department_code"], line["power_code"])] = line
    return [lines[key] for key in sorted(lines)]


def _own(period: Period, month: dt.date) -> list[dict[str, Any]]:
    totals = city_statistics(period=period, public=False)
    departments = {d.pk: d for d in Department.objects.filter(pk__in=[r.key for r in totals.rows])}
    scores = dict(
        DepartmentScore.objects.filter(month=month, department__in=departments).values_list(
            "department_id", "total"
        )
    )
    lines = []
    for row in totals.rows:
        department = departments[row.key]
        common = {
            "month": f"{month:%Y-%m}",
            "region_code": department.region_id,
            "department_code": department.code,
            "department_name": department.name,
        }
        score = scores.get(department.pk)
        lines.append(
            common
            | {"power_code": "", "power_name": "", "score": None if score is None else str(score)}
            | {name: getattr(row, name) for name in FIGURES}
        )
        for power in department_statistics(
            department_id=department.pk, period=period, public=False
        ).rows:
            lines.append(
                common
                | {"power_code": power.code, "power_name": power.label, "score": None}
                | {name: getattr(power, name) for name in FIGURES}
            )
    return lines


def _relayed(month: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "month": f"{month:%Y-%m}",
            "region_code": line.region_code,
            "department_code": line.department_code,
            "department_name": line.department_name,
            "power_code": line.power_code,
            "power_name": line.power_name,
            "score": None if line.score is None else str(line.score),
        }
        | {name: getattr(line, name) for name in FIGURES}
        for line in RolledUpStatistic.objects.filter(month=month)
    ]
