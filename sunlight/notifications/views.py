"""My messages (消息), my channel settings, and the outbox for admins. Thin: selectors read,
services write and decide who may."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.notifications import selectors, services
from sunlight.notifications.choices import Channel, OutboxState
from sunlight.notifications.forms import PROBLEM_FIELDS, ChannelSettingsForm
from sunlight.org.decorators import org_admin_required, staff_required
from sunlight.org.forms import apply_problems

PAGE_SIZE = 30


def _ids(request: HttpRequest) -> list[int]:
    return [int(value) for value in request.POST.getlist("ids") if value.isdigit()]


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    rows = selectors.notification_list_for_user(user=request.user, unread_only=unread_only)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.notification_unread_count(user=request.user),
        },
    )


@staff_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    ids = _ids(request)
    if not ids:
        messages.error(request, "请先勾选消息")
    else:
        services.notification_mark_read(actor=request.user, notification_ids=ids)
        messages.success(request, f"已将 {len(ids)} 条消息标为已读")
    return redirect("notifications:inbox")


@staff_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(actor=request.user)
    messages.success(request, f"已将 {count} 条消息标为已读")
    return redirect("notifications:inbox")


@staff_required
@require_POST
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read, then go where the message points (only ever a page of this site)."""
    services.notification_mark_read(actor=request.user, notification_ids=[notification_id])
    link = selectors.notification_list_for_user(user=request.user).get(pk=notification_id).link
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return HttpResponseRedirect(link)
    return redirect("notifications:inbox")


@staff_required
def channel_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    current = {c.channel: c for c in selectors.channels_for_user(user=user)}
    initial = {
        "email_enabled": current[Channel.EMAIL].enabled,
        "email_address": current[Channel.EMAIL].override,
        "sms_enabled": current[Channel.SMS].enabled,
        "sms_address": current[Channel.SMS].override,
    }
    form = ChannelSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        choices = [
            services.ChannelChoice(c, data[f"{c}_enabled"], data[f"{c}_address"])
            for c in Channel.values
        ]
        try:
            services.channel_settings_save(actor=user, user=user, choices=choices)
        except ValidationFailed as exc:
            apply_problems(form, exc.problems, PROBLEM_FIELDS)
        else:
            messages.success(request, "消息接收设置已保存")
            return redirect("notifications:settings")
    return render(
        request, "notifications/settings.html", {"form": form, "channels": current.values()}
    )


@org_admin_required
def outbox(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state") or OutboxState.FAILED
    if state not in OutboxState.values:
        state = OutboxState.FAILED
    rows = selectors.outbox_list_for_admin(actor=request.user, state=state)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/outbox.html",
        {
            "page": page,
            "state": state,
            "states": OutboxState.choices,
            "counts": selectors.outbox_counts_for_admin(actor=request.user),
        },
    )


@org_admin_required
def outbox_message(request: HttpRequest, message_id: int) -> HttpResponse:
    message = selectors.outbox_get_for_admin(actor=request.user, pk=message_id)
    return render(request, "notifications/outbox_message.html", {"message": message})


@org_admin_required
@require_POST
def outbox_retry(request: HttpRequest) -> HttpResponse:
    ids = _ids(request)
    back = request.POST.get("back", "")
    if not ids:
        messages.error(request, "请先勾选消息")
    else:
        try:
            count = services.outbox_retry(actor=request.user, message_ids=ids)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已安排 {count} 条消息在下一轮投递时重新发送")
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return HttpResponseRedirect(back)
    return redirect("notifications:outbox")
