"""Two delivery runs at once never send a message twice: rows are claimed with a
compare-and-swap UPDATE, and results are recorded only by the run holding the claim."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from sunlight.core import clock
from sunlight.notifications.choices import OutboxState
from sunlight.notifications.delivery import Outcome
from sunlight.notifications.jobs import (
    LEASE,
    outbox_claim,
    outbox_deliver,
    outbox_due_ids,
    outbox_record,
    outbox_take,
)
from sunlight.notifications.models import DeliveryAttempt, OutboxMessage
from sunlight.notifications.services import notify_many
from sunlight.notifications.tests.helpers import channels, notice
from sunlight.org.tests import factories as org

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)


@pytest.fixture
def queued(db, head, clerk):
    with clock.frozen(T0):
        notify_many(notices=[notice(head), notice(clerk), notice(head, subject="第二条")])
    return list(OutboxMessage.objects.order_by("pk"))


def test_a_second_claim_finds_nothing(queued):
    with clock.frozen(T0):
        _, first = outbox_claim(limit=10)
        _, second = outbox_claim(limit=10)

    assert len(first) == 3
    assert second == []


def test_a_run_that_read_the_same_due_rows_claims_none_of_them(queued):
    # Both runs read the due ids; the first claims; the second's UPDATE then matches nothing.
    with clock.frozen(T0):
        seen_by_a = outbox_due_ids(now=clock.now(), limit=10)
        seen_by_b = outbox_due_ids(now=clock.now(), limit=10)
        taken_by_a = outbox_take(ids=seen_by_a, now=clock.now(), token="a" * 32)
        taken_by_b = outbox_take(ids=seen_by_b, now=clock.now(), token="b" * 32)

    assert seen_by_a == seen_by_b
    assert [m.pk for m in taken_by_a] == [m.pk for m in queued]
    assert taken_by_b == []


def test_a_claim_is_a_lease_that_runs_out(queued):
    with clock.frozen(T0):
        outbox_claim(limit=10)

    with clock.frozen(T0 + LEASE):
        _, again = outbox_claim(limit=10)

    assert len(again) == 3  # the first run died without recording anything


def test_a_run_whose_lease_ran_out_cannot_overwrite_the_new_claim(queued):
    with clock.frozen(T0):
        old_token, old = outbox_claim(limit=10)
    with clock.frozen(T0 + LEASE):
        outbox_claim(limit=10)

    with clock.frozen(T0 + LEASE + dt.timedelta(minutes=1)):
        counts = outbox_record(
            token=old_token, messages=old, outcomes=[Outcome(ok=True)] * len(old)
        )

    assert counts["sent"] == 0
    assert not OutboxMessage.objects.filter(state=OutboxState.SENT).exists()
    assert DeliveryAttempt.objects.count() == 3  # the tries still happened: recorded


@pytest.fixture
def postgres(committing_db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL with real concurrent connections: set DATABASE_URL=postgres://…"
            f" (this run uses {connection.vendor})"
        )


def test_two_runs_at_once_send_each_message_exactly_once(postgres, sms_outbox):
    department = org.department(code="031")
    staff = [org.user("clerk", department=department, phone=f"1390000{i:04d}") for i in range(60)]
    for user in staff:
        channels(user, email=False, sms=True)
    notify_many(notices=[notice(user) for user in staff])
    barrier = threading.Barrier(2, timeout=30)
    results: list[object] = [None, None]

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = outbox_deliver(limit=200)
        except Exception as exc:  # noqa: BLE001 (the test inspects what each thread got)
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(r, dict) for r in results), results
    references = [m.reference for m in sms_outbox]
    assert len(references) == len(set(references)) == 60
    assert sum(r["sent"] for r in results) == 60
    assert DeliveryAttempt.objects.count() == 60
