from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sunlight.core.errors import ValidationFailed
from sunlight.exchange.choices import Channel, ExchangeTable
from sunlight.exchange.files import jsonl_chunks, read_records
from sunlight.exchange.models import SourceSystem
from sunlight.exchange.services import MAX_RECORDS, exchange_ingest


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
        if path.suffix.lower() in (".jsonl", ".ndjson") and path.is_file():
            return self._chunks(path, source, options["table"])
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
        self._report(result)

    def _chunks(self, path: Path, source: SourceSystem, table: str) -> None:
        """A JSONL file of any size, MAX_RECORDS records per batch: each batch whole or not at
        all; a refused batch stops the load (the batches before it stay; loading the file
        again writes nothing twice)."""
        offset = 0
        with path.open("rb") as stream:
            try:
                for chunk in jsonl_chunks(stream, MAX_RECORDS):
                    result = exchange_ingest(source=source, table=table, records=chunk,
                                             channel=Channel.FILE, file_name=path.name)  # fmt: skip
                    self._report(result, offset)
                    offset += len(chunk)
            except ValidationFailed as error:
                raise CommandError("；".join(p.message for p in error.problems)) from None

    def _report(self, result, offset: int = 0) -> None:
        batch = result.batch
        if not result.accepted:
            for ack in result.acks:
                for problem in ack.errors:
                    self.stderr.write(
                        f"第 {offset + ack.index + 1} 条（{ack.external_id or '无记录号'}）"
                        f"{problem['field']}：{problem['message']}［{problem['code']}］"
                    )
            earlier = f"（此前的 {offset} 条已分批写入）" if offset else ""
            raise CommandError(
                f"整批拒收：{batch.rejected} 条记录有问题，本批什么也没有写入{earlier}"
            )
        self.stdout.write(
            f"已接收 {batch.record_count} 条（写入 {batch.written}，"
            f"重复未变 {batch.unchanged}），批次 {batch.pk}"
        )
