"""Supervision order pages (督办): the list, the issue form (from an alert or a case), the order
page with its timeline, and its actions — reply (multipart), accept, return, withdraw.

Thin: selectors read, supervision.orders writes and decides. Validation problems are shown
beside the fields of the page shown again (status 400); other refusals (already handled by
someone else, wrong state) at the top; NotFound → 404 and PermissionDenied → 403 through
staff_required."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sunlight.cases.uploads import stored_file_response
from sunlight.core import clock
from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.org.calendar_selectors import work_calendar
from sunlight.org.choices import Role
from sunlight.org.decorators import staff_required
from sunlight.org.forms import apply_problems
from sunlight.supervision import orders
from sunlight.supervision.choices import OrderState
from sunlight.supervision.forms_orders import (
    OrderAcceptForm,
    OrderFilterForm,
    OrderIssueForm,
    OrderReplyForm,
    OrderReturnForm,
    OrderWithdrawForm,
)
from sunlight.supervision.models import SupervisionOrder
from sunlight.supervision.orders_ladder import LADDER_DAYS
from sunlight.supervision.orders_selectors import (
    AWAITING_REPLY,
    alert_get_for_order,
    case_get_for_order,
    may_supervise,
    order_attachment_get,
    order_departments_for_issue,
    order_get_for_user,
    order_is_overdue,
    order_list_for_user,
    order_timeline,
)

DEFAULT_REPLY_DAYS = 5  # working days: the blue order's usual deadline


@staff_required
def order_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    departments = order_departments_for_issue(user) if may_supervise(user) else None
    form = OrderFilterForm(request.GET or None, departments=departments)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        department = data.get("department")
        filters = {
            "state": data["state"],
            "colour": data["colour"],
            "department_id": department.pk if department else None,
            "overdue": data["overdue"],
        }
    rows = order_list_for_user(user=user, **filters)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    today = clock.today_local()
    for order in page:
        order.overdue = order_is_overdue(order, today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/order_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_issue": may_supervise(user),
        },
    )


@staff_required
def order_issue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_supervise(user):
        raise PermissionDenied("只有纪检监察人员可以发出督办单")
    departments = order_departments_for_issue(user)
    source = request.POST if request.method == "POST" else request.GET
    alert = case = None
    if source.get("alert"):
        alert = alert_get_for_order(user=user, alert_id=_int(source["alert"]))
    if source.get("case"):
        case = case_get_for_order(user=user, number=str(source["case"]))
    if alert is not None and case is None:
        case = alert.case
    if request.method != "POST":
        form = OrderIssueForm(initial=_issue_initial(alert, case), departments=departments)
        return _issue_page(request, form, alert, case)
    form = OrderIssueForm(request.POST, departments=departments)
    if form.is_valid():
        data = form.cleaned_data
        try:
            order = orders.order_issue(
                actor=user,
                department=data["department"],
                subject=data["subject"],
                suggestion=data["suggestion"],
                reply_due=data["reply_due"],
                alert=alert,
                case=case,
                urgent=data["urgent"],
            )
        except ValidationFailed as exc:
            apply_problems(form, exc.problems)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已发出{order.get_colour_display()}单 {order.number}")
            return redirect("supervision:order_detail", number=order.number)
    return _issue_page(request, form, alert, case, status=400)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise NotFound("预警不存在或无权查看") from exc


def _issue_initial(alert: Any, case: Any) -> dict[str, Any]:
    due = work_calendar().add_workdays(clock.today_local(), DEFAULT_REPLY_DAYS).day
    initial: dict[str, Any] = {"reply_due": due}
    if alert is not None:
        initial.update(
            department=alert.department_id,
            alert=alert.pk,
            subject=f"{alert.get_level_display()}：{alert.rule.name}"[:200],
            urgent=alert.level == "red",
        )
    if case is not None:
        initial.update(department=case.department_id, case=case.number)
        initial.setdefault("subject", f"办件 {case.number}：{case.title}"[:200])
    return initial


def _issue_page(
    request: HttpRequest, form: OrderIssueForm, alert: Any, case: Any, status: int = 200
) -> HttpResponse:
    context = {"form": form, "alert": alert, "case": case}
    return render(request, "supervision/order_form.html", context, status=status)


# ---------------------------------------------------------------- the order page


def _forms_on_offer(user: Any, order: SupervisionOrder) -> dict[str, Any]:
    """Unbound forms for the actions this user may take now (the services decide again)."""
    initial = {"revision": order.revision}
    offered: dict[str, Any] = {}
    if (
        order.state in AWAITING_REPLY
        and user.role == Role.APPROVER
        and user.department_id == order.department_id
    ):
        offered["reply"] = OrderReplyForm(initial=initial, prefix="reply")
    if may_supervise(user):
        if order.state == OrderState.REPLIED:
            offered["accept"] = OrderAcceptForm(initial=initial, prefix="accept")
            offered["return"] = OrderReturnForm(initial=initial, prefix="return")
        if order.state in (*AWAITING_REPLY, OrderState.REPLIED):
            offered["withdraw"] = OrderWithdrawForm(initial=initial, prefix="withdraw")
    return offered


def _detail_context(
    request: HttpRequest, order: SupervisionOrder, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    offered = _forms_on_offer(request.user, order)
    for key, form in (bound or {}).items():
        if key in offered:
            offered[key] = form
    return {
        "order": order,
        "timeline": order_timeline(order),
        "overdue": order_is_overdue(order),
        "forms": offered,
        "may_supervise": may_supervise(request.user),
        "ladder_days": {str(colour): days for colour, days in LADDER_DAYS.items()},
    }


@staff_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = order_get_for_user(user=request.user, number=number)
    return render(request, "supervision/order_detail.html", _detail_context(request, order))


Action = Callable[[HttpRequest, SupervisionOrder], tuple[Any, Callable[[Any], Any], str]]


def _reply(request: HttpRequest, order: SupervisionOrder) -> Any:
    form = OrderReplyForm(request.POST, request.FILES, prefix="reply")

    def run(data: dict[str, Any]) -> None:
        orders.order_reply(
            actor=request.user,
            order=order,
            explanation=data["explanation"],
            measures=data["measures"],
            files=data["files"],
        )

    return form, run, "已回复督办单，等待纪检监察审核"


def _accept(request: HttpRequest, order: SupervisionOrder) -> Any:
    form = OrderAcceptForm(request.POST, prefix="accept")

    def run(data: dict[str, Any]) -> None:
        orders.order_accept(
            actor=request.user,
            order=order,
            truthful=data["truthful"],
            objective=data["objective"],
            opinion=data["opinion"],
        )

    return form, run, "已审核通过，督办办结"


def _return(request: HttpRequest, order: SupervisionOrder) -> Any:
    form = OrderReturnForm(request.POST, prefix="return")

    def run(data: dict[str, Any]) -> None:
        orders.order_return(
            actor=request.user, order=order, opinion=data["opinion"], reply_due=data["reply_due"]
        )

    return form, run, "已退回，要求部门重新回复"


def _withdraw(request: HttpRequest, order: SupervisionOrder) -> Any:
    form = OrderWithdrawForm(request.POST, prefix="withdraw")

    def run(data: dict[str, Any]) -> None:
        orders.order_withdraw(actor=request.user, order=order, reason=data["reason"])

    return form, run, "督办单已撤回"


ACTIONS: dict[str, Action] = {
    "reply": _reply,
    "accept": _accept,
    "return": _return,
    "withdraw": _withdraw,
}


@require_POST
@staff_required
def order_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404("没有这个操作")
    order = order_get_for_user(user=request.user, number=number)
    form, run, done = handler(request, order)
    if form.is_valid():
        # The compare-and-swap runs on the revision the page was shown with.
        order.revision = form.cleaned_data["revision"]
        try:
            run(form.cleaned_data)
        except (NotFound, PermissionDenied):
            raise
        except ValidationFailed as exc:
            apply_problems(form, exc.problems)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, done)
            return redirect("supervision:order_detail", number=order.number)
    order = order_get_for_user(user=request.user, number=number)
    context = _detail_context(request, order, {action: form})
    if action in context["forms"]:
        messages.error(request, "操作未完成，请查看下方的提示。")
    else:
        # No longer on offer (someone acted first, or the state moved on): say why at the top.
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return render(request, "supervision/order_detail.html", context, status=400)


@staff_required
def attachment_download(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    attachment = order_attachment_get(user=request.user, number=number, attachment_id=attachment_id)
    return stored_file_response(
        path=attachment.file_path,
        file_name=attachment.file_name,
        content_type=attachment.content_type,
    )
