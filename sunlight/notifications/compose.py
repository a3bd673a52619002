"""What a notice looks like in each channel: the e-mail text and the (short) SMS text. Composed
when the notice is written, so the outbox shows exactly what goes out."""

from django.conf import settings

SMS_MAX_CHARS = 120
_SMS_TAIL = "请登录阳光政务平台查看。"


def email_subject(subject: str) -> str:
    return f"[阳光政务] {subject}"


def email_body(*, subject: str, body: str, link: str) -> str:
    parts = [subject, ""]
    if body:
        parts += [body, ""]
    if link:
        parts += [f"查看详情：{settings.SUNLIGHT_SITE_URL}{link}", ""]
    parts.append("—— 阳光政务平台（系统自动发送，请勿直接回复）")
    return "\n".join(parts)


def sms_text(*, subject: str, body: str) -> str:
    """The subject and as much of the body as fits. No link: carriers hold back texts with
    unregistered links, and staff read the details on the platform anyway."""
    text = f"{subject}：{body}" if body else subject
    text = " ".join(text.split())
    if len(text) > SMS_MAX_CHARS:
        text = text[: SMS_MAX_CHARS - 1] + "…"
    return f"{text}。{_SMS_TAIL}" if not text.endswith(("。", "…")) else f"{text}{_SMS_TAIL}"
