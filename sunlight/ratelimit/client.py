"""The address of the person making a request, behind reverse proxies we trust.

With `SUNLIGHT_TRUSTED_PROXIES` = N (default 0), the last N proxies in front of the server are
ours: each appends the address it received the request from to X-Forwarded-For. The client is
therefore the N-th entry from the right; anything further left was written by the client and
can be forged, so it is never used. With N = 0 the header is ignored entirely."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = int(getattr(settings, "SUNLIGHT_TRUSTED_PROXIES", 0) or 0)
    if trusted <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request came in through a later proxy of ours, so every
    # entry is ours and the leftmost is the client.
    candidate = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
