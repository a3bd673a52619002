"""Sign-in security of the staff pages: login, lockout, logout, roles, sessions, CSRF, Argon2."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from sunlight.config import env
from sunlight.org.models import User
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db

PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def _login(client, username, password):
    return client.post(reverse("staff:login"), {"username": username, "password": password})


def test_login_page_is_chinese_with_csrf_token(client):
    page = client.get(reverse("staff:login")).content.decode()
    assert "工作人员登录" in page
    assert "csrfmiddlewaretoken" in page


def test_login_with_correct_password_opens_workbench(client):
    clerk = org.user("clerk")
    response = _login(client, clerk.username, org.TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:home")


def test_login_with_wrong_password_says_so_in_chinese(client):
    clerk = org.user("clerk")
    response = _login(client, clerk.username, "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_account_is_locked_after_failure_limit_with_chinese_message(client, settings):
    clerk = org.user("clerk")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, clerk.username, "wrong-password").status_code == 200
    locked = _login(client, clerk.username, "wrong-password")
    minutes = env.get_int("SUNLIGHT_LOCKOUT_MINUTES")
    assert locked.status_code == 429
    assert f"登录失败次数过多，账号已锁定 {minutes} 分钟" in locked.content.decode()


def test_locked_account_cannot_sign_in_even_with_correct_password(client, settings):
    clerk = org.user("clerk")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, clerk.username, "wrong-password")
    response = _login(client, clerk.username, org.TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_account_leaves_others_alone(client, settings):
    clerk = org.user("clerk")
    colleague = org.user("clerk", department=clerk.department)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, clerk.username, "wrong-password")
    assert _login(client, colleague.username, org.TEST_PASSWORD).status_code == 302


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("staff:home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('staff:login')}?next={reverse('staff:home')}"


def test_user_without_role_is_forbidden(client):
    # The services never create a user without a role; an old or hand-made account might.
    nobody = User.objects.create_user(username="nobody", password=org.TEST_PASSWORD)
    client.force_login(nobody)
    response = client.get(reverse("staff:home"))
    assert response.status_code == 403
    assert "尚未分配工作角色" in response.content.decode()


def test_logout_needs_post(client):
    client.force_login(org.user("clerk"))
    assert client.get(reverse("staff:logout")).status_code == 405
    assert client.post(reverse("staff:logout")).status_code == 302
    assert client.get(reverse("staff:home")).status_code == 302


def test_logout_is_csrf_protected():
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(org.user("clerk"))
    assert strict.post(reverse("staff:logout")).status_code == 403


def test_login_form_is_csrf_protected():
    clerk = org.user("clerk")
    strict = Client(enforce_csrf_checks=True)
    response = _login(strict, clerk.username, org.TEST_PASSWORD)
    assert response.status_code == 403


def test_session_lasts_the_configured_hours():
    hours = env.get_int("SUNLIGHT_SESSION_HOURS")
    assert hours * 3600 == django_settings.SESSION_COOKIE_AGE
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_expired_session_is_sent_back_to_login(client):
    client.force_login(org.user("clerk"))
    assert client.get(reverse("staff:home")).status_code == 200
    # The session row is Django's, not a domain model: age it as time would.
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    )
    assert client.get(reverse("staff:home")).status_code == 302


def test_new_staff_password_is_hashed_with_argon2(client, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    admin = org.user("admin", in_region=org.region())
    client.force_login(admin)
    response = client.post(
        reverse("staff:user_create"),
        {
            "username": "wang.li",
            "full_name": "王丽",
            "role": "legal",
            "region": admin.region_id,
            "password": "Qingyuan-Legal-2026",
            "password_confirm": "Qingyuan-Legal-2026",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="wang.li").password.startswith("argon2$")


def test_security_headers_on_staff_pages(client):
    response = client.get(reverse("staff:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response["Content-Security-Policy"]
