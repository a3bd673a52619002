"""A bureau's whole discretion table: upload, preview (a dry run that writes nothing), then
import exactly the previewed file; and the violations that matched no penalty power, for an
officer to assign. Thin: the services in table_import.py decide and write."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.discretion.forms import AssignForm, TableImportForm
from sunlight.discretion.selectors import (
    department_penalty_items,
    import_departments_for_user,
    unassigned_for_user,
    unassigned_get_for_user,
)
from sunlight.discretion.staging import upload_discard, upload_fetch, upload_keep
from sunlight.discretion.table_import import discretion_table_import, unassigned_assign
from sunlight.org.decorators import staff_required

MAX_SHOWN = 1000


@staff_required
@require_http_methods(["GET", "POST"])
def table_import(request: HttpRequest) -> HttpResponse:
    departments = import_departments_for_user(user=request.user)
    if not departments.exists():
        raise PermissionDenied("只有法制机构或平台管理员可以导入裁量基准表")
    form = TableImportForm(request.POST or None, request.FILES or None, departments=departments)
    report, token, filename = None, "", ""
    action = request.POST.get("action", "preview")
    if request.method == "POST" and action == "confirm":
        return _confirm(request, departments)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        filename = upload.name
        # Read no more than the limit allows; the reader refuses anything over it in Chinese.
        data = upload.read(settings.SUNLIGHT_IMPORT_MAX_BYTES + 1)
        report = discretion_table_import(
            actor=request.user,
            department=form.cleaned_data["department"],
            file=data,
            filename=filename,
            dry_run=True,
            good_rows_only=form.cleaned_data["good_rows_only"],
        )
        if not report.refused:
            token = upload_keep(user=request.user, data=data, filename=filename)
    return render(
        request,
        "discretion/table_import.html",
        {
            "form": form,
            "report": report,
            "token": token,
            "filename": filename,
            "max_shown": MAX_SHOWN,
            "department": form.cleaned_data.get("department") if report else None,
            "good_rows_only": form.cleaned_data.get("good_rows_only") if report else False,
        },
    )


def _confirm(request: HttpRequest, departments) -> HttpResponse:
    department = departments.filter(pk=request.POST.get("department") or 0).first()
    if department is None:
        raise NotFound("部门不存在或无权查看")
    token = request.POST.get("token", "")
    data, filename = upload_fetch(user=request.user, token=token)
    report = discretion_table_import(
        actor=request.user,
        department=department,
        file=data,
        filename=filename,
        good_rows_only=request.POST.get("good_rows_only") == "1",
    )
    if report.written:
        upload_discard(user=request.user, token=token)
        unmatched = f"，{len(report.unmatched)}个未匹配的违法行为待归入" if report.unmatched else ""
        messages.success(
            request,
            f"已导入{report.violations}个违法行为到{len(report.landings)}个处罚事项的裁量基准草稿"
            f"{unmatched}",
        )
        return redirect("discretion:unassigned" if report.unmatched else "discretion:list")
    form = TableImportForm(departments=departments, initial={"department": department})
    return render(
        request,
        "discretion/table_import.html",
        {
            "form": form,
            "report": report,
            "token": "",
            "filename": filename,
            "max_shown": MAX_SHOWN,
            "department": department,
        },
    )


@staff_required
def unassigned_list(request: HttpRequest) -> HttpResponse:
    waiting = list(unassigned_for_user(user=request.user)[:500])
    rows = [
        (item, AssignForm(items=department_penalty_items(department=item.department)))
        for item in waiting
    ]
    return render(request, "discretion/unassigned.html", {"rows": rows})


@staff_required
@require_POST
def unassigned_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    waiting = unassigned_get_for_user(user=request.user, pk=pk)
    form = AssignForm(request.POST, items=department_penalty_items(department=waiting.department))
    if not form.is_valid():
        messages.error(request, "请选择要归入的处罚事项")
        return redirect("discretion:unassigned")
    try:
        benchmark = unassigned_assign(
            actor=request.user, unassigned=waiting, power_item=form.cleaned_data["power_item"]
        )
    except (NotFound, PermissionDenied):
        raise
    except ValidationFailed as exc:
        messages.error(request, "；".join(str(p) for p in exc.problems[:5]))
        return redirect("discretion:unassigned")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("discretion:unassigned")
    messages.success(request, f"“{waiting.name[:40]}”已归入该事项的裁量基准草稿")
    return redirect("discretion:detail", pk=benchmark.pk)
