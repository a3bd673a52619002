"""`sunlight calendar load FILE`: load a year's official holiday arrangement from a file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sunlight.core.errors import DomainError, ValidationFailed
from sunlight.org.calendar_files import calendar_year_load_file


class Command(BaseCommand):
    help = (
        "从文件载入某一年的放假安排（国务院办公厅通知）：JSON "
        '{"year": 年份, "days": [{"name", "date", "isOffDay"}]} 或 CSV（日期,名称,放假）。'
        "该年原有的设置被替换，该年标记为已录入，暂定期限重新计算"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON 或 CSV 文件路径")
        parser.add_argument("--year", type=int, help="年份（JSON 中已写明时可省略）")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            result = calendar_year_load_file(
                actor=None, data=path.read_bytes(), filename=path.name, year=options["year"]
            )
        except ValidationFailed as exc:
            for problem in exc.problems:
                self.stdout.write(f"{problem.field}：{problem.message}")
            raise CommandError(f"未载入：发现{len(exc.problems)}个问题", returncode=1) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"已载入{result.year}年放假安排：放假{result.holidays}天，调休上班{result.workdays}天"
            + (f"（替换原有{result.replaced}条设置）" if result.replaced else "")
            + f"；{result.year}年已标记为已录入"
        )
