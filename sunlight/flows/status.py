from typing import Any

from sunlight.flows.selectors import flow_counts


def collect() -> dict[str, Any]:
    return flow_counts()
