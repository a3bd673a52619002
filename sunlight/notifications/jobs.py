"""The delivery job: send due outbox messages, record every try, back off and finally give up.

Safe to run in several workers at once. A run claims its rows with one compare-and-swap UPDATE
(`next_attempt_at` moved past now under a fresh claim token, only where it is still due), so a
second run finds nothing left to claim. Claims commit before anything is sent and results are
recorded in short transactions after: no database lock is held while a mail server answers. A
worker that dies mid-batch leaves its rows to be claimed again when the lease runs out.
"""

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from sunlight.core import clock
from sunlight.notifications import delivery
from sunlight.notifications.choices import Channel, OutboxState
from sunlight.notifications.delivery import Outcome
from sunlight.notifications.models import DeliveryAttempt, OutboxMessage

log = logging.getLogger("sunlight.notifications")

# Long enough for a whole batch to go out even when each connection times out.
LEASE = dt.timedelta(minutes=15)
# Wait before try n+1 after n failed tries; the last value repeats.
BACKOFF_MINUTES = (1, 5, 30, 120, 360)

SENDERS: dict[str, Callable[[Sequence[OutboxMessage]], list[Outcome]]] = {
    Channel.EMAIL: delivery.send_email,
    Channel.SMS: delivery.send_sms,
}


def backoff(attempts: int) -> dt.timedelta:
    """The wait after `attempts` failed tries (1 → 1 minute, 2 → 5, …)."""
    return dt.timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def outbox_due_ids(*, now: dt.datetime, limit: int) -> list[int]:
    """Ids of up to `limit` pending messages due at `now`, oldest due first."""
    return list(
        OutboxMessage.objects.filter(state=OutboxState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_take(*, ids: Sequence[int], now: dt.datetime, token: str) -> list[OutboxMessage]:
    """Claim those of `ids` still due: one compare-and-swap UPDATE whose filter repeats the due
    condition, so a row another run claimed since `ids` were read no longer matches and is
    passed by. Returns the messages this run now holds."""
    if not ids:
        return []
    OutboxMessage.objects.filter(
        pk__in=ids, state=OutboxState.PENDING, next_attempt_at__lte=now
    ).update(claim_token=token, next_attempt_at=now + LEASE)
    return list(OutboxMessage.objects.filter(pk__in=ids, claim_token=token).order_by("pk"))


def outbox_claim(*, limit: int) -> tuple[str, list[OutboxMessage]]:
    """Take up to `limit` due pending messages for this run: (claim token, messages)."""
    now = clock.now()
    token = secrets.token_hex(16)
    return token, outbox_take(ids=outbox_due_ids(now=now, limit=limit), now=now, token=token)


def outbox_record(
    *, token: str, messages: Sequence[OutboxMessage], outcomes: Sequence[Outcome]
) -> dict[str, int]:
    """Write a DeliveryAttempt per try and move each claimed message on: sent, back to pending
    with a later next_attempt_at, or failed (kept) after the last allowed try."""
    now = clock.now()
    max_attempts = settings.SUNLIGHT_DELIVERY_MAX_ATTEMPTS
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create(
            DeliveryAttempt(message=m, attempted_at=now, ok=o.ok, error=o.error)
            for m, o in zip(messages, outcomes, strict=True)
        )
        sent = [m.pk for m, o in zip(messages, outcomes, strict=True) if o.ok]
        if sent:
            counts["sent"] = OutboxMessage.objects.filter(pk__in=sent, claim_token=token).update(
                state=OutboxState.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                last_error="",
                claim_token="",
            )
        for message, outcome in zip(messages, outcomes, strict=True):
            if outcome.ok:
                continue
            attempts = message.attempts + 1
            give_up = outcome.permanent or attempts >= max_attempts
            # Only while this run still holds the claim (its lease may have run out).
            counts["failed" if give_up else "retrying"] += OutboxMessage.objects.filter(
                pk=message.pk, claim_token=token
            ).update(
                state=OutboxState.FAILED if give_up else OutboxState.PENDING,
                attempts=attempts,
                next_attempt_at=now if give_up else now + backoff(attempts),
                last_error=outcome.error,
                claim_token="",
            )
    return counts


def outbox_deliver(*, limit: int = 200) -> dict[str, Any]:
    """Send up to `limit` due messages, e-mail and SMS each through its own backend. One
    channel failing (the mail server down, a misconfigured gateway) never stops the other.
    Returns counts for the worker's log."""
    token, claimed = outbox_claim(limit=limit)
    result: dict[str, Any] = {"claimed": len(claimed), "sent": 0, "retrying": 0, "failed": 0}
    for channel, send in SENDERS.items():
        batch = [m for m in claimed if m.channel == channel]
        if not batch:
            continue
        try:
            outcomes = send(batch)
        except Exception as exc:  # noqa: BLE001 (a broken backend fails its own channel only)
            log.exception("sending %s failed", channel)
            outcomes = [Outcome(ok=False, error=delivery.describe(exc))] * len(batch)
        counts = outbox_record(token=token, messages=batch, outcomes=outcomes)
        for key, value in counts.items():
            result[key] += value
        if counts["retrying"] or counts["failed"]:
            log.warning(
                "%s: %s of %s not delivered", channel, len(batch) - counts["sent"], len(batch)
            )
    return result
