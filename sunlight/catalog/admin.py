"""Django admin for the power library: read-only. Items change only through the review
lifecycle in catalog.services (staff pages, import, CLI), which records who did what; the admin
offers no add, change or delete that could skip it."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from sunlight.catalog.models import (
    LegalBasis,
    Material,
    PowerItem,
    PowerVersion,
    StepDuty,
    Transition,
)
from sunlight.org.permissions import department_scope_q, is_platform_admin


class ReadOnlyMixin:
    """View only, for platform admins; nothing can be added, changed or deleted."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class TransitionInline(ReadOnlyInline):
    model = Transition
    fields = ["at", "actor_name", "action", "from_status", "to_status", "opinion", "version"]
    ordering = ["at", "id"]


class VersionInline(ReadOnlyInline):
    model = PowerVersion
    fields = ["number", "status", "name", "category", "created_at", "published_at"]
    show_change_link = True


@admin.register(PowerItem)
class PowerItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "department", "status", "status_changed_at"]
    list_filter = ["status"]
    search_fields = ["code", "current_version__name", "working_version__name"]
    list_select_related = ["department"]
    inlines = [VersionInline, TransitionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PowerItem]:
        if not is_platform_admin(request.user):
            return PowerItem.objects.none()
        return super().get_queryset(request).filter(department_scope_q(request.user))


class LegalBasisInline(ReadOnlyInline):
    model = LegalBasis
    fields = ["position", "law_name", "article", "text"]


class MaterialInline(ReadOnlyInline):
    model = Material
    fields = ["position", "name", "mandatory", "originals", "copies", "notes", "deferrable"]


class StepDutyInline(ReadOnlyInline):
    model = StepDuty
    fields = ["position", "step_name", "responsibility", "accountability"]


@admin.register(PowerVersion)
class PowerVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["item", "number", "name", "category", "status", "created_at"]
    list_filter = ["status", "category"]
    search_fields = ["item__code", "name"]
    list_select_related = ["item"]
    inlines = [LegalBasisInline, MaterialInline, StepDutyInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PowerVersion]:
        if not is_platform_admin(request.user):
            return PowerVersion.objects.none()
        scope = department_scope_q(request.user, prefix="item__")
        return super().get_queryset(request).filter(scope)
