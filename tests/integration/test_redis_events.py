"""Two workers' buses on the real Redis: an event published in one reaches readers in both,
in order, exactly."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal as D

import pytest
import redis.asyncio as redis

from numatix.domain.balances import Balance
from numatix.domain.events import BalanceUpdate
from numatix.services.event_codec import encode
from numatix.services.events import EventsMissed
from numatix.services.redis_events import RedisEventBus
from tests.support.chaos import RedisServer, redis_server_installed
from tests.support.redis_server import REDIS_URL, needs_redis

pytestmark = needs_redis
HANG_GUARD = 30.0  # only so a lost event fails the test instead of hanging it; not a speed target


def update(n: int) -> BalanceUpdate:
    return BalanceUpdate(42, n, n, (Balance("USDT", D(n) + D("0.000000001")),))


async def test_an_event_from_worker_a_reaches_readers_in_worker_b_in_order():
    prefix = f"numatix-test-{uuid.uuid4().hex}:"  # runs never hear each other
    worker_a, worker_b = RedisEventBus(REDIS_URL, prefix), RedisEventBus(REDIS_URL, prefix)
    await worker_a.start()
    await worker_b.start()
    try:
        in_b, in_a, other_user = worker_b.subscribe(42), worker_a.subscribe(42), worker_b.subscribe(43)
        for n in range(100):
            worker_a.publish(42, update(n))
        received_b, received_a = [], []
        async with asyncio.timeout(HANG_GUARD):
            while len(received_b) < 100 or len(received_a) < 100:
                if len(received_b) < 100:
                    received_b += await in_b.next_batch()
                if len(received_a) < 100:
                    received_a += await in_a.next_batch()
        assert received_b == [update(n) for n in range(100)] == received_a
        assert other_user.drain() == []
    finally:
        await worker_a.stop()
        await worker_b.stop()


async def test_a_copy_of_an_event_from_a_second_worker_is_dropped():
    """Two workers streaming one Binance user's data both publish each of its events."""
    prefix = f"numatix-test-{uuid.uuid4().hex}:"
    worker_a, worker_b = RedisEventBus(REDIS_URL, prefix), RedisEventBus(REDIS_URL, prefix)
    await worker_a.start()
    await worker_b.start()
    try:
        reader = worker_b.subscribe(42)
        for n in (1, 2, 3):
            worker_a.publish(42, update(n))
            worker_b.publish(42, update(n))
        worker_a.publish(42, update(4))
        received = []
        async with asyncio.timeout(HANG_GUARD):
            while not received or received[-1] != update(4):
                received += await reader.next_batch()
        assert received == [update(1), update(2), update(3), update(4)]
    finally:
        await worker_a.stop()
        await worker_b.stop()


async def test_a_worker_that_lost_redis_subscribes_again_and_tells_its_readers_to_reload():
    prefix = f"numatix-test-{uuid.uuid4().hex}:"
    worker_a = RedisEventBus(REDIS_URL, prefix)
    worker_b = RedisEventBus(REDIS_URL, prefix, client_name=f"events-{uuid.uuid4().hex[:8]}")
    await worker_a.start()
    await worker_b.start()
    admin = redis.from_url(REDIS_URL)
    try:
        reader = worker_b.subscribe(42)
        subscriptions = [c["id"] for c in await admin.client_list()
                         if c["name"] == worker_b.client_name and "P" in c["flags"]]
        assert subscriptions
        for client_id in subscriptions:
            await admin.execute_command("CLIENT", "KILL", "ID", client_id)
        received = []
        async with asyncio.timeout(HANG_GUARD):
            while update(1) not in received:
                worker_a.publish(42, update(1))
                try:
                    async with asyncio.timeout(0.3):
                        received += await reader.next_batch()
                except TimeoutError:
                    pass
        assert isinstance(received[0], EventsMissed)  # told before anything else: reload
    finally:
        await admin.aclose()
        await worker_a.stop()
        await worker_b.stop()


