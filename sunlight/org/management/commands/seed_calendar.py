"""`sunlight calendar seed`: load the official holidays chinesecalendar knows (idempotent)."""

from importlib import metadata

from django.core.management.base import BaseCommand, CommandError

from sunlight.core.errors import DomainError
from sunlight.org.calendar_selectors import calendar_years
from sunlight.org.calendar_services import calendar_seed_from_package


def year_span(years: list[int]) -> str:
    if not years:
        return "无"
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}年" if len(years) > 1 else f"{years[0]}年"
    return "、".join(f"{year}年" for year in years)


class Command(BaseCommand):
    help = "从 chinesecalendar 数据包载入法定节假日和调休上班日（已录入的年份不变）"

    def handle(self, *args, **options) -> None:
        try:
            result = calendar_seed_from_package(actor=None)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        version = metadata.version("chinesecalendar")
        if result.years:
            self.stdout.write(
                f"已从 chinesecalendar {version} 载入 {year_span(result.years)}，"
                f"新增 {result.days} 个放假或调休日期"
            )
        else:
            self.stdout.write(f"日历无需更新：chinesecalendar {version} 所含年份均已录入")
        self.stdout.write(f"已录入的年份：{year_span(calendar_years())}")
