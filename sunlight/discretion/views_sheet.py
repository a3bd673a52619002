"""Import and export of a benchmark's table (.xlsx). Every problem of an upload is listed
with its sheet and row; nothing is written unless there are none."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.core.spreadsheets import XLSX_CONTENT_TYPE
from sunlight.discretion import permissions
from sunlight.discretion.forms import ImportForm
from sunlight.discretion.imports import benchmark_export, benchmark_import, export_filename
from sunlight.discretion.selectors import benchmark_get_for_user, version_get_for_user
from sunlight.org.decorators import staff_required

MAX_PROBLEMS_SHOWN = 1000


@staff_required
@require_GET
def benchmark_export_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    benchmark = benchmark_get_for_user(user=request.user, pk=pk)
    version = version_get_for_user(user=request.user, benchmark=benchmark, number=number)
    data = benchmark_export(actor=request.user, version=version)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, export_filename(version))
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def benchmark_import_view(request: HttpRequest, pk: int) -> HttpResponse:
    benchmark = benchmark_get_for_user(user=request.user, pk=pk)
    permissions.require_maintainer(request.user, benchmark)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            version = benchmark_import(
                actor=request.user,
                benchmark=benchmark,
                file=form.cleaned_data["file"],
                reason=form.cleaned_data["reason"],
            )
        except (NotFound, PermissionDenied):
            raise
        except ValidationFailed as exc:
            problems = exc.problems
            if any(p.field == "修订原因" for p in problems):
                form.add_error("reason", "现行版本已发布，导入将生成新版本，请说明修订原因")
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已导入到第{version.number}版草稿")
            return redirect("discretion:detail", pk=pk)
    return render(
        request,
        "discretion/import.html",
        {
            "benchmark": benchmark,
            "power": benchmark.power_item.current_version,
            "form": form,
            "problems": problems[:MAX_PROBLEMS_SHOWN],
            "problem_count": len(problems),
            "max_shown": MAX_PROBLEMS_SHOWN,
            "needs_reason": benchmark.working_version_id is None,
        },
    )
