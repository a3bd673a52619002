from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from sunlight.core.backup import backup_restore, backup_verify, table_counts_now


class Command(BaseCommand):
    help = "从备份恢复内置数据库和上传文件（先校验备份；原数据另存不删除）。恢复前请先停止服务"

    def add_arguments(self, parser):
        parser.add_argument("backup", help="备份目录（sunlight backup 写出的）")
        parser.add_argument("--replace", action="store_true", help="当前数据库已有数据时仍覆盖")
        parser.add_argument("--check-only", action="store_true", help="只校验备份，不恢复")

    def handle(self, *args, **options):
        path = Path(options["backup"])
        if options["check_only"]:
            manifest = backup_verify(path=path)
            self.stdout.write(f"备份完好：{len(manifest['files'])} 个文件，校验和一致")
            return
        manifest = backup_restore(path=path, replace=options["replace"])
        if table_counts_now() != manifest["tables"]:
            raise CommandError("恢复后的数据库行数与备份清单不符")
        self.stdout.write(f"已从 {path} 恢复：{len(manifest['files'])} 个文件，行数与清单一致")
        call_command("verify_audit", "--no-progress", stdout=self.stdout, stderr=self.stderr)
