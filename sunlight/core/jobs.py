"""Periodic work as plain functions, registered by each app in its AppConfig.ready() and run by
one worker (`sunlight worker`, or the embedded worker `sunlight serve` starts beside the web app).
A job that fails is logged and retried on its next turn; it never stops the others."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("sunlight.jobs")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run: Callable[[], Any]
    every_seconds: float
    label: str = ""


_JOBS: dict[str, PeriodicJob] = {}


def register_periodic(
    *, name: str, run: Callable[[], Any], every_seconds: float, label: str = ""
) -> None:
    """Register (or replace, so a reloaded app does not run a job twice) a periodic job."""
    _JOBS[name] = PeriodicJob(name=name, run=run, every_seconds=every_seconds, label=label)


def registered_jobs() -> list[PeriodicJob]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


@dataclass
class JobRunner:
    """Runs each registered job when its interval has passed since its last run."""

    last_run: dict[str, float] = field(default_factory=dict)
    monotonic: Callable[[], float] = time.monotonic

    def run_due(self, *, only: set[str] | None = None) -> dict[str, Any]:
        results: dict[str, Any] = {}
        for job in registered_jobs():
            if only is not None and job.name not in only:
                continue
            now = self.monotonic()
            last = self.last_run.get(job.name)
            if last is not None and now - last < job.every_seconds:
                continue
            self.last_run[job.name] = now
            try:
                results[job.name] = job.run()
            except Exception as exc:  # noqa: BLE001 (one failing job must not stop the others)
                log.exception("job %s failed", job.name)
                results[job.name] = {"error": f"{type(exc).__name__}: {exc}"}
        return results

    def next_wait(self) -> float:
        """Seconds until the next job is due (at least 1, at most 60)."""
        now = self.monotonic()
        waits = [
            job.every_seconds - (now - self.last_run[job.name])
            for job in registered_jobs()
            if job.name in self.last_run
        ]
        if len(waits) < len(registered_jobs()):
            return 1.0
        return max(1.0, min([60.0, *waits]))
