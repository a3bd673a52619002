"""Template helpers for pages rendered on every request (the public frame, the progress lookup).

* `{% kept "name" %}…{% endkept %}`: a fragment that depends on nothing but the URL
  configuration (the public navigation: twelve `{% url %}` lookups, the same for every
  visitor), rendered once per process and kept, keyed by its name, the URL configuration, the
  script prefix and the language. What it holds must not read the template context.
* `{% url_kept "name" arg… %}`: `{% url %}` with the answer kept per process under the same key
  (resolving a name walks the URL patterns; a lookup page asked for the same five each time).
* `|minute` and `|day`: the `date` filter's "Y-m-d H:i" and "Y-m-d", in the current time zone,
  written out (the general filter parses its format string on every call: ≈ 0.1 ms a date).

Kept answers are forgotten when a test changes the URL settings (`setting_changed`)."""

import datetime as dt
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.base import Parser, Token
from django.template.context import Context
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_kept: dict[tuple[Any, ...], str] = {}


def _where() -> tuple[Any, ...]:
    """What a kept fragment or address depends on besides its own name."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return (urlconf, get_script_prefix(), translation.get_language())


def forget_kept(**_: Any) -> None:
    _kept.clear()


setting_changed.connect(forget_kept, dispatch_uid="sunlight.core.frame.forget_kept")


class KeptNode(template.Node):
    def __init__(self, name: str, nodelist: template.NodeList) -> None:
        self.name = name
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        key = ("fragment", self.name, *_where())
        found = _kept.get(key)
        if found is None:
            # Rendered in an empty context (as `{% include … only %}`): a fragment that read the
            # page's context would show one visitor's values to the next.
            found = self.nodelist.render(context.new())
            _kept[key] = found
        return mark_safe(found)  # noqa: S308 (rendered by the template engine, escaped there)


@register.tag("kept")
def do_kept(parser: Parser, token: Token) -> KeptNode:
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError('用法：{% kept "名称" %}…{% endkept %}')
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(bits[1][1:-1], nodelist)


@register.simple_tag
def url_kept(name: str, *args: Any) -> str:
    key = ("url", name, tuple(str(a) for a in args), *_where())
    found = _kept.get(key)
    if found is None:
        found = reverse(name, args=args)
        _kept[key] = found
    return found


@register.filter(expects_localtime=True)
def minute(value: dt.datetime | None) -> str:
    """As `date:"Y-m-d H:i"` of a datetime."""
    if value in (None, ""):
        return ""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}"


@register.filter(expects_localtime=True)
def day(value: dt.datetime | dt.date | None) -> str:
    """As `date:"Y-m-d"`."""
    if value in (None, ""):
        return ""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
