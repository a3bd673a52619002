"""The access matrix as a test (see matrix.py)."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from sunlight.org.tests import factories as org
from tests.access.matrix import EXPECTED, ROLES

pytestmark = pytest.mark.django_db

_PLACEHOLDER = {"int": "987654", "str": "NO-SUCH-CODE", "slug": "no-such-slug", "path": "no/such"}


def url_patterns() -> list[tuple[str, str]]:
    """(name, example path) of every URL pattern, parameters filled with values that exist
    nowhere."""
    found: list[tuple[str, str]] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    f"{namespace}:{inner}".strip(":") if inner else namespace,
                )
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                label = pattern.name or route  # unnamed patterns by their route
                name = f"{namespace}:{label}" if namespace else label
                found.append((name, _example(route)))

    walk(get_resolver().url_patterns, "/", "")
    return found


def _example(route: str) -> str:
    def fill(match: re.Match[str]) -> str:
        converter = (match.group(1) or "str").rstrip(":")
        return _PLACEHOLDER.get(converter, "x")

    path = re.sub(r"<(?:(\w+):)?\w+>", fill, route)
    return re.sub(r"[\^$]|\(\?P<\w+>[^)]*\)", "", path)


def _clients() -> dict[str, Client]:
    city = org.region()
    district = org.region("338502", "清源区", parent_code=city.code)
    city_department = org.department(in_region=city)
    district_department = org.department(in_region=district)
    people = {
        "clerk": org.user("clerk", department=city_department),
        "approver": org.user("approver", department=city_department),
        "legal": org.user("legal", in_region=city),
        "supervisor": org.user("supervisor", in_region=city),
        "admin": org.user("admin", in_region=city),
        "district_clerk": org.user("clerk", department=district_department),
        "district_admin": org.user("admin", in_region=district),
    }
    # A server error is an outcome to record, not an exception to stop at.
    clients = {"anonymous": Client(raise_request_exception=False)}
    for role, person in people.items():
        client = Client(raise_request_exception=False)
        client.force_login(person)
        clients[role] = client
    return clients


def observed_matrix() -> dict[str, str]:
    """name → the statuses each role got, in ROLES order."""
    clients = _clients()
    result: dict[str, str] = {}
    for name, path in url_patterns():
        statuses = " ".join(str(clients[role].get(path).status_code) for role in ROLES)
        assert name not in result, f"two URL patterns named {name}"
        result[name] = statuses
    return result


def test_every_url_has_an_entry_and_every_role_gets_what_it_says():
    observed = observed_matrix()
    errors = {name: statuses for name, statuses in observed.items() if "500" in statuses}
    assert not errors, f"server errors: {errors}"
    missing = sorted(set(observed) - set(EXPECTED))
    assert not missing, (
        "URLs without an access-matrix entry (add them to tests/access/matrix.py):\n"
        + "\n".join(f'    "{name}": "{observed[name]}",' for name in missing)
    )
    stale = sorted(set(EXPECTED) - set(observed))
    assert not stale, f"entries for URLs that no longer exist: {stale}"
    wrong = {name: (EXPECTED[name], got) for name, got in observed.items() if EXPECTED[name] != got}
    assert not wrong, "\n".join(
        f"{name}: expected {want} got {got}" for name, (want, got) in sorted(wrong.items())
    )
