"""`sunlight calendar add-workdays DATE N [--explain]`: the date N working days after DATE."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunlight.core.workdays import WorkCalendar
from sunlight.org.calendar_selectors import work_calendar

_WEEKDAYS = "一二三四五六日"


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"日期“{text}”无效，应为真实存在的日期，如 2026-09-30") from None


def _parse_count(text: str) -> int:
    try:
        count = int(text.strip())
    except ValueError:
        raise CommandError(f"工作日数“{text}”不是整数") from None
    if count < 0:
        raise CommandError(f"工作日数不能为负数（收到 {count}）")
    return count


def _weekday(day: dt.date) -> str:
    return f"星期{_WEEKDAYS[day.weekday()]}"


def missing_years(calendar: WorkCalendar, start: dt.date, end: dt.date) -> list[int]:
    return [year for year in range(start.year, end.year + 1) if year not in calendar.years]


class Command(BaseCommand):
    help = "计算某日之后第 N 个工作日（从次日起算，扣除周末和法定节假日，计入调休上班日）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("date", help="起算日，如 2026-09-30（期限从次日起算）")
        parser.add_argument("count", help="工作日数，0 或正整数")
        parser.add_argument("--explain", action="store_true", help="逐日列出计入或不计及原因")

    def handle(self, *args, **options) -> None:
        start = _parse_date(options["date"])
        count = _parse_count(options["count"])
        calendar = work_calendar()
        try:
            deadline = calendar.add_workdays(start, count)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if options["explain"]:
            self._explain(calendar, start, count, deadline.day)
        line = deadline.day.isoformat()
        if deadline.provisional:
            years = "、".join(f"{year}年" for year in missing_years(calendar, start, deadline.day))
            line += f"（暂定：依赖尚未录入的{years}日历）"
        self.stdout.write(f"期限：{line}" if options["explain"] else line)
        if not calendar.years:
            self.stderr.write("提示：节假日日历尚未载入，请先运行 sunlight calendar seed")

    def _explain(self, calendar: WorkCalendar, start: dt.date, count: int, end: dt.date) -> None:
        self.stdout.write(
            f"起算日 {start.isoformat()}（{_weekday(start)}），{count} 个工作日，从次日起算："
        )
        counted = 0
        for item in calendar.explain(start, end):
            if item.counted:
                counted += 1
            if item.reason == "调休上班" and item.name:
                why = f"调休上班（{item.name}）"
            elif not item.counted and item.name:
                why = f"{item.name}放假"
            else:
                why = item.reason
            if item.provisional:
                why += f"（暂定：{item.day.year}年日历未录入）"
            line = f"{item.day.isoformat()} {_weekday(item.day)}  "
            line += f"计入  {why}（第{counted}个）" if item.counted else f"不计  {why}"
            self.stdout.write(line)
