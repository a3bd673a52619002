from typing import Any

from sunlight.catalog.selectors import power_item_counts


def collect() -> dict[str, Any]:
    return power_item_counts()
