"""The replay feed: Binance kline dumps in, prints that rebuild the recorded bars out."""

from __future__ import annotations

import asyncio
import random
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numatix.domain.market import FeedKind, FeedStatus, Interval
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.market.replay import (
    WARM_UP_BARS, KlineBar, ReplayDataError, ReplayError, ReplayFeed, bridge_prints, bridge_waypoints,
    load_bars, read_kline_csv, symbol_of,
)

KLINES = Path(__file__).resolve().parents[2] / "fixtures" / "klines"
BTC_FILE = KLINES / "BTCUSDT-1m-2024-01-01.csv"
ETH_FILE = KLINES / "ETHUSDT-1m-2024-01-01.csv"
FIRST_OPEN = 1_704_067_200_000  # 2024-01-01 00:00 UTC
WALL_START = 1_800_000_000_000


class FakeClock:
    def __init__(self) -> None:
        self.now = WALL_START

    def __call__(self) -> int:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(1, round(seconds * 1000))
        await asyncio.sleep(0)


class Enough(Exception):
    pass


class Recorder:
    def __init__(self, stop_at_market_ms: int) -> None:
        self.stop_at = stop_at_market_ms
        self.trades, self.books, self.tickers, self.statuses = [], [], [], []

    def on_trade(self, trade):
        if trade.time_ms >= self.stop_at:
            self.stopped_by = trade
            raise Enough
        self.trades.append(trade)

    def on_book(self, book):
        self.books.append(book)

    def on_ticker(self, ticker):
        self.tickers.append(ticker)

    def on_status(self, status):
        self.statuses.append(status)


def replay(speed: float = 60.0, clock: FakeClock | None = None, **kwargs) -> ReplayFeed:
    clock = clock or FakeClock()
    return ReplayFeed(KLINES, speed=speed, clock=clock, sleep=clock.sleep, **kwargs)


async def play(feed: ReplayFeed, stop_at_market_ms: int) -> Recorder:
    recorder = Recorder(stop_at_market_ms)
    with pytest.raises(Enough):
        await feed.run(recorder)
    return recorder


def test_millisecond_and_microsecond_dumps_read_to_the_same_times_header_or_not():
    btc, eth = read_kline_csv(BTC_FILE), read_kline_csv(ETH_FILE)
    assert ETH_FILE.read_text().startswith("open_time,")  # the µs file has a header, the ms one has none
    assert not BTC_FILE.read_text().startswith("open_time,")
    assert len(btc) == len(eth) == 360
    assert btc[0].open_time_ms == eth[0].open_time_ms == FIRST_OPEN
    assert [b.open_time_ms for b in eth] == [FIRST_OPEN + i * 60_000 for i in range(360)]
    first_row = BTC_FILE.read_text().splitlines()[0].split(",")
    assert btc[0].open == Decimal(first_row[1]) and btc[0].volume == Decimal(first_row[5])
    assert btc[0].trade_count == int(first_row[8])


def test_file_names_give_the_symbol_and_bad_files_are_refused(tmp_path):
    assert symbol_of(BTC_FILE) == "BTCUSDT"
    with pytest.raises(ReplayError):
        symbol_of(tmp_path / "BTCUSDT-trades-2024-01-01.csv")
    bad = tmp_path / "BTCUSDT-1m-2024-01-02.csv"
    bad.write_text("1704153600000,100.00,99.00,98.00,100.50,1.0,1704153659999,100.0,5,0.5,50.0,0\n")
    with pytest.raises(ReplayDataError, match="BTCUSDT-1m-2024-01-02.csv:1"):
        read_kline_csv(bad)
    with pytest.raises(ReplayError):
        load_bars(tmp_path / "missing")


def test_a_folder_merges_days_and_drops_duplicate_bars(tmp_path):
    shutil.copy(BTC_FILE, tmp_path / BTC_FILE.name)
    shutil.copy(BTC_FILE, tmp_path / "BTCUSDT-1m-2024-01-01-copy.csv")
    bars = load_bars(tmp_path)
    assert list(bars) == ["BTCUSDT"] and len(bars["BTCUSDT"]) == 360


