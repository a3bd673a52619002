from django.core.management.base import BaseCommand

from sunlight.audit.checkpoints import (
    checkpoint_issue,
    checkpoint_latest,
    configured_public_key_hex,
)


class Command(BaseCommand):
    help = "立即对留痕链头签发一个检查点（链自上次检查点后没有新增时不重复签发），并显示公钥"

    def handle(self, *args, **options):
        checkpoint = checkpoint_issue()
        if checkpoint is None:
            latest = checkpoint_latest()
            where = f"最近一个为 #{latest.pk}，链头第 {latest.chain_seq} 条" if latest else "链为空"
            self.stdout.write(f"无需签发：链自上次检查点后没有新增（{where}）")
        else:
            self.stdout.write(f"已签发检查点 #{checkpoint.pk}：链头第 {checkpoint.chain_seq} 条")
        self.stdout.write(f"公钥（Ed25519，十六进制）：{configured_public_key_hex()}")
