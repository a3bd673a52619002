"""The admins' holiday calendar page (节假日与调休): a year's exceptions to the week, adding
or clearing a day, and marking a year's official arrangement as loaded. Thin: the calendar
selectors read, the calendar services check permission, validate, write and audit."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sunlight.core import clock
from sunlight.core.errors import NotFound, ValidationFailed
from sunlight.org import calendar_files
from sunlight.org import calendar_selectors as selectors
from sunlight.org import calendar_services as services
from sunlight.org.decorators import org_admin_required
from sunlight.org.forms import StaffForm, apply_problems
from sunlight.org.models import CalendarKind, CalendarYearStatus


class CalendarDayForm(StaffForm):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="类型", choices=CalendarKind.choices)
    name = forms.CharField(
        label="节日",
        max_length=30,
        required=False,
        help_text="如“国庆节”；调休上班日可填所属节日",
    )


class CalendarLoadForm(StaffForm):
    file = forms.FileField(
        label="放假安排文件（JSON 或 CSV）",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv,.txt"}),
    )
    year = forms.IntegerField(
        label="年份",
        required=False,
        min_value=services.FIRST_YEAR,
        max_value=services.LAST_YEAR,
        help_text="JSON 中已写明年份时可留空",
    )


class CalendarClearForm(forms.Form):
    date = forms.DateField(widget=forms.HiddenInput)


class CalendarYearForm(StaffForm):
    note = forms.CharField(
        label="说明",
        max_length=200,
        required=False,
        help_text="如“依据国务院办公厅关于2027年部分节假日安排的通知”",
    )


def _year_of(request: HttpRequest) -> int:
    text = request.GET.get("year") or request.POST.get("year") or ""
    if text.isdigit() and services.FIRST_YEAR <= int(text) <= services.LAST_YEAR:
        return int(text)
    return clock.today_local().year


def _page_url(year: int) -> str:
    return f"{reverse('staff:calendar')}?year={year}"


def _render(
    request: HttpRequest,
    year: int,
    *,
    day_form: forms.Form | None = None,
    year_form: forms.Form | None = None,
    load_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    record = selectors.calendar_year_get_for_admin(actor=request.user, year=year)
    context: dict[str, Any] = {
        "year": year,
        "record": record,
        "loaded": record is not None and record.status == CalendarYearStatus.LOADED,
        "years": selectors.calendar_year_rows_for_admin(
            actor=request.user, around=clock.today_local().year
        ),
        "days": selectors.calendar_days_for_admin(actor=request.user, year=year),
        "day_form": day_form or CalendarDayForm(initial={"kind": CalendarKind.HOLIDAY}),
        "year_form": year_form or CalendarYearForm(),
        "load_form": load_form or CalendarLoadForm(),
        "warning": selectors.calendar_warning(),
    }
    return render(request, "org/calendar.html", context, status=status)


@org_admin_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    return _render(request, _year_of(request))


@org_admin_required
@require_POST
def calendar_day_save(request: HttpRequest) -> HttpResponse:
    form = CalendarDayForm(request.POST)
    year = _year_of(request)
    if form.is_valid():
        data = form.cleaned_data
        if services.FIRST_YEAR <= data["date"].year <= services.LAST_YEAR:
            year = data["date"].year  # a refused day is shown with its own year's list
        try:
            services.calendar_day_set(
                actor=request.user, day=data["date"], kind=data["kind"], name=data["name"]
            )
        except ValidationFailed as exc:
            apply_problems(form, exc.problems)
        else:
            messages.success(request, f"已保存 {services.describe_day(data['date'])}")
            return redirect(_page_url(data["date"].year))
    return _render(request, year, day_form=form, status=400)


@org_admin_required
@require_POST
def calendar_day_clear(request: HttpRequest) -> HttpResponse:
    form = CalendarClearForm(request.POST)
    year = _year_of(request)
    if not form.is_valid():
        messages.error(request, "日期无效")
        return redirect(_page_url(year))
    day: dt.date = form.cleaned_data["date"]
    try:
        services.calendar_day_clear(actor=request.user, day=day)
    except NotFound as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已清除 {services.describe_day(day)}，该日恢复按星期计算")
    return redirect(_page_url(day.year))


@org_admin_required
@require_POST
def calendar_year_loaded(request: HttpRequest) -> HttpResponse:
    form = CalendarYearForm(request.POST)
    text = request.POST.get("year", "")
    if not (text.isdigit() and len(text) == 4):
        messages.error(request, f"年份“{text[:10]}”无效")
        return redirect(_page_url(clock.today_local().year))
    year = int(text)
    if form.is_valid():
        try:
            services.calendar_year_mark_loaded(
                actor=request.user, year=year, note=form.cleaned_data["note"]
            )
        except ValidationFailed as exc:
            apply_problems(form, exc.problems)
        else:
            messages.success(request, f"{year}年节假日安排已标记为已录入，相关期限不再是暂定")
            return redirect(_page_url(year))
    return _render(request, year, year_form=form, status=400)


@org_admin_required
@require_POST
def calendar_load(request: HttpRequest) -> HttpResponse:
    """Load a year's official arrangement from an uploaded notice file (JSON or CSV)."""
    form = CalendarLoadForm(request.POST, request.FILES)
    year = _year_of(request)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(calendar_files.MAX_FILE_BYTES + 1)
        try:
            result = calendar_files.calendar_year_load_file(
                actor=request.user, data=data, filename=upload.name, year=form.cleaned_data["year"]
            )
        except ValidationFailed as exc:
            for problem in exc.problems[:50]:
                form.add_error(None, f"{problem.field}：{problem.message}")
        else:
            messages.success(
                request,
                f"已载入{result.year}年放假安排：放假{result.holidays}天，调休上班"
                f"{result.workdays}天；涉及{result.year}年的暂定期限已重新计算",
            )
            return redirect(_page_url(result.year))
    return _render(request, year, load_form=form, status=400)