def assert_bridge_replays(bar: KlineBar, pairs: list[tuple[Decimal, Decimal]], step: Decimal) -> None:
    prices = [price for price, _ in pairs]
    assert prices[0] == bar.open and prices[-1] == bar.close
    assert max(prices) == bar.high and min(prices) == bar.low
    visited = [prices.index(w, prices.index(bar.open)) for w in bridge_waypoints(bar)[1:-1]]
    assert visited == sorted(visited)  # O→L→H→C or O→H→L→C, in that order
    assert all(q >= step and q % step == 0 for _, q in pairs)
    if bar.volume >= step * len(bridge_waypoints(bar)):
        assert sum(q for _, q in pairs) == bar.volume


def test_bridge_hits_every_recorded_bar_exactly():
    spec = DEFAULT_SYMBOLS["BTCUSDT"]
    for bar in read_kline_csv(BTC_FILE):
        pairs = bridge_prints(bar, spec, max_prints=30, rng=random.Random(bar.open_time_ms))
        assert len(pairs) <= max(30, 4)
        assert_bridge_replays(bar, pairs, spec.step_size)


def test_a_falling_bar_visits_the_high_before_the_low():
    bar = KlineBar(0, Decimal("100.00"), Decimal("101.00"), Decimal("98.00"), Decimal("99.00"), Decimal("5"),
                   Decimal("500"), 50)
    assert bridge_waypoints(bar) == [Decimal("100.00"), Decimal("101.00"), Decimal("98.00"), Decimal("99.00")]


@settings(max_examples=200, deadline=None)
@given(
    open_ticks=st.integers(1_000, 10_000_000),
    moves=st.tuples(st.integers(-5_000, 5_000), st.integers(0, 3_000), st.integers(0, 3_000)),
    volume_steps=st.integers(0, 10**7),
    count=st.integers(1, 5_000),
    max_prints=st.integers(1, 200),
)
def test_bridge_invariants_hold_for_any_sane_bar(open_ticks, moves, volume_steps, count, max_prints):
    spec = DEFAULT_SYMBOLS["BTCUSDT"]
    tick = spec.tick_size
    close_ticks = max(1, open_ticks + moves[0])
    high = (max(open_ticks, close_ticks) + moves[1]) * tick
    low = max(1, min(open_ticks, close_ticks) - moves[2]) * tick
    bar = KlineBar(0, open_ticks * tick, high, low, close_ticks * tick, volume_steps * spec.step_size, Decimal(0), count)
    assert_bridge_replays(bar, bridge_prints(bar, spec, max_prints, random.Random(1)), spec.step_size)


async def test_history_before_run_stops_at_the_start_and_aggregates_every_interval():
    feed = replay()
    assert feed.kind is FeedKind.REPLAY and feed.symbols == ("BTCUSDT", "ETHUSDT")
    assert feed.start_time_ms == FIRST_OPEN + WARM_UP_BARS * 60_000
    bars = read_kline_csv(BTC_FILE)[:WARM_UP_BARS]
    minutes = await feed.history("BTCUSDT", Interval.M1, None, 1000)
    assert [(m.open_time_ms, m.open, m.high, m.low, m.close, m.volume, m.trade_count) for m in minutes] == [
        (b.open_time_ms, b.open, b.high, b.low, b.close, b.volume, b.trade_count) for b in bars
    ]
    for interval in (Interval.M5, Interval.M15, Interval.H1):
        candles = await feed.history("BTCUSDT", interval, None, 1000)
        assert len(candles) == WARM_UP_BARS * 60_000 // interval.milliseconds
        for candle in candles:
            inside = [b for b in bars if interval.open_time(b.open_time_ms) == candle.open_time_ms]
            assert (candle.open, candle.close) == (inside[0].open, inside[-1].close)
            assert candle.high == max(b.high for b in inside) and candle.low == min(b.low for b in inside)
            assert candle.volume == sum(b.volume for b in inside)
    assert (await feed.history("BTCUSDT", Interval.M1, FIRST_OPEN + 9 * 60_000, 5))[-1].open_time_ms == (
        FIRST_OPEN + 9 * 60_000)
    assert await feed.history("BTCUSDT", Interval.D1, None, 10) == []  # the day is not over at the position


