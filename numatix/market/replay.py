"""Replay of Binance's public one-minute kline dumps, so a user can practise on a real past day.

Reads ``<SYMBOL>-1m-*.csv`` files as published on data.binance.vision (with or without a
header row; open times in milliseconds, or microseconds in the 2025+ dumps). Each bar is
played as trade prints along a bridge that hits its open, high, low and close exactly,
with sizes adding up to the bar's volume, so the candles the hub builds from the prints
are the recorded ones. Prints carry the recorded (market) times; the replay clock runs
at ``speed`` × wall time from ``start_time_ms``.
"""

from __future__ import annotations

import asyncio
import csv
import logging
import random
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np

from numatix.domain.market import (
    BookLevel,
    BookSnapshot,
    Candle,
    FeedKind,
    FeedStatus,
    Interval,
    Ticker24h,
    TradePrint,
)
from numatix.domain.symbols import DEFAULT_SYMBOLS, SymbolSpec
from numatix.market.feed import FeedSink
from numatix.market.synthetic.bars import QUOTE_UNIT, Bars, Layer

logger = logging.getLogger(__name__)

MINUTE_MS = 60_000
DAY_MS = 86_400_000
MICROSECOND_TIMES_ABOVE = 10**14  # ms epochs stay below this until the year 5138
WARM_UP_BARS = 240  # by default the replay starts after four hours of history, when the file has them
PRINTS_PER_WALL_SECOND = 2.0  # per symbol, whatever the speed: what a person can follow
BOOK_LEVELS = 20
BOOK_MIN_GAP_MS = 100  # wall time between two books of a symbol (≤ 10 a second)
TICKER_EVERY_MS = 1000  # wall time


class ReplayError(Exception):
    """The replay cannot start: no usable files, or nothing for the requested symbols."""


class ReplayDataError(ReplayError):
    """A kline file holds a row that is not a sane bar; the message names file and line."""


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True, slots=True)
class KlineBar:
    open_time_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote_volume: Decimal
    trade_count: int


def read_kline_csv(path: Path) -> list[KlineBar]:
    """Bars of one dump file, oldest first."""
    bars = []
    with path.open(newline="") as handle:
        for line_number, row in enumerate(csv.reader(handle), start=1):
            if not row or (line_number == 1 and not row[0].strip().isdigit()):
                continue  # blank line, or the header row of newer dumps
            bars.append(_parse_row(row, f"{path.name}:{line_number}"))
    return sorted(bars, key=lambda bar: bar.open_time_ms)


def _parse_row(row: list[str], where: str) -> KlineBar:
    try:
        open_time = int(row[0])
        open_, high, low, close, volume = (Decimal(field) for field in row[1:6])
        bar = KlineBar(
            open_time // 1000 if open_time > MICROSECOND_TIMES_ABOVE else open_time,
            open_, high, low, close, volume, Decimal(row[7]), int(row[8]),
        )
    except (IndexError, ValueError, InvalidOperation):
        raise ReplayDataError(f"{where}: not a Binance kline row: {','.join(row)[:120]}") from None
    if not (bar.low <= min(bar.open, bar.close) and max(bar.open, bar.close) <= bar.high) or bar.low <= 0:
        raise ReplayDataError(f"{where}: high/low do not contain open/close")
    if bar.volume < 0:
        raise ReplayDataError(f"{where}: negative volume")
    return bar


def symbol_of(path: Path) -> str:
    """``BTCUSDT-1m-2024-01-01.csv`` → ``BTCUSDT``."""
    symbol, _, rest = path.name.partition("-")
    if not rest.startswith("1m-") or path.suffix.lower() != ".csv":
        raise ReplayError(f"{path.name}: expected a one-minute kline dump named <SYMBOL>-1m-<date>.csv")
    return symbol.upper()


def load_bars(path: Path) -> dict[str, list[KlineBar]]:
    """Bars per symbol from one file or every ``*-1m-*.csv`` in a folder (duplicates dropped)."""
    files = [path] if path.is_file() else sorted(path.glob("*-1m-*.csv")) if path.is_dir() else []
    if not files:
        raise ReplayError(f"{path}: no <SYMBOL>-1m-<date>.csv kline files found")
    by_symbol: dict[str, dict[int, KlineBar]] = {}
    for file in files:
        rows = by_symbol.setdefault(symbol_of(file), {})
        rows.update((bar.open_time_ms, bar) for bar in read_kline_csv(file))
    return {symbol: [rows[t] for t in sorted(rows)] for symbol, rows in by_symbol.items() if rows}


