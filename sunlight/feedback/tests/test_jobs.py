"""The rating invitation: one SMS per concluded case with its signed link, never two."""

import pytest

from sunlight.core import clock
from sunlight.feedback import links
from sunlight.feedback.jobs import rating_invitations_send
from sunlight.feedback.tests.world import CONCLUDED, world
from sunlight.notifications.models import OutboxMessage
from sunlight.supervision.tests.fixtures import at

pytestmark = pytest.mark.django_db


def test_a_concluded_case_s_applicant_is_invited_once_with_a_working_link():
    w = world()
    with clock.frozen(at(2026, 3, 6, 18)):
        assert rating_invitations_send() == {"queued": 1}
        assert rating_invitations_send() == {"queued": 0}
    sms = OutboxMessage.objects.get(source_type="feedback.invitation")
    assert sms.address == "13800000000" and w.done.number in sms.body
    token = sms.body.split("/rate/s/")[1].split("/")[0]
    assert links.rating_token_read(token) == (w.done, "concluded")
    assert CONCLUDED.date() == at(2026, 3, 6).date()


def test_an_applicant_who_opted_out_is_not_invited():
    from sunlight.notifications.notice_templates import sms_opt_out_set

    world()
    sms_opt_out_set(phone="13800000000", opted_out=True)
    with clock.frozen(at(2026, 3, 6, 18)):
        assert rating_invitations_send() == {"queued": 0}
