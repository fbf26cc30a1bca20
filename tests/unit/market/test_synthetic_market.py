"""The synthetic feed: deterministic, years of consistent history, one book whose trades are the tape."""

from __future__ import annotations

import asyncio
import itertools
from decimal import Decimal

import numpy as np
import pytest

from numatix.domain.market import FeedStatus, Interval
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.market.synthetic import SyntheticFeed
from numatix.market.synthetic.history import HistoryDepth

START = 1_764_000_000_000 - (1_764_000_000_000 % 60_000) + 17_000  # mid-minute
DAY_MS = 86_400_000
SHALLOW = HistoryDepth(minute_days=2, hour_days=30, day_days=60)


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


def make_feed(
    seed: int = 7,
    clock: FakeClock | None = None,
    depth: HistoryDepth = SHALLOW,
    symbols: tuple[str, ...] = ("BTCUSDT", "ETHUSDT"),
) -> SyntheticFeed:
    clock = clock or FakeClock(START)
    return SyntheticFeed(symbols, seed=seed, clock=clock, sleep=clock.sleep, depth=depth)


async def run_until(feed: SyntheticFeed, clock: FakeClock, stop_at: int) -> Recorder:
    recorder = Recorder(clock, stop_at)
    with pytest.raises(Enough):
        await feed.run(recorder)
    return recorder


@pytest.fixture(scope="module")
def deep_feed() -> SyntheticFeed:
    """The default depth of history, as ``make run`` starts with."""
    return SyntheticFeed(("BTCUSDT",), seed=7, clock=FakeClock(START))


async def test_same_seed_same_market_different_seed_different_market():
    a, b, c = make_feed(7), make_feed(7), make_feed(8)
    history_a = await a.history("BTCUSDT", Interval.M1, None, 1000)
    assert history_a == await b.history("BTCUSDT", Interval.M1, None, 1000)
    assert history_a != await c.history("BTCUSDT", Interval.M1, None, 1000)
    clocks = [FakeClock(START), FakeClock(START)]
    feeds = [make_feed(7, clock=clock) for clock in clocks]
    runs = [await run_until(feed, clock, START + 90_000) for feed, clock in zip(feeds, clocks)]
    assert runs[0].trades == runs[1].trades and len(runs[0].trades) > 50
    assert [book.bids for book in runs[0].books] == [book.bids for book in runs[1].books]


async def test_every_timeframe_has_at_least_500_candles_and_hours_reach_back_two_years(deep_feed):
    for interval in Interval:
        candles = await deep_feed.history("BTCUSDT", interval, None, 1000)
        assert len(candles) >= 500, interval
        assert all(c.closed for c in candles)
        steps = {b.open_time_ms - a.open_time_ms for a, b in itertools.pairwise(candles)}
        assert steps == {interval.milliseconds}, interval  # no gaps, no duplicates
    live_minute = START - START % 60_000
    hours = await deep_feed.history("BTCUSDT", Interval.H1, live_minute - 2 * 365 * DAY_MS, 10)
    assert len(hours) == 10 and hours[-1].open_time_ms <= live_minute - 2 * 365 * DAY_MS
    weeks = await deep_feed.history("BTCUSDT", Interval.W1, None, 1000)
    assert weeks[0].close < weeks[-1].close / 3  # a decade back the price was far lower, as Bitcoin's


