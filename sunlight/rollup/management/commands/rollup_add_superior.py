from django.core.management.base import BaseCommand, CommandError

from sunlight.core.errors import ValidationFailed
from sunlight.rollup.models import SuperiorPlatform
from sunlight.rollup.services import superior_key_issue, superior_register


class Command(BaseCommand):
    help = (
        "登记上级平台（已登记则只签发新密钥），"
        "打印它读取本平台变更所用的密钥和签名密钥（只显示一次）"
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="上级平台代码")
        parser.add_argument("--name", required=True, help="上级平台名称")
        parser.add_argument("--require-signature", action="store_true", help="要求请求签名")

    def handle(self, *args, **options):
        superior = SuperiorPlatform.objects.filter(code=options["code"]).first()
        try:
            if superior is None:
                superior = superior_register(
                    actor=None,
                    code=options["code"],
                    name=options["name"],
                    require_signature=options["require_signature"],
                )
        except ValidationFailed as error:
            raise CommandError("；".join(p.message for p in error.problems)) from None
        issued = superior_key_issue(actor=None, superior=superior)
        self.stdout.write(f"key={issued.key}")
        self.stdout.write(f"secret={issued.signing_secret}")
