from typing import Any

from sunlight.publicity.selectors import publicity_counts


def collect() -> dict[str, Any]:
    return publicity_counts()
