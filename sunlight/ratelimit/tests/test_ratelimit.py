"""The shared rate limiter: counts every attempt, refuses past the limit with the time to wait,
starts again when the window has passed, keeps keys apart, and reads the client address only
from proxies we trust."""

import datetime as dt

import pytest
from django.test import RequestFactory

from sunlight.core import clock
from sunlight.ratelimit.client import client_address
from sunlight.ratelimit.models import RateBucket
from sunlight.ratelimit.services import (
    Limit,
    ratelimit_attempt,
    ratelimit_attempts,
    ratelimit_check,
    ratelimit_peek,
    ratelimit_purge,
)

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 2, 0, 30, tzinfo=dt.UTC)
LIMIT = Limit("test.scope", attempts=3, window=dt.timedelta(minutes=10))


def test_attempts_past_the_limit_are_refused_until_the_window_passes():
    with clock.frozen(T0):
        verdicts = [ratelimit_attempt(limit=LIMIT, key="1.2.3.4") for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert verdicts[-1].count == 4
    assert verdicts[-1].retry_minutes == 10  # 9.5 minutes left, rounded up
    with clock.frozen(T0 + dt.timedelta(minutes=10)):
        assert ratelimit_attempt(limit=LIMIT, key="1.2.3.4").allowed


def test_keys_and_scopes_are_counted_apart_and_not_stored_in_clear():
    other = Limit("test.other", attempts=1, window=dt.timedelta(minutes=10))
    with clock.frozen(T0):
        for _ in range(3):
            ratelimit_attempt(limit=LIMIT, key="a")
        assert ratelimit_attempt(limit=LIMIT, key="b").allowed
        assert ratelimit_attempt(limit=other, key="a").allowed
        assert not ratelimit_peek(limit=LIMIT, key="a").allowed
        assert ratelimit_peek(limit=LIMIT, key="c").allowed
    assert not RateBucket.objects.filter(key_digest__in=["a", "b"]).exists()


def test_several_limits_refuse_when_any_is_over():
    tight = Limit("test.tight", attempts=1, window=dt.timedelta(hours=1))
    with clock.frozen(T0):
        assert ratelimit_attempts(checks=[(LIMIT, "x"), (tight, "y")]).allowed
        verdict = ratelimit_attempts(checks=[(LIMIT, "x"), (tight, "y")])
    assert not verdict.allowed and verdict.retry_after > dt.timedelta(minutes=50)


def test_purge_deletes_only_passed_windows():
    with clock.frozen(T0):
        ratelimit_attempt(limit=LIMIT, key="old")
    with clock.frozen(T0 + dt.timedelta(minutes=15)):
        ratelimit_attempt(limit=LIMIT, key="new")
        assert ratelimit_purge() == 1
    assert RateBucket.objects.count() == 1


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "9.9.9.9", "10.0.0.1"),  # header ignored without trusted proxies
        (1, "9.9.9.9", "9.9.9.9"),
        (1, "6.6.6.6, 9.9.9.9", "9.9.9.9"),  # the client's own entry is not believed
        (2, "6.6.6.6, 9.9.9.9, 172.16.0.2", "9.9.9.9"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_client_address_behind_trusted_proxies(settings, trusted, forwarded, expected):
    settings.SUNLIGHT_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_a_check_reads_every_counter_writes_none_and_answers_the_strictest():
    tight = Limit("test.tight", attempts=1, window=dt.timedelta(hours=1))
    with clock.frozen(T0):
        assert ratelimit_check(checks=[(LIMIT, "a"), (tight, "n")]).allowed
        assert not RateBucket.objects.exists()
        ratelimit_attempts(checks=[(LIMIT, "a"), (tight, "n")])
        refused = ratelimit_check(checks=[(LIMIT, "a"), (tight, "n")])
        assert ratelimit_check(checks=[(LIMIT, "a"), (tight, "m")]).allowed
    assert not refused.allowed and refused.count == 1
    assert refused.retry_minutes == 60  # the hour-long window is the longer wait
    assert RateBucket.objects.count() == 2
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        assert ratelimit_check(checks=[(LIMIT, "a"), (tight, "n")]).allowed
