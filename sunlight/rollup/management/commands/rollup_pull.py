from django.core.management.base import BaseCommand, CommandError

from sunlight.core.errors import ValidationFailed
from sunlight.rollup import client
from sunlight.rollup.models import LowerInstance
from sunlight.rollup.services import (
    lower_cursor_reset,
    lower_pull,
    lower_record_error,
    statistics_pull,
)
from sunlight.rollup.statistics import month_parse


class Command(BaseCommand):
    help = (
        "从下级平台拉取自上次进度以来的全部变更，经数据交换的写入路径入库（重复拉取不会重复）；"
        "可同时拉取某月的统计"
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="lower", required=True, help="下级平台代码")
        parser.add_argument("--statistics", metavar="YYYY-MM", help="同时拉取该月统计")
        parser.add_argument(
            "--from-start", action="store_true", help="从头重新拉取（已入库的记录不会重复）"
        )

    def handle(self, *args, **options):
        lower = LowerInstance.objects.select_related("source").filter(code=options["lower"]).first()
        if lower is None:
            raise CommandError(f"没有代码为“{options['lower']}”的下级平台")
        try:
            month = month_parse(options["statistics"]) if options["statistics"] else None
        except ValidationFailed as error:
            raise CommandError(error.problems[0].message) from None
        if options["from_start"]:
            lower_cursor_reset(actor=None, lower=lower)
        try:
            run = lower_pull(lower=lower)
        except ValidationFailed as error:
            raise CommandError(error.problems[0].message) from None
        waiting = "，".join(f"{t} {n} 条" for t, n in run.waiting.items())
        summary = (
            f"{run.pages} 页，{run.records} 条记录（写入 {run.written}，重复未变 {run.unchanged}）"
            + (f"；本平台暂不能入库：{waiting}" if waiting else "")
        )
        if run.outcome != "ok":
            raise CommandError(
                f"拉取失败（已完成 {summary}，进度 {run.cursor_to or '开头'}）：{run.error}"
            )
        self.stdout.write(f"已从“{lower.name}”拉取 {summary}，进度 {run.cursor_to}")
        if month is not None:
            try:
                lines = statistics_pull(lower=lower, month=month)
            except client.PullFailed as error:
                lower_record_error(lower=lower, error=str(error))
                raise CommandError(f"统计拉取失败：{error}") from None
            self.stdout.write(f"已接收 {month:%Y-%m} 统计 {lines} 行")
