"""The 满意率 column of the public statistics: ratings counted per department or per power for
one statistics period. Registered with publication at start-up, so publication never imports
this app; the same rule as the 满意率 in department scores (基本满意 or better)."""

from typing import Any

from django.db.models import Count, Q

from sunlight.feedback.models import Rating
from sunlight.feedback.scoring import SATISFIED

_GROUPED_BY = {"department": "department_id", "power": "case__power_item_id"}


def rating_counts(*, period: Any, group: str, keys: list[int]) -> dict[int, tuple[int, int]]:
    """{department or power item id: (satisfied, rated)} for ratings given in `period`
    (publication's statistics period, its days in Asia/Shanghai)."""
    column = _GROUPED_BY[group]
    start, end = period.bounds()
    counted = (
        Rating.objects.filter(rated_at__gte=start, rated_at__lt=end, **{f"{column}__in": keys})
        .order_by()
        .values_list(column)
        .annotate(satisfied=Count("id", filter=Q(level__in=SATISFIED)), rated=Count("id"))
    )
    return {key: (satisfied, rated) for key, satisfied, rated in counted}
