"""Staff pages for case lists and the window: the workbench (我的待办 / 本单位待办 / 已办 /
全部办件) and registering an application at the window. Thin: selectors read, services write."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sunlight.cases.application import application_forms, application_submit
from sunlight.cases.choices import Channel
from sunlight.cases.forms import CaseFilterForm
from sunlight.cases.offers import window_power_get, window_powers
from sunlight.cases.queue import QUEUES, queue_cases, queue_steps
from sunlight.cases.selectors import (
    case_list_for_user,
    done_for_user,
    overdue_q,
    todo_for_user,
    workbench_counts,
)
from sunlight.core import clock
from sunlight.core.errors import DomainError, NotFound, PermissionDenied
from sunlight.org.choices import Role
from sunlight.org.decorators import staff_required
from sunlight.org.permissions import departments_visible_to

PAGE_SIZE = 50
TABS = {"mine": "我的待办", "unit": "本单位待办", "done": "已办", "all": "全部办件"}


def _may_register(user) -> bool:  # noqa: ANN001 (a request.user: User or AnonymousUser)
    # Only decides whether to offer the link; case_register checks again.
    return bool(user.is_superuser or user.role in (Role.CLERK, Role.APPROVER))


@staff_required
def workbench(request: HttpRequest) -> HttpResponse:
    user = request.user
    tab = request.GET.get("tab", "mine")
    tab = tab if tab in TABS or tab == "queue" else "mine"
    filter_form = None
    queue = request.GET.get("queue", "")
    if tab == "queue" and queue not in QUEUES:
        tab = "mine"
    queue_label = ""
    cases_listed = tab == "all"
    if tab == "queue" and queue in QUEUES:
        # One of the workbench's 今日工作 queues (red, due today, yellow, returned, new…).
        queue_label, _tone, kind = QUEUES[queue]
        cases_listed = kind == "cases"
        if cases_listed:
            rows = queue_cases(user=user, key=queue).annotate(
                is_overdue=ExpressionWrapper(overdue_q(), output_field=BooleanField())
            )
        else:
            rows = queue_steps(user=user, key=queue)
    elif tab == "all":
        departments = list(departments_visible_to(user).only("pk", "name")[:500])
        filter_form = CaseFilterForm(request.GET, departments=departments)
        rows = case_list_for_user(user=user, filters=filter_form.filters())
    elif tab == "done":
        rows = done_for_user(user=user)
    else:
        rows = todo_for_user(user=user)[tab]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    counts = workbench_counts(user=user)
    return render(
        request,
        "cases/workbench.html",
        {
            "tab": tab,
            "queue_label": queue_label,
            "cases_listed": cases_listed,
            "tabs": [(key, label, counts.get(key)) for key, label in TABS.items()],
            "counts": counts,
            "page": page,
            "filter_form": filter_form,
            "querystring": keep.urlencode(),
            "now": clock.now(),
            "today": clock.today_local(),
            "may_register": _may_register(user),
        },
    )


@staff_required
def register_pick(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    items = window_powers(user=request.user, query=query)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/register_pick.html",
        {"page": page, "query": query, "querystring": f"q={query}" if query else ""},
    )


@staff_required
def register(request: HttpRequest, code: str) -> HttpResponse:
    try:
        version = window_power_get(user=request.user, code=code)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:  # suspended, revoked or unpublished since the list was shown
        messages.error(request, exc.message)
        return redirect("cases:register_pick")
    forms = application_forms(request, version, window=True)
    status = 200
    if request.method == "POST":
        case = application_submit(
            actor=request.user, version=version, forms=forms, channel=Channel.WINDOW
        )
        if case is not None:
            messages.success(
                request, f"已登记办件 {case.number}，请核对材料后作出受理、补正或不予受理决定。"
            )
            return redirect("cases:detail", number=case.number)
        messages.error(request, "登记未完成，请按提示修改后重新提交（已选择的文件需重新选择）。")
        status = 400
    return render(
        request,
        "cases/register.html",
        {"version": version, "forms": forms, "window": True},
        status=status,
    )
