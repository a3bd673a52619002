"""Guess limits for the lookups by number + code (public pages and the hotline desk): a count
per key in the cache with a window, so wrong guesses slow an attacker down and the rightful
owner is never locked out for longer than the window. Shared across processes when the cache
is (see docs/configuration.md); best effort otherwise."""

from django.core.cache import cache

WINDOW_SECONDS = 15 * 60


def over_limit(*keys: str, limit: int) -> bool:
    return any(cache.get(f"feedback-throttle:{key}", 0) >= limit for key in keys if key)


def count(*keys: str) -> None:
    for key in keys:
        if not key:
            continue
        full = f"feedback-throttle:{key}"
        if cache.add(full, 1, WINDOW_SECONDS):
            continue
        try:
            cache.incr(full)
        except ValueError:  # expired between add and incr
            cache.add(full, 1, WINDOW_SECONDS)


def clear(*keys: str) -> None:
    for key in keys:
        cache.delete(f"feedback-throttle:{key}")
