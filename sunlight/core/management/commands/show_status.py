import json

from django.core.management.base import BaseCommand

from sunlight.core.status import collect_status


class Command(BaseCommand):
    help = "打印平台状态（区划、部门、用户、权力事项、留痕记录等计数）"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以单个 JSON 对象输出")

    def handle(self, *args, **options):
        status = collect_status()
        if options["json"]:
            self.stdout.write(json.dumps(status, ensure_ascii=False, sort_keys=True))
            return
        for key, value in status.items():
            self.stdout.write(f"{key}: {json.dumps(value, ensure_ascii=False)}")
