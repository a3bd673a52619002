from pathlib import Path

from django.core.management.base import BaseCommand

from sunlight.core.backup import backup_create


class Command(BaseCommand):
    help = "备份内置数据库（运行中也一致）、上传文件和留痕检查点文件，写完后逐一校验"

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", help="备份目录（须不存在或为空）；默认 数据目录/backups/sunlight-时间"
        )

    def handle(self, *args, **options):
        result = backup_create(target=Path(options["output"]) if options["output"] else None)
        rows = sum(result.tables.values())
        self.stdout.write(
            f"已备份到 {result.path}：{result.files} 个文件，{result.bytes / 1024 / 1024:.1f} MB，"
            f"数据库 {rows} 行；校验通过"
        )
        self.stdout.write(
            "注意：签名私钥和 secret_key 不在备份中，请另行妥善保存（见 docs/backup.md）"
        )
