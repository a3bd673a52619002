"""Handing claimed outbox messages to the mail server and the SMS gateway. Each function
answers one Outcome per message, in order, and raises nothing for a message that failed: the
caller records every try either way."""

import logging
import smtplib
from collections.abc import Sequence

from django.core import mail

from sunlight.notifications import sms
from sunlight.notifications.models import OutboxMessage
from sunlight.notifications.sms import SmsMessage, SmsResult

log = logging.getLogger("sunlight.notifications")

# An outcome is the SMS backends' result type: ok, error, permanent (no use retrying).
Outcome = SmsResult
_MAX_ERROR = 500


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]


def send_email(messages: Sequence[OutboxMessage]) -> list[Outcome]:
    """One connection to the configured EMAIL_BACKEND for the whole batch, one e-mail per
    message. A message the server refuses does not stop the others; a connection that breaks
    is opened again, and if that fails the rest of the batch fails with the same error."""
    connection = mail.get_connection(fail_silently=False)
    outcomes: list[Outcome] = []
    needs_open = True
    try:
        for index, message in enumerate(messages):
            if needs_open:
                try:
                    connection.open()
                except Exception as exc:  # noqa: BLE001 (any backend error: the batch waits for a retry)
                    error = f"无法连接邮件服务器：{describe(exc)}"
                    outcomes += [Outcome(ok=False, error=error)] * (len(messages) - index)
                    break
                needs_open = False
            email = mail.EmailMessage(
                subject=message.subject,
                body=message.body,
                to=[message.address],
                connection=connection,
                headers={"X-Sunlight-Outbox": str(message.pk)},
            )
            try:
                sent = connection.send_messages([email])
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                permanent = bool(codes) and all(code >= 500 for code in codes)
                outcomes.append(Outcome(ok=False, error=describe(exc), permanent=permanent))
            except Exception as exc:  # noqa: BLE001 (recorded on the message; the batch goes on)
                outcomes.append(Outcome(ok=False, error=describe(exc)))
                _close_quietly(connection)
                needs_open = True
            else:
                outcomes.append(
                    Outcome(ok=True) if sent else Outcome(ok=False, error="邮件服务器未接收该邮件")
                )
    finally:
        _close_quietly(connection)
    return outcomes


def _close_quietly(connection: object) -> None:
    try:
        connection.close()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 (closing a broken connection may fail too; nothing to do)
        log.debug("closing the mail connection failed", exc_info=True)


def send_sms(messages: Sequence[OutboxMessage]) -> list[Outcome]:
    """Through the configured SMS backend (settings.SUNLIGHT_SMS_BACKEND)."""
    texts = [SmsMessage(to=m.address, text=m.body, reference=str(m.pk)) for m in messages]
    with sms.get_connection() as connection:
        results = connection.send_messages(texts)
    if len(results) != len(messages):
        raise RuntimeError(f"SMS backend answered {len(results)} results for {len(messages)}")
    return list(results)
