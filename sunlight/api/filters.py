"""Filter building blocks shared by the API's list endpoints (django-filter)."""

from typing import Any

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

MAX_ID = 2**63 - 1  # a bigint: anything larger would make PostgreSQL fail instead of find nothing


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number (NumberFilter alone takes 3.7e100 and documents a float)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StrictFilterSet(django_filters.FilterSet):
    """An empty value for a code or number filter is refused, not read as "no filter": an API
    client that sends `category=` has a bug it should hear about (HTML forms are another
    matter; the portal's pages keep their own tolerant parsing)."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, declared in self.filters.items():
            if isinstance(declared, django_filters.CharFilter) and not isinstance(
                declared, django_filters.ChoiceFilter
            ):
                continue
            if name in self.data and self.data.get(name, None) == "":
                self.form.add_error(name, "不能为空；不筛选时请省略该参数")
                valid = False
        return valid
