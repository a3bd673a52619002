from django.core.management.base import BaseCommand, CommandError

from sunlight.core.errors import ValidationFailed
from sunlight.exchange.models import SourceSystem
from sunlight.rollup.services import lower_register


class Command(BaseCommand):
    help = (
        "登记下级平台：接口地址、它为本平台签发的读取密钥，以及其数据入库所用的自建系统"
        "（先在“数据交换”中登记，并选定可报送的部门）"
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="下级平台代码")
        parser.add_argument("--name", required=True, help="下级平台名称")
        parser.add_argument("--url", default="", help="下级平台地址，如 https://county.example")
        parser.add_argument("--key", default="", help="下级平台签发的读取密钥")
        parser.add_argument(
            "--push-only", action="store_true",
            help="下级平台主动推送（用为它签发的数据交换密钥），本平台不拉取：不需地址和读取密钥",
        )  # fmt: skip
        parser.add_argument("--secret", default="", help="签名密钥（要求签名时）")
        parser.add_argument("--source", required=True, help="入库所用的自建系统代码")

    def handle(self, *args, **options):
        source = SourceSystem.objects.filter(code=options["source"]).first()
        if source is None:
            raise CommandError(f"没有代码为“{options['source']}”的自建系统")
        try:
            lower = lower_register(
                actor=None,
                code=options["code"],
                name=options["name"],
                base_url=options["url"],
                source=source,
                key=options["key"],
                signing_secret=options["secret"],
                push_only=options["push_only"],
            )
        except ValidationFailed as error:
            raise CommandError("；".join(p.message for p in error.problems)) from None
        self.stdout.write(f"已登记下级平台“{lower.name}”")
