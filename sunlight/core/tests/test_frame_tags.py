"""The frame's template helpers render exactly what the general tags and filters would, and a
kept fragment never carries one page's context into another's."""

import datetime as dt

import pytest
from django.template import engines
from django.urls import reverse

from sunlight.core.templatetags.frame import forget_kept


def _render(source: str, **context) -> str:
    return engines["django"].from_string("{% load frame %}" + source).render(context)


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 12, 7, 21, 5, tzinfo=dt.UTC),  # the next day in Shanghai
        dt.datetime(999, 1, 2, 3, 4, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, 8, 0),  # noqa: DTZ001 (naive on purpose: passed through as is)
    ],
)
def test_minute_and_day_match_the_date_filter(moment):
    assert _render("{{ v|minute }}", v=moment) == _render('{{ v|date:"Y-m-d H:i" }}', v=moment)
    for value in (moment, moment.date()):
        assert _render("{{ v|day }}", v=value) == _render('{{ v|date:"Y-m-d" }}', v=value)
    assert _render("{{ v|minute }}{{ v|day }}", v=None) == ""


def test_url_kept_matches_url():
    assert _render("{% url_kept 'progress' %}") == reverse("progress")
    expected = reverse("petition_new", args=["complaint"])
    assert _render("{% url_kept 'petition_new' 'complaint' %}") == expected


def test_a_kept_fragment_does_not_read_the_page_context():
    forget_kept()
    first = _render('{% kept "t" %}<a href="{% url "progress" %}">{{ who }}</a>{% endkept %}',
                    who="张三")  # fmt: skip
    second = _render('{% kept "t" %}<a href="{% url "progress" %}">{{ who }}</a>{% endkept %}',
                     who="李四")  # fmt: skip
    assert first == second == f'<a href="{reverse("progress")}"></a>'
    forget_kept()
