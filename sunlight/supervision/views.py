"""The supervision centre (监察中心), the alert list and the alert page with its actions.

Thin: selectors read (scoped to the user's region or department), the lead's services write
(`alerts.alert_*`, `scan.scan_run`). NotFound → 404 and PermissionDenied → 403 through
staff_required; other refusals come back as messages or beside the reason field."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.org.decorators import staff_required
from sunlight.org.forms import apply_problems
from sunlight.org.permissions import departments_visible_to
from sunlight.supervision import alerts as alert_services
from sunlight.supervision.charts import (
    LEVEL_SERIES,
    LIVE_COLOUR,
    Chart,
    Series,
    horizontal_bars,
    stacked_bars,
)
from sunlight.supervision.forms import AlertCloseForm, AlertFilterForm
from sunlight.supervision.models import Alert
from sunlight.supervision.scan import scan_run
from sunlight.supervision.selectors import (
    LiveCounts,
    Trend,
    alert_actions_for_user,
    alert_get_for_user,
    alert_list_for_user,
    alert_trend,
    live_counts,
    may_supervise,
    provisional_deadlines,
    require_supervisor,
    scan_runs_recent,
)

PAGE_SIZE = 50
TRIGGER_LABELS = {
    "worker": "后台定时",
    "manual": "手动",
    "command": "命令行",
    "demo": "演示数据",
    "demo-feedback": "演示数据",
}
ACTION_DONE = {"acknowledge": "已签收", "resolve": "已解除", "cancel": "已撤销"}


# ---------------------------------------------------------------- charts


def trend_chart(trend: Trend, *, ident: str, title: str) -> Chart:
    daily = trend.unit == "day"
    live = Series("live", "日末未解除" if daily else "月末未解除", LIVE_COLOUR, dashed=True)
    return stacked_bars(
        ident=ident,
        title=title,
        labels=[b.label for b in trend.buckets],
        series=LEVEL_SERIES,
        values={s.key: [getattr(b, s.key) for b in trend.buckets] for s in LEVEL_SERIES},
        line=(live, [b.live_at_end for b in trend.buckets]),
        first_column="日期" if daily else "月份",
        label_every=5 if daily else 1,
        width=1080,
    )


def department_chart(counts: LiveCounts, *, limit: int = 15) -> Chart:
    rows = counts.by_department[:limit]
    return horizontal_bars(
        ident="chart-departments",
        title="各部门未解除预警",
        labels=[r.name for r in rows],
        series=LEVEL_SERIES,
        values={s.key: [getattr(r, s.key) for r in rows] for s in LEVEL_SERIES},
    )


# ---------------------------------------------------------------- the centre


@staff_required
def centre(request: HttpRequest) -> HttpResponse:
    user = request.user
    counts = live_counts(user=user, top=10)
    daily = alert_trend(user=user, days=30)
    monthly = alert_trend(user=user, months=12)
    return render(
        request,
        "supervision/centre.html",
        {
            "counts": counts,
            "department_chart": department_chart(counts) if counts.by_department else None,
            "daily_chart": trend_chart(daily, ident="chart-daily", title="近30天预警趋势"),
            "monthly_chart": trend_chart(monthly, ident="chart-monthly", title="近12个月预警趋势"),
            "daily": daily,
            "monthly": monthly,
            "scans": [
                (scan, TRIGGER_LABELS.get(scan.trigger, "其他"))
                for scan in scan_runs_recent(limit=5)
            ],
            "provisional": provisional_deadlines(user=user),
            "may_scan": may_supervise(user),
        },
    )


@require_POST
@staff_required
def scan_now(request: HttpRequest) -> HttpResponse:
    require_supervisor(request.user)
    result = scan_run(trigger="manual")
    messages.success(
        request,
        f"扫描完成：新增预警 {result.raised} 条，自动解除 {result.resolved} 条，"
        f"检查变化办件 {result.changed_cases} 件，用时 {result.elapsed_ms} 毫秒"
        + ("（全量扫描）" if result.full else ""),
    )
    return redirect("supervision:centre")


# ---------------------------------------------------------------- alerts


@staff_required
def alert_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    departments = list(departments_visible_to(user).only("pk", "name")[:500])
    form = AlertFilterForm(request.GET, departments=departments)
    filters = form.filters()
    page = Paginator(alert_list_for_user(user=user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "supervision/alert_list.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "querystring": keep.urlencode(),
        },
    )


def _detail_context(request: HttpRequest, alert: Alert, **forms: Any) -> dict[str, Any]:
    actions = alert_actions_for_user(user=request.user, alert=alert)
    return {
        "alert": alert,
        "actions": actions,
        "resolve_form": forms.get("resolve") or AlertCloseForm(prefix="resolve"),
        "cancel_form": forms.get("cancel") or AlertCloseForm(prefix="cancel"),
        "orders": list(alert.orders.order_by("-issued_at")),
        "order_new_url": f"{reverse('supervision:order_issue')}?alert={alert.pk}",
    }


@staff_required
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = alert_get_for_user(user=request.user, alert_id=alert_id)
    return render(request, "supervision/alert_detail.html", _detail_context(request, alert))


@require_POST
@staff_required
def alert_act(request: HttpRequest, alert_id: int, action: str) -> HttpResponse:
    if action not in ACTION_DONE:
        raise NotFound("无此操作")
    user = request.user
    alert = alert_get_for_user(user=user, alert_id=alert_id)
    form = AlertCloseForm(request.POST, prefix=action)
    try:
        if action == "acknowledge":
            alert_services.alert_acknowledge(actor=user, alert=alert)
        elif not form.is_valid():
            raise ValidationFailed([])  # the form's own errors are already on it
        elif action == "resolve":
            reason = form.cleaned_data["reason"].strip()
            alert_services.alert_resolve(actor=user, alert=alert, reason=reason)
        else:
            reason = form.cleaned_data["reason"].strip()
            alert_services.alert_cancel(actor=user, alert=alert, reason=reason)
    except (NotFound, PermissionDenied):
        raise
    except ValidationFailed as exc:
        apply_problems(form, exc.problems, {"理由": "reason", "撤销理由": "reason"})
        messages.error(request, "操作未完成，请查看下方的提示。")
        alert = alert_get_for_user(user=user, alert_id=alert_id)
        context = _detail_context(request, alert, **{action: form})
        return render(request, "supervision/alert_detail.html", context, status=400)
    except DomainError as exc:  # already closed by a scan, or by someone else first
        messages.error(request, exc.message)
        return redirect("supervision:alert_detail", alert_id=alert_id)
    messages.success(request, ACTION_DONE[action])
    return redirect("supervision:alert_detail", alert_id=alert_id)
