from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "准备演示城市数据（已存在则复用）并启动 Web 服务"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=None)
        parser.add_argument("--port", type=int, default=None)
        parser.add_argument(
            "--as-of",
            default=None,
            help="演示城市的“今天”，YYYY-MM-DD（默认最近一个已经过完的工作日；仅首次生成时生效）",
        )

    def handle(self, *args, **options):
        seed_options = {"as_of": options["as_of"]} if options["as_of"] else {}
        call_command("seed_demo", **seed_options)
        serve_options = {k: v for k, v in options.items() if k in ("host", "port") and v}
        call_command("serve", **serve_options)
