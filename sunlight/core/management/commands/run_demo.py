from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "准备演示城市数据（已存在则复用）并启动 Web 服务"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=None)
        parser.add_argument("--port", type=int, default=None)

    def handle(self, *args, **options):
        call_command("seed_demo")
        serve_options = {k: v for k, v in options.items() if k in ("host", "port") and v}
        call_command("serve", **serve_options)
