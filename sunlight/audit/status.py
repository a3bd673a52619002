from typing import Any

from sunlight.audit.checkpoints import checkpoint_latest
from sunlight.audit.selectors import audit_entry_count


def collect() -> dict[str, Any]:
    latest = checkpoint_latest()
    return {
        "audit_entries": audit_entry_count(),
        "audit_checkpoint_seq": latest.chain_seq if latest else None,
        "audit_checkpoint_at": latest.issued_at.isoformat() if latest else None,
    }
