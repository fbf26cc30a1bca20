"""The engine lease on the real Redis: one leader at a time, handed over at once on a clean
stop, taken by another worker when the leader dies, and never trusted past half its length."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import redis

from numatix.services.leadership import LeaderLease, Leadership
from tests.support.redis_server import REDIS_URL, needs_redis

pytestmark = needs_redis
HANG_GUARD = 30.0  # only so a broken lease fails the test instead of hanging it


class Worker:
    """A campaigning worker that records when it runs the engine."""

    def __init__(self, client: redis.Redis, key: str, name: str, lease_seconds: float = 0.5,
                 clock=None) -> None:
        self.name = name
        self.terms: list[str] = []
        lease = LeaderLease(client, key, name, lease_seconds, **({"clock": clock} if clock else {}))
        self.leadership = Leadership(lease, self._elected, self._deposed)

    async def _elected(self) -> None:
        self.terms.append("elected")

    async def _deposed(self) -> None:
        self.terms.append("deposed")

    async def until(self, leading: bool) -> None:
        """Woken by each change; the engine's start runs in a task of its own, so also re-checked."""
        async with asyncio.timeout(HANG_GUARD):
            while self.leadership.leading is not leading or (leading and self.terms[-1:] != ["elected"]):
                try:
                    await asyncio.wait_for(self.leadership.changed.wait(), 0.05)
                except asyncio.TimeoutError:
                    pass


@pytest.fixture
def client():
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def key():
    return f"test-{uuid.uuid4().hex[:10]}:cluster:leader"


async def test_one_leader_at_a_time_and_a_clean_stop_hands_over(client, key):
    # A lease long enough that only the clean stop can end it: nothing here waits one out.
    first = Worker(client, key, "first", lease_seconds=5)
    second = Worker(client, key, "second", lease_seconds=5)
    await first.leadership.start()
    await first.until(leading=True)
    await second.leadership.start()
    for _ in range(5):  # several campaign rounds: the holder renews, the other never gets in
        await second.leadership.tick()
        await first.leadership.tick()
    assert not second.leadership.leading and second.terms == []
    assert client.get(key) == b"first"

    await first.leadership.stop()
    assert first.terms == ["elected", "deposed"] and client.get(key) is None  # released, not left to expire
    await second.until(leading=True)
    assert client.get(key) == b"second"
    await second.leadership.stop()


async def test_when_the_leader_dies_another_takes_the_lease_after_it_expires(client, key):
    dead, survivor = Worker(client, key, "dead"), Worker(client, key, "survivor")
    await dead.leadership.start()
    await dead.until(leading=True)
    dead.leadership._stopping.set()  # kill -9: it stops renewing and never releases
    dead.leadership._watch.cancel()
    await survivor.leadership.start()
    await survivor.until(leading=True)
    assert client.get(key) == b"survivor"
    await survivor.leadership.stop()


def thread_lateness(seconds: float = 0.5, step: float = 0.01) -> float:
    """How late a sleeping thread wakes on this machine right now (the keeper is such a thread)."""
    worst, until = 0.0, time.monotonic() + seconds
    while time.monotonic() < until:
        asked = time.monotonic()
        time.sleep(step)
        worst = max(worst, time.monotonic() - asked - step)
    return worst


async def test_a_leader_busy_on_its_event_loop_keeps_its_lease(client, key):
    # The keeper renews every fifth of the lease and is trusted for half of it: a lease 20 times
    # the scheduling delay measured here leaves the keeper 6 such delays to be late by.
    lease = max(0.5, 20 * thread_lateness())
    worker = Worker(client, key, "busy", lease_seconds=lease)
    await worker.leadership.start()
    await worker.until(leading=True)
    time.sleep(3 * lease)  # the loop is stuck (synchronous database writes) for three lease lengths
    assert worker.leadership.lease.held() and client.get(key) == b"busy"
    await worker.leadership.tick()
    assert worker.terms == ["elected"]  # never deposed, the engine never restarted
    await worker.leadership.stop()


async def test_a_leader_trusts_its_lease_for_half_its_length_and_steps_down_when_it_is_gone(client, key):
    now = [100.0]
    worker = Worker(client, key, "holder", lease_seconds=30, clock=lambda: now[0])
    assert worker.leadership.lease.take()
    assert worker.leadership.lease.held()
    now[0] += 15.01  # Redis still holds the key for ~15 s more, but this worker no longer acts on it
    assert not worker.leadership.lease.held() and client.pttl(key) > 10_000

    await worker.leadership.tick()  # it renews, and is trusted again
    assert worker.leadership.leading and worker.leadership.lease.held()
    client.set(key, "someone-else")  # the lease went to another worker
    await worker.leadership._term
    await worker.leadership.tick()
    assert not worker.leadership.leading and worker.terms == ["elected", "deposed"]
    assert not worker.leadership.lease.held() and (client.get(key)) == b"someone-else"
    client.delete(key)


async def test_a_leader_whose_engine_cannot_start_gives_the_lease_up(client, key):
    class Broken(Worker):
        async def _elected(self) -> None:
            raise RuntimeError("no market feed")

    # A lease long enough that only a release can end it (a short one could lapse on a busy
    # machine before the failed start had even run).
    broken = Broken(client, key, "broken", lease_seconds=HANG_GUARD / 2)
    await broken.leadership.tick()
    async with asyncio.timeout(HANG_GUARD):
        while client.get(key) is not None:  # released as soon as the engine has stopped
            await asyncio.sleep(0.01)
    assert broken.terms == ["deposed"] and not broken.leadership.leading
    await broken.leadership.tick()  # it rests a while, so another worker can try
    assert not broken.leadership.leading and client.get(key) is None
