"""Staff pages of 补录 (past cases): declare a batch, approve or refuse it (纪检监察), import its
file, download the template. Thin: history_batches.py and history_import.py check permission
and every rule; these pages collect input and show every problem with its line."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sunlight.cases.history_batches import (
    history_batch_declare,
    history_batch_get,
    history_batch_review,
    history_batches_visible_to,
    may_declare,
    may_review,
)
from sunlight.cases.history_import import cases_import_file
from sunlight.cases.history_models import BatchSource, BatchState
from sunlight.cases.history_template import template_workbook
from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.core.spreadsheets import XLSX_CONTENT_TYPE
from sunlight.org.decorators import staff_required
from sunlight.org.forms import DepartmentChoiceField, StaffForm, apply_problems
from sunlight.org.permissions import departments_visible_to

DECLARE_PROBLEMS = {"收件日期": "period_start", "收件日期止": "period_end", "来源": "source"}


class DeclareForm(StaffForm):
    department = DepartmentChoiceField(label="部门", queryset=None)
    source = forms.ChoiceField(label="来源", choices=BatchSource.choices)
    reason = forms.CharField(
        label="补录原因",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="为什么这些办件没有在平台上实时办理，依据什么补录（如纸质登记簿、原系统）",
    )
    period_start = forms.DateField(
        label="收件日期起", widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(label="收件日期止", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [d.pk for d in departments_visible_to(user) if may_declare(user, d)]
        self.fields["department"].queryset = (
            departments_visible_to(user).filter(pk__in=allowed).order_by("region_id", "code")
        )


class ReviewForm(StaffForm):
    opinion = forms.CharField(
        label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="不予批准时必须写明理由",
    )  # fmt: skip


class ImportForm(StaffForm):
    file = forms.FileField(
        label="文件", help_text="模板 .xlsx（办件、环节两张表）、办件表 .csv 或 XES 事件日志 .xes"
    )
    steps = forms.FileField(label="环节表（CSV 时）", required=False)
    power = forms.CharField(
        label="默认事项编码", required=False, max_length=24,
        help_text="文件中没有写事项编码时（如外来 XES 日志）使用",
    )  # fmt: skip


@staff_required
def batch_list(request: HttpRequest) -> HttpResponse:
    form = DeclareForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                batch = history_batch_declare(
                    actor=request.user, department=data["department"], source=data["source"],
                    reason=data["reason"], period_start=data["period_start"],
                    period_end=data["period_end"],
                )  # fmt: skip
            except ValidationFailed as exc:
                apply_problems(form, exc.problems, DECLARE_PROBLEMS)
            else:
                messages.success(request, f"已申报补录批次{batch.pk}，待纪检监察审批。")
                return redirect("history:detail", batch.pk)
        status = 400
    batches = history_batches_visible_to(request.user)[:200]
    return render(
        request,
        "cases/history_list.html",
        {"batches": batches, "form": form,
         "may_declare": form.fields["department"].queryset.exists()},
        status=status,
    )  # fmt: skip


@staff_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, history_batch_get(request.user, pk))


def _detail(
    request: HttpRequest,
    batch: Any,
    *,
    status: int = 200,
    import_form: Any = None,
    review_form: Any = None,
    problems: Any = None,
) -> HttpResponse:
    importable = batch.state == BatchState.APPROVED and may_declare(request.user, batch.department)
    if review_form is None and may_review(request.user, batch):
        review_form = ReviewForm()
    return render(
        request,
        "cases/history_detail.html",
        {
            "batch": batch,
            "review_form": review_form,
            "import_form": import_form or (ImportForm() if importable else None),
            "problems": problems or [],
            "cases": batch.cases.order_by("received_at")[:50],
        },
        status=status,
    )


@staff_required
@require_POST
def batch_review(request: HttpRequest, pk: int) -> HttpResponse:
    batch = history_batch_get(request.user, pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    approve = request.POST.get("decision") == "approve"
    try:
        history_batch_review(actor=request.user, batch=batch, approve=approve,
                             opinion=form.cleaned_data.get("opinion", ""))  # fmt: skip
    except ValidationFailed as exc:
        apply_problems(form, exc.problems)
        return _detail(request, batch, status=400, review_form=form)
    except (NotFound, PermissionDenied):
        raise  # 404 / 403 with the service's message (staff_required)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已批准，可以导入办件。" if approve else "已不予批准。")
    return redirect("history:detail", pk)


@staff_required
@require_POST
def batch_import(request: HttpRequest, pk: int) -> HttpResponse:
    batch = history_batch_get(request.user, pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, batch, status=400, import_form=form)
    upload, steps = form.cleaned_data["file"], form.cleaned_data.get("steps")
    limit = settings.SUNLIGHT_IMPORT_MAX_BYTES
    if upload.size > limit or (steps is not None and steps.size > limit):
        form.add_error("file", f"文件超过大小上限{limit // (1024 * 1024)} MB，请用命令行导入")
        return _detail(request, batch, status=400, import_form=form)
    try:
        result = cases_import_file(
            actor=request.user, batch=batch, name=upload.name, data=upload.read(),
            steps_data=steps.read() if steps is not None else None,
            default_power=form.cleaned_data.get("power", ""),
        )  # fmt: skip
    except ValidationFailed as exc:
        return _detail(request, batch, status=400, import_form=form, problems=exc.problems)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        form.add_error("file", exc.message)
        return _detail(request, batch, status=400, import_form=form)
    messages.success(request, f"已导入{result.cases}件历史办件、{result.steps}个环节。")
    for note in result.notes[:50]:
        messages.warning(request, note)
    return redirect("history:detail", pk)


@staff_required
def template_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_workbook(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''past-cases-template.xlsx"
    return response
