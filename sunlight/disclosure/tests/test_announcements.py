"""工作动态 and 公告公示: written, submitted, reviewed by someone else, then published with its
date and archived; returned ones need an opinion; nothing is public before it is passed."""

import pytest
from django.test import Client

from sunlight.audit.models import AuditEntry
from sunlight.core import clock
from sunlight.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from sunlight.disclosure import announcements, services
from sunlight.disclosure.choices import AnnouncementState, ArchiveKind
from sunlight.disclosure.models import Announcement, ArchiveEntry
from sunlight.disclosure.tests import factories
from sunlight.supervision.tests.fixtures import at

pytestmark = pytest.mark.django_db


def _submitted(office, *, writer=None, **extra):
    writer = writer or office.clerk
    item = announcements.announcement_save(
        actor=writer,
        kind=extra.get("kind", "notice"),
        title=extra.get("title", "关于调整办公时间的公告"),
        body="自下月起，窗口办公时间调整为 8:30—17:30。",
    )
    return announcements.announcement_submit(actor=writer, announcement_id=item.pk)


def test_passed_announcement_is_published_with_its_date_and_archived():
    office = factories.office()
    item = _submitted(office)
    assert Client().get(f"/notices/{item.pk}/").status_code == 404  # not yet public
    with clock.frozen(at(2026, 3, 2, 9)):
        item = announcements.announcement_review(
            actor=office.head, announcement_id=item.pk, passed=True, opinion="同意发布"
        )
    assert item.state == AnnouncementState.PUBLISHED
    assert item.reviewed_by == office.head and item.review_opinion == "同意发布"
    assert item.archive_entry.kind == ArchiveKind.ANNOUNCEMENT
    page = Client().get(f"/notices/{item.pk}/").content.decode()
    assert "关于调整办公时间的公告" in page and "发布日期 2026-03-02" in page
    assert Client().get(f"/news/{item.pk}/").status_code == 404  # the other column
    assert f'href="/notices/{item.pk}/"' in Client().get("/").content.decode()  # on the home page


def test_correcting_the_archive_entry_changes_what_the_announcement_page_shows():
    office = factories.office()
    item = _submitted(office)
    with clock.frozen(at(2026, 3, 2, 9)):
        item = announcements.announcement_review(
            actor=office.head, announcement_id=item.pk, passed=True, opinion="同意发布"
        )
    page = Client().get(f"/notices/{item.pk}/").content.decode()
    assert "8:30—17:30" in page and "更正" not in page
    with clock.frozen(at(2026, 3, 3, 10)):
        first = services.archive_correct(
            actor=office.clerk, entry_id=item.archive_entry_id,
            body="自下月起，窗口办公时间调整为 9:00—17:00。", reason="时间写错",
        )  # fmt: skip
    with clock.frozen(at(2026, 3, 4, 15, 30)):
        latest = services.archive_correct(
            actor=office.clerk, entry_id=first.pk,
            body="自下月起，窗口办公时间调整为 9:00—17:30。", reason="下班时间以本次为准",
        )  # fmt: skip
    page = Client().get(f"/notices/{item.pk}/").content.decode()
    # The latest text of the chain, a line saying when it was corrected, the title kept.
    assert "9:00—17:30" in page
    assert "8:30—17:30" not in page and "9:00—17:00" not in page
    assert "本公告已于 2026-03-04 15:30 更正" in page and "下班时间以本次为准" in page
    assert f'href="/disclosures/{latest.pk}/"' in page
    assert "关于调整办公时间的公告" in page and "发布日期 2026-03-02" in page
    # The announcement's own row and the original archive entry stay as they were.
    item.refresh_from_db()
    assert item.body == "自下月起，窗口办公时间调整为 8:30—17:30。"
    assert ArchiveEntry.objects.get(pk=item.archive_entry_id).body == item.body


def test_the_writer_cannot_review_their_own_announcement():
    office = factories.office()
    item = _submitted(office, writer=office.head)
    with pytest.raises(PermissionDenied):
        announcements.announcement_review(
            actor=office.head, announcement_id=item.pk, passed=True, opinion=""
        )
    with pytest.raises(NotFound):  # nor another department's head
        other = factories.office(name="清源市审计局")
        announcements.announcement_review(
            actor=other.head, announcement_id=item.pk, passed=True, opinion=""
        )
    assert not ArchiveEntry.objects.exists()


def test_returning_needs_an_opinion_and_the_writer_then_edits_and_resubmits():
    office = factories.office()
    item = _submitted(office)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed):
        announcements.announcement_review(
            actor=office.supervisor, announcement_id=item.pk, passed=False, opinion=" "
        )
    assert AuditEntry.objects.count() == before
    announcements.announcement_review(
        actor=office.supervisor, announcement_id=item.pk, passed=False, opinion="补充联系电话"
    )
    announcements.announcement_save(
        actor=office.clerk, announcement_id=item.pk, kind="notice", title="新标题", body="新正文"
    )
    announcements.announcement_submit(actor=office.clerk, announcement_id=item.pk)
    item.refresh_from_db()
    assert item.state == AnnouncementState.SUBMITTED and item.title == "新标题"


def test_a_published_announcement_cannot_be_edited_or_reviewed_again():
    office = factories.office()
    item = _submitted(office)
    announcements.announcement_review(
        actor=office.head, announcement_id=item.pk, passed=True, opinion=""
    )
    with pytest.raises(InvalidTransition):
        announcements.announcement_save(
            actor=office.clerk, announcement_id=item.pk, kind="notice", title="改", body="改"
        )
    with pytest.raises(InvalidTransition):
        announcements.announcement_review(
            actor=office.supervisor, announcement_id=item.pk, passed=True, opinion=""
        )


def test_bad_announcement_input_is_refused_and_nothing_written():
    office = factories.office()
    with pytest.raises(ValidationFailed) as refused:
        announcements.announcement_save(
            actor=office.clerk, kind="gossip", title="\u200b", body="x" * 20_001
        )
    assert {p.field for p in refused.value.problems} == {"栏目", "标题", "正文"}
    assert not Announcement.objects.exists()
