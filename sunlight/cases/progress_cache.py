"""The progress lookup's read model, kept a few seconds in the worker's memory: an applicant
who reloads their page, or a family refreshing it together, costs one query (the number and code
check, which always runs) instead of five.

Safe by construction: only called after `progress_case` has matched the number *and* the query
code, and keyed by the case, its revision and a digest of that code — a lookup with another
number or another code never reaches an entry, and an entry never holds more than the masked
read model the page shows. A state change bumps the case's revision (a new key); what changes
without one (a step finished) shows within PROGRESS_SECONDS. The rendered page itself is never
cached: it can carry the 补正 upload form with one person's CSRF token."""

import hashlib

from django.conf import settings
from django.core.cache import caches

from sunlight.cases.models import Case
from sunlight.cases.progress import PublicProgress, progress_of
from sunlight.config.caches import PAGES_ALIAS

PROGRESS_SECONDS = 5


def progress_key(case: Case, code: str) -> str:
    digest = hashlib.blake2b(f"{case.number}\n{code}".encode(), digest_size=16).hexdigest()
    return f"progress:{case.pk}:{case.revision}:{case.state}:{digest}"


def progress_of_cached(case: Case, code: str) -> PublicProgress:
    """`progress_of(case)`, from the cache when the same lookup ran in the last few seconds.
    `code` is the query code the caller has already checked against the case."""
    seconds = min(PROGRESS_SECONDS, settings.SUNLIGHT_PUBLIC_CACHE_SECONDS)
    if seconds <= 0:  # the public cache turned off
        return progress_of(case)
    local = caches[PAGES_ALIAS]
    key = progress_key(case, code)
    found = local.get(key)
    if found is None:
        found = progress_of(case)
        local.set(key, found, seconds)
    return found
