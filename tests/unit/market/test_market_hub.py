"""The hub: one upstream per process, fan-out to many, coalescing for the slow."""

from __future__ import annotations

import asyncio

import pytest

from numatix.domain.market import FeedStatus, Interval
from numatix.market.hub import SUBSCRIBER_TRADES, MarketHub
from tests.unit.market.fakes import START, ScriptedFeed, book, running_hub, trade

GUARD = 10.0  # only so a missing update fails the test instead of hanging it


@pytest.fixture
async def running():
    async for feed_and_hub in running_hub():
        yield feed_and_hub


async def test_one_upstream_however_many_subscribers(running):
    feed, hub = running
    subscriptions = [hub.subscribe("BTCUSDT") for _ in range(200)]
    await hub.start()
    assert feed.runs == 1
    assert hub.upstream_running
    assert hub.subscriber_count == 200
    for subscription in subscriptions:
        subscription.close()
    assert hub.subscriber_count == 0


async def test_every_subscriber_gets_the_print(running):
    feed, hub = running
    subscriptions = [hub.subscribe("BTCUSDT") for _ in range(100)]
    everything = hub.subscribe()
    feed.sink.on_trade(trade(1, "101.5"))
    updates = await asyncio.gather(*(asyncio.wait_for(s.next_update(), GUARD) for s in subscriptions + [everything]))
    for update in updates:
        assert [t.trade_id for t in update.trades] == [1]
        assert {c.interval for c in update.candles} == set(Interval)
        assert update.status is FeedStatus.LIVE


async def test_subscribers_only_get_their_symbol(running):
    feed, hub = running
    btc = hub.subscribe("BTCUSDT")
    feed.sink.on_trade(trade(1, symbol="ETHUSDT"))
    feed.sink.on_trade(trade(2, symbol="BTCUSDT"))
    update = await asyncio.wait_for(btc.next_update(), GUARD)
    assert [t.symbol for t in update.trades] == ["BTCUSDT"]


async def test_a_slow_subscriber_gets_the_latest_and_a_bounded_backlog(running):
    feed, hub = running
    slow = hub.subscribe("BTCUSDT")
    for n in range(1, 5001):
        feed.sink.on_trade(trade(n, str(100 + n % 7)))
        feed.sink.on_book(book(n))
    update = await asyncio.wait_for(slow.next_update(), GUARD)
    assert len(update.trades) == SUBSCRIBER_TRADES
    assert update.trades[-1].trade_id == 5000
    assert update.dropped_trades == 5000 - SUBSCRIBER_TRADES
    assert update.book.update_id == 5000
    assert len(update.candles) == len(Interval)  # one version per candle, not one per print
    feed.sink.on_trade(trade(5001))
    nxt = await asyncio.wait_for(slow.next_update(), GUARD)
    assert [t.trade_id for t in nxt.trades] == [5001] and nxt.dropped_trades == 0


async def test_nothing_new_means_the_reader_waits(running):
    feed, hub = running
    subscription = hub.subscribe("BTCUSDT")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(subscription.next_update(), 0.05)


async def test_listeners_see_every_print_and_a_failing_one_does_not_stop_the_rest(running, caplog):
    feed, hub = running
    seen = []

    def broken(event):
        raise ValueError("boom")

    hub.add_listener(broken)
    hub.add_listener(seen.append)
    for n in range(1, 1001):
        feed.sink.on_trade(trade(n))
    assert [e.trade_id for e in seen] == list(range(1, 1001))
    assert "market listener" in caplog.text
    hub.remove_listener(seen.append)
    feed.sink.on_trade(trade(1001))
    assert len(seen) == 1000


async def test_status_changes_wake_subscribers(running):
    feed, hub = running
    subscription = hub.subscribe("BTCUSDT")
    feed.sink.on_status(FeedStatus.RECONNECTING)
    update = await asyncio.wait_for(subscription.next_update(), GUARD)
    assert update.status is FeedStatus.RECONNECTING and update.trades == ()


async def test_snapshot_holds_the_latest_market(running):
    feed, hub = running
    feed.sink.on_trade(trade(1, "100"))
    feed.sink.on_trade(trade(2, "102"))
    feed.sink.on_book(book(9))
    snapshot = hub.snapshot("BTCUSDT")
    assert snapshot.last_trade.trade_id == 2
    assert [t.trade_id for t in snapshot.recent_trades] == [1, 2]
    assert snapshot.book.update_id == 9


async def test_candles_merge_memory_with_older_feed_history_without_gaps_or_duplicates():
    feed = ScriptedFeed(history_minutes=3000)
    now = START + 3000 * 60_000 + 1_000
    hub = MarketHub(feed, clock=lambda: now)
    await hub.start()
    await asyncio.wait_for(feed.started.wait(), GUARD)
    try:
        feed.sink.on_trade(trade(1, "5000", time_ms=now))
        latest = await hub.candles("BTCUSDT", Interval.M1, limit=500)
        assert len(latest) == 500 and latest[-1].closed is False
        older = await hub.candles("BTCUSDT", Interval.M1, end_time_ms=latest[0].open_time_ms - 1, limit=1500)
        joined = older + latest
        opens = [c.open_time_ms for c in joined]
        assert len(older) == 1500
        assert opens == sorted(set(opens))
        assert all(b - a == 60_000 for a, b in zip(opens, opens[1:]))
    finally:
        await hub.stop()


async def test_a_subscription_after_a_snapshot_brings_the_prints_the_snapshot_missed(running):
    """A page draws a snapshot, then subscribes: the print in between must not be lost."""
    feed, hub = running
    feed.sink.on_trade(trade(1, "100"))
    feed.sink.on_book(book(7))
    shown = hub.snapshot("BTCUSDT").last_trade
    feed.sink.on_trade(trade(2, "101"))  # after the snapshot, before the subscription
    feed.sink.on_trade(trade(3, "102"))
    update = await asyncio.wait_for(hub.subscribe_after("BTCUSDT", shown.trade_id).next_update(), GUARD)
    assert [t.trade_id for t in update.trades] == [2, 3]
    assert update.book is not None and update.book.update_id == 7
    assert {c.interval for c in update.candles} == set(Interval)
    assert all(c.close == 102 for c in update.candles)


async def test_a_subscription_after_an_up_to_date_snapshot_repeats_no_print(running):
    feed, hub = running
    feed.sink.on_trade(trade(1, "100"))
    subscription = hub.subscribe_after("BTCUSDT", 1)
    feed.sink.on_trade(trade(2, "101"))
    assert [t.trade_id for t in (await asyncio.wait_for(subscription.next_update(), GUARD)).trades] == [2]


async def test_a_subscription_after_a_snapshot_without_prints_brings_every_kept_print(running):
    feed, hub = running
    feed.sink.on_trade(trade(1, "100"))
    update = await asyncio.wait_for(hub.subscribe_after("BTCUSDT", None).next_update(), GUARD)
    assert [t.trade_id for t in update.trades] == [1]
