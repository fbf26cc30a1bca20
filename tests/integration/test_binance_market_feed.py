"""The Binance market feed against a local server speaking Binance's wire format, over real sockets."""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal

import pytest

from numatix.config import load_settings
from numatix.domain.backoff import Backoff
from numatix.domain.market import FeedKind, FeedStatus, Interval
from numatix.market.binance_feed import BinanceMarketFeed
from numatix.market.hub import MarketHub
from numatix.market.selection import choose_feed
from tests.support.app_server import free_port
from tests.support.binance_stream_server import BinanceStreamServer

NOW = 1_764_000_000_000


class Sink:
    def __init__(self) -> None:
        self.trades, self.books, self.tickers, self.statuses = [], [], [], []
        self.changed = asyncio.Event()

    def _note(self, bucket, item):
        bucket.append(item)
        self.changed.set()

    def on_trade(self, trade):
        self._note(self.trades, trade)

    def on_book(self, book):
        self._note(self.books, book)

    def on_ticker(self, ticker):
        self._note(self.tickers, ticker)

    def on_status(self, status):
        self._note(self.statuses, status)

    async def until(self, condition, timeout: float = 5.0) -> None:
        async def wait():
            while not condition():
                self.changed.clear()
                await self.changed.wait()
        await asyncio.wait_for(wait(), timeout)


def agg_trade(trade_id: int, price: str) -> dict:
    return {"e": "aggTrade", "E": NOW, "s": "BTCUSDT", "a": trade_id, "p": price, "q": "0.01200000",
            "f": 1, "l": 2, "T": NOW + trade_id, "m": True, "M": True}


@pytest.fixture
async def server():
    async with BinanceStreamServer(NOW) as running:
        yield running


def feed_for(server: BinanceStreamServer) -> BinanceMarketFeed:
    fast = Backoff(base_seconds=0.02, cap_seconds=0.1, rng=random.Random(1))
    return BinanceMarketFeed(("BTCUSDT", "ETHUSDT"), server.url, server.stream_url, backoff=fast)


async def test_combined_stream_frames_become_domain_events(server):
    feed, sink = feed_for(server), Sink()
    task = asyncio.create_task(feed.run(sink))
    try:
        await asyncio.wait_for(server.connected.wait(), 5)
        assert set(server.subscriptions[0]) == {
            "btcusdt@aggTrade", "btcusdt@depth20@100ms", "btcusdt@ticker",
            "ethusdt@aggTrade", "ethusdt@depth20@100ms", "ethusdt@ticker",
        }
        await server.publish("btcusdt@aggTrade", agg_trade(7, "97000.01000000"))
        await server.publish("btcusdt@depth20@100ms", {"lastUpdateId": 160, "bids": [["96999.99", "1.5"]],
                                                       "asks": [["97000.01", "0.25"]]})
        await server.publish("btcusdt@ticker", {"e": "24hrTicker", "E": NOW, "s": "BTCUSDT", "c": "97000.01",
                                                "o": "95000.00", "h": "97500.00", "l": "94000.00", "v": "1234.5",
                                                "q": "119000000.5", "p": "2000.01", "P": "2.105"})
        await sink.until(lambda: sink.trades and sink.books and sink.tickers)
        trade = sink.trades[0]
        assert (trade.symbol, trade.trade_id, trade.price, trade.quantity) == ("BTCUSDT", 7, Decimal("97000.01"), Decimal("0.012"))
        assert trade.buyer_is_maker is True and trade.time_ms == NOW + 7
        book = sink.books[0]
        assert book.symbol == "BTCUSDT" and book.update_id == 160
        assert book.best_bid == Decimal("96999.99") and book.asks[0].quantity == Decimal("0.25")
        ticker = sink.tickers[0]
        assert ticker.open_price == Decimal("95000.00") and ticker.price_change == Decimal("2000.01")
        assert sink.statuses == [FeedStatus.LIVE]
    finally:
        task.cancel()


async def test_a_dropped_connection_reconnects_and_prints_keep_flowing(server):
    feed, sink = feed_for(server), Sink()
    task = asyncio.create_task(feed.run(sink))
    try:
        await asyncio.wait_for(server.connected.wait(), 5)
        await server.publish("btcusdt@aggTrade", agg_trade(1, "100"))
        await sink.until(lambda: len(sink.trades) == 1)
        await server.drop_connections()
        await sink.until(lambda: FeedStatus.RECONNECTING in sink.statuses)
        await asyncio.wait_for(server.connected.wait(), 5)
        await sink.until(lambda: sink.statuses[-1] is FeedStatus.LIVE)
        await server.publish("btcusdt@aggTrade", agg_trade(2, "101"))
        await sink.until(lambda: len(sink.trades) == 2)
        assert sink.statuses == [FeedStatus.LIVE, FeedStatus.RECONNECTING, FeedStatus.LIVE]
        assert feed.connections == 2
    finally:
        task.cancel()


async def test_an_unreachable_stream_goes_offline_after_repeated_failures():
    closed_port = free_port()
    fast = Backoff(base_seconds=0.01, cap_seconds=0.02, rng=random.Random(1))
    feed = BinanceMarketFeed(("BTCUSDT",), f"http://127.0.0.1:{closed_port}", f"ws://127.0.0.1:{closed_port}",
                             backoff=fast, offline_after_attempts=3)
    sink = Sink()
    task = asyncio.create_task(feed.run(sink))
    try:
        await sink.until(lambda: FeedStatus.OFFLINE in sink.statuses)
        assert sink.statuses[0] is FeedStatus.RECONNECTING
    finally:
        task.cancel()


async def test_history_comes_from_rest_klines_closed_only(server):
    feed = feed_for(server)
    candles = await feed.history("BTCUSDT", Interval.H1, NOW - 1, 10)
    assert len(candles) == 10
    assert server.kline_requests[-1] == {"symbol": "BTCUSDT", "interval": "1h", "limit": "11", "endTime": str(NOW - 1)}
    assert all(c.closed and c.interval is Interval.H1 for c in candles)
    assert [b.open_time_ms - a.open_time_ms for a, b in zip(candles, candles[1:])] == [3_600_000] * 9
    assert candles[0].high - candles[0].open == Decimal(2) and candles[0].trade_count == 42


async def test_the_hub_runs_on_the_binance_feed_end_to_end(server):
    hub = MarketHub(feed_for(server))
    await hub.start()
    try:
        subscription = hub.subscribe("BTCUSDT")
        await asyncio.wait_for(server.connected.wait(), 5)
        await server.publish("btcusdt@aggTrade", agg_trade(9, "123.45"))
        while True:
            update = await asyncio.wait_for(subscription.next_update(), 5)
            if update.trades:
                break
        assert update.trades[-1].price == Decimal("123.45") and hub.feed_kind is FeedKind.BINANCE
    finally:
        await hub.stop()


async def test_auto_takes_binance_when_it_answers_and_synthetic_when_it_does_not(server, tmp_path):
    answering = load_settings({"NUMATIX_DATA_DIR": str(tmp_path), "NUMATIX_MARKET_REST_URL": server.url,
                               "NUMATIX_MARKET_STREAM_URL": server.stream_url})
    assert (await choose_feed(answering)).kind is FeedKind.BINANCE
    silent = load_settings({"NUMATIX_DATA_DIR": str(tmp_path),
                            "NUMATIX_MARKET_REST_URL": f"http://127.0.0.1:{free_port()}"})
    assert (await choose_feed(silent)).kind is FeedKind.SYNTHETIC
