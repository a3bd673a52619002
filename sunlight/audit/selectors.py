from django.db.models import QuerySet

from sunlight.audit import actions
from sunlight.audit.models import AuditEntry


def audit_entry_count() -> int:
    return AuditEntry.objects.count()


def audit_entries_for(*, object_type: str, object_id: str | int) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)).order_by(
        "id"
    )


def action_label(code: str) -> str:
    return actions.label(code)
