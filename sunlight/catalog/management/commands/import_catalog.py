import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sunlight.catalog.imports import department_get_by_full_code, power_items_import
from sunlight.catalog.list_import import DEFAULT_CHANGE_REASON, UNCHANGED, ListPlan
from sunlight.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "导入一个部门的权力清单（.xlsx、.xls、.ods、CSV；本平台模板或各地清单原表）：新事项为草稿，"
        "已有事项（按实施编码或统一编码匹配）经审核流程更新。有任何错误行时不写入，并逐行列出问题"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="清单文件路径（.xlsx、.xls、.ods、.csv）")
        parser.add_argument(
            "--department", required=True, help="部门完整编码：6位区划代码+3位部门编码"
        )
        parser.add_argument(
            "--good-rows-only", action="store_true", help="只导入无误的行，并列出有误的行"
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只列出将新建、更新和需处理的事项，不写入任何数据",
        )
        parser.add_argument(
            "--reason", default=DEFAULT_CHANGE_REASON, help="已发布事项变更（新版本）的原因"
        )

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
                dry_run=options["dry_run"],
                change_reason=options["reason"],
            )
        plan = report.plan
        if options["dry_run"] and plan is not None:
            self._describe(plan)
        for problem in report.problems:
            self.stdout.write(str(problem))
        if options["dry_run"]:
            if plan is not None and plan.header is not None:
                self.stdout.write(plan.summary)
            self.stdout.write("试运行（--dry-run）：未写入任何数据")
            if report.problems:
                raise CommandError(f"发现{len(report.problems)}个问题", returncode=1)
            return
        if report.refused:
            raise CommandError(
                f"导入被拒绝：发现{len(report.problems)}个问题，未写入任何数据", returncode=1
            )
        skipped = len(report.bad_rows)
        self.stdout.write(
            f"已导入{report.created}项权力事项到“{department.name}”（草稿）"
            + (f"，更新{report.updated}项（经审核流程）" if report.updated else "")
            + (f"；跳过有误的{skipped}行" if skipped else "")
        )
        if plan is not None and plan.incomplete:
            self.stdout.write(f"其中{plan.incomplete}项缺少发布所需内容，补全后才能提交审核")

    def _describe(self, plan: ListPlan) -> None:
        if plan.table is not None:
            self.stdout.write(
                f"文件格式：{plan.table.format_label}，工作表“{plan.table.sheet_name}”"
            )
        if plan.header is None:
            return
        rows = f"第{plan.header.first_row}行" + (
            f"至第{plan.header.last_row}行" if plan.header.last_row != plan.header.first_row else ""
        )
        self.stdout.write(f"表头：{rows}")
        for column in plan.header.columns:
            self.stdout.write(f"  {column.letter}列“{column.header}” → {column.field_label}")
        for number, why in plan.skipped:
            self.stdout.write(f"第{number}行 跳过：{why}")
        for planned in plan.rows:
            if planned.action == UNCHANGED:
                continue
            draft = planned.draft
            line = f"第{planned.row}行 {planned.action_label} {draft.code} {draft.name}"
            if draft.sub_item_name:
                line += f"（{draft.sub_item_name}）"
            if planned.note:
                line += f"：{planned.note}"
            self.stdout.write(line)
            for change in planned.changes:
                self.stdout.write(
                    f"    {change.label}：{change.old or '（空）'} → {change.new or '（空）'}"
                )
