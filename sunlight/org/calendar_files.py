"""Loading a year's official holiday arrangement (国务院办公厅关于某年部分节假日安排的通知) from a
file, as an admin gets it: the JSON shape commonly published for these notices

    {"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, …]}

(`isOffDay` false is a make-up workday, 调休上班), or a CSV with the columns 日期, 名称 and
放假 (是/否, 放假/上班, true/false, 1/0). The file replaces whatever the year had: its days are
written, the year is marked loaded, deadlines that were provisional are recomputed (the
listeners of calendar_services), and the audit records the file's name and SHA-256. A notice
may name days of the neighbouring years (元旦 from 31 December): they are written too.
"""

import csv
import datetime as dt
import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, ValidationFailed
from sunlight.core.spreadsheets import SpreadsheetRefused
from sunlight.core.tables import decode_text
from sunlight.org.calendar_services import (
    FIRST_YEAR,
    LAST_YEAR,
    calendar_changed,
    calendar_day_problems,
    require_calendar_admin,
)
from sunlight.org.models import (
    CalendarDay,
    CalendarKind,
    CalendarSource,
    CalendarYear,
    CalendarYearStatus,
)

MAX_FILE_BYTES = 512 * 1024
MAX_DAYS = 200
FILE = "文件"
_OFF = {"true": True, "1": True, "是": True, "放假": True, "休": True, "休息": True,
        "false": False, "0": False, "否": False, "上班": False, "班": False, "调休上班": False,
        "补班": False}  # fmt: skip
_DATE_HEADERS = {"日期", "date"}
_NAME_HEADERS = {"名称", "节日", "节假日", "name"}
_OFF_HEADERS = {"放假", "是否放假", "isoffday", "类型", "off"}


@dataclass(frozen=True)
class NoticeDay:
    date: dt.date
    name: str
    off: bool


@dataclass(frozen=True)
class CalendarLoadResult:
    year: int
    holidays: int
    workdays: int
    replaced: int  # days the year had before


def parse_notice(data: bytes, *, year: int | None = None) -> tuple[int, list[NoticeDay]]:
    """The year and days a notice file gives. Raises ValidationFailed listing every problem."""
    if not data:
        raise ValidationFailed([FieldProblem(FILE, "文件为空")])
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed([FieldProblem(FILE, "文件过大（上限512KB），不像节假日安排文件")])
    try:
        text, _ = decode_text(data)
    except SpreadsheetRefused as error:
        raise ValidationFailed([FieldProblem(FILE, error.message)]) from error
    text = text.lstrip("\ufeff")
    if text.lstrip().startswith("{"):
        file_year, entries = _json_entries(text)
    else:
        file_year, entries = None, _csv_entries(text)
    problems: list[FieldProblem] = []
    days: list[NoticeDay] = []
    for where, raw_date, raw_name, raw_off in entries:
        day, problem = _notice_day(where, raw_date, raw_name, raw_off)
        if problem:
            problems.append(problem)
        elif day is not None:
            days.append(day)
    if not days and not problems:
        problems.append(FieldProblem(FILE, "文件中没有任何日期"))
    chosen = year or file_year or _most_common_year(days)
    if file_year is not None and year is not None and file_year != year:
        problems.append(FieldProblem("year", f"文件写的是{file_year}年，与指定的{year}年不符"))
    problems += _days_problems(chosen, days)
    if problems:
        raise ValidationFailed(problems)
    assert chosen is not None
    return chosen, days


def _json_entries(text: str) -> tuple[int | None, list[tuple[str, Any, Any, Any]]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationFailed(
            [FieldProblem(FILE, f"不是有效的 JSON（第{error.lineno}行第{error.colno}列）")]
        ) from error
    if not isinstance(document, dict) or not isinstance(document.get("days"), list):
        raise ValidationFailed(
            [FieldProblem(FILE, '应为 {"year": 年份, "days": [{"name", "date", "isOffDay"}, …]}')]
        )
    file_year = document.get("year")
    if file_year is not None and not (
        isinstance(file_year, int) and not isinstance(file_year, bool)
    ):
        raise ValidationFailed([FieldProblem("year", f"“{str(file_year)[:20]}”不是年份")])
    entries = []
    for index, entry in enumerate(document["days"], start=1):
        if not isinstance(entry, dict):
            entries.append((f"第{index}项", None, None, None))
            continue
        entries.append(
            (f"第{index}项", entry.get("date"), entry.get("name"), entry.get("isOffDay"))
        )
    return file_year, entries


def _csv_entries(text: str) -> list[tuple[str, Any, Any, Any]]:
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]

    def find(names: set[str]) -> int | None:
        return next((i for i, cell in enumerate(header) if cell in names), None)

    date_at, name_at, off_at = find(_DATE_HEADERS), find(_NAME_HEADERS), find(_OFF_HEADERS)
    if date_at is None or off_at is None:
        raise ValidationFailed([FieldProblem(FILE, "CSV 第1行应为列名：日期、名称、放假（是/否）")])
    entries = []
    for number, row in enumerate(rows[1:], start=2):

        def cell(index: int | None, row: list[str] = row) -> str | None:
            return row[index].strip() if index is not None and index < len(row) else None

        entries.append((f"第{number}行", cell(date_at), cell(name_at) or "", cell(off_at)))
    return entries


