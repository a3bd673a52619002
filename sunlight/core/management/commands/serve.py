"""Serve the web app with gunicorn (several workers; SQLite in WAL mode allows it), and, unless
SUNLIGHT_EMBEDDED_WORKER=0, the background worker as a child process beside it."""

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication

from sunlight.config import env


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from sunlight.config.wsgi import application

        return application


class Command(BaseCommand):
    help = "启动 Web 服务（工作人员平台与公众门户）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=env.get("SUNLIGHT_HOST"))
        parser.add_argument("--port", type=int, default=int(env.get("SUNLIGHT_PORT")))
        parser.add_argument("--workers", type=int, default=int(env.get("SUNLIGHT_WORKERS")))

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        address = f"{options['host']}:{options['port']}"
        self.stdout.write(
            f"阳光政务已启动：http://{address}/  （工作人员入口 /staff/，Ctrl+C 停止）"
        )
        worker = None
        if env.get_bool("SUNLIGHT_EMBEDDED_WORKER"):
            worker = subprocess.Popen([sys.executable, "-m", "sunlight.cli", "worker"])  # noqa: S603 (our own CLI, fixed arguments)
        try:
            self._serve(address, options)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

    def _serve(self, address: str, options: dict) -> None:
        _Gunicorn(
            {
                "bind": address,
                "workers": options["workers"],
                "threads": 4,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "timeout": 120,
            }
        ).run()
