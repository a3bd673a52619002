"""Shared pytest setup: fast password hashing in tests, the browser and a live site."""

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/lib/chromium/chromium"
# Browser tests leave screenshots here for people to look at; CI keeps the folder as artifacts.
SCREENSHOT_DIR_DEFAULT = Path(__file__).parent / "test-artifacts" / "screenshots"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that check the hasher set it back themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _two_factor_not_required(settings):
    # Pages are tested signed in with force_login; the two-factor gate has its own tests
    # (org/tests/test_two_factor.py), which put the roles back.
    settings.SUNLIGHT_TWO_FACTOR_ROLES = []


@pytest.fixture(autouse=True)
def _public_page_cache_off(settings):
    # Pages are tested as rendered; the public cache has its own tests
    # (tests/test_public_cache.py), which turn it back on.
    settings.SUNLIGHT_PUBLIC_CACHE_SECONDS = 0
    settings.SUNLIGHT_API_CACHE_SECONDS = 0


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


def screenshot_dir() -> Path:
    """$SUNLIGHT_SCREENSHOT_DIR, or test-artifacts/screenshots in the checkout (git-ignored)."""
    folder = Path(os.environ.get("SUNLIGHT_SCREENSHOT_DIR") or SCREENSHOT_DIR_DEFAULT)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _file_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_")[:120] + ".png"


@pytest.fixture
def screenshot():
    """`screenshot(page, "name")`: the whole page (or, given a locator, that element) as a PNG
    in the screenshot folder."""

    def take(target, name: str) -> Path:
        path = screenshot_dir() / _file_name(name)
        if hasattr(target, "goto"):
            target.screenshot(path=str(path), full_page=True)
        else:
            target.screenshot(path=str(path))
        return path

    return take


@pytest.fixture
def page(browser, request, screenshot):
    """A desktop-sized page; when the test ends, the page as it was left (passed or failed) is
    kept as `<test name>.end.png` beside the test's own screenshots."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    try:
        if not page.is_closed() and page.url != "about:blank":
            screenshot(page, f"{request.node.name}.end")
    finally:
        context.close()


_audit_triggers_dropped = False


@pytest.fixture(autouse=True)
def _restore_audit_triggers(django_db_blocker):
    """Put the audit triggers back after a committing test dropped them for its flush."""
    global _audit_triggers_dropped
    if _audit_triggers_dropped:
        from django.db import connection

        from sunlight.audit.triggers import create_triggers

        with django_db_blocker.unblock():
            create_triggers(connection)
        _audit_triggers_dropped = False


@pytest.fixture
def committing_db(transactional_db):
    """A database whose writes really commit (no test transaction around them). The audit table
    refuses DELETE, which the flush after such a test needs: the triggers are dropped just for
    that flush and restored at the start of the next."""
    from django.db import connection

    from sunlight.audit.triggers import create_triggers, drop_triggers

    global _audit_triggers_dropped
    create_triggers(connection)
    yield
    drop_triggers(connection)
    _audit_triggers_dropped = True


@pytest.fixture
def live_site(live_server, committing_db):
    """The running app, for browser tests."""
    return live_server


def pytest_report_header(config):
    found = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    return f"chromium: {found or 'not installed (browser tests skip unless CI)'}"
