"""Small display helpers for case templates."""

from typing import Any

from django import template

from sunlight.cases.offers import ONLINE_FORMS
from sunlight.catalog.choices import HandlingForm
from sunlight.org.choices import Role

register = template.Library()
_ROLES = dict(Role.choices)


@register.filter
def role_label(role: str) -> str:
    return _ROLES.get(role, role or "—")


@register.filter
def online_apply_allowed(power: Any) -> bool:
    """Whether the public power page (a disclosure PublicPowerDetail) offers 在线申请: an online
    handling form (A.5) and a published flow. Read from the page's own data: no query."""
    labels = {HandlingForm(code).label for code in ONLINE_FORMS}
    forms = set(getattr(power, "handling_forms", ()) or ())
    return bool(labels & forms) and getattr(power, "flow", None) is not None
