"""Periodic work of disclosure: schedule the due periods that have begun (idempotent)."""

from typing import Any

from sunlight.disclosure.services import dues_schedule


def dues_schedule_job() -> dict[str, Any]:
    return {"scheduled": dues_schedule()}
