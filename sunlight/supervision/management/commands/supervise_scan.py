"""`sunlight supervise scan [--full] [--json]`: run the supervision rules now."""

import json

from django.core.management.base import BaseCommand

from sunlight.supervision.models import Rule
from sunlight.supervision.rules import rules_install_defaults
from sunlight.supervision.scan import scan_run


class Command(BaseCommand):
    help = "运行电子监察扫描（默认增量；--full 全量）"

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="全量扫描全部办件")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        if not Rule.objects.exists():
            rules_install_defaults()
        result = scan_run(full=options["full"], trigger="command")
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json()))
            return
        kind = "全量" if result.full else "增量"
        self.stdout.write(
            f"{kind}扫描完成：新增预警 {result.raised} 条，自动解除 {result.resolved} 条，"
            f"变化办件 {result.changed_cases} 件，用时 {result.elapsed_ms} 毫秒"
        )
