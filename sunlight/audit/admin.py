"""The audit chain in the Django admin: a read-only listing. Entries are append-only (the
database refuses UPDATE and DELETE); the admin offers no add, change or delete either."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sunlight.audit import actions
from sunlight.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["id", "occurred_at", "actor_name", "action_label", "object_type", "object_id"]
    list_filter = ["object_type"]
    search_fields = ["action", "object_id", "actor_name"]
    date_hierarchy = "occurred_at"
    list_per_page = 100
    show_full_result_count = False  # counting a million-row chain on every page is slow

    # Entries cover every region, so only superusers read them here.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="动作", ordering="action")
    def action_label(self, obj: AuditEntry) -> str:
        return f"{actions.label(obj.action)}（{obj.action}）"
