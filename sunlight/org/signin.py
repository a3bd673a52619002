"""Sign-in gates that hold for every staff page, Django's admin included:

* a per-address throttle: too many failed sign-ins from one address, over all accounts, and that
  address may not try again for a while (axes locks account + address; this stops one guess on
  each of many accounts);
* two-factor sign-in: a signed-in user who must use it (admins, supervisors, superusers, anyone
  who enrolled) reaches staff pages only after a one-time code; one who must but has no device
  yet is sent to enrol.
"""

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlencode

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from sunlight.core import clock

try:  # the shared client-address rule (trusted proxies), once it is installed
    from sunlight.ratelimit.client import client_address as _client_address
except ImportError:  # pragma: no cover - before that app exists

    def _client_address(request: HttpRequest) -> str:
        return request.META.get("REMOTE_ADDR", "") or ""


def sign_in_address(request: HttpRequest) -> str:
    """The address sign-in failures are counted against (axes' AXES_CLIENT_IP_CALLABLE)."""
    return _client_address(request)


def address_failures(address: str) -> int:
    """Failed sign-ins from `address` within the lock-out period, over every account."""
    since = clock.now() - dt.timedelta(minutes=settings.AXES_COOLOFF_TIME * 60)
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0


def address_throttled(address: str) -> bool:
    return address_failures(address) >= settings.SUNLIGHT_LOGIN_ADDRESS_FAILURES


def needs_two_factor(user: object) -> bool:
    from sunlight.org.two_factor import two_factor_required, user_has_confirmed_device

    return two_factor_required(user) or user_has_confirmed_device(user)


USERNAME_MAX = 150  # org.User.username; axes records attempts in a 255-character column


def _cap_username(request: HttpRequest) -> None:
    """A user name longer than any account's cannot sign in; cut it to one character over the
    limit so it still matches nobody and fits axes' record (PostgreSQL refused 5,000 characters:
    a server error on the sign-in form)."""
    try:
        name = request.POST.get("username", "")
    except Exception:  # noqa: BLE001 (a malformed body is the view's 400 to give)
        return
    if len(name) > USERNAME_MAX:
        data = request.POST.copy()
        data["username"] = name[: USERNAME_MAX + 1]
        data._mutable = False
        request.POST = data


class SignInGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        login_paths = {reverse("staff:login"), reverse("admin:login")}
        if (
            request.method == "POST"
            and request.path in login_paths
            and address_throttled(sign_in_address(request))
        ):
            minutes = round(settings.AXES_COOLOFF_TIME * 60)
            return render(request, "org/address_throttled.html", {"minutes": minutes}, status=429)
        if request.method == "POST" and request.path in login_paths:
            _cap_username(request)
        gate = self._two_factor_gate(request)
        return gate or self.get_response(request)

    def _two_factor_gate(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not (request.path.startswith("/staff/") or request.path.startswith("/admin/")):
            return None
        # One indexed look-up per staff page for users who need no code (constant per page).
        if user.is_verified() or not needs_two_factor(user):
            return None
        open_paths = {
            reverse("staff:login"),
            reverse("staff:logout"),
            reverse("staff:two_factor_verify"),
            reverse("staff:two_factor"),
            reverse("admin:logout"),
        }
        if request.path in open_paths:
            return None
        from sunlight.org.two_factor import user_has_confirmed_device

        target = (
            "staff:two_factor_verify" if user_has_confirmed_device(user) else "staff:two_factor"
        )
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(target)}?{query}")
