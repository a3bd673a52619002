"""Periodic work of supervision, run by the worker."""

from typing import Any

from sunlight.core.jobs import register_periodic
from sunlight.supervision.models import Rule
from sunlight.supervision.rules import rules_install_defaults
from sunlight.supervision.scan import scan_run


def scan_periodic() -> dict[str, Any]:
    if not Rule.objects.exists():
        rules_install_defaults()
    return scan_run(trigger="worker").as_json()


def register_jobs() -> None:
    register_periodic(
        name="supervision.scan", run=scan_periodic, every_seconds=60, label="电子监察扫描"
    )
