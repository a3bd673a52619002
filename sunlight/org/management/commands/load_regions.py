"""`sunlight regions load FILE [--changes FILE]`: refresh the GB/T 2260 code list."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sunlight.core.errors import DomainError, ValidationFailed
from sunlight.org.region_codes import region_codes_load, region_codes_load_shipped


class Command(BaseCommand):
    help = (
        "载入 GB/T 2260 行政区划代码表（CSV：code,name 两列，#开头的说明行写明来源和日期），"
        "可同时载入已停用代码的变更表；--shipped 恢复为随项目发布的代码表"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="代码表 CSV 文件")
        parser.add_argument("--changes", help="变更表 CSV（代码,名称,年份,变更,现用代码,现用名称）")
        parser.add_argument("--shipped", action="store_true", help="载入随项目发布的代码表")

    def handle(self, *args, **options) -> None:
        try:
            if options["shipped"]:
                record = region_codes_load_shipped(actor=None)
            else:
                if not options["file"]:
                    raise CommandError("请给出代码表文件，或用 --shipped 载入随项目发布的代码表")
                path = Path(options["file"])
                changes = Path(options["changes"]) if options["changes"] else None
                for candidate in (path, changes):
                    if candidate is not None and not candidate.is_file():
                        raise CommandError(f"找不到文件：{candidate}")
                record = region_codes_load(
                    actor=None,
                    data=path.read_bytes(),
                    changes_data=changes.read_bytes() if changes else None,
                    filename=path.name,
                )
        except ValidationFailed as exc:
            for problem in exc.problems:
                self.stdout.write(f"{problem.field}：{problem.message}")
            raise CommandError(f"未载入：发现{len(exc.problems)}个问题", returncode=1) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"已载入区划代码表：{record.codes}个现行代码，{record.changes}个已停用代码"
            f"（来源：{record.source}；日期：{record.as_of}）"
        )
