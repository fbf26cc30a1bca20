"""One market feed per cluster, over the real Redis: what the leader's feed sees reaches every
worker's hub in order, a worker joining mid-stream counts no print twice, and silence from
the leader shows as a reconnecting feed."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
import redis.asyncio as redis

from numatix.domain.market import FeedStatus, Interval
from numatix.market.hub import MarketHub
from numatix.market.redis_feed import MarketChannels, MarketPublisher, PublishingFeed, RedisMarketFeed
from tests.support.redis_server import REDIS_URL, needs_redis
from tests.unit.market.fakes import ScriptedFeed, book
from tests.unit.market.fakes import trade as scripted_trade

pytestmark = needs_redis
HANG_GUARD = 30.0


def trade(n: int, price: str = "100"):
    """A print of now: the hubs keep the current minute's candle forming."""
    return scripted_trade(n, price, time_ms=int(time.time() * 1000))


@pytest.fixture
async def channels():
    prefix = f"test-{uuid.uuid4().hex[:10]}:cluster:"
    yield MarketChannels(prefix)
    client = redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
async def leader(channels):
    """The engine leader's side: the upstream feed, teed into Redis, and its own hub."""
    upstream = ScriptedFeed()
    publisher = MarketPublisher(REDIS_URL, channels, upstream.kind)
    hub = MarketHub(PublishingFeed(upstream, publisher))
    await publisher.start()
    await hub.start()
    await upstream.started.wait()
    yield upstream, hub, publisher
    await hub.stop()
    await publisher.stop()


def worker_feed(channels, leader_hub: MarketHub, silence_seconds: float = 3.0) -> RedisMarketFeed:
    async def history(symbol, interval, end_time_ms, limit):  # what the history command answers
        last = leader_hub.snapshot(symbol).last_trade
        return await leader_hub.candles(symbol, interval, end_time_ms, limit), last.trade_id if last else None
    return RedisMarketFeed(REDIS_URL, channels, ("BTCUSDT",), history, silence_seconds=silence_seconds)


def waiting_in_inbox(feed: RedisMarketFeed) -> set[int]:
    """The ids of the prints a worker's feed has heard and not yet delivered (its hub is not running)."""
    return {plain["trade_id"] for message in list(feed._inbox._queue)
            for kind, plain in json.loads(message) if kind == "trade"}


async def until(condition) -> None:
    async with asyncio.timeout(HANG_GUARD):
        while not condition():
            await asyncio.sleep(0.01)


async def test_a_worker_joining_mid_stream_sees_what_the_leader_sees_and_counts_no_print_twice(channels, leader):
    upstream, leader_hub, _ = leader
    for n in (1, 2, 3):
        upstream.sink.on_trade(trade(n, price=str(100 + n)))
    feed = worker_feed(channels, leader_hub)
    await feed.start()  # listening: prints 4 and 5 reach it *and* the history it is seeded with
    upstream.sink.on_book(book(7))
    for n in (4, 5):
        upstream.sink.on_trade(trade(n, price=str(100 + n)))
    await until(lambda: leader_hub.snapshot("BTCUSDT").last_trade.trade_id == 5)
    await until(lambda: {4, 5} <= waiting_in_inbox(feed))  # heard by the worker before it seeds
    hub = MarketHub(feed)
    await hub.start()
    try:
        for n in (6, 7):
            upstream.sink.on_trade(trade(n, price=str(100 + n)))
        await until(lambda: (hub.snapshot("BTCUSDT").last_trade or trade(0)).trade_id == 7)
        assert [t.trade_id for t in hub.snapshot("BTCUSDT").recent_trades] == [6, 7]
        assert hub.snapshot("BTCUSDT").book == book(7)
        for interval in (Interval.M1, Interval.H1):
            assert await hub.candles("BTCUSDT", interval) == await leader_hub.candles("BTCUSDT", interval)
        assert hub.status is FeedStatus.LIVE and hub.feed_kind is upstream.kind
    finally:
        await hub.stop()
        await feed.stop()


async def test_silence_from_the_leader_shows_as_reconnecting(channels, leader):
    _, leader_hub, publisher = leader
    feed = worker_feed(channels, leader_hub, silence_seconds=0.3)
    await feed.start()
    hub = MarketHub(feed)
    await hub.start()
    try:
        await until(lambda: hub.status is FeedStatus.LIVE)
        await publisher.stop()  # the leader died: no prints, no heartbeat
        await until(lambda: hub.status is FeedStatus.RECONNECTING)
    finally:
        await hub.stop()
        await feed.stop()
