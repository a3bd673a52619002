"""The progress lookup's rendered parts, kept in the worker's memory: the case summary and the
timeline (pauses, extensions, steps) are the same for every viewer of a case until the case
changes, and rendering them was most of a lookup's time (≈ 1.7 of ≈ 3 ms).

The key is the case and a digest of the read model the parts are rendered from — the masked
`PublicProgress` read in this very request (case row, its power, department, steps and pauses).
So the change marker is what is shown itself: any write that changes a shown value, through
any path (services, 补录, exchange pushes, a department's new phone number), gives another
key, and the next lookup renders afresh — nothing stale can be served, however the write was
made. Only called after `progress_case` has matched the number *and* the query code; an entry
holds nothing beyond what the page shows. What depends on the viewer (the 补正 upload form
with its CSRF token, the rating links, messages) is rendered per request, outside these parts."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from sunlight.cases.progress import PublicProgress
from sunlight.config.caches import PAGES_ALIAS

SUMMARY_TEMPLATE = "cases/_progress_summary.html"
HISTORY_TEMPLATE = "cases/_progress_history.html"


@dataclass(frozen=True)
class ProgressParts:
    summary: SafeString
    history: SafeString


def fragment_key(found: PublicProgress) -> str:
    """The case number and a digest of everything the parts are rendered from (dataclass
    reprs are field by field and deterministic), the language and the time zone."""
    shown = f"{found!r}\n{translation.get_language()}\n{timezone.get_current_timezone_name()}"
    digest = hashlib.blake2b(shown.encode(), digest_size=20).hexdigest()
    return f"progress-parts:{found.number}:{digest}"


def progress_parts(found: PublicProgress) -> ProgressParts:
    """The summary and timeline of `found`, rendered, or from memory when the very same read
    model was rendered before."""
    if settings.SUNLIGHT_PUBLIC_CACHE_SECONDS <= 0:  # the public cache turned off
        return _render(found)
    local = caches[PAGES_ALIAS]
    key = fragment_key(found)
    stored = local.get(key)
    if stored is None:
        parts = _render(found)
        local.set(key, (str(parts.summary), str(parts.history)),
                  settings.SUNLIGHT_PUBLIC_CACHE_SECONDS)  # fmt: skip
        return parts
    summary, history = stored
    return ProgressParts(mark_safe(summary), mark_safe(history))  # noqa: S308 (our own rendering)


def _render(found: PublicProgress) -> ProgressParts:
    context = {"p": found}
    return ProgressParts(
        mark_safe(render_to_string(SUMMARY_TEMPLATE, context)),  # noqa: S308 (autoescaped template)
        mark_safe(render_to_string(HISTORY_TEMPLATE, context)),  # noqa: S308 (autoescaped template)
    )
