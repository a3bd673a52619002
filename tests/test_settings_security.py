"""Deployment security: production settings pass `check --deploy`, every response carries the
security headers, and the documented settings are exactly the ones read."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from sunlight.config.env import ENV_VARS

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "SUNLIGHT_ENV": "production",
        "SUNLIGHT_SECRET_KEY": secrets.token_urlsafe(60),
        "SUNLIGHT_ALLOWED_HOSTS": "sunlight.example.gov.cn",
        "SUNLIGHT_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set in-process by the browser tests
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "SUNLIGHT_ENV": "production", "SUNLIGHT_DATA_DIR": str(tmp_path)}
    env.pop("SUNLIGHT_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SUNLIGHT_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_pages_carry_security_headers():
    response = Client().get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy


@pytest.mark.django_db
def test_staff_pages_require_sign_in():
    response = Client().get("/staff/catalog/")
    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]


def test_sessions_expire():
    from django.conf import settings

    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 3600


def test_every_environment_setting_is_documented_and_nothing_else():
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", text, flags=re.MULTILINE))
    assert documented == set(ENV_VARS)


def test_settings_read_the_environment_only_through_config_env():
    package = ROOT / "sunlight"
    offenders = [
        str(path.relative_to(ROOT))
        for path in package.rglob("*.py")
        if path.name != "env.py"
        and re.search(r"os\.environ(\.get|\[)|os\.getenv", path.read_text())
        and "DJANGO_SETTINGS_MODULE" not in path.read_text()
    ]
    assert offenders == []
