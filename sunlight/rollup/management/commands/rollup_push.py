from django.core.management.base import BaseCommand, CommandError

from sunlight.core.errors import ValidationFailed
from sunlight.rollup.models import SuperiorPlatform
from sunlight.rollup.push import (
    statistics_months_check,
    superior_push,
    superior_push_configure,
)
from sunlight.rollup.statistics import month_parse


class Command(BaseCommand):
    help = (
        "把自上次推送以来的全部变更推送到上级平台的数据交换接口（上级确认后才前移推送进度，"
        "重复推送不会重复入库），再推送已结束月份的月度统计（数字有变才重新推送）；"
        "首次推送时用 --url 和 --key 设置上级的地址和它签发的接口密钥"
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", dest="superior", required=True, help="上级平台代码")
        parser.add_argument("--url", help="上级平台地址（如 https://city.example.gov.cn）")
        parser.add_argument("--key", help="上级平台为本平台签发的数据交换接口密钥")
        parser.add_argument("--signing-secret", default="", help="请求签名密钥（可选）")
        parser.add_argument(
            "--statistics", action="append", default=[], metavar="YYYY-MM",
            help="另外推送该月（须已结束）的月度统计；可重复",
        )  # fmt: skip

    def handle(self, *args, **options):
        try:
            months = [month_parse(text) for text in options["statistics"]]
            statistics_months_check(months)
        except ValidationFailed as error:
            raise CommandError("；".join(p.message for p in error.problems)) from None
        superior = SuperiorPlatform.objects.filter(code=options["superior"]).first()
        if superior is None:
            raise CommandError(f"没有代码为“{options['superior']}”的上级平台")
        if options["url"] or options["key"]:
            try:
                superior_push_configure(
                    actor=None, superior=superior, url=options["url"] or "",
                    key=options["key"] or "", signing_secret=options["signing_secret"],
                )  # fmt: skip
            except ValidationFailed as error:
                raise CommandError("；".join(p.message for p in error.problems)) from None
        try:
            run = superior_push(superior=superior, months=months)
        except ValidationFailed as error:
            raise CommandError("；".join(p.message for p in error.problems)) from None
        waiting = "，".join(f"{t} {n} 条" for t, n in run.waiting.items())
        summary = (
            f"{run.pages} 页，{run.records} 条记录（写入 {run.written}，重复未变 {run.unchanged}）"
            + (f"；上级暂不能入库：{waiting}" if waiting else "")
            + (
                f"；月度统计 {'、'.join(run.statistics_months)}（{run.statistics_lines} 行）"
                if run.statistics_months
                else ""
            )
        )
        if not run.ok:
            raise CommandError(
                f"推送失败（已确认 {summary}，进度 {run.cursor_to or '开头'}）：{run.error}"
            )
        self.stdout.write(f"已向“{superior.name}”推送 {summary}，进度 {run.cursor_to}")
