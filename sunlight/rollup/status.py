"""Roll-up counts for `sunlight status --json`: lower platforms and how many are failing."""

from typing import Any

from sunlight.rollup.models import LowerInstance


def collect() -> dict[str, Any]:
    lowers = LowerInstance.objects.filter(active=True)
    return {
        "rollup_lower_platforms": lowers.count(),
        "rollup_lower_platforms_failing": lowers.exclude(last_error="").count(),
    }
