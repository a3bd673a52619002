from typing import Any

from sunlight.disclosure.models import ArchiveEntry


def collect() -> dict[str, Any]:
    return {"disclosures_archived": ArchiveEntry.objects.count()}
