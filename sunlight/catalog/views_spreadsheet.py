"""Staff pages for the power-catalog spreadsheet: template download, export, and import.

Thin: the import and export services check permission and do the work; NotFound becomes 404
and PermissionDenied 403 (org.decorators.staff_required), file and row problems are listed."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from sunlight.catalog.imports import (
    export_filename,
    power_items_export,
    power_items_import,
    power_items_template,
)
from sunlight.catalog.permissions import require_can_draft
from sunlight.core.errors import DomainError
from sunlight.core.spreadsheets import XLSX_CONTENT_TYPE
from sunlight.org.decorators import staff_required
from sunlight.org.models import Department
from sunlight.org.permissions import departments_visible_to

MAX_PROBLEMS_SHOWN = 1000


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _may_draft(user: Any, department: Department) -> bool:
    try:
        require_can_draft(user, department)
    except DomainError:
        return False
    return True


def _import_departments(user: Any) -> list[Department]:
    visible = departments_visible_to(user).select_related("region")
    return [d for d in visible if _may_draft(user, d)]


class ImportForm(forms.Form):
    department = forms.ModelChoiceField(
        label="导入到部门", queryset=Department.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    good_rows_only = forms.BooleanField(
        label="只导入无误的行",
        required=False,
        help_text="不勾选时，只要有一行有误就不导入任何数据",
    )

    def __init__(self, *args: Any, user: Any, departments: list[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = (
            departments_visible_to(user)
            .filter(pk__in=[d.pk for d in departments])
            .select_related("region")
        )


@staff_required
@require_http_methods(["GET", "POST"])
def sheet_import(request: HttpRequest) -> HttpResponse:
    departments = _import_departments(request.user)
    form = ImportForm(
        request.POST or None, request.FILES or None, user=request.user, departments=departments
    )
    report = None
    if request.method == "POST" and departments and form.is_valid():
        department = form.cleaned_data["department"]
        report = power_items_import(
            actor=request.user,
            department=department,
            file=form.cleaned_data["file"],
            good_rows_only=form.cleaned_data["good_rows_only"],
        )
        if not report.problems:
            messages.success(
                request, f"已导入{report.created}项权力事项到“{department.name}”，均为草稿"
            )
            return redirect("catalog:catalog_sheet:import")
    context = {
        "form": form if departments else None,
        "report": report,
        "problems": report.problems[:MAX_PROBLEMS_SHOWN] if report else [],
        "export_departments": departments_visible_to(request.user).select_related("region"),
        "max_shown": MAX_PROBLEMS_SHOWN,
    }
    return render(request, "catalog/sheet_import.html", context)


@staff_required
@require_GET
def sheet_template(request: HttpRequest) -> HttpResponse:
    return _xlsx_response(power_items_template(), "权力事项导入模板.xlsx")


@staff_required
@require_GET
def sheet_export(request: HttpRequest) -> HttpResponse:
    department_id = request.GET.get("department", "")
    department = (
        departments_visible_to(request.user)
        .select_related("region")
        .filter(pk=department_id)
        .first()
        if department_id.isdigit()
        else None
    )
    if department is None:
        raise Http404("部门不存在")
    data = power_items_export(actor=request.user, department=department)  # NotFound → 404
    return _xlsx_response(data, export_filename(department))
