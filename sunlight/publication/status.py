from typing import Any

from sunlight.publication.selectors import double_publicity_counts


def collect() -> dict[str, Any]:
    return double_publicity_counts()
