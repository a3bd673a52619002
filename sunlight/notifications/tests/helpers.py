"""Small builders shared by the tests (writes go through the services)."""

import socket
from typing import Any

from sunlight.notifications.choices import Category, Level
from sunlight.notifications.services import ChannelChoice, Notice, channel_settings_save


def notice(recipient: Any, subject: str = "办件即将超期", **fields: Any) -> Notice:
    fields.setdefault("body", "窗口受理的办件将于明天到期，请及时办理。")
    fields.setdefault("link", "/staff/cases/")
    fields.setdefault("category", Category.ALERT)
    fields.setdefault("level", Level.WARNING)
    return Notice(recipient=recipient, subject=subject, **fields)


def channels(user: Any, *, email: bool = True, sms: bool = False, **addresses: str) -> None:
    channel_settings_save(
        actor=user,
        user=user,
        choices=[
            ChannelChoice("email", email, addresses.get("email_address", "")),
            ChannelChoice("sms", sms, addresses.get("sms_address", "")),
        ],
    )


def free_port() -> int:
    """A local port nothing listens on (for a server to start on, or to find nothing at)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
