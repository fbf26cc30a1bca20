import uuid

import pytest

from numatix.security.rate_limits import (
    API_REQUESTS,
    LOGIN_BY_ADDRESS,
    LOGIN_BY_DEVICE,
    LOGIN_BY_EMAIL,
    ORDERS,
    RateLimiter,
    RateLimitExceeded,
    Rule,
)
from tests.support.redis_server import REDIS_URL, needs_redis

STORAGES = [
    pytest.param("memory://", id="memory"),
    pytest.param(REDIS_URL, id="redis",
                 marks=needs_redis),
]


@pytest.fixture(params=STORAGES)
def storage(request: pytest.FixtureRequest) -> str:
    """Redis is shared (other runs, other workers): each test counts under identifiers of its
    own (``fresh``) instead of flushing what may be someone else's."""
    return request.param


def fresh(identifier: str) -> str:
    return f"{identifier}-{uuid.uuid4().hex[:10]}"


class FakeTime:
    """The ``time`` module as the limits library sees it: moved by hand, so a window's edge is
    exact however busy the machine is."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    import limits.storage.memory
    import limits.strategies

    import numatix.security.rate_limits

    fake = FakeTime()
    for module in (limits.storage.memory, limits.strategies, numatix.security.rate_limits):
        monkeypatch.setattr(module, "time", fake)
    return fake


def test_twenty_orders_a_minute_then_a_wait_that_says_how_long(storage):
    limiter = RateLimiter(storage)
    user = f"user-{uuid.uuid4().hex}"
    for _ in range(20):
        limiter.hit(ORDERS, user)
    with pytest.raises(RateLimitExceeded) as exceeded:
        limiter.hit(ORDERS, user)
    assert 1 <= exceeded.value.retry_after_seconds <= 60 and "order requests" in str(exceeded.value)
    limiter.hit(ORDERS, f"other-{user}")  # buckets are per identifier


@pytest.mark.parametrize("rule", [LOGIN_BY_EMAIL, LOGIN_BY_DEVICE])
def test_each_login_rule_allows_exactly_five_per_identifier(storage, rule):
    limiter = RateLimiter(storage)
    address, other = fresh("203.0.113.9"), fresh("198.51.100.7")
    for _ in range(5):
        limiter.hit(rule, address)
    with pytest.raises(RateLimitExceeded) as exceeded:
        limiter.hit(rule, address)
    assert exceeded.value.rule == rule.name and "log-in attempts" in str(exceeded.value)
    limiter.hit(rule, other)


def test_a_refused_attempt_does_not_extend_the_window(clock):
    limiter, rule = RateLimiter(), Rule("tiny", "1 per 1 second")
    limiter.hit(rule, "x")
    clock.sleep(0.5)
    with pytest.raises(RateLimitExceeded):
        limiter.hit(rule, "x")
    clock.sleep(0.6)  # the first hit has left the window; the refused one must not be counted in it
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


@pytest.mark.parametrize("rule, allowed", [(ORDERS, 20), (LOGIN_BY_EMAIL, 5), (LOGIN_BY_ADDRESS, 30),
                                           (LOGIN_BY_DEVICE, 5),
                                           (API_REQUESTS, 100)])
def test_every_rule_allows_its_stated_amount(rule, allowed):
    limiter = RateLimiter()
    for _ in range(allowed):
        limiter.hit(rule, "x")
    with pytest.raises(RateLimitExceeded):
        limiter.hit(rule, "x")


def test_a_unit_given_back_can_be_taken_again_and_only_once(storage):
    limiter, email = RateLimiter(storage), fresh("erin@example.com")
    for _ in range(5):
        limiter.hit(LOGIN_BY_EMAIL, email)
    limiter.give_back(LOGIN_BY_EMAIL, email)
    limiter.hit(LOGIN_BY_EMAIL, email)
    with pytest.raises(RateLimitExceeded):
        limiter.hit(LOGIN_BY_EMAIL, email)
    limiter.give_back(LOGIN_BY_EMAIL, fresh("nobody"))  # nothing taken: nothing happens


def test_hits_from_threads_at_once_never_pass_the_limit(storage):
    """What makes the log-in budget hold in parallel: taking a unit is atomic."""
    from concurrent.futures import ThreadPoolExecutor

    limiter, email = RateLimiter(storage), fresh("frank@example.com")

    def attempt(_: int) -> bool:
        try:
            limiter.hit(LOGIN_BY_EMAIL, email)
            return True
        except RateLimitExceeded:
            return False

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert sum(pool.map(attempt, range(40))) == 5


@needs_redis
async def test_a_redis_that_stops_answering_holds_a_thread_never_the_event_loop():
    """Every log-in, order and API request takes a unit: with the counts in a Redis that went
    silent (packets dropped, no reset), the call waits for its timeout in a worker thread
    while the event loop goes on serving everyone else; then the refusal arrives."""
    import asyncio

    import redis as redis_errors

    from numatix.security import rate_limits
    from tests.support.chaos import TcpProxy

    proxy = TcpProxy("127.0.0.1", int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])).start()
    try:
        limiter = RateLimiter(proxy.url_for(REDIS_URL))
        await limiter.take(API_REQUESTS, fresh("user"))  # connected and answering
        proxy.silence()
        loop_turns = 0

        async def turning() -> None:
            nonlocal loop_turns
            while True:
                await asyncio.sleep(0.01)
                loop_turns += 1
        ticker = asyncio.create_task(turning())
        try:
            with pytest.raises(redis_errors.TimeoutError):
                await limiter.take(API_REQUESTS, fresh("user"))
        finally:
            ticker.cancel()
        # the loop turned all along: about 2 s of 10 ms sleeps; a blocked loop turns about once
        assert loop_turns > rate_limits.REDIS_TIMEOUT_SECONDS / 0.01 / 10
    finally:
        proxy.restore()
        proxy.close()
