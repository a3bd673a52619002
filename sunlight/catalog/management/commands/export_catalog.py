from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sunlight.catalog.imports import department_get_by_full_code, power_items_export
from sunlight.core.errors import DomainError


class Command(BaseCommand):
    help = "把一个部门的权力事项导出为 .xlsx（每项取现行版本，未发布的取在审/草稿版本）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--department", required=True, help="部门完整编码：6位区划代码+3位部门编码"
        )
        parser.add_argument("-o", "--output", required=True, help="输出的 .xlsx 文件路径")

    def handle(self, *args, **options):
        try:
            department = department_get_by_full_code(full_code=options["department"])
            data = power_items_export(actor=None, department=department)
        except DomainError as error:
            raise CommandError(error.message) from error
        path = Path(options["output"])
        path.write_bytes(data)
        self.stdout.write(f"已导出“{department.name}”的权力事项到 {path}")
