"""The periodic pull: every active lower platform's changes, then its statistics of last month
and this month. One platform failing is recorded on it and never stops the others."""

import logging

from sunlight.core import clock
from sunlight.rollup import client
from sunlight.rollup.models import LowerInstance
from sunlight.rollup.services import (
    lower_pull,
    lower_record_error,
    statistics_months_due,
    statistics_pull,
)

log = logging.getLogger("sunlight.rollup")


def rollup_pull_job() -> None:
    pulled = LowerInstance.objects.filter(active=True).exclude(base_url="")
    for lower in pulled.select_related("source"):
        run = lower_pull(lower=lower)
        if run.outcome != "ok":
            log.warning("roll-up pull from %s failed: %s", lower.code, run.error)
            continue
        for month in statistics_months_due(clock.today_local()):
            try:
                statistics_pull(lower=lower, month=month)
            except client.PullFailed as error:
                lower_record_error(lower=lower, error=str(error))
                log.warning("roll-up statistics from %s failed: %s", lower.code, error)
                break
