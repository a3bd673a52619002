import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from sunlight.audit.checkpoints import (
    checkpoints_verify,
    configured_public_key_hex,
    read_checkpoint_file,
)
from sunlight.audit.selectors import audit_entry_count
from sunlight.audit.verify import audit_verify


class Command(BaseCommand):
    help = (
        "重新计算留痕哈希链；一致则输出 OK，否则指出第一条不一致的记录并以非零状态退出。"
        "给出 --checkpoints 时，再用签名检查点核对链尾是否被截断或改写"
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
        parser.add_argument(
            "--checkpoints",
            metavar="FILE",
            help="检查点文件：/audit/checkpoints.json 下载的文件，或数据目录下的 checkpoints.jsonl",
        )
        parser.add_argument(
            "--public-key",
            metavar="HEX",
            help="用此公钥（64 位十六进制）核验签名；默认用本机签名私钥对应的公钥",
        )

    def handle(self, *args, **options):
        show = not options["no_progress"] and sys.stderr.isatty()
        with tqdm(total=audit_entry_count(), unit="条", disable=not show, desc="校验留痕链") as bar:
            result = audit_verify(progress=bar.update)
        if not result.ok:
            self.stderr.write(
                f"留痕链校验失败：第 {result.first_bad_id} 条记录不一致（{result.reason}）；"
                f"此前 {result.checked} 条一致"
            )
            sys.exit(1)
        self.stdout.write(f"OK：{result.checked} 条留痕记录，哈希链完整")
        if not options["checkpoints"]:
            return
        records, document_key = read_checkpoint_file(Path(options["checkpoints"]))
        public_key = options["public_key"] or configured_public_key_hex()
        if document_key and document_key != public_key:
            self.stderr.write("注意：检查点文件所附公钥与用于核验的公钥不同，以核验用公钥为准")
        outcome = checkpoints_verify(records=records, public_key_hex=public_key)
        if outcome.ok:
            self.stdout.write(f"OK：{outcome.checked} 个签名检查点与链一致")
            return
        for problem in outcome.problems[:20]:
            self.stderr.write(problem)
        if len(outcome.problems) > 20:
            self.stderr.write(f"……另有 {len(outcome.problems) - 20} 处不符")
        self.stderr.write(f"检查点核验失败：{len(outcome.problems)} 处不符")
        sys.exit(1)
