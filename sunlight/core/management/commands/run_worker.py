"""The background worker: runs every registered periodic job (supervision scans, escalations,
notification delivery, …) on its interval, until stopped."""

import json
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from sunlight.core.jobs import JobRunner, registered_jobs


class Command(BaseCommand):
    help = "启动后台任务（电子监察扫描、督办升级、消息投递等）"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="每项任务运行一次后退出")
        parser.add_argument("--job", action="append", help="只运行指定任务（可重复）")

    def handle(self, *args, **options):
        runner = JobRunner()
        only = set(options["job"]) if options["job"] else None
        if options["once"]:
            results = runner.run_due(only=only)
            self.stdout.write(json.dumps(results, ensure_ascii=False, default=str))
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        names = "、".join(job.label or job.name for job in registered_jobs())
        self.stdout.write(f"后台任务已启动：{names}")
        while not stop.is_set():
            close_old_connections()
            runner.run_due(only=only)
            stop.wait(runner.next_wait())
