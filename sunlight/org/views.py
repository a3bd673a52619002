"""Staff sign-in, the workbench (工作台) and org management. Thin: selectors read, org.services
write and check permission; their problems are shown on the forms."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.org import forms, selectors, services
from sunlight.org.calendar_selectors import calendar_warning
from sunlight.org.decorators import org_admin_required, staff_required
from sunlight.org.permissions import is_platform_admin
from sunlight.org.workbench import panels_for


class StaffLoginView(auth_views.LoginView):
    template_name = "org/login.html"
    redirect_authenticated_user = True


class StaffLogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET), so a link can't sign anyone out."""


# ---------------------------------------------------------------- workbench


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    panels = [
        render_to_string(panel.template, panel.context, request=request)
        for panel in panels_for(user)
    ]
    # Admins maintain the holiday calendar: tell them when a year they need is missing.
    warning = calendar_warning() if is_platform_admin(user) else None
    return render(request, "org/home.html", {"panels": panels, "calendar_warning": warning})


# ---------------------------------------------------------------- org management


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, 50).get_page(request.GET.get("page"))


@org_admin_required
def org_home(request: HttpRequest) -> HttpResponse:
    counts = selectors.org_counts_for_admin(actor=request.user)
    return render(request, "org/org_home.html", {"counts": counts})


def _save(request: HttpRequest, form: Any, write: Any, success: str) -> Any:
    """Run a service write for a valid form. Returns its result (True when it returns
    nothing), or None after putting the refusal's problems on the form."""
    try:
        result = write()
    except (NotFound, PermissionDenied):
        raise
    except ValidationFailed as exc:
        forms.apply_problems(form, exc.problems)
        return None
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None
    messages.success(request, success)
    return True if result is None else result


@org_admin_required
def region_list(request: HttpRequest) -> HttpResponse:
    regions = selectors.region_list_for_admin(actor=request.user)
    form = forms.RegionCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        region = _save(
            request,
            form,
            lambda: services.region_create(
                actor=request.user,
                code=data["code"].strip(),
                name=data["name"],
                parent_code=data["parent"].code if data["parent"] else None,
            ),
            f"已新增行政区划 {data['name']}",
        )
        if region is not None:
            return redirect("staff:region_list")
    status = 400 if form.errors else 200
    return render(
        request,
        "org/region_list.html",
        {"page": _page(request, regions), "form": form},
        status=status,
    )


@org_admin_required
def region_edit(request: HttpRequest, code: str) -> HttpResponse:
    region = selectors.region_get_for_admin(actor=request.user, code=code)
    form = forms.RegionRenameForm(request.POST or None, initial={"name": region.name})
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        done = _save(
            request,
            form,
            lambda: services.region_update(actor=request.user, region=region, name=name),
            f"已将区划 {region.code} 更名为 {name}",
        )
        if done is not None:
            return redirect("staff:region_list")
    return render(
        request,
        "org/simple_form.html",
        {
            "form": form,
            "title": f"行政区划 {region.code} 更名",
            "back": reverse("staff:region_list"),
        },
        status=400 if form.errors else 200,
    )


@org_admin_required
def department_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:50]
    departments = selectors.department_list_for_admin(actor=request.user, query=query)
    return render(
        request,
        "org/department_list.html",
        {"page": _page(request, departments), "query": query},
    )


@org_admin_required
def department_create(request: HttpRequest) -> HttpResponse:
    form = forms.DepartmentCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        region = data.pop("region")
        code = data.pop("code").strip()
        department = _save(
            request,
            form,
            lambda: services.department_create(
                actor=request.user, region=region, code=code, **data
            ),
            f"已新增部门 {data['name']}",
        )
        if department is not None:
            return redirect("staff:department_edit", department_id=department.pk)
    return render(
        request,
        "org/simple_form.html",
        {"form": form, "title": "新增部门", "back": reverse("staff:department_list")},
        status=400 if form.errors else 200,
    )


@org_admin_required
def department_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    department = selectors.department_get_for_admin(actor=request.user, department_id=department_id)
    initial = {name: getattr(department, name) for name in forms.DepartmentEditForm.base_fields}
    form = forms.DepartmentEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        done = _save(
            request,
            form,
            lambda: services.department_update(
                actor=request.user, department=department, **changes
            ),
            "部门信息已保存",
        )
        if done is not None:
            return redirect("staff:department_edit", department_id=department.pk)
    return render(
        request,
        "org/department_edit.html",
        {
            "department": department,
            "form": form,
            "sections": selectors.sections_of(department=department),
            "section_form": forms.SectionCreateForm(),
        },
        status=400 if form.errors else 200,
    )