@pytest.mark.parametrize(
    ("coarse", "fine"),
    [
        (Interval.D1, Interval.H1),
        (Interval.H1, Interval.M1),
        (Interval.W1, Interval.D1),
        (Interval.H4, Interval.H1),
    ],
)
async def test_each_timeframe_is_the_aggregation_of_the_finer_one_across_the_layers(deep_feed, coarse, fine):
    """Daily candles of last year are their hours; hourly candles of this week their minutes."""
    fine_candles = await deep_feed.history("BTCUSDT", fine, None, 100_000)
    coarse_candles = await deep_feed.history("BTCUSDT", coarse, None, 1000)
    by_bucket: dict[int, list] = {}
    for candle in fine_candles:
        by_bucket.setdefault(coarse.open_time(candle.open_time_ms), []).append(candle)
    checked = 0
    for candle in coarse_candles:
        inside = by_bucket.get(candle.open_time_ms)
        if (
            not inside
            or inside[0].open_time_ms != candle.open_time_ms
            or len(inside) * fine.milliseconds != coarse.milliseconds
        ):
            continue  # older than the finer layer reaches
        checked += 1
        assert candle.open == inside[0].open and candle.close == inside[-1].close
        assert candle.high == max(c.high for c in inside) and candle.low == min(c.low for c in inside)
        assert candle.volume == sum(c.volume for c in inside)
        assert candle.taker_buy_volume == sum(c.taker_buy_volume for c in inside)
        assert candle.trade_count == sum(c.trade_count for c in inside)
        assert (
            candle.first_trade_id == inside[0].first_trade_id
            and candle.last_trade_id == inside[-1].last_trade_id
        )
    assert checked >= 3


async def test_candles_are_continuous_sane_and_on_the_increments(deep_feed):
    spec = DEFAULT_SYMBOLS["BTCUSDT"]
    for interval in (Interval.M1, Interval.H1, Interval.D1):
        candles = await deep_feed.history("BTCUSDT", interval, None, 1000)
        for previous, current in itertools.pairwise(candles):
            assert current.open == previous.close
            assert current.first_trade_id == previous.last_trade_id + 1
        for candle in candles:
            assert (
                candle.low <= min(candle.open, candle.close) <= max(candle.open, candle.close) <= candle.high
            )
            assert candle.volume > 0 and candle.trade_count > 0
            assert 0 <= candle.taker_buy_volume <= candle.volume
            for price in (candle.open, candle.high, candle.low, candle.close):
                assert price % spec.tick_size == 0
            assert candle.volume % spec.step_size == 0


async def test_live_prints_continue_from_history_and_become_history():
    clock = FakeClock(START)
    feed = make_feed(clock=clock)
    last = (await feed.history("BTCUSDT", Interval.M1, None, 1))[-1]
    minute_open = START - START % 60_000
    recorded = await run_until(feed, clock, minute_open + 3 * 60_000)
    assert recorded.statuses == [FeedStatus.LIVE]
    btc = [t for t in recorded.trades if t.symbol == "BTCUSDT"]
    assert abs(btc[0].price - last.close) <= last.close * Decimal(
        "0.005"
    )  # the book opens around the last close
    assert btc[0].trade_id == last.last_trade_id + 1
    assert [t.trade_id for t in btc] == list(range(btc[0].trade_id, btc[0].trade_id + len(btc)))
    assert all(a.time_ms <= b.time_ms for a, b in zip(recorded.trades, recorded.trades[1:]))
    history = await feed.history("BTCUSDT", Interval.M1, None, 3)
    for candle in history[-2:]:
        inside = [t for t in btc if Interval.M1.open_time(t.time_ms) == candle.open_time_ms]
        assert candle.open == inside[0].price and candle.close == inside[-1].price
        assert candle.high == max(t.price for t in inside) and candle.low == min(t.price for t in inside)
        assert candle.volume == sum(t.quantity for t in inside)
        assert candle.taker_buy_volume == sum(t.quantity for t in inside if not t.buyer_is_maker)
        assert candle.trade_count == len(inside)


