"""The demo city's 好差评, complaints and consultations: realistic shares, played through the
services, counted by `sunlight status`, seen by the supervision rules and the scores."""

import pytest

from sunlight.core.status import collect_status
from sunlight.feedback.models import FollowUp, Petition, Rating
from sunlight.supervision.models import Alert, DepartmentScore

pytestmark = pytest.mark.django_db


def test_most_ratings_are_good_and_the_bad_ones_are_followed_up(seeded):
    assert "好差评与投诉咨询" in seeded
    total = Rating.objects.count()
    bad = Rating.objects.filter(level__in=("4", "5"))
    assert total > 50
    assert 0 < bad.count() < total * 0.15
    assert FollowUp.objects.count() == bad.count()
    assert FollowUp.objects.filter(state="closed").exists()
    assert FollowUp.objects.exclude(state="closed").exists()


def test_complaints_and_consultations_with_some_late(seeded):
    complaints = Petition.objects.filter(kind="complaint")
    assert complaints.filter(channel="hotline").exists()
    assert complaints.filter(channel="online").exists()
    assert Petition.objects.filter(kind="consultation", state="closed").exists()
    assert Alert.objects.filter(rule__code="petition-overdue").exists()
    assert Petition.objects.filter(publish_consent=True, state__in=("replied", "closed")).exists()


def test_status_counts_them(seeded):
    status = collect_status()
    assert status["ratings"] == Rating.objects.count()
    assert status["complaints"] + status["consultations"] == Petition.objects.count()


def test_the_scores_count_the_ratings(seeded):
    scored = [
        item
        for score in DepartmentScore.objects.all()
        for item in score.indicators["items"]
        if item["code"] == "satisfaction" and item["score"] is not None
    ]
    assert scored
