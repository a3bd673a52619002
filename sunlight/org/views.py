"""Staff sign-in, the workbench home and org management pages (placeholder home; the staff UI
helper fills these in)."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class StaffLoginView(auth_views.LoginView):
    template_name = "org/login.html"
    redirect_authenticated_user = True


class StaffLogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "org/home.html")


@login_required
def org_home(request: HttpRequest) -> HttpResponse:
    return render(request, "org/org_home.html")
