"""Input normalisation for every form at once: submitted text becomes Unicode NFC before any
view, form or service sees it, so "é" typed two ways is one value in storage, search and
comparisons, and loses NUL characters (never text, and PostgreSQL refuses them in a query: a
search for "a\x00b" was a server error). Passwords are left as typed (the stored hashes were
made from them)."""

import unicodedata
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict


def _nfc(data: QueryDict) -> QueryDict | None:
    """A normalised copy, or None when nothing changes (the common case costs no copy)."""
    changed = False
    for key, values in data.lists():
        if "password" in key:
            continue
        if any("\x00" in value or not unicodedata.is_normalized("NFC", value) for value in values):
            changed = True
            break
    if not changed:
        return None
    copy = data.copy()
    for key, values in data.lists():
        if "password" not in key:
            copy.setlist(
                key, [unicodedata.normalize("NFC", value.replace("\x00", "")) for value in values]
            )
    copy._mutable = False
    return copy


class NormaliseInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = _nfc(request.GET)
        if query is not None:
            request.GET = query
        if request.method == "POST":
            try:
                form = _nfc(request.POST)
            except Exception:  # noqa: BLE001 (a malformed body is the view's 400 to give)
                form = None
            if form is not None:
                request.POST = form
        return self.get_response(request)
