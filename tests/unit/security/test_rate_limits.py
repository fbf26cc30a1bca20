import time
import uuid

import pytest
import redis

from numatix.security.rate_limits import (
    API_REQUESTS, LOGIN_BY_ADDRESS, LOGIN_BY_EMAIL, ORDERS, RateLimiter, RateLimitExceeded, Rule,
)
from tests.support.redis_server import REDIS_URL, needs_redis

STORAGES = [
    pytest.param("memory://", id="memory"),
    pytest.param(REDIS_URL, id="redis",
                 marks=needs_redis),
]


@pytest.fixture(params=STORAGES)
def storage(request: pytest.FixtureRequest) -> str:
    if request.param == REDIS_URL:
        redis.Redis.from_url(REDIS_URL).flushdb()  # db 15 is the tests' own: no counts from earlier runs
    return request.param


def test_twenty_orders_a_minute_then_a_wait_that_says_how_long(storage):
    limiter = RateLimiter(storage)
    user = f"user-{uuid.uuid4().hex}"
    for _ in range(20):
        limiter.hit(ORDERS, user)
    with pytest.raises(RateLimitExceeded) as exceeded:
        limiter.hit(ORDERS, user)
    assert 1 <= exceeded.value.retry_after_seconds <= 60 and "order requests" in str(exceeded.value)
    limiter.hit(ORDERS, f"other-{user}")  # buckets are per identifier


@pytest.mark.parametrize("rule", [LOGIN_BY_EMAIL, LOGIN_BY_ADDRESS])
def test_each_login_rule_allows_exactly_five_per_identifier(storage, rule):
    limiter = RateLimiter(storage)
    for _ in range(5):
        limiter.hit(rule, "203.0.113.9")
    with pytest.raises(RateLimitExceeded) as exceeded:
        limiter.hit(rule, "203.0.113.9")
    assert exceeded.value.rule == rule.name and "log-in attempts" in str(exceeded.value)
    limiter.hit(rule, "198.51.100.7")


def test_a_refused_attempt_does_not_extend_the_window():
    limiter, rule = RateLimiter(), Rule("tiny", "1 per 1 second")
    limiter.hit(rule, "x")
    time.sleep(0.5)
    with pytest.raises(RateLimitExceeded):
        limiter.hit(rule, "x")
    time.sleep(0.6)  # the first hit has left the window; the refused one must not be counted in it
    limiter.hit(rule, "x")


def test_login_allows_exactly_five_and_check_does_not_consume():
    limiter = RateLimiter()
    for _ in range(10):
        limiter.check(LOGIN_BY_EMAIL, "alice@example.com")
    for _ in range(5):
        limiter.hit(LOGIN_BY_EMAIL, "alice@example.com")
    with pytest.raises(RateLimitExceeded) as exceeded:
        limiter.check(LOGIN_BY_EMAIL, "alice@example.com")
    assert 840 < exceeded.value.retry_after_seconds <= 900
    limiter.reset(LOGIN_BY_EMAIL, "alice@example.com")
    limiter.hit(LOGIN_BY_EMAIL, "alice@example.com")


@pytest.mark.parametrize("rule, allowed", [(ORDERS, 20), (LOGIN_BY_EMAIL, 5), (LOGIN_BY_ADDRESS, 5),
                                           (API_REQUESTS, 100)])
def test_every_rule_allows_its_stated_amount(rule, allowed):
    limiter = RateLimiter()
    for _ in range(allowed):
        limiter.hit(rule, "x")
    with pytest.raises(RateLimitExceeded):
        limiter.hit(rule, "x")
