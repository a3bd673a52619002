"""Feedback counts for `sunlight status --json`."""

from typing import Any

from django.db.models import Count

from sunlight.feedback.choices import OPEN_FOLLOW_UP_STATES, PetitionKind
from sunlight.feedback.models import FollowUp, Petition, Rating


def collect() -> dict[str, Any]:
    kinds = dict(Petition.objects.order_by().values_list("kind").annotate(n=Count("id")))
    return {
        "ratings": Rating.objects.count(),
        "rating_follow_ups_open": FollowUp.objects.filter(state__in=OPEN_FOLLOW_UP_STATES).count(),
        "complaints": kinds.get(PetitionKind.COMPLAINT, 0),
        "consultations": kinds.get(PetitionKind.CONSULTATION, 0),
    }
