"""Django admin for the org structure. Every add and change goes through org.services, so the
admin checks the same rules and writes the same audit entries as the staff pages; nothing is
deleted here (units and staff are referenced by history)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from sunlight.core.errors import DomainError, ValidationFailed
from sunlight.org import selectors, services
from sunlight.org.forms import apply_problems
from sunlight.org.models import Department, Region, Section, User
from sunlight.org.permissions import is_platform_admin


class ServiceForm(forms.ModelForm):
    """A ModelForm whose write is a service call, made once the form is otherwise valid, so a
    refusal comes back as errors on the form. The admin's change view runs in one transaction,
    so the service's change, its audit entry and the admin log commit together."""

    actor: Any = None
    saved: Model | None = None

    def write(self) -> Model:
        raise NotImplementedError

    def fresh(self) -> Any:
        # construct_instance() has already copied the input onto self.instance; services diff
        # against the stored row, so hand them an untouched copy.
        return type(self.instance).objects.get(pk=self.instance.pk)

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        try:
            with transaction.atomic():
                self.saved = self.write()
        except ValidationFailed as exc:
            apply_problems(self, exc.problems)
        except DomainError as exc:
            self.add_error(None, exc.message)


class ServiceAdmin(admin.ModelAdmin):
    """Open to platform admins (scoped by the selectors), never deletes, saves via the form."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The service already saved (ServiceForm._post_clean); only point the admin at it.
        obj.pk = form.saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        raise PermissionError("org objects are never deleted")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        scoped = {
            "region": selectors.region_list_for_admin,
            "parent": selectors.region_list_for_admin,
            "department": selectors.department_list_for_admin,
            "section": selectors.section_list_for_admin,
        }.get(db_field.name)
        if scoped is not None and is_platform_admin(request.user):
            kwargs["queryset"] = scoped(actor=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RegionForm(ServiceForm):
    class Meta:
        model = Region
        fields = ["code", "name", "parent"]

    def write(self) -> Region:
        data = self.cleaned_data
        if self.instance._state.adding:
            parent = data.get("parent")
            return services.region_create(
                actor=self.actor,
                code=data["code"],
                name=data["name"],
                parent_code=parent.code if parent else None,
            )
        return services.region_update(actor=self.actor, region=self.fresh(), name=data["name"])


@admin.register(Region)
class RegionAdmin(ServiceAdmin):
    form = RegionForm
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", "parent", "level"] if obj else ["level"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        if not is_platform_admin(request.user):
            return Region.objects.none()
        return selectors.region_list_for_admin(actor=request.user)


_DEPARTMENT_EDITABLE = [
    "name",
    "short_name",
    "credit_code",
    "phone",
    "is_legal_office",
    "is_supervision_office",
    "sort_order",
]


class DepartmentForm(ServiceForm):
    class Meta:
        model = Department
        fields = ["region", "code", *_DEPARTMENT_EDITABLE]

    def write(self) -> Department:
        data = self.cleaned_data
        values = {name: data[name] for name in _DEPARTMENT_EDITABLE}
        if self.instance._state.adding:
            return services.department_create(
                actor=self.actor, region=data["region"], code=data["code"], **values
            )
        return services.department_update(actor=self.actor, department=self.fresh(), **values)


@admin.register(Department)
class DepartmentAdmin(ServiceAdmin):
    form = DepartmentForm
    list_display = ["name", "full_code", "region", "is_legal_office", "is_supervision_office"]
    list_filter = ["is_legal_office", "is_supervision_office"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["region", "code"] if obj else []

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        if not is_platform_admin(request.user):
            return Department.objects.none()
        return selectors.department_list_for_admin(actor=request.user)


class SectionForm(ServiceForm):
    class Meta:
        model = Section
        fields = ["department", "code", "name"]

    def write(self) -> Section:
        data = self.cleaned_data
        if self.instance._state.adding:
            return services.section_create(
                actor=self.actor,
                department=data["department"],
                code=data["code"],
                name=data["name"],
            )
        return services.section_update(actor=self.actor, section=self.fresh(), name=data["name"])


@admin.register(Section)
class SectionAdmin(ServiceAdmin):
    form = SectionForm
    list_display = ["name", "code", "department"]
    search_fields = ["name", "department__name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["department", "code"] if obj else []

    def get_queryset(self, request: HttpRequest) -> QuerySet[Section]:
        if not is_platform_admin(request.user):
            return Section.objects.none()
        return selectors.section_list_for_admin(actor=request.user)


_USER_EDITABLE = ["full_name", "role", "region", "department", "section", "phone", "email"]


class UserForm(ServiceForm):
    class Meta:
        model = User
        fields = _USER_EDITABLE

    def write(self) -> User:
        data = self.cleaned_data
        values = {name: data[name] for name in _USER_EDITABLE}
        return services.user_update(actor=self.actor, user=self.fresh(), **values)


class UserAddForm(ServiceForm):
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)
    password_confirm = forms.CharField(label="确认密码", strip=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ["username", *_USER_EDITABLE]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", "两次输入的密码不一致")
        return data

    def write(self) -> User:
        data = self.cleaned_data
        values = {name: data[name] for name in _USER_EDITABLE}
        return services.user_create(
            actor=self.actor, username=data["username"], password=data["password"], **values
        )


@admin.register(User)
class UserAdmin(ServiceAdmin):
    list_display = ["username", "full_name", "role", "department", "region", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name"]
    readonly_fields = ["username", "is_active", "is_superuser", "last_login", "staff_page"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        kwargs["form"] = UserForm if obj else UserAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["username", *_USER_EDITABLE, "password", "password_confirm"]
        return [
            "username",
            *_USER_EDITABLE,
            "is_active",
            "is_superuser",
            "last_login",
            "staff_page",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.readonly_fields if obj else []

    @admin.display(description="密码与启停用")
    def staff_page(self, obj: User) -> str:
        url = reverse("staff:user_edit", kwargs={"user_id": obj.pk})
        return format_html('<a href="{}">在工作人员平台重置密码或启用/停用（须填写原因）</a>', url)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        if not is_platform_admin(request.user):
            return User.objects.none()
        return selectors.user_list_for_admin(actor=request.user)


# django-otp registers its devices in the admin, where anyone allowed in could open another
# person's TOTP secret (its "config" QR page) and edit or delete devices without an audit entry.
# Devices are managed through org.two_factor (enrol yourself; an admin resets, audited).
for _device_model in ("otp_totp.TOTPDevice", "otp_static.StaticDevice"):
    from django.apps import apps as _apps

    _model = _apps.get_model(_device_model)
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
