"""Supervision orders under real concurrency (PostgreSQL, committing transactions, two threads):
numbers stay unique, a reply is reviewed once, the ladder climbs each order once."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from sunlight.core import clock
from sunlight.core.errors import InvalidTransition
from sunlight.org.tests import factories as org_factories
from sunlight.supervision import orders
from sunlight.supervision.choices import OrderColour, OrderState
from sunlight.supervision.models import OrderEscalation, OrderReview, SupervisionOrder
from sunlight.supervision.orders_ladder import orders_escalate
from sunlight.supervision.tests.fixtures import at
from sunlight.supervision.tests.orders_world import ISSUED, fresh, issue, reply, world


@pytest.fixture
def postgres(committing_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL with real concurrent connections: set DATABASE_URL=postgres://…"
            f" (this run uses {connection.vendor})"
        )


def _at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each result or the exception it raised."""
    barrier = threading.Barrier(len(calls), timeout=30)
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        except Exception as exc:  # noqa: BLE001 (the test inspects what each thread got)
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_issues_at_once_get_distinct_numbers(postgres):
    w = world()
    colleague = org_factories.user("supervisor", in_region=w.department.region)
    with clock.frozen(ISSUED):
        results = _at_once(lambda: issue(w), lambda: issue(w, actor=colleague))
    assert all(isinstance(r, SupervisionOrder) for r in results), results
    assert sorted(r.number for r in results) == ["DB33850020260001", "DB33850020260002"]


def test_two_accepts_at_once_review_the_reply_once(postgres):
    w = world()
    order = issue(w)
    reply(w, order, moment=at(2026, 3, 18))
    colleague = org_factories.user("supervisor", in_region=w.department.region)

    def accept(actor: Any) -> Callable[[], Any]:
        return lambda: orders.order_accept(
            actor=actor, order=fresh(order), truthful=True, objective=True, opinion="同意。"
        )

    with clock.frozen(at(2026, 3, 19)):
        results = _at_once(accept(w.supervisor), accept(colleague))
    assert sorted(type(r).__name__ for r in results) == ["InvalidTransition", "SupervisionOrder"]
    assert any(isinstance(r, InvalidTransition) and "已被他人处理" in r.message for r in results)
    assert fresh(order).state == OrderState.ACCEPTED
    assert OrderReview.objects.filter(order=order).count() == 1


def test_two_ladder_runs_at_once_climb_each_order_once(postgres):
    w = world()
    first, second = issue(w), issue(w)
    with clock.frozen(at(2026, 3, 25, 0, 10)):
        results = _at_once(orders_escalate, orders_escalate)
    assert sorted(results) == [0, 2]
    assert OrderEscalation.objects.count() == 2
    assert fresh(first).colour == fresh(second).colour == OrderColour.ORANGE