async def test_with_a_redis_url_the_runtime_sends_order_events_through_redis(tmp_path):
    from numatix.config import load_settings
    from numatix.domain.events import ExecutionReport
    from numatix.domain.requests import OrderRequest
    from numatix.services.runtime import lifespan
    from tests.support.database import migrated

    settings = load_settings({"NUMATIX_DATA_DIR": str(tmp_path), "NUMATIX_MARKET_DATA": "synthetic",
                              "NUMATIX_SYMBOLS": "BTCUSDT", "NUMATIX_PAPER_LATENCY_MS": "0",
                              "NUMATIX_REDIS_URL": REDIS_URL,  # a cluster of its own on the shared Redis
                              "NUMATIX_CLUSTER_NAME": f"test-{uuid.uuid4().hex[:10]}"}, tmp_path / "no.env")
    migrated(settings.database_url)
    async with lifespan(settings) as runtime:
        assert isinstance(runtime.events, RedisEventBus)
        other_worker = RedisEventBus(REDIS_URL, prefix=f"{settings.cluster_name}:events:")  # a second worker
        await other_worker.start()
        try:
            user_id = (await runtime.accounts.register("trader@example.com", "violet-harbour-42")).user.id
            reader = other_worker.subscribe(user_id)
            async with asyncio.timeout(HANG_GUARD):  # a book to trade against
                while runtime.hub.snapshot("BTCUSDT").book is None:
                    await asyncio.sleep(0.05)
            order = OrderRequest("BTCUSDT", "BUY", "MARKET", quantity="0.001")
            placed = await runtime.trading.place_order(user_id, order)
            async with asyncio.timeout(HANG_GUARD):
                while True:
                    events = [e for e in await reader.next_batch() if isinstance(e, ExecutionReport)]
                    if any(e.venue_order_id == placed.venue_order_id and e.status == placed.status
                           for e in events):
                        break
        finally:
            await other_worker.stop()


@pytest.mark.skipif(not redis_server_installed(), reason="no redis-server to start")
async def test_after_a_redis_restart_nothing_published_after_the_last_reload_notice_is_lost(tmp_path):
    # A reader reloads when told it missed events, then trusts the events that follow. So
    # every event no subscriber got (PUBLISH answers 0) must come before the last notice.
    server = RedisServer(tmp_path).start()
    prefix = f"numatix-test-{uuid.uuid4().hex}:"
    bus = RedisEventBus(server.url, prefix)
    await bus.start()
    reader = bus.subscribe(42)
    loop = asyncio.get_running_loop()
    notices: list[float] = []  # when the reader learned it had to reload
    heard: set[int] = set()

    async def read() -> None:
        while True:
            for event in await reader.next_batch():
                if isinstance(event, EventsMissed):
                    notices.append(loop.time())
                else:
                    heard.add(event.event_time_ms)
    reading = asyncio.create_task(read())
    try:
        server.stop()
        async with asyncio.timeout(HANG_GUARD):  # down long enough for the bus to notice
            while not notices:
                await asyncio.sleep(0.05)
        await asyncio.to_thread(server.start)  # same port: no keys, no subscriptions
        publisher = redis.from_url(server.url)
        unheard: list[float] = []  # when a publish reached no subscriber
        try:
            async with asyncio.timeout(HANG_GUARD):
                n = 0
                while len(heard) < 50:
                    n += 1
                    if not await publisher.publish(f"{prefix}42", encode(update(n))):
                        unheard.append(loop.time())
                    await asyncio.sleep(0)  # the bus and the reader run between publishes
        finally:
            await publisher.aclose()
        assert notices, "the restart went unnoticed"
        # Publishes nobody heard (before the bus subscribed again) all came before the last
        # reload notice; a slow restart may leave none, when the bus was back before the first.
        assert not unheard or max(unheard) < max(notices)
    finally:
        reading.cancel()
        await asyncio.gather(reading, return_exceptions=True)
        await bus.stop()
        server.stop()
