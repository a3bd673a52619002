import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sunlight.cases.event_log import FORMATS, LogFilter, cases_export_log
from sunlight.catalog.imports import department_get_by_full_code
from sunlight.core.errors import DomainError


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"“{value}”不是有效日期（应为 YYYY-MM-DD）") from None


class Command(BaseCommand):
    help = (
        "导出办件事件日志供流程挖掘工具使用：XES（IEEE 1849）、OCEL 2.0（JSON）或 CSV"
        "（每个事件一行）。可按部门、事项和收件日期筛选"
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=FORMATS, dest="log_format")
        parser.add_argument(
            "--department", default="", help="部门完整编码：6位区划代码+3位部门编码"
        )
        parser.add_argument("--power", default="", help="权力事项统一编码")
        parser.add_argument("--from", dest="start", default="", help="收件日期起 YYYY-MM-DD")
        parser.add_argument("--to", dest="end", default="", help="收件日期止 YYYY-MM-DD（含）")
        parser.add_argument("-o", "--output", required=True, help="输出文件")
        parser.add_argument(
            "--personal-data", action="store_true",
            help="包含申请人姓名、证件号码和联系方式（默认不含；迁移到另一平台时需要）",
        )  # fmt: skip

    def handle(self, *args, **options):
        department = None
        if options["department"]:
            try:
                department = department_get_by_full_code(full_code=options["department"])
            except DomainError as error:
                raise CommandError(error.message) from error
        start = _date(options["start"]) if options["start"] else None
        end = _date(options["end"]) if options["end"] else None
        if start and end and start > end:
            raise CommandError("--from 晚于 --to")
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"目录不存在：{output.parent}")
        partial = output.with_name(output.name + ".part")
        try:
            with partial.open("wb") as stream:
                events = cases_export_log(
                    actor=None,  # the operator's CLI acts as the system
                    stream=stream,
                    log_format=options["log_format"],
                    log_filter=LogFilter(department, options["power"].strip(), start, end),
                    personal_data=options["personal_data"],
                )
            partial.replace(output)  # a half-written log never takes the file's name
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self.stdout.write(f"已导出{events}个事件到 {output}")