def bridge_waypoints(bar: KlineBar) -> list[Decimal]:
    """O→L→H→C for a rising bar, O→H→L→C for a falling one (the usual intrabar guess)."""
    middle = [bar.low, bar.high] if bar.close >= bar.open else [bar.high, bar.low]
    points = [bar.open, *middle, bar.close]
    return [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]


def bridge_prints(bar: KlineBar, spec: SymbolSpec, max_prints: int,
                  rng: random.Random) -> list[tuple[Decimal, Decimal]]:
    """(price, quantity) pairs that visit every waypoint in order; quantities sum to the volume.

    The sum is exact when the volume is a whole number of steps and covers one step per
    waypoint; thinner bars get one step per waypoint (the volume rounds up slightly).
    """
    waypoints = bridge_waypoints(bar)
    total_steps = int(bar.volume / spec.step_size)
    count = max(len(waypoints), min(max_prints, bar.trade_count, total_steps))
    prices = _path_prices(waypoints, count, spec)
    return list(zip(prices, (s * spec.step_size for s in _split_steps(total_steps, count, rng))))


def _path_prices(waypoints: list[Decimal], count: int, spec: SymbolSpec) -> list[Decimal]:
    """``count`` prices walking straight between the waypoints, each waypoint exactly once hit."""
    legs = len(waypoints) - 1
    if legs == 0:
        return [waypoints[0]] * count
    slots = [round(i * (count - 1) / legs) for i in range(legs + 1)]  # print index of each waypoint
    prices: list[Decimal] = []
    for leg in range(legs):
        start, end = slots[leg], slots[leg + 1]
        a, b = waypoints[leg], waypoints[leg + 1]
        for i in range(start, end):
            prices.append(spec.round_price(a + (b - a) * Decimal(i - start) / Decimal(end - start)))
    prices.append(waypoints[-1])
    return prices


def _split_steps(total_steps: int, count: int, rng: random.Random) -> list[int]:
    """Random whole-step sizes, at least one each, adding up to ``total_steps`` when it allows."""
    spare = max(0, total_steps - count)
    weights = [rng.lognormvariate(0, 1.2) for _ in range(count)]
    scale = spare / sum(weights)
    extra = [int(w * scale) for w in weights]
    for i in sorted(range(count), key=lambda j: weights[j] * scale - extra[j],
                    reverse=True)[: spare - sum(extra)]:
        extra[i] += 1
    return [1 + e for e in extra]


@dataclass(slots=True)
class _Progress:
    """The bar being played, as far as its prints have gone (for the rolling ticker)."""

    high: Decimal = Decimal(0)
    low: Decimal = Decimal(0)
    close: Decimal = Decimal(0)
    volume: Decimal = Decimal(0)
    quote_volume: Decimal = Decimal(0)
    count: int = 0

    def add(self, price: Decimal, quantity: Decimal) -> None:
        self.high = max(self.high, price) if self.count else price
        self.low = min(self.low, price) if self.count else price
        self.close = price
        self.volume += quantity
        self.quote_volume += price * quantity
        self.count += 1


