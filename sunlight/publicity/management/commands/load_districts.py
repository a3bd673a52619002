"""`sunlight publicity load-districts FILE [--check]`: district outlines for the 公示 map."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sunlight.core.errors import DomainError, ValidationFailed
from sunlight.publicity.district_file import MAX_FILE_BYTES
from sunlight.publicity.district_outlines import district_outlines_check, district_outlines_load


class Command(BaseCommand):
    help = (
        "载入一个市的区县边界（GeoJSON 要素集合，每个区县一个 Polygon/MultiPolygon 要素，"
        "properties 中 adcode 或 code 为6位区划代码，name 为名称；如 DataV 的 330100_full.json），"
        "用于公示地图和项目位置核对；--check 只检查不载入"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON 文件")
        parser.add_argument("--check", action="store_true", help="只检查，不载入")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        if path.stat().st_size > MAX_FILE_BYTES:
            size = path.stat().st_size / 1024 / 1024
            raise CommandError(
                f"文件过大（{size:.1f}MB，上限{MAX_FILE_BYTES // 1024 // 1024}MB）："
                "请先用 mapshaper 等工具简化边界后再载入"
            )
        try:
            checked = district_outlines_check(
                actor=None, data=path.read_bytes(), filename=path.name
            )
            if not options["check"]:
                district_outlines_load(actor=None, checked=checked)
        except ValidationFailed as exc:
            for problem in exc.problems:
                self.stdout.write(f"{problem.field}：{problem.message}")
            raise CommandError(f"未载入：发现{len(exc.problems)}个问题", returncode=1) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        parsed = checked.parsed
        verb = "检查通过（未载入）" if options["check"] else "已载入"
        self.stdout.write(
            f"{verb}：{len(parsed.districts)}个区县（"
            + "、".join(checked.names[d.code] for d in parsed.districts)
            + f"），坐标点{parsed.source_points}个简化为{parsed.points}个"
        )
