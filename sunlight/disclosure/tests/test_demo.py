"""The demo city's 信息公开: 机构概况 filled in, matters with disclosed, late and undisclosed
periods (flagged by supervision), internal board items, a correction, announcements passed after
review (one waiting), stage forms reviewed — and `sunlight status` counts the archive."""

import pytest
from django.db import transaction

from sunlight.core import clock
from sunlight.core.status import collect_status
from sunlight.demo import timeline
from sunlight.demo.tests.helpers import seed
from sunlight.disclosure.choices import AnnouncementState, ReviewOutcome
from sunlight.disclosure.models import Announcement, ArchiveEntry, DisclosureDue, ReportReview
from sunlight.org.models import Department
from sunlight.supervision.choices import LIVE_ALERT_STATES
from sunlight.supervision.models import Alert

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


def test_periods_are_disclosed_late_or_not_at_all_and_supervision_flags_the_missing(seeded):
    assert "信息公开" in seeded
    today = timeline.day()
    dues = DisclosureDue.objects.all()
    assert dues.filter(archived_entry__isnull=False).count() > dues.count() / 2
    assert any(due.archived_late for due in dues.filter(archived_entry__isnull=False))
    missing = dues.filter(archived_entry__isnull=True, due_on__lt=today)
    assert missing.exists()
    flagged = Alert.objects.filter(rule__code="disclosure-overdue", state__in=LIVE_ALERT_STATES)
    assert {a.subject for a in flagged} == {f"disclosure:{d.pk}" for d in missing}


def test_the_archive_holds_internal_items_and_a_correction(seeded):
    assert ArchiveEntry.objects.filter(scope="internal").exists()
    (correction,) = ArchiveEntry.objects.filter(corrects__isnull=False)
    assert correction.published_at > correction.corrects.published_at
    with clock.frozen(timeline.now()):
        assert collect_status()["disclosures_archived"] == ArchiveEntry.objects.count() > 0


def test_announcements_profiles_and_reviewed_forms(seeded):
    assert Announcement.objects.filter(state=AnnouncementState.PUBLISHED).count() > 3
    assert Announcement.objects.filter(state=AnnouncementState.SUBMITTED).count() == 1
    assert Department.objects.exclude(functions="").filter(leaders__isnull=False).exists()
    outcomes = set(ReportReview.objects.values_list("outcome", flat=True))
    assert outcomes == {ReviewOutcome.PASSED, ReviewOutcome.RETURNED}
