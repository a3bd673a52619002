"""The demo's supervision orders: built through the services in time order, on red alerts (or,
without any, on overdue cases), every story told before the demo's "now"."""

import datetime as dt

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.demo import supervision_orders, timeline
from sunlight.org.tests import factories as org_factories
from sunlight.supervision.choices import OrderState
from sunlight.supervision.models import SupervisionOrder
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import accepted_case, at, enable_only

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_day():
    """The demo's day these stories are told up to (the demo takes it from the clock else)."""
    timeline.pin(dt.date(2026, 11, 20))
    yield
    timeline.pin(None)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def city():
    """Two departments of the demo city, each with a case past its promised deadline in the
    autumn, and the demo's supervisor."""
    offices = [factories.office_with_power(code=code, promised_limit=10) for code in ("005", "012")]
    cases = [accepted_case(office, at(2026, 9, day)) for office in offices for day in (1, 8)]
    org_factories.user("supervisor", in_region=offices[0].department.region,
                       username=supervision_orders.SUPERVISOR)  # fmt: skip
    return offices, cases


def test_orders_are_issued_on_red_alerts(city):
    _offices, cases = city
    enable_only("case-red")
    with clock.frozen(at(2026, 9, 30)):
        scan_run()
    assert not supervision_orders.orders_ready(2026)
    summary = supervision_orders.orders_build(2026)
    rows = SupervisionOrder.objects.all()
    assert rows.count() == len(cases) and "张督办单" in summary
    assert all(order.alert is not None for order in rows)
    assert supervision_orders.orders_ready(2026)


def test_without_alerts_orders_are_issued_on_overdue_cases(city):
    _offices, cases = city
    supervision_orders.orders_build(2026)
    rows = SupervisionOrder.objects.all()
    assert {order.case_id for order in rows} == {case.pk for case in cases}
    assert all(order.alert is None for order in rows)


def test_every_story_is_told_before_now_and_orders_are_answered(city):
    supervision_orders.orders_build(2026)
    entries = AuditEntry.objects.filter(object_type__startswith="supervision.order")
    assert entries.exists()
    assert all(entry.occurred_at < timeline.now() for entry in entries)
    states = set(SupervisionOrder.objects.values_list("state", flat=True))
    assert states & {OrderState.ACCEPTED, OrderState.REPLIED, OrderState.RETURNED}
