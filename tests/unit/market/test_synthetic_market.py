"""The synthetic feed: deterministic, consistent candles, a sane book, live prints that become history."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import numpy as np
import pytest

from numatix.domain.market import FeedStatus, Interval
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.market.synthetic import SyntheticFeed

START = 1_764_000_000_000 - (1_764_000_000_000 % 60_000) + 17_000  # mid-minute


class FakeClock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += int(seconds * 1000) + 1
        await asyncio.sleep(0)


class Enough(Exception):
    pass


class Recorder:
    def __init__(self, clock: FakeClock, stop_at: int) -> None:
        self.clock, self.stop_at = clock, stop_at
        self.trades, self.books, self.tickers, self.statuses = [], [], [], []

    def on_trade(self, trade):
        if trade.time_ms >= self.stop_at:
            raise Enough
        self.trades.append(trade)

    def on_book(self, book):
        self.books.append(book)

    def on_ticker(self, ticker):
        self.tickers.append(ticker)

    def on_status(self, status):
        self.statuses.append(status)


def make_feed(seed: int = 7, days: int = 3, clock: FakeClock | None = None) -> SyntheticFeed:
    clock = clock or FakeClock(START)
    return SyntheticFeed(("BTCUSDT", "ETHUSDT"), seed=seed, clock=clock, history_days=days, sleep=clock.sleep)


async def run_until(feed: SyntheticFeed, clock: FakeClock, stop_at: int) -> Recorder:
    recorder = Recorder(clock, stop_at)
    with pytest.raises(Enough):
        await feed.run(recorder)
    return recorder


async def test_same_seed_same_market_different_seed_different_market():
    a, b, c = make_feed(7), make_feed(7), make_feed(8)
    history_a = await a.history("BTCUSDT", Interval.M1, None, 1000)
    assert history_a == await b.history("BTCUSDT", Interval.M1, None, 1000)
    assert history_a != await c.history("BTCUSDT", Interval.M1, None, 1000)
    clocks = [FakeClock(START), FakeClock(START)]
    feeds = [make_feed(7, clock=clock) for clock in clocks]
    runs = [await run_until(feed, clock, START + 90_000) for feed, clock in zip(feeds, clocks)]
    assert runs[0].trades == runs[1].trades and len(runs[0].trades) > 50


async def test_history_covers_the_requested_days_and_is_closed_and_continuous():
    feed = make_feed(days=3)
    minutes = await feed.history("BTCUSDT", Interval.M1, None, 10_000)
    assert len(minutes) == 3 * 1440
    assert all(c.closed for c in minutes)
    assert minutes[-1].open_time_ms == START - START % 60_000 - 60_000
    for previous, current in zip(minutes, minutes[1:]):
        assert current.open_time_ms - previous.open_time_ms == 60_000
        assert current.open == previous.close
    for candle in minutes:
        assert candle.low <= min(candle.open, candle.close) <= max(candle.open, candle.close) <= candle.high
        assert candle.volume > 0 and candle.trade_count > 0


@pytest.mark.parametrize("interval", [Interval.M5, Interval.M15, Interval.H1, Interval.H4, Interval.D1, Interval.W1])
async def test_higher_timeframes_are_the_aggregation_of_their_minutes(interval):
    feed = make_feed(days=15 if interval is Interval.W1 else 3)
    minutes = await feed.history("BTCUSDT", Interval.M1, None, 30_000)
    candles = await feed.history("BTCUSDT", interval, None, 1000)
    assert candles
    for candle in candles:
        inside = [m for m in minutes if interval.open_time(m.open_time_ms) == candle.open_time_ms]
        assert candle.open == inside[0].open and candle.close == inside[-1].close
        assert candle.high == max(m.high for m in inside) and candle.low == min(m.low for m in inside)
        assert candle.volume == sum(m.volume for m in inside)
        assert candle.trade_count == sum(m.trade_count for m in inside)


async def test_prices_and_sizes_sit_on_the_symbol_increments():
    feed = make_feed()
    spec = DEFAULT_SYMBOLS["BTCUSDT"]
    for candle in await feed.history("BTCUSDT", Interval.M1, None, 500):
        for price in (candle.open, candle.high, candle.low, candle.close):
            assert price % spec.tick_size == 0
        assert candle.volume % spec.step_size == 0


async def test_live_prints_continue_from_history_and_become_history():
    clock = FakeClock(START)
    feed = make_feed(clock=clock)
    last_close = (await feed.history("BTCUSDT", Interval.M1, None, 1))[-1].close
    minute_open = START - START % 60_000
    recorded = await run_until(feed, clock, minute_open + 3 * 60_000)
    assert recorded.statuses == [FeedStatus.LIVE]
    btc = [t for t in recorded.trades if t.symbol == "BTCUSDT"]
    assert btc[0].price == last_close  # the first live minute opens at the last history close
    assert [t.trade_id for t in btc] == sorted({t.trade_id for t in btc})
    assert all(a.time_ms <= b.time_ms for a, b in zip(recorded.trades, recorded.trades[1:]))
    history = await feed.history("BTCUSDT", Interval.M1, None, 3)
    for candle in history[-2:]:
        inside = [t for t in btc if Interval.M1.open_time(t.time_ms) == candle.open_time_ms]
        assert candle.open == inside[0].price and candle.close == inside[-1].price
        assert candle.high == max(t.price for t in inside) and candle.low == min(t.price for t in inside)
        assert candle.volume == sum(t.quantity for t in inside)
        assert candle.trade_count == len(inside)
    live_minutes = await feed.history("BTCUSDT", Interval.M1, None, 4)
    assert all(b.open == a.close for a, b in zip(live_minutes, live_minutes[1:]))


async def test_book_has_twenty_sorted_levels_on_the_tick_with_a_positive_spread():
    clock = FakeClock(START)
    recorded = await run_until(make_feed(clock=clock), clock, START + 60_000)
    spec = DEFAULT_SYMBOLS["BTCUSDT"]
    books = [b for b in recorded.books if b.symbol == "BTCUSDT"]
    assert len(books) > 20
    for book in books:
        assert len(book.bids) == 20 and len(book.asks) == 20
        assert book.best_bid < book.best_ask
        assert book.best_ask - book.best_bid >= spec.tick_size
        assert [l.price for l in book.bids] == sorted((l.price for l in book.bids), reverse=True)
        assert [l.price for l in book.asks] == sorted(l.price for l in book.asks)
        assert all(l.price % spec.tick_size == 0 and l.quantity > 0 for l in book.bids + book.asks)
    spreads = [(b.best_ask - b.best_bid) / spec.tick_size for b in books]
    assert np.median(spreads) == 1
    times = [b.time_ms for b in books]
    assert all(b - a >= 100 for a, b in zip(times, times[1:]))


async def test_trade_sizes_have_a_small_median_and_a_heavy_tail():
    clock = FakeClock(START)
    recorded = await run_until(make_feed(clock=clock), clock, START + 10 * 60_000)
    sizes = np.array([float(t.quantity) for t in recorded.trades if t.symbol == "BTCUSDT"])
    median, mean = np.median(sizes), sizes.mean()
    assert 0.001 <= median <= 0.01
    assert 0.008 <= mean <= 0.06
    assert (sizes > 10 * median).mean() > 0.01
    assert {t.buyer_is_maker for t in recorded.trades} == {True, False}


async def test_ticker_rolls_the_last_day():
    clock = FakeClock(START)
    feed = make_feed(clock=clock)
    recorded = await run_until(feed, clock, START + 5_000)
    ticker = [t for t in recorded.tickers if t.symbol == "BTCUSDT"][-1]
    day = (await feed.history("BTCUSDT", Interval.M1, None, 1439))
    assert ticker.high_price >= max(c.high for c in day)
    assert ticker.low_price <= min(c.low for c in day)
    assert ticker.volume > sum(c.volume for c in day) - Decimal("0.00001")
    assert ticker.open_price == day[0].open


async def test_prints_arrive_in_bursts_and_tickers_every_second():
    clock = FakeClock(START)
    recorded = await run_until(make_feed(clock=clock), clock, START + 10 * 60_000)
    seconds = np.array([t.time_ms // 1000 for t in recorded.trades if t.symbol == "BTCUSDT"])
    per_second = np.bincount(seconds - seconds.min())
    assert 1 <= per_second.mean() <= 20
    assert per_second.var() / per_second.mean() > 1.5  # clustered: far more uneven than a Poisson stream
    ticker_times = sorted({t.time_ms for t in recorded.tickers if t.symbol == "BTCUSDT"})
    assert len(ticker_times) >= 9 * 60
    assert all(b - a == 1000 for a, b in zip(ticker_times, ticker_times[1:]))
    assert {t.symbol for t in recorded.tickers} == {"BTCUSDT", "ETHUSDT"}


async def test_every_symbol_starts_near_its_late_2026_price():
    feed = SyntheticFeed(tuple(DEFAULT_SYMBOLS), seed=7, clock=FakeClock(START), history_days=30)
    levels = {"BTCUSDT": 97_000, "ETHUSDT": 3_400, "BNBUSDT": 650, "SOLUSDT": 180}
    for symbol, level in levels.items():
        closes = [float(c.close) for c in await feed.history(symbol, Interval.D1, None, 40)]
        assert len(closes) >= 29
        assert all(0.5 * level <= close <= 2 * level for close in closes)
