"""Gates for staff pages: sign-in, a staff role, and domain errors turned into 404 / 403.

Services and selectors decide what a user may see and do; these only translate their answers
into HTTP, so no staff view can forget to check sign-in or leak another department's data.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sunlight.core.errors import NotFound, PermissionDenied
from sunlight.org.permissions import is_platform_admin, is_staff_user

View = Callable[..., HttpResponse]


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "org/forbidden.html", {"message": message}, status=403)


def staff_required(view: View) -> View:
    """Signed in, active, with a staff role (or superuser); NotFound → 404, PermissionDenied →
    403 with the service's Chinese message."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_user(request.user):
            return forbidden(request, "您的账号尚未分配工作角色，请联系平台管理员。")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            return forbidden(request, exc.message)

    return wrapped


def org_admin_required(view: View) -> View:
    """Staff pages of org management: platform admins (role admin) and superusers only. The
    region scope of each object is checked again by the selectors and services."""

    @staff_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_platform_admin(request.user):
            return forbidden(request, "只有平台管理员可以维护组织机构和用户。")
        return view(request, *args, **kwargs)

    return wrapped
