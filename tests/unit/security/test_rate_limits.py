import socket
import uuid

import pytest

from numatix.security.rate_limits import LOGIN_BY_EMAIL, ORDERS, RateLimiter, RateLimitExceeded, Rule


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.3):
            return True
    except OSError:
        return False


STORAGES = [
    pytest.param("memory://", id="memory"),
    pytest.param("redis://127.0.0.1:6379/15", id="redis",
                 marks=pytest.mark.skipif(not redis_up(), reason="no Redis on 127.0.0.1:6379")),
]


@pytest.mark.parametrize("storage", STORAGES)
def test_twenty_orders_a_minute_then_a_wait_that_says_how_long(storage):
    limiter = RateLimiter(storage)
    user = f"user-{uuid.uuid4().hex}"  # Redis keeps counts between runs: a fresh bucket each time
    for _ in range(20):
        limiter.hit(ORDERS, user)
    with pytest.raises(RateLimitExceeded) as exceeded:
        limiter.hit(ORDERS, user)
    assert 1 <= exceeded.value.retry_after_seconds <= 60 and "order requests" in str(exceeded.value)
    limiter.hit(ORDERS, f"other-{user}")  # buckets are per identifier


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


def test_every_rule_parses():
    limiter = RateLimiter()
    limiter.hit(Rule("custom", "3 per 2 seconds"), "x")
