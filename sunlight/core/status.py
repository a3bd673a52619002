"""`sunlight status` gathers one dict from every app that has a `status.py` with `collect()`,
so core never imports the domain apps and each later capability adds its own counts."""

from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import connection


def collect_status() -> dict[str, Any]:
    settings_dict = connection.settings_dict
    result: dict[str, Any] = {
        "database": {
            "vendor": connection.vendor,
            "name": str(settings_dict["NAME"]),
            "host": settings_dict.get("HOST") or None,
        }
    }
    for config in apps.get_app_configs():
        if not config.name.startswith("sunlight.") or config.name == "sunlight.core":
            continue
        try:
            module = import_module(f"{config.name}.status")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.status":
                raise
            continue
        result.update(module.collect())
    return result
