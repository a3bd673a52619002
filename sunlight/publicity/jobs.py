"""Periodic work of 公示 (a worker or `sunlight worker --once` calls it)."""

from sunlight.publicity.services import publicity_windows_close


def publicity_windows_close_job() -> int:
    return publicity_windows_close()
