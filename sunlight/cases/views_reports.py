"""Staff pages of the reporting forms: the scoped list with filters, one .xlsx per form, and
marking a form reported (报送). Thin: selectors read, the service checks and writes; NotFound
becomes 404 and PermissionDenied 403 (org.decorators.staff_required)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from sunlight.cases.models import ReportKind, StageReport
from sunlight.cases.report_sheets import report_filename, report_workbook
from sunlight.cases.reports import (
    REPORT_DUE_DAYS,
    REPORT_STATUSES,
    is_overdue,
    may_report,
    stage_report_get_for_user,
    stage_report_mark_reported,
    stage_reports_for_user,
)
from sunlight.core import clock
from sunlight.core.errors import InvalidTransition
from sunlight.core.spreadsheets import XLSX_CONTENT_TYPE
from sunlight.org.decorators import staff_required
from sunlight.org.permissions import departments_visible_to

PAGE_SIZE = 50
_KEPT = ("kind", "status", "department", "page")


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


@staff_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    today = clock.today_local()
    filters = {
        "kind": params.get("kind", "") if params.get("kind") in ReportKind.values else "",
        "status": params.get("status", "") if params.get("status") in REPORT_STATUSES else "",
        "department_id": _int_or_none(params.get("department")),
    }
    reports = stage_reports_for_user(user=request.user, today=today, **filters)
    page = Paginator(reports, PAGE_SIZE).get_page(params.get("page"))
    rows = [
        {"report": r, "overdue": is_overdue(r, today), "may_report": may_report(request.user, r)}
        for r in page
    ]
    keep = params.copy()
    keep.pop("page", None)
    return render(
        request,
        "cases/report_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "kinds": ReportKind.choices,
            "statuses": list(REPORT_STATUSES.items()),
            "departments": list(departments_visible_to(request.user).only("pk", "name")),
            "due_days": REPORT_DUE_DAYS,
            "today": today,
            "querystring": keep.urlencode(),
            "back": params.urlencode(),
        },
    )


@staff_required
@require_GET
def report_sheet(request: HttpRequest, report_id: int) -> HttpResponse:
    """The form as a page to print (A4, black on white); the .xlsx stays for those who edit."""
    report = stage_report_get_for_user(user=request.user, report_id=report_id)
    return render(
        request,
        "cases/report_sheet.html",
        {
            "report": report,
            "content": report.content,
            "is_stage": report.kind == ReportKind.STAGE_REGISTRATION,
            "rows": _sheet_rows(report),
        },
    )


def _sheet_rows(report: StageReport) -> list[list[list[str]]]:
    """The form's label/value pairs, two to a line on the stage form and three on the filing
    form, as the spreadsheet lays them out."""
    pairs = report.content["fields"]
    per_line = 2 if report.kind == ReportKind.STAGE_REGISTRATION else 3
    return [pairs[start : start + per_line] for start in range(0, len(pairs), per_line)]


@staff_required
@require_GET
def report_download(request: HttpRequest, report_id: int) -> HttpResponse:
    report = stage_report_get_for_user(user=request.user, report_id=report_id)
    response = HttpResponse(report_workbook(report), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, report_filename(report))
    return response


@staff_required
@require_POST
def report_mark_reported(request: HttpRequest, report_id: int) -> HttpResponse:
    report = stage_report_get_for_user(user=request.user, report_id=report_id)
    try:
        stage_report_mark_reported(actor=request.user, report=report)
    except InvalidTransition as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已标记为已报送：{_label(report.content)}")
    return redirect(_back_url(request.POST.get("back", "")))


def _label(content: dict) -> str:
    if "case_number" in content:
        return f"{content['case_number']}（{content['stage_label']}）"
    return f"{content.get('department', '')} {content.get('period', '')}"


def _back_url(querystring: str) -> str:
    """The list with the filters it was showing (only known keys: no open redirect)."""
    given = QueryDict(querystring[:500])
    kept = QueryDict(mutable=True)
    for key in _KEPT:
        if given.get(key):
            kept[key] = given[key][:20]
    url = reverse("case_reports:list")
    return f"{url}?{kept.urlencode()}" if kept else url
