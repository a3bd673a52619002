from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sunlight.cases.history_import import cases_import_file
from sunlight.cases.history_models import HistoryBatch
from sunlight.core.errors import DomainError, ValidationFailed
from sunlight.org.models import User


class Command(BaseCommand):
    help = (
        "把历史办件导入一个已批准的补录批次：模板 .xlsx（办件、环节两张表）、两个 CSV"
        "（办件表 FILE 和 --steps 环节表）或 XES 事件日志。任何一行有误都不写入，并逐行列出问题"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx、.csv（办件表）或 .xes 文件")
        parser.add_argument("--batch", type=int, required=True, help="已批准的补录批次编号")
        parser.add_argument("--steps", help="CSV 时的环节表文件")
        parser.add_argument("--power", default="", help="文件未写事项编码时使用的事项编码")
        parser.add_argument(
            "--user", default="", help="以该用户名导入（默认：系统，由运维人员执行）"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        steps_path = Path(options["steps"]) if options["steps"] else None
        if steps_path is not None and not steps_path.is_file():
            raise CommandError(f"找不到文件：{steps_path}")
        batch = (
            HistoryBatch.objects.select_related("department").filter(pk=options["batch"]).first()
        )
        if batch is None:
            raise CommandError(f"没有编号为 {options['batch']} 的补录批次")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"没有用户名为 {options['user']} 的在用用户")
        try:
            result = cases_import_file(
                actor=actor,
                batch=batch,
                name=path.name,
                data=path.read_bytes(),
                steps_data=steps_path.read_bytes() if steps_path else None,
                default_power=options["power"],
                max_bytes=1 << 62,  # the operator's own file: no upload limit
            )
        except ValidationFailed as failed:
            for problem in failed.problems:
                self.stdout.write(str(problem))
            raise CommandError(
                f"导入被拒绝：发现{len(failed.problems)}个问题，未写入任何办件", returncode=1
            ) from None
        except DomainError as error:
            raise CommandError(error.message) from error
        for note in result.notes:
            self.stdout.write(f"提示：{note}")
        self.stdout.write(
            f"已导入{result.cases}件历史办件、{result.steps}个环节到补录批次{batch.pk}"
            f"（{batch.department.name}）"
        )