class ReplayFeed:
    """A recorded market played back; ``history()`` works before, during and after ``run()``."""

    kind = FeedKind.REPLAY

    def __init__(
        self,
        path: Path | str,
        speed: float = 1.0,
        start_time_ms: int | None = None,
        symbols: tuple[str, ...] | None = None,
        clock: Callable[[], int] = wall_clock_ms,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if speed <= 0:
            raise ReplayError(f"replay speed must be above 0, not {speed}")
        loaded = load_bars(Path(path))
        wanted = [s for s in (symbols or tuple(loaded)) if s in loaded and s in DEFAULT_SYMBOLS]
        if not wanted:
            raise ReplayError(f"{path}: no kline files for {', '.join(symbols or tuple(loaded))}")
        skipped = sorted(set(symbols or loaded) - set(wanted))
        if skipped:
            logger.info("replay: no usable kline files for %s; replaying %s", ", ".join(skipped),
                        ", ".join(wanted))
        self.symbols = tuple(wanted)
        self.speed = float(speed)
        self._bars = {s: [_snap(bar, DEFAULT_SYMBOLS[s]) for bar in loaded[s]] for s in self.symbols}
        self._minute_bars = {s: _as_minute_bars(DEFAULT_SYMBOLS[s], self._bars[s]) for s in self.symbols}
        first = min(bars[0].open_time_ms for bars in self._bars.values())
        default_start = min(bars[min(WARM_UP_BARS, len(bars) - 1)].open_time_ms
                            for bars in self._bars.values())
        self.start_time_ms = max(first, (start_time_ms if start_time_ms is not None else default_start))
        self.start_time_ms -= self.start_time_ms % MINUTE_MS
        self._clock, self._sleep = clock, sleep
        self._wall_start: int | None = None
        self._progress = {s: _Progress() for s in self.symbols}

    def market_time_ms(self) -> int:
        """Where the replay is: the start until ``run()`` begins, then ``speed`` × the wall time since."""
        if self._wall_start is None:
            return self.start_time_ms
        return self.start_time_ms + int((self._clock() - self._wall_start) * self.speed)

    async def history(self, symbol: str, interval: Interval, end_time_ms: int | None,
                      limit: int) -> list[Candle]:
        """Closed candles of the bars before the replay position (never a glimpse of the future)."""
        position = self.market_time_ms()
        end = position - 1 if end_time_ms is None else min(end_time_ms, position - 1)
        return self._minute_bars[symbol].candles(interval, end, limit, before_ms=position)

    async def run(self, sink: FeedSink) -> None:
        """Play from the start position until the recorded data ends (then OFFLINE and return)."""
        self._wall_start = self._clock()
        sink.on_status(FeedStatus.LIVE)
        last_book = {s: -BOOK_MIN_GAP_MS for s in self.symbols}
        next_ticker = 0
        for time_ms, symbol, trade in self._prints():
            await self._wait_until(time_ms)
            wall = self._clock()
            if wall - last_book[symbol] >= BOOK_MIN_GAP_MS:
                sink.on_book(self._book(trade))
                last_book[symbol] = wall
            self._progress[symbol].add(trade.price, trade.quantity)
            sink.on_trade(trade)
            if wall >= next_ticker:
                for ticker_symbol in self.symbols:
                    sink.on_ticker(self._ticker(ticker_symbol, time_ms))
                next_ticker = wall + TICKER_EVERY_MS
        sink.on_status(FeedStatus.OFFLINE)

    async def _wait_until(self, market_ms: int) -> None:
        delay_wall_ms = (market_ms - self.market_time_ms()) / self.speed
        if delay_wall_ms > 0:
            await self._sleep(delay_wall_ms / 1000)

    def _prints(self) -> Iterator[tuple[int, str, TradePrint]]:
        """Every symbol's prints from the start position on, merged in time order, bar by bar."""
        trade_ids = {s: sum(b.trade_count for b in bars if b.open_time_ms < self.start_time_ms)
                     for s, bars in self._bars.items()}
        by_minute: dict[int, list[tuple[str, KlineBar]]] = {}
        for symbol, bars in self._bars.items():
            for bar in bars:
                if bar.open_time_ms >= self.start_time_ms:
                    by_minute.setdefault(bar.open_time_ms, []).append((symbol, bar))
        max_prints = max(1, int(PRINTS_PER_WALL_SECOND * 60 / self.speed))
        for minute in sorted(by_minute):
            merged: list[tuple[int, str, TradePrint]] = []
            for symbol, bar in by_minute[minute]:
                self._progress[symbol] = _Progress()
                trades = self._bar_trades(symbol, bar, trade_ids[symbol], max_prints)
                trade_ids[symbol] += len(trades)
                merged.extend((t.time_ms, symbol, t) for t in trades)
            merged.sort(key=lambda event: (event[0], event[1]))
            yield from merged

    def _bar_trades(self, symbol: str, bar: KlineBar, last_id: int, max_prints: int) -> list[TradePrint]:
        spec = DEFAULT_SYMBOLS[symbol]
        rng = random.Random(zlib.crc32(f"{symbol}:{bar.open_time_ms}".encode()))
        pairs = bridge_prints(bar, spec, max_prints, rng) if bar.volume > 0 else []
        gap = MINUTE_MS // (len(pairs) + 1) if pairs else 0
        trades, previous = [], bar.open
        for i, (price, quantity) in enumerate(pairs):
            seller = price < previous or (price == previous and rng.random() < 0.5)
            trades.append(TradePrint(symbol, last_id + i + 1, price, quantity,
                                     bar.open_time_ms + gap * (i + 1), seller))
            previous = price
        return trades

    def _book(self, trade: TradePrint) -> BookSnapshot:
        """20 levels a side around the print: it traded at the ask when a buyer took it, else at the bid."""
        spec = DEFAULT_SYMBOLS[trade.symbol]
        tick, step = spec.tick_size, spec.step_size
        best_bid = trade.price if trade.buyer_is_maker else trade.price - tick
        rng = random.Random(trade.trade_id)
        touch_steps = max(1, int(trade.quantity / step) * 3)

        def level(i: int) -> Decimal:
            return max(1, int(touch_steps * (1 + 0.35 * i) * rng.lognormvariate(0, 0.5))) * step

        bids = tuple(BookLevel(best_bid - i * tick,
                               level(i)) for i in range(BOOK_LEVELS) if best_bid - i * tick > 0)
        asks = tuple(BookLevel(best_bid + (i + 1) * tick, level(i)) for i in range(BOOK_LEVELS))
        return BookSnapshot(trade.symbol, trade.trade_id, trade.time_ms, bids, asks)

    def _ticker(self, symbol: str, now_ms: int) -> Ticker24h:
        """Rolling 24 hours: closed bars of the last day plus the bar being played."""
        spec, progress = DEFAULT_SYMBOLS[symbol], self._progress[symbol]
        columns = self._minute_bars[symbol].minutes.columns()
        times = columns["open_time"]
        lo = int(np.searchsorted(times, now_ms - DAY_MS))
        hi = int(np.searchsorted(times, now_ms - now_ms % MINUTE_MS))
        tick, step = spec.tick_size, spec.step_size
        highs = [int(columns["high"][lo:hi].max()) * tick] if hi > lo else []
        lows = [int(columns["low"][lo:hi].min()) * tick] if hi > lo else []
        first_close = int(columns["close"][hi - 1]) * tick if hi else Decimal(0)
        last = progress.close if progress.count else first_close
        if progress.count:
            highs.append(progress.high)
            lows.append(progress.low)
        return Ticker24h(
            symbol=symbol, time_ms=now_ms, last_price=last,
            open_price=int(columns["open"][lo]) * tick if hi > lo else last,
            high_price=max(highs, default=last), low_price=min(lows, default=last),
            volume=int(columns["volume"][lo:hi].sum()) * step + progress.volume,
            quote_volume=(int(columns["quote"][lo:hi].sum()) * QUOTE_UNIT
                          + progress.quote_volume).normalize(),
        )


def _snap(bar: KlineBar, spec: SymbolSpec) -> KlineBar:
    """Prices on today's tick and volume on today's step (old dumps may be finer)."""
    return KlineBar(bar.open_time_ms, spec.round_price(bar.open), spec.round_price(bar.high),
                    spec.round_price(bar.low), spec.round_price(bar.close), spec.floor_quantity(bar.volume),
                    bar.quote_volume, bar.trade_count)


def _as_minute_bars(spec: SymbolSpec, bars: list[KlineBar]) -> Bars:
    """Integer ticks and steps, as the synthetic history keeps them, for exact aggregation."""
    tick, step = spec.tick_size, spec.step_size
    columns = {
        "open_time": [b.open_time_ms for b in bars],
        "open": [int(b.open / tick) for b in bars],
        "high": [int(b.high / tick) for b in bars],
        "low": [int(b.low / tick) for b in bars],
        "close": [int(b.close / tick) for b in bars],
        "volume": [int(b.volume / step) for b in bars],
        "quote": [int(b.quote_volume / QUOTE_UNIT) for b in bars],
        "count": [b.trade_count for b in bars],
        "buy_volume": [0 for _ in bars],  # the dump's taker-buy columns are not kept
        "buy_quote": [0 for _ in bars],
    }
    arrays = {name: np.array(values, dtype=np.int64) for name, values in columns.items()}
    return Bars(spec, [Layer(MINUTE_MS, arrays)])
