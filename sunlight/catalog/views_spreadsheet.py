"""Staff pages for the power-catalog spreadsheet: template download, export, and import.

Importing is two steps: the upload shows a preview — the file's columns with the field each
goes to (the clerk may correct them), and what each row would do, with every changed field —
and nothing is written until the clerk confirms. Thin: the import and export services check
permission and do the work; NotFound becomes 404 and PermissionDenied 403
(org.decorators.staff_required), file and row problems are listed."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from sunlight.catalog.import_staging import discard_list, stage_list, staged_list
from sunlight.catalog.imports import (
    export_filename,
    power_items_export,
    power_items_import,
    power_items_template,
)
from sunlight.catalog.list_columns import FIELD_CHOICES
from sunlight.catalog.list_import import DEFAULT_CHANGE_REASON, UNCHANGED
from sunlight.catalog.permissions import require_can_draft
from sunlight.core.errors import DomainError
from sunlight.core.spreadsheets import XLSX_CONTENT_TYPE, SpreadsheetRefused, read_limited
from sunlight.org.decorators import staff_required
from sunlight.org.models import Department
from sunlight.org.permissions import departments_visible_to

MAX_PROBLEMS_SHOWN = 1000
MAX_ROWS_SHOWN = 1000
_ACCEPT = ".xlsx,.xls,.ods,.csv"


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
        label="清单文件（.xlsx、.xls、.ods、.csv）",
        widget=forms.ClearableFileInput(attrs={"accept": _ACCEPT}),
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
    """The upload form; an upload is staged and previewed, nothing is written yet."""
    departments = _import_departments(request.user)
    form = ImportForm(
        request.POST or None, request.FILES or None, user=request.user, departments=departments
    )
    report = None
    if request.method == "POST" and departments and form.is_valid():
        department = form.cleaned_data["department"]
        upload = form.cleaned_data["file"]
        try:
            data = read_limited(upload, settings.SUNLIGHT_IMPORT_MAX_BYTES)
        except SpreadsheetRefused as error:
            form.add_error("file", error.message)
        else:
            token = stage_list(
                user=request.user, department_id=department.pk, filename=upload.name, data=data
            )
            return _preview(
                request, token, department, data, upload.name,
                good_rows_only=form.cleaned_data["good_rows_only"],
            )  # fmt: skip
    return _import_page(request, form if departments else None, report)


def _import_page(request: HttpRequest, form: Any, report: Any) -> HttpResponse:
    context = {
        "form": form,
        "report": report,
        "problems": report.problems[:MAX_PROBLEMS_SHOWN] if report else [],
        "export_departments": departments_visible_to(request.user).select_related("region"),
        "max_shown": MAX_PROBLEMS_SHOWN,
    }
    return render(request, "catalog/sheet_import.html", context)


def _preview(
    request: HttpRequest,
    token: str,
    department: Department,
    data: bytes,
    filename: str,
    *,
    fields: dict[int, str] | None = None,
    good_rows_only: bool = False,
    reason: str = DEFAULT_CHANGE_REASON,
    report: Any = None,
) -> HttpResponse:
    if report is None:
        report = power_items_import(
            actor=request.user, department=department, file=data, fields=fields, dry_run=True
        )
    plan = report.plan
    shown = [row for row in plan.rows if row.action != UNCHANGED][:MAX_ROWS_SHOWN]
    context = {
        "token": token,
        "department": department,
        "filename": filename,
        "plan": plan,
        "report": report,
        "rows_shown": shown,
        "problems": report.problems[:MAX_PROBLEMS_SHOWN],
        "max_shown": MAX_PROBLEMS_SHOWN,
        "field_choices": FIELD_CHOICES,
        "good_rows_only": good_rows_only,
        "reason": reason,
    }
    return render(request, "catalog/sheet_preview.html", context)


@staff_required
@require_http_methods(["POST"])
def sheet_import_confirm(request: HttpRequest) -> HttpResponse:
    """Preview again with the clerk's column mapping, or import the staged file."""
    token = request.POST.get("token", "")
    staged = staged_list(user=request.user, token=token)  # NotFound → 404
    department = (
        departments_visible_to(request.user)
        .select_related("region")
        .filter(pk=staged.department_id)
        .first()
    )
    if department is None:
        raise Http404("部门不存在")
    fields = _posted_fields(request)
    good_rows_only = request.POST.get("good_rows_only") == "on"
    reason = request.POST.get("reason", "").strip()[:1000] or DEFAULT_CHANGE_REASON
    if request.POST.get("action") != "import":
        return _preview(
            request, token, department, staged.data, staged.filename,
            fields=fields, good_rows_only=good_rows_only, reason=reason,
        )  # fmt: skip
    report = power_items_import(
        actor=request.user,
        department=department,
        file=staged.data,
        fields=fields,
        good_rows_only=good_rows_only,
        change_reason=reason,
    )
    if not report.written:
        return _preview(
            request, token, department, staged.data, staged.filename,
            fields=fields, good_rows_only=good_rows_only, reason=reason, report=report,
        )  # fmt: skip
    discard_list(user=request.user, token=token)
    text = f"已导入{report.created}项权力事项（草稿）到“{department.name}”"
    if report.updated:
        text += f"，更新{report.updated}项（已发布的事项生成新版本草稿，须经审核发布）"
    if report.bad_rows:
        text += f"，跳过有误的{len(report.bad_rows)}行"
    if report.plan is not None and report.plan.incomplete:
        text += f"；其中{report.plan.incomplete}项缺少发布所需内容，补全后才能提交审核"
    messages.success(request, text)
    return redirect("catalog:catalog_sheet:import")


def _posted_fields(request: HttpRequest) -> dict[int, str]:
    """The mapping from the preview form: col_<index> → field key ("" = not imported)."""
    allowed = {key for key, _ in FIELD_CHOICES}
    fields = {}
    for name, value in request.POST.items():
        if name.startswith("col_") and name[4:].isdigit() and value in allowed:
            fields[int(name[4:])] = value
    return fields


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
