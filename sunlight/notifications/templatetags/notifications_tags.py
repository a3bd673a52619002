"""The 消息 link with the unread count, for the staff header (one COUNT per page). It uses
site.css classes only: the header is on every staff page, which load no app stylesheet."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from sunlight.notifications.selectors import notification_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def notifications_link(context: dict[str, Any]) -> str:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return ""
    url = reverse("notifications:inbox")
    unread = notification_unread_count(user=user)
    if not unread:
        return format_html('<a href="{}">消息</a>', url)
    shown = "99+" if unread > 99 else str(unread)
    return format_html(
        '<a href="{}" aria-label="消息（{} 条未读）">'
        '消息 <span class="badge risk-high">{}</span></a>',
        url,
        unread,
        shown,
    )


@register.filter
def masked_address(address: str) -> str:
    """A phone number or e-mail address as shown in delivery records (masked)."""
    from sunlight.core.identity import mask_phone

    address = address or ""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask_phone(address)
