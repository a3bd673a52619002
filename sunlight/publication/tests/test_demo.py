"""The demo city's 双公示: drafted for every decision, mostly published on time, some late,
corrections and a withdrawal — and the status counts say so."""

import pytest
from django.db import transaction

from sunlight.core.status import collect_status
from sunlight.demo.tests.helpers import seed
from sunlight.publication.choices import EntryState
from sunlight.publication.models import DoublePublicityEntry
from sunlight.publication.services import double_publicity_candidates

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield seed()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_every_decision_has_an_entry_and_most_are_published_on_time(seeded):
    entries = DoublePublicityEntry.objects.filter(corrects__isnull=True)

    assert "双公示" in seeded
    assert entries.count() > 0
    assert not double_publicity_candidates().exists()
    published = entries.exclude(state=EntryState.PENDING)
    on_time = published.filter(published_late=False).count()
    assert on_time / entries.count() > 0.6
    assert published.filter(published_late=True).exists()


def test_corrections_and_a_withdrawal_are_kept(seeded):
    assert DoublePublicityEntry.objects.filter(state=EntryState.SUPERSEDED).count() == 4
    assert DoublePublicityEntry.objects.filter(corrects__isnull=False).count() == 4
    assert DoublePublicityEntry.objects.filter(state=EntryState.WITHDRAWN).count() == 1


def test_status_reports_the_counts(seeded):
    status = collect_status()

    assert status["double_publicity_entries"] > 0
    assert status["double_publicity_late"] > 0
