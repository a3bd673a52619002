"""The public pages' cache: rendered pages kept in each worker's memory under the current
*generation* of the public catalog, a token in the cache every worker shares.

Publication (a power published, changed, suspended, resumed or revoked; a flow stored; a 双公示
entry published, corrected or withdrawn; a disclosure archived or corrected; district outlines
loaded) calls `public_pages_changed()` inside its transaction; the token is replaced once that
transaction commits, so the worker that published looks under a new key at once and every other
worker within GENERATION_CHECK_SECONDS (1 s) — nothing stale is found after that, and nothing is
deleted one page at a time. What changes outside publication
(a department's phone, last month's feedback summary, the statistics) is bounded by the page
timeout. The read API's answers (sunlight/api/urls.py) are kept the same way, for
SUNLIGHT_API_CACHE_SECONDS; a kept answer is served before the API's rate limit, which
counts the requests that reach the database.

Only what is the same for everyone is cached: GET/HEAD requests that carry no session and no
pending messages, answered 200 with no cookie set and no CSRF token drawn. A request from a
signed-in member of staff (it has a session) always renders afresh."""

import hashlib
import secrets
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from sunlight.config.caches import PAGES_ALIAS

GENERATION_KEY = "sunlight:public:generation"
# The messages framework's cookie (its storage falls back to the session, which we also check).
MESSAGES_COOKIE = "messages"


# Each worker reads the shared token at most once a second: reading it opens a database
# connection (SQLite's pragmas, or a PostgreSQL session) that costs more than serving the page
# itself. The worker that publishes takes the new token at once; the others within this time.
GENERATION_CHECK_SECONDS = 1.0
_known: tuple[str, float] | None = None  # (token, when read): one tuple, replaced whole


def public_generation() -> str:
    """The current generation token (made on first use; kept until the next publication)."""
    global _known
    now = time.monotonic()
    known = _known
    if known is not None and now - known[1] < GENERATION_CHECK_SECONDS:
        return known[0]
    shared = caches["default"]
    token = shared.get(GENERATION_KEY)
    if token is None:
        shared.add(GENERATION_KEY, secrets.token_hex(8), None)
        token = shared.get(GENERATION_KEY)
    _known = (token, now)
    return token


def forget_generation() -> None:
    """Read the shared token afresh on the next request (tests: a new database)."""
    global _known
    _known = None


def public_pages_changed() -> None:
    """Call inside the service's transaction: once it commits, every public page renders anew.
    A fresh random token rather than a counter, so two publications at once cannot both write
    the same next value over a page rendered between them."""
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    global _known
    token = secrets.token_hex(8)
    caches["default"].set(GENERATION_KEY, token, None)
    _known = (token, time.monotonic())


def public_page(
    seconds: int | None = None,
    *,
    without_query: bool = False,
    setting: str = "SUNLIGHT_PUBLIC_CACHE_SECONDS",
) -> Callable:
    """Serve the decorated public view from the page cache when the request allows it.
    `setting` names the setting that holds the page's life (the read API has its own, shorter),
    `seconds` caps it further; `without_query` caches only the address without a query string
    (the empty progress lookup form)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            timeout = getattr(settings, setting)
            if seconds is not None:
                timeout = min(timeout, seconds)
            if timeout <= 0 or not _shareable_request(request, without_query):
                return view(request, *args, **kwargs)
            pages = caches[PAGES_ALIAS]
            key = page_key(request)
            stored = pages.get(key)
            if stored is not None:
                return _response_from(stored)
            response = view(request, *args, **kwargs)
            if not getattr(response, "is_rendered", True):
                response.render()  # an API response renders itself late; its body is stored
            if _shareable_response(request, response):
                pages.set(key, _stored(response), timeout)
            return response

        return wrapped

    return decorator


def page_key(request: HttpRequest) -> str:
    address = request.path + "?" + request.META.get("QUERY_STRING", "")
    digest = hashlib.blake2b(address.encode("utf-8", "surrogateescape"), digest_size=16)
    return f"public:{public_generation()}:{digest.hexdigest()}"


def _shareable_request(request: HttpRequest, without_query: bool) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if without_query and request.META.get("QUERY_STRING"):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and MESSAGES_COOKIE not in cookies


def _shareable_response(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # A page that drew a CSRF token holds one person's token: never shared.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def _stored(response: HttpResponse) -> tuple[list[tuple[str, str]], bytes]:
    return list(response.items()), response.content


def _response_from(stored: tuple[list[tuple[str, str]], bytes]) -> HttpResponse:
    headers, body = stored
    response = HttpResponse(body)
    for name, value in headers:
        response[name] = value
    # As a fresh render would (its template reads the empty message store, so the session).
    patch_vary_headers(response, ("Cookie",))
    return response
