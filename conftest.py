"""Shared pytest setup: fast password hashing in tests, the browser and a live site."""

import os
import shutil

import pytest

CHROMIUM = "/usr/lib/chromium/chromium"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that check the hasher set it back themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright. Skips with a reason where chromium is absent,
    except on CI (CI=true), where a missing browser is a failure."""
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} not installed (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def live_site(live_server, transactional_db):
    """The running app for browser tests. The audit table refuses DELETE, which the flush after
    a transactional test needs: the triggers are dropped just for that flush and restored."""
    from django.db import connection

    from sunlight.audit.triggers import create_triggers, drop_triggers

    create_triggers(connection)
    yield live_server
    drop_triggers(connection)


def pytest_report_header(config):
    found = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    return f"chromium: {found or 'not installed (browser tests skip unless CI)'}"
