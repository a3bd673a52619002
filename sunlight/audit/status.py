from typing import Any

from sunlight.audit.selectors import audit_entry_count


def collect() -> dict[str, Any]:
    return {"audit_entries": audit_entry_count()}
