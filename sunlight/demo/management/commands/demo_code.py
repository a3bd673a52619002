"""`sunlight demo code USER`: a demo account's current two-factor code (demo/two_factor.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunlight.org.two_factor import current_code, secret_base32


class Command(BaseCommand):
    help = "显示演示账号当前的两步验证码（仅演示环境；生产环境拒绝执行）"

    def add_arguments(self, parser):
        parser.add_argument("username", help="演示账号用户名，如 admin、jw_supervisor")
        parser.add_argument("--secret", action="store_true", help="同时显示密钥，供手机验证器添加")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("生产环境不提供此命令：请用本人手机上的验证器应用")
        device = TOTPDevice.objects.filter(
            user__username=options["username"], confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"账号“{options['username']}”没有已启用的两步验证")
        self.stdout.write(
            f"{options['username']} 当前验证码：{current_code(device)}（30 秒内有效）"
        )
        if options["secret"]:
            self.stdout.write(f"密钥（TOTP，6 位，30 秒）：{secret_base32(device)}")
            self.stdout.write(device.config_url)
