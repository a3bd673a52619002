"""`sunlight seed-demo`: create (or complete) the demo city, then print the demo logins."""

import datetime as dt
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sunlight.demo.logins import login_table
from sunlight.demo.seed import DemoOptions, seed_demo


def _unapplied_migrations() -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _day(text: str | dt.date) -> dt.date:
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of 应为日期，格式 YYYY-MM-DD：{text}") from None


class Command(BaseCommand):
    help = "生成演示城市“清源市”（组织机构、工作人员、权力清单）；已存在则只打印演示账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="权力事项规模比例，0-1（默认 1，约 3,000 项；仅首次生成时生效）",
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
        parser.add_argument(
            "--as-of",
            type=_day,
            default=None,
            help="演示城市的“今天”，YYYY-MM-DD（默认最近一个已经过完的工作日；仅首次生成时生效）",
        )

    def handle(self, *args, **options) -> None:
        if not 0 < options["scale"] <= 1:
            raise CommandError("--scale 应在 0（不含）到 1 之间")
        as_of = _day(options["as_of"]) if options["as_of"] else None
        started = time.perf_counter()
        if _unapplied_migrations():
            self.stdout.write("正在初始化数据库……")
            call_command("migrate", interactive=False, verbosity=0)
        demo = DemoOptions(
            seed=options["seed"],
            scale=options["scale"],
            progress=not options["no_progress"],
            as_of=as_of,
        )
        created = seed_demo(demo, self.stdout.write)
        if created:
            elapsed = time.perf_counter() - started
            self.stdout.write(
                self.style.SUCCESS(f"演示城市“清源市”已生成，用时 {elapsed:.1f} 秒。")
            )
        else:
            self.stdout.write("演示城市“清源市”已存在，未做改动。")
        self.stdout.write("")
        self.stdout.write(login_table())
