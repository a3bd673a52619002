"""The demo's department system: registered, keyed, pushing cases through the exchange, with a
refused batch or two for the rejects and data-quality pages."""

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunlight.cases.history_models import BatchSource
from sunlight.cases.models import Case
from sunlight.core.clock import SHANGHAI
from sunlight.demo import exchange, timeline
from sunlight.exchange.choices import BatchOutcome
from sunlight.exchange.models import ExchangeBatch, SourceKey, SourceSystem
from sunlight.org.models import User

pytestmark = pytest.mark.django_db


def _source() -> SourceSystem:
    return SourceSystem.objects.get(code=exchange.SOURCE_CODE)


def test_a_vertically_managed_system_is_registered_for_the_market_regulator(seeded):
    source = _source()

    assert source.vertical and source.level == "province" and source.active
    assert [d.name for d in source.departments.all()] == ["清源市市场监督管理局"]
    assert SourceKey.objects.filter(source=source, revoked_at__isnull=True).count() == 1
    assert "部门自建系统报送" in seeded


def test_it_pushed_accepted_batches_on_several_days_in_the_demos_past(seeded):
    batches = ExchangeBatch.objects.filter(source=_source(), outcome=BatchOutcome.ACCEPTED)

    days = {b.received_at.astimezone(SHANGHAI).date() for b in batches}
    assert len(days) >= 5
    assert max(b.received_at for b in batches) <= timeline.now()
    assert {b.table for b in batches} >= {"case_basic", "case_process", "material", "case_result"}


def test_two_batches_were_refused_with_realistic_reasons(seeded):
    refused = ExchangeBatch.objects.filter(source=_source(), outcome=BatchOutcome.REFUSED)

    codes = {(p["field"], p["code"]) for b in refused for p in b.problems}
    assert refused.count() == 2
    assert codes == {("applicant_id", "check_digit"), ("step_code", "step_not_in_flow")}


def test_the_pushed_cases_are_cases_showing_their_source(seeded, client):
    cases = Case.objects.filter(source_number__startswith=f"{exchange.SOURCE_CODE}:")

    assert cases.count() == exchange.BACKLOG + exchange.NEW_CASES
    assert cases.filter(concluded_at__isnull=True).exists()
    late = [c for c in cases if c.concluded_at and c.concluded_at.date() > c.promised_deadline]
    assert len(late) >= exchange.LATE
    case = cases.select_related("history_batch").order_by("number").first()
    assert case.history_batch.source == BatchSource.EXCHANGE
    assert exchange.SOURCE_NAME in case.history_batch.reason
    clerk = User.objects.get(username="scjgj_clerk")
    client.force_login(clerk)
    page = client.get(reverse("cases:detail", args=[case.number]))
    assert exchange.SOURCE_NAME in page.content.decode()


def test_the_admins_exchange_pages_show_the_traffic(seeded, client):
    admin = User.objects.get(username="admin")
    client.force_login(admin)
    # The demo's admin has an authenticator: the session passed the code step.
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=admin).persistent_id
    session.save()

    listing = client.get(reverse("exchange:sources")).content.decode()
    detail = client.get(reverse("exchange:source", args=[exchange.SOURCE_CODE])).content.decode()
    assert exchange.SOURCE_NAME in listing
    # The most frequent reasons for refusal, whatever page of the traffic the batches are on.
    assert "applicant_id：check_digit" in detail and "step_code：step_not_in_flow" in detail