async def test_prints_rebuild_the_recorded_bars_and_history_follows_the_replay():
    clock = FakeClock()
    feed = replay(speed=60.0, clock=clock)
    start = feed.start_time_ms
    recorded = await play(feed, start + 5 * 60_000)
    assert recorded.statuses == [FeedStatus.LIVE]
    bars = {b.open_time_ms: b for b in read_kline_csv(BTC_FILE)}
    btc = [t for t in recorded.trades if t.symbol == "BTCUSDT"]
    assert [t.trade_id for t in btc] == list(range(btc[0].trade_id, btc[0].trade_id + len(btc)))
    for minute in range(start, start + 5 * 60_000, 60_000):
        inside = [t for t in btc if Interval.M1.open_time(t.time_ms) == minute]
        bar = bars[minute]
        assert inside[0].price == bar.open and inside[-1].price == bar.close
        assert max(t.price for t in inside) == bar.high and min(t.price for t in inside) == bar.low
        assert sum(t.quantity for t in inside) == bar.volume
    later = await feed.history("BTCUSDT", Interval.M1, None, 3)
    assert later[-1].open_time_ms == start + 4 * 60_000  # the clock reached minute 6: minute 5 is history
    assert all(a.time_ms <= b.time_ms for a, b in zip(recorded.trades, recorded.trades[1:]))


@pytest.mark.parametrize("speed", [1.0, 10.0, 60.0])
async def test_speed_sets_how_fast_market_time_passes(speed):
    clock = FakeClock()
    feed = replay(speed=speed, clock=clock)
    recorded = await play(feed, feed.start_time_ms + (2 if speed > 1 else 1) * 60_000)
    market_elapsed = recorded.stopped_by.time_ms - feed.start_time_ms
    assert market_elapsed >= 60_000
    assert abs((clock.now - WALL_START) - market_elapsed / speed) <= 5


async def test_books_and_tickers_are_sane():
    clock = FakeClock()
    feed = replay(speed=10.0, clock=clock)
    recorded = await play(feed, feed.start_time_ms + 3 * 60_000)
    tick = DEFAULT_SYMBOLS["BTCUSDT"].tick_size
    books = [b for b in recorded.books if b.symbol == "BTCUSDT"]
    assert books
    for book in books:
        assert len(book.bids) == len(book.asks) == 20
        assert book.best_ask - book.best_bid == tick
        assert [l.price for l in book.bids] == sorted((l.price for l in book.bids), reverse=True)
        assert all(l.quantity > 0 and l.price % tick == 0 for l in book.bids + book.asks)
    ticker = [t for t in recorded.tickers if t.symbol == "BTCUSDT"][-1]
    played = [b for b in read_kline_csv(BTC_FILE) if b.open_time_ms <= ticker.time_ms]
    assert ticker.open_price == played[0].open  # less than a day recorded: the day opened at the first bar
    assert ticker.high_price <= max(b.high for b in played) and ticker.low_price >= min(b.low for b in played)
    printed = [t for t in recorded.trades if t.symbol == "BTCUSDT" and t.time_ms <= ticker.time_ms]
    assert ticker.last_price == printed[-1].price


async def test_the_replay_ends_offline_when_the_data_runs_out():
    clock = FakeClock()
    feed = replay(speed=1000.0, clock=clock, start_time_ms=FIRST_OPEN + 355 * 60_000, symbols=("BTCUSDT",))
    recorder = Recorder(stop_at_market_ms=2**62)
    await feed.run(recorder)
    assert recorder.statuses == [FeedStatus.LIVE, FeedStatus.OFFLINE]
    assert {Interval.M1.open_time(t.time_ms) for t in recorder.trades} == {
        FIRST_OPEN + i * 60_000 for i in range(355, 360)}


def test_symbols_without_files_are_left_out_and_none_at_all_is_an_error():
    feed = ReplayFeed(KLINES, symbols=("BTCUSDT", "SOLUSDT"))
    assert feed.symbols == ("BTCUSDT",)
    with pytest.raises(ReplayError):
        ReplayFeed(KLINES, symbols=("SOLUSDT",))
    with pytest.raises(ReplayError):
        ReplayFeed(KLINES, speed=0)
