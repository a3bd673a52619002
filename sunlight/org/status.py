from typing import Any

from sunlight.org.calendar_selectors import calendar_years
from sunlight.org.models import Department, Region, Section, User


def collect() -> dict[str, Any]:
    return {
        "regions": Region.objects.count(),
        "departments": Department.objects.count(),
        "sections": Section.objects.count(),
        "users": User.objects.count(),
        "calendar_years": calendar_years(),
    }
