import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sunlight.catalog.imports import department_get_by_full_code
from sunlight.core.errors import DomainError
from sunlight.discretion.table_import import discretion_table_import


class Command(BaseCommand):
    help = (
        "导入一个部门的整张裁量基准表（.xlsx、.xls、.ods 或 CSV）：逐条匹配到本部门的行政处罚事项，"
        "写入各事项的裁量基准草稿；未匹配的违法行为留待在页面上归入。有任何问题时不写入，并列出问题"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="裁量基准表文件路径")
        parser.add_argument(
            "--department", required=True, help="部门完整编码：6位区划代码+3位部门编码"
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        parser.add_argument(
            "--good-rows-only", action="store_true", help="只导入无误的违法行为，并列出有误的"
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            department = department_get_by_full_code(full_code=options["department"])
        except DomainError as error:
            raise CommandError(error.message) from error
        with path.open("rb") as file:
            # The operator's CLI acts as the system itself (actor None), like the catalog import.
            report = discretion_table_import(
                actor=None,
                department=department,
                file=file,
                filename=path.name,
                dry_run=options["dry_run"],
                good_rows_only=options["good_rows_only"],
            )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
            if report.refused:
                raise CommandError("导入被拒绝，未写入任何数据", returncode=1)
            return
        for problem in report.problems:
            self.stdout.write(f"问题 {problem}")
        for notice in report.notices:
            self.stdout.write(f"提示 {notice}")
        for place in report.flagged:
            self.stdout.write(f"待核定 {place}：处罚标准未能识别为数额，已保留原文")
        for row in report.unmatched:
            self.stdout.write(f"未匹配 {row['where']} {row['name']}")
        for landing in report.landings:
            self.stdout.write(
                f"{landing.code} {landing.name}：{landing.violations}个违法行为（{landing.action}）"
            )
        summary = (
            f"{report.violations}个违法行为、{report.tiers}个裁量阶次、{report.penalties}项处罚；"
            f"{len(report.unmatched)}个未匹配到处罚事项"
        )
        if report.refused:
            raise CommandError(
                f"导入被拒绝：发现{len(report.problems)}个问题，未写入任何数据", returncode=1
            )
        if options["dry_run"]:
            self.stdout.write(f"试导入（未写入）：{summary}")
        else:
            skipped = f"；跳过有误的{report.skipped}个违法行为" if report.skipped else ""
            self.stdout.write(f"已导入到“{department.name}”：{summary}{skipped}")
