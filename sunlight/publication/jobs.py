"""Periodic work of publication (registered in apps.py)."""

from typing import Any

from sunlight.publication.services import double_publicity_collect


def double_publicity_collect_job() -> dict[str, Any]:
    """Draft the 双公示 entries of decisions taken since the last run."""
    return {"drafted": double_publicity_collect()}
