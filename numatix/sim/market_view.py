"""What the simulator's public endpoints and streams know about the market: the hub's
book, recent prints and candles, turned into Binance's notions (kline intervals, the
rolling 24-hour ticker, the 5-minute average price).

Every Binance interval except ``1s`` and ``1M`` is served; those the hub does not build
itself (3m, 30m, 2h, 6h, 8h, 12h, 3d) are merged from a smaller one, aligned on the epoch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from numatix.domain.market import BookSnapshot, Candle, Interval, TradePrint
from numatix.market.hub import MarketHub
from numatix.sim import errors

ZERO = Decimal(0)
DAY_MS = 86_400_000
AVERAGE_PRICE_MINUTES = 5
TICKER_CACHE_MS = 250

# Binance interval name -> (the hub interval it is built from, how many of them)
INTERVALS: dict[str, tuple[Interval, int]] = {
    "1m": (Interval.M1, 1), "3m": (Interval.M1, 3), "5m": (Interval.M5, 1), "15m": (Interval.M15, 1),
    "30m": (Interval.M15, 2), "1h": (Interval.H1, 1), "2h": (Interval.H1, 2), "4h": (Interval.H4, 1),
    "6h": (Interval.H1, 6), "8h": (Interval.H1, 8), "12h": (Interval.H1, 12), "1d": (Interval.D1, 1),
    "3d": (Interval.D1, 3), "1w": (Interval.W1, 1),
}


@dataclass(frozen=True, slots=True)
class Bar:
    """One kline row."""

    open_time_ms: int
    close_time_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote_volume: Decimal
    trade_count: int
    closed: bool


@dataclass(frozen=True, slots=True)
class TickerStats:
    """The rolling 24 hours of one symbol, with the current top of book."""

    symbol: str
    open_time_ms: int
    close_time_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    last: Decimal
    last_quantity: Decimal
    previous_close: Decimal
    volume: Decimal
    quote_volume: Decimal
    count: int
    first_id: int
    last_id: int
    bid: Decimal
    bid_quantity: Decimal
    ask: Decimal
    ask_quantity: Decimal

    @property
    def change(self) -> Decimal:
        return self.last - self.open

    @property
    def change_percent(self) -> Decimal:
        return (self.change / self.open * 100).quantize(Decimal("0.001")) if self.open else ZERO

    @property
    def weighted_average(self) -> Decimal:
        return self.quote_volume / self.volume if self.volume else self.last


def interval_of(name: str) -> tuple[Interval, int]:
    try:
        return INTERVALS[name]
    except KeyError:
        raise errors.invalid_interval() from None


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class MarketView:
    def __init__(self, hub: MarketHub, now_ms: Callable[[], int] = wall_clock_ms) -> None:
        self.hub = hub
        self._now_ms = now_ms
        self._tickers: dict[str, tuple[int, TradePrint | None, TickerStats]] = {}

    @property
    def symbols(self) -> tuple[str, ...]:
        return self.hub.symbols

    def check_symbol(self, symbol: str) -> str:
        if symbol not in self.hub.symbols:
            raise errors.invalid_symbol()
        return symbol

    def book(self, symbol: str) -> BookSnapshot | None:
        return self.hub.snapshot(symbol).book

    def recent_trades(self, symbol: str) -> tuple[TradePrint, ...]:
        return self.hub.snapshot(symbol).recent_trades

    def last_trade(self, symbol: str) -> TradePrint | None:
        return self.hub.snapshot(symbol).last_trade

    async def klines(self, symbol: str, interval: str, start_ms: int | None = None,
                     end_ms: int | None = None, limit: int = 500) -> list[Bar]:
        """Bars from ``start_ms`` on (the oldest ``limit``), else the newest ``limit`` up to ``end_ms``."""
        base, factor = interval_of(interval)
        size = base.milliseconds * factor
        if start_ms is not None and end_ms is None:
            until = start_ms + limit * size - 1
            end_ms = until if until < self._now_ms() else None
        candles = await self.hub.candles(symbol, base, end_ms, limit * factor + factor)
        bars = _merge(candles, size, factor, self._now_ms()) if factor > 1 else [_bar(c) for c in candles]
        bars = [b for b in bars if (start_ms is None or b.open_time_ms >= start_ms)
                and (end_ms is None or b.open_time_ms <= end_ms)]
        return bars[:limit] if start_ms is not None else bars[-limit:]

    async def ticker(self, symbol: str) -> TickerStats:
        """Cached briefly (a day of candles per call adds up), but never past a new print."""
        now, last = self._now_ms(), self.last_trade(symbol)
        cached = self._tickers.get(symbol)
        if cached is not None and now - cached[0] < TICKER_CACHE_MS and cached[1] is last:
            return cached[2]
        stats = await self._compute_ticker(symbol, now)
        self._tickers[symbol] = (now, last, stats)
        return stats

    async def _compute_ticker(self, symbol: str, now: int) -> TickerStats:
        window_start = now - DAY_MS
        candles = await self.hub.candles(symbol, Interval.M1, None, 24 * 60 + 1)
        previous = [c for c in candles if c.open_time_ms < window_start]
        day = [c for c in candles if c.open_time_ms >= window_start and c.trade_count]
        last_trade = self.last_trade(symbol)
        last = last_trade.price if last_trade else (day[-1].close if day else ZERO)
        count = sum(c.trade_count for c in day)
        last_id = last_trade.trade_id if last_trade else -1
        book = self.book(symbol)
        bid = book.bids[0] if book and book.bids else None
        ask = book.asks[0] if book and book.asks else None
        return TickerStats(
            symbol=symbol, open_time_ms=window_start, close_time_ms=now,
            open=day[0].open if day else last, high=max((c.high for c in day), default=last),
            low=min((c.low for c in day), default=last), last=last,
            last_quantity=last_trade.quantity if last_trade else ZERO,
            previous_close=previous[-1].close if previous else (day[0].open if day else last),
            volume=sum((c.volume for c in day), ZERO), quote_volume=sum((c.quote_volume for c in day), ZERO),
            count=count, first_id=last_id - count + 1 if count and last_id >= 0 else -1,
            last_id=last_id if count else -1,
            bid=bid.price if bid else ZERO, bid_quantity=bid.quantity if bid else ZERO,
            ask=ask.price if ask else ZERO, ask_quantity=ask.quantity if ask else ZERO,
        )

    async def average_price(self, symbol: str) -> tuple[Decimal, int]:
        """(volume-weighted price of the last 5 minutes, time of the last trade)."""
        now = self._now_ms()
        candles = await self.hub.candles(symbol, Interval.M1, None, AVERAGE_PRICE_MINUTES + 1)
        recent = [c for c in candles if c.close_time_ms >= now - AVERAGE_PRICE_MINUTES * 60_000]
        volume = sum((c.volume for c in recent), ZERO)
        last_trade = self.last_trade(symbol)
        if volume:
            price = sum((c.quote_volume for c in recent), ZERO) / volume
        else:
            price = last_trade.price if last_trade else ZERO
        return price, last_trade.time_ms if last_trade else now


def _bar(candle: Candle) -> Bar:
    return Bar(candle.open_time_ms, candle.close_time_ms, candle.open, candle.high, candle.low, candle.close,
               candle.volume, candle.quote_volume, candle.trade_count, candle.closed)


def _merge(candles: list[Candle], size_ms: int, factor: int, now_ms: int) -> list[Bar]:
    """Group consecutive hub candles into the larger bucket each falls in."""
    groups: dict[int, list[Candle]] = {}
    for candle in candles:
        groups.setdefault(candle.open_time_ms - candle.open_time_ms % size_ms, []).append(candle)
    bars = []
    for start, members in sorted(groups.items()):
        bars.append(Bar(
            start, start + size_ms - 1, members[0].open, max(c.high for c in members),
            min(c.low for c in members), members[-1].close, sum((c.volume for c in members), ZERO),
            sum((c.quote_volume for c in members), ZERO), sum(c.trade_count for c in members),
            start + size_ms <= now_ms,
        ))
    return bars
