import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from sunlight.audit.selectors import audit_entry_count
from sunlight.audit.verify import audit_verify


class Command(BaseCommand):
    help = "重新计算留痕哈希链；一致则输出 OK，否则指出第一条不一致的记录并以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, **options):
        show = not options["no_progress"] and sys.stderr.isatty()
        with tqdm(total=audit_entry_count(), unit="条", disable=not show, desc="校验留痕链") as bar:
            result = audit_verify(progress=bar.update)
        if result.ok:
            self.stdout.write(f"OK：{result.checked} 条留痕记录，哈希链完整")
            return
        self.stderr.write(
            f"留痕链校验失败：第 {result.first_bad_id} 条记录不一致（{result.reason}）；"
            f"此前 {result.checked} 条一致"
        )
        sys.exit(1)
