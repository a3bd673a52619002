from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sunlight.core.errors import ValidationFailed
from sunlight.exchange.choices import Channel, ExchangeTable
from sunlight.exchange.files import read_records
from sunlight.exchange.models import SourceSystem
from sunlight.exchange.services import exchange_ingest


class Command(BaseCommand):
    help = (
        "把自建系统的批量文件（JSONL、CSV、XLSX）按交换表导入，与接口推送走同一条写入路径："
        "全部通过才写入，否则逐条列出问题、什么也不写"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="数据文件")
        parser.add_argument("--source", required=True, help="自建系统代码")
        parser.add_argument("--table", required=True, choices=ExchangeTable.values, help="交换表")

    def handle(self, *args, **options):
        path = Path(options["file"])
        source = SourceSystem.objects.filter(code=options["source"], active=True).first()
        if source is None:
            raise CommandError(f"没有代码为“{options['source']}”的已启用自建系统")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取 {path}：{error.strerror or error}") from None
        try:
            result = exchange_ingest(
                source=source,
                table=options["table"],
                records=read_records(data, path.name),
                channel=Channel.FILE,
                file_name=path.name,
            )
        except ValidationFailed as error:
            raise CommandError("；".join(p.message for p in error.problems)) from None
        batch = result.batch
        if not result.accepted:
            for ack in result.acks:
                for problem in ack.errors:
                    self.stderr.write(
                        f"第 {ack.index + 1} 条（{ack.external_id or '无记录号'}）"
                        f"{problem['field']}：{problem['message']}［{problem['code']}］"
                    )
            raise CommandError(f"整批拒收：{batch.rejected} 条记录有问题，什么也没有写入")
        self.stdout.write(
            f"已接收 {batch.record_count} 条（写入 {batch.written}，"
            f"重复未变 {batch.unchanged}），批次 {batch.pk}"
        )