def _notice_day(
    where: str, raw_date: Any, raw_name: Any, raw_off: Any
) -> tuple[NoticeDay | None, FieldProblem | None]:
    try:
        day = dt.date.fromisoformat(str(raw_date).strip().replace("/", "-"))
    except (TypeError, ValueError):
        return None, FieldProblem(where, f"日期“{str(raw_date)[:20]}”无效，应写成2027-01-01")
    if isinstance(raw_off, bool):
        off = raw_off
    else:
        off = _OFF.get(str(raw_off).strip().lower()) if raw_off is not None else None
        if off is None:
            return None, FieldProblem(
                where, f"放假一栏“{str(raw_off)[:10]}”无效，应为是/否（放假/上班、true/false）"
            )
    name = str(raw_name or "").strip()
    return NoticeDay(day, name, off), None


def _most_common_year(days: list[NoticeDay]) -> int | None:
    counts = Counter(day.date.year for day in days)
    return counts.most_common(1)[0][0] if counts else None


def _days_problems(year: int | None, days: list[NoticeDay]) -> list[FieldProblem]:
    if year is None:
        return []
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return [FieldProblem("year", f"只能维护{FIRST_YEAR}至{LAST_YEAR}年的日历")]
    problems = []
    seen: set[dt.date] = set()
    for day in days:
        near = dt.date(year - 1, 12, 1) <= day.date <= dt.date(year + 1, 1, 31)
        if not near:
            problems.append(FieldProblem(day.date.isoformat(), f"不在{year}年的安排范围内"))
        if day.date in seen:
            problems.append(FieldProblem(day.date.isoformat(), "日期重复"))
        seen.add(day.date)
        kind = CalendarKind.HOLIDAY if day.off else CalendarKind.WORKDAY
        for problem in calendar_day_problems(day.date, kind, day.name):
            problems.append(FieldProblem(day.date.isoformat(), problem.message))
    if days and not any(day.off for day in days):
        problems.append(FieldProblem(FILE, f"文件中没有{year}年的放假日期"))
    return problems


def calendar_year_load_file(
    *, actor: Any, data: bytes, filename: str = "", year: int | None = None
) -> CalendarLoadResult:
    """Replace a year's holidays and make-up workdays with those of an official notice file
    and mark the year loaded. Nothing changes when the file has any problem."""
    require_calendar_admin(actor)
    chosen, days = parse_notice(data, year=year)
    now = clock.now()
    with transaction.atomic():
        dates = [day.date for day in days]
        replaced = CalendarDay.objects.filter(date__year=chosen).count()
        CalendarDay.objects.filter(date__year=chosen).delete()
        CalendarDay.objects.filter(date__in=dates).delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(
                date=day.date,
                kind=CalendarKind.HOLIDAY if day.off else CalendarKind.WORKDAY,
                name=day.name[:30],
                source=CalendarSource.FILE,
                updated_at=now,
                updated_by=actor,
            )
            for day in days
        )
        note = f"导入文件 {filename}"[:200] if filename else "导入放假安排文件"
        CalendarYear.objects.update_or_create(
            year=chosen,
            defaults={
                "status": CalendarYearStatus.LOADED,
                "source": CalendarSource.FILE,
                "loaded_at": now,
                "note": note,
                "updated_at": now,
                "updated_by": actor,
            },
        )
        holidays = sum(1 for day in days if day.off)
        audit_record(
            actor=actor,
            action="org.calendar_year.file_loaded",
            object_type="org.calendar_year",
            object_id=chosen,
            data={
                "year": chosen,
                "file": filename,
                "sha256": hashlib.sha256(data).hexdigest(),
                "holidays": holidays,
                "workdays": len(days) - holidays,
                "replaced": replaced,
            },
        )
        calendar_changed()
    return CalendarLoadResult(chosen, holidays, len(days) - holidays, replaced)
