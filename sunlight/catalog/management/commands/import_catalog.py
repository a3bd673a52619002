import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sunlight.catalog.imports import department_get_by_full_code, power_items_import
from sunlight.core.errors import DomainError


class Command(BaseCommand):
    help = "从 .xlsx 导入一个部门的权力事项（新建为草稿）。有任何错误行时不写入，并逐行列出问题"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 文件路径")
        parser.add_argument(
            "--department", required=True, help="部门完整编码：6位区划代码+3位部门编码"
        )
        parser.add_argument(
            "--good-rows-only", action="store_true", help="只导入无误的行，并列出有误的行"
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            department = department_get_by_full_code(full_code=options["department"])
        except DomainError as error:
            raise CommandError(error.message) from error
        show = not options["no_progress"] and sys.stderr.isatty()
        with (
            path.open("rb") as file,
            tqdm(unit="行", desc="导入", disable=not show, file=sys.stderr) as bar,
        ):

            def progress(done: int, total: int) -> None:
                bar.total = max(total, done)
                bar.update(done - bar.n)

            # The operator's CLI acts as the system itself (actor None), like the demo seeder.
            report = power_items_import(
                actor=None,
                department=department,
                file=file,
                good_rows_only=options["good_rows_only"],
                progress=progress,
            )
        for problem in report.problems:
            self.stdout.write(str(problem))
        if report.refused:
            raise CommandError(
                f"导入被拒绝：发现{len(report.problems)}个问题，未写入任何数据", returncode=1
            )
        skipped = len(report.bad_rows)
        self.stdout.write(
            f"已导入{report.created}项权力事项到“{department.name}”（草稿）"
            + (f"；跳过有误的{skipped}行" if skipped else "")
        )