async def test_published_books_are_deep_sorted_uncrossed_and_mostly_one_tick_wide():
    clock = FakeClock(START)
    recorded = await run_until(make_feed(clock=clock), clock, START + 60_000)
    spec = DEFAULT_SYMBOLS["BTCUSDT"]
    books = [b for b in recorded.books if b.symbol == "BTCUSDT"]
    assert len(books) > 100
    for book in books:
        assert len(book.bids) == 50 and len(book.asks) == 50
        assert book.best_bid < book.best_ask
        assert [level.price for level in book.bids] == sorted(
            (level.price for level in book.bids), reverse=True
        )
        assert [level.price for level in book.asks] == sorted(level.price for level in book.asks)
        assert all(
            level.price % spec.tick_size == 0 and level.quantity > 0 for level in book.bids + book.asks
        )
    spreads = np.array([(b.best_ask - b.best_bid) / spec.tick_size for b in books])
    assert np.median(spreads) == 1 and (spreads == 1).mean() > 0.8
    touch = np.median([float(b.bids[0].quantity + b.asks[0].quantity) / 2 for b in books])
    assert touch >= 0.5  # whole bitcoins at the best price
    times = [b.time_ms for b in books]
    assert all(b - a >= 100 for a, b in itertools.pairwise(times))
    assert [b.update_id for b in books] == sorted(b.update_id for b in books)


async def test_consecutive_prints_mostly_repeat_a_price_or_step_one_tick():
    """As on Binance: a taker fills several resting orders at one price, and bursts meet the same touch."""
    clock = FakeClock(START)
    recorded = await run_until(make_feed(clock=clock, symbols=("BTCUSDT",)), clock, START + 5 * 60_000)
    tick = DEFAULT_SYMBOLS["BTCUSDT"].tick_size
    prices = np.array([float(t.price / tick) for t in recorded.trades])
    steps = np.abs(np.diff(prices))
    assert (steps == 0).mean() > 0.4 and (steps <= 1).mean() > 0.6


async def test_trade_sizes_have_a_small_median_and_a_heavy_tail():
    clock = FakeClock(START)
    recorded = await run_until(make_feed(clock=clock, symbols=("BTCUSDT",)), clock, START + 6 * 60_000)
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
    day = await feed.history("BTCUSDT", Interval.M1, None, 1439)
    assert ticker.high_price >= max(c.high for c in day)
    assert ticker.low_price <= min(c.low for c in day)
    assert ticker.volume > sum(c.volume for c in day) - Decimal("0.00001")
    assert ticker.open_price == day[0].open


async def test_prints_arrive_in_bursts_and_tickers_every_second():
    clock = FakeClock(START)
    recorded = await run_until(make_feed(clock=clock), clock, START + 4 * 60_000)
    seconds = np.array([t.time_ms // 1000 for t in recorded.trades if t.symbol == "BTCUSDT"])
    per_second = np.bincount(seconds - seconds.min())
    assert 1 <= per_second.mean() <= 20
    assert per_second.var() / per_second.mean() > 1.5  # clustered: far more uneven than a Poisson stream
    ticker_times = sorted({t.time_ms for t in recorded.tickers if t.symbol == "BTCUSDT"})
    assert len(ticker_times) >= 3 * 60
    assert all(b - a == 1000 for a, b in itertools.pairwise(ticker_times))
    assert {t.symbol for t in recorded.tickers} == {"BTCUSDT", "ETHUSDT"}


async def test_every_symbol_starts_near_its_late_2026_price():
    feed = SyntheticFeed(tuple(DEFAULT_SYMBOLS), seed=7, clock=FakeClock(START), depth=SHALLOW)
    levels = {"BTCUSDT": 97_000, "ETHUSDT": 3_400, "BNBUSDT": 650, "SOLUSDT": 180}
    for symbol, level in levels.items():
        closes = [float(c.close) for c in await feed.history(symbol, Interval.D1, None, 40)]
        assert len(closes) >= 29
        assert all(0.5 * level <= close <= 2 * level for close in closes)
        assert abs(closes[-1] / level - 1) < 0.1


async def test_full_depth_goes_far_beyond_what_is_published():
    feed = make_feed(symbols=("BTCUSDT",))
    book = feed.depth("BTCUSDT", 5000)
    assert len(book.bids) > 500 and len(book.asks) > 500
    mid = (book.best_bid + book.best_ask) / 2
    within = sum(level.quantity for level in book.asks if level.price <= mid * Decimal("1.001"))
    assert within >= 5  # bitcoins within 10 bps of the price