@org_admin_required
@require_POST
def section_create(request: HttpRequest, department_id: int) -> HttpResponse:
    department = selectors.department_get_for_admin(actor=request.user, department_id=department_id)
    form = forms.SectionCreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        section = _save(
            request,
            form,
            lambda: services.section_create(
                actor=request.user,
                department=department,
                code=data["code"].strip(),
                name=data["name"],
            ),
            f"已新增科室 {data['name']}",
        )
        if section is not None:
            return redirect("staff:department_edit", department_id=department.pk)
    initial = {name: getattr(department, name) for name in forms.DepartmentEditForm.base_fields}
    return render(
        request,
        "org/department_edit.html",
        {
            "department": department,
            "form": forms.DepartmentEditForm(initial=initial),
            "sections": selectors.sections_of(department=department),
            "section_form": form,
        },
        status=400,
    )


@org_admin_required
def section_edit(request: HttpRequest, section_id: int) -> HttpResponse:
    section = selectors.section_get_for_admin(actor=request.user, section_id=section_id)
    form = forms.SectionRenameForm(request.POST or None, initial={"name": section.name})
    back = reverse("staff:department_edit", kwargs={"department_id": section.department_id})
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        done = _save(
            request,
            form,
            lambda: services.section_update(actor=request.user, section=section, name=name),
            "科室名称已保存",
        )
        if done is not None:
            return redirect(back)
    return render(
        request,
        "org/simple_form.html",
        {"form": form, "title": f"{section.department.name} · 科室更名", "back": back},
        status=400 if form.errors else 200,
    )


@org_admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:50]
    users = selectors.user_list_for_admin(actor=request.user, query=query)
    return render(request, "org/user_list.html", {"page": _page(request, users), "query": query})


@org_admin_required
def user_create(request: HttpRequest) -> HttpResponse:
    form = forms.UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = _save(
            request,
            form,
            lambda: services.user_create(
                actor=request.user,
                username=data["username"].strip(),
                password=data["password"],
                **form.placement(),
            ),
            f"已新增工作人员 {data['full_name']}",
        )
        if user is not None:
            return redirect("staff:user_edit", user_id=user.pk)
    return render(
        request,
        "org/simple_form.html",
        {"form": form, "title": "新增工作人员", "back": reverse("staff:user_list")},
        status=400 if form.errors else 200,
    )


def _user_page(
    request: HttpRequest,
    person: Any,
    *,
    form: Any = None,
    password_form: Any = None,
    active_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    initial = {
        "full_name": person.full_name,
        "role": person.role,
        "region": person.region_id,
        "department": person.department_id,
        "section": person.section_id,
        "phone": person.phone,
        "email": person.email,
    }
    return render(
        request,
        "org/user_edit.html",
        {
            "person": person,
            "form": form or forms.UserEditForm(initial=initial, actor=request.user),
            "password_form": password_form or forms.PasswordResetForm(),
            "active_form": active_form or forms.ActiveForm(),
        },
        status=status,
    )


@org_admin_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    person = selectors.user_get_for_admin(actor=request.user, user_id=user_id)
    if request.method != "POST":
        return _user_page(request, person)
    form = forms.UserEditForm(request.POST, actor=request.user)
    if form.is_valid():
        done = _save(
            request,
            form,
            lambda: services.user_update(actor=request.user, user=person, **form.placement()),
            "工作人员信息已保存",
        )
        if done is not None:
            return redirect("staff:user_edit", user_id=person.pk)
    return _user_page(request, person, form=form, status=400)


@org_admin_required
@require_POST
def user_password(request: HttpRequest, user_id: int) -> HttpResponse:
    person = selectors.user_get_for_admin(actor=request.user, user_id=user_id)
    form = forms.PasswordResetForm(request.POST)
    if form.is_valid():
        password = form.cleaned_data["password"]
        done = _save(
            request,
            form,
            lambda: services.user_set_password(actor=request.user, user=person, password=password),
            f"已重置 {person.display_name} 的密码",
        )
        if done:
            return redirect("staff:user_edit", user_id=person.pk)
    return _user_page(request, person, password_form=form, status=400)


@org_admin_required
@require_POST
def user_active(request: HttpRequest, user_id: int) -> HttpResponse:
    person = selectors.user_get_for_admin(actor=request.user, user_id=user_id)
    form = forms.ActiveForm(request.POST)
    activate = not person.is_active
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        done = _save(
            request,
            form,
            lambda: services.user_set_active(
                actor=request.user, user=person, active=activate, reason=reason
            ),
            f"已{'启用' if activate else '停用'} {person.display_name}",
        )
        if done:
            return redirect("staff:user_edit", user_id=person.pk)
    return _user_page(request, person, active_form=form, status=400)
