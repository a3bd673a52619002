"""Filter building blocks shared by the API's list endpoints (django-filter)."""

from collections.abc import Iterable
from typing import Any

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

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


def refuse_empty(request: Any, names: Iterable[str]) -> None:
    """DRF reads `name=` in a query string as "not given"; the API refuses it (400) instead."""
    empty = [name for name in names if request.query_params.get(name, None) == ""]
    if empty:
        raise ValidationError({name: ["不能为空；不需要时请省略该参数"] for name in empty})


class _Text(forms.CharField):
    """Text with NUL characters dropped: a client may send them (the document allows any
    string), Django's form field would refuse them and PostgreSQL cannot compare with them."""

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        return text.replace("\x00", "") if isinstance(text, str) else text


class TextFilter(django_filters.CharFilter):
    field_class = _Text


def clean_code(value: str) -> str | None:
    """A path code as given, or None when it cannot be one (NUL characters, too long)."""
    return None if "\x00" in value or len(value) > 60 else value
