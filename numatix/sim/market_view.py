"""What the simulator's public endpoints and streams know about the market: the hub's
book and candles and the simulator's tape, turned into Binance's notions (kline intervals,
the rolling-window and trading-day tickers).

Every Binance interval is served. Those the hub does not build itself (3m, 30m, 2h, 6h,
8h, 12h, 3d) are merged from a smaller one, aligned on the epoch; ``1M`` from days, by
calendar month; ``1s`` from the tape's prints. Bars carry taker-buy volumes and their
first and last trade ids, as Binance's rows and kline events do.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from numatix.domain.market import BookSnapshot, Candle, Interval, TradePrint
from numatix.market.hub import MarketHub
from numatix.sim import errors
from numatix.sim.tape import SecondBar, Tape

ZERO = Decimal(0)
MINUTE_MS = 60_000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000
TICKER_CACHE_MS = 250
WHOLE_BOOK_LEVELS = 5000  # REST depth's largest limit
HUB_BASES = (Interval.D1, Interval.H4, Interval.H1, Interval.M15, Interval.M5, Interval.M1)
MAX_BASE_CANDLES = 50_000  # a kline in another time zone is merged from at most this many hub candles
MONTH = "1M"
SECOND = "1s"
LONGEST_MONTH_DAYS = 31
WINDOW_SIZE = re.compile(r"^([1-9][0-9]?)([mhd])$")
WINDOW_UNITS = {"m": (MINUTE_MS, 59), "h": (HOUR_MS, 23), "d": (DAY_MS, 7)}
TIME_ZONE = re.compile(r"^([+-]?)([0-9]{1,2})(?::([0-9]{2}))?$")

# Binance interval name -> (the hub interval it is built from, how many of them)
INTERVALS: dict[str, tuple[Interval, int]] = {
    "1m": (Interval.M1, 1), "3m": (Interval.M1, 3), "5m": (Interval.M5, 1), "15m": (Interval.M15, 1),
    "30m": (Interval.M15, 2), "1h": (Interval.H1, 1), "2h": (Interval.H1, 2), "4h": (Interval.H4, 1),
    "6h": (Interval.H1, 6), "8h": (Interval.H1, 8), "12h": (Interval.H1, 12), "1d": (Interval.D1, 1),
    "3d": (Interval.D1, 3), "1w": (Interval.W1, 1), MONTH: (Interval.D1, LONGEST_MONTH_DAYS),
}
KLINE_INTERVALS = (SECOND, *INTERVALS)


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
    taker_buy_volume: Decimal = ZERO
    taker_buy_quote_volume: Decimal = ZERO
    first_trade_id: int = -1
    last_trade_id: int = -1


@dataclass(frozen=True, slots=True)
class WindowStats:
    """Price change statistics of one window (``ticker`` and ``ticker/tradingDay``)."""

    symbol: str
    open_time_ms: int
    close_time_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    last: Decimal
    volume: Decimal
    quote_volume: Decimal
    count: int
    first_id: int
    last_id: int

    @property
    def change(self) -> Decimal:
        return self.last - self.open

    @property
    def change_percent(self) -> Decimal:
        return (self.change / self.open * 100).quantize(Decimal("0.001")) if self.open else ZERO

    @property
    def weighted_average(self) -> Decimal:
        return self.quote_volume / self.volume if self.volume else ZERO


@dataclass(frozen=True, slots=True)
class TickerStats(WindowStats):
    """The rolling 24 hours of one symbol, with the current top of book."""

    last_quantity: Decimal
    previous_close: Decimal
    bid: Decimal
    bid_quantity: Decimal
    ask: Decimal
    ask_quantity: Decimal

    @property
    def weighted_average(self) -> Decimal:
        return self.quote_volume / self.volume if self.volume else self.last


def interval_of(name: str) -> tuple[Interval, int]:
    try:
        return INTERVALS[name]
    except KeyError:
        raise errors.invalid_interval() from None


@dataclass(frozen=True, slots=True)
class KlinePlan:
    """How a kline interval is made from the hub's candles: from which interval, how many of them
    make one kline at most, and where a kline holding a moment opens and ends."""

    base: Interval
    factor: int
    size_ms: int  # a kline's length (a month: its longest)
    offset_ms: int
    interval: str

    def start_of(self, time_ms: int) -> int:
        local = time_ms + self.offset_ms
        if self.interval == MONTH:
            return month_start(local) - self.offset_ms
        if self.interval == "1w":
            return Interval.W1.open_time(local) - self.offset_ms
        return local - local % self.size_ms - self.offset_ms

    def end_of(self, start_ms: int) -> int:
        if self.interval == MONTH:
            return next_month_start(start_ms + self.offset_ms) - self.offset_ms
        return start_ms + self.size_ms


def kline_plan(interval: str, offset_ms: int = 0) -> KlinePlan:
    """In UTC a kline merges the hub interval it is listed with; in another time zone, the largest hub
    interval that both its length and the zone's offset are whole multiples of."""
    base, factor = interval_of(interval)
    size = base.milliseconds * factor
    if offset_ms:
        unit = DAY_MS if interval in (MONTH, "1w") else size
        base = next(b for b in HUB_BASES if unit % b.milliseconds == 0 and offset_ms % b.milliseconds == 0)
        factor = size // base.milliseconds
    return KlinePlan(base, factor, size, offset_ms, interval)


def bucket_of(interval: str, time_ms: int, offset_ms: int = 0) -> int:
    """When the kline of ``interval`` holding ``time_ms`` opens."""
    if interval == SECOND:
        return time_ms - time_ms % 1000
    return kline_plan(interval, offset_ms).start_of(time_ms)


def window_ms(text: str) -> int:
    """``windowSize``: 1m..59m, 1h..23h or 1d..7d (units are not combined)."""
    match = WINDOW_SIZE.match(text)
    if match is None:
        raise errors.invalid_parameter("windowSize")
    size, (unit, most) = int(match[1]), WINDOW_UNITS[match[2]]
    if size > most:
        raise errors.invalid_parameter("windowSize")
    return size * unit


def time_zone_offset_ms(text: str) -> int:
    """``timeZone``: hours (``8``, ``-1``) or hours and minutes (``05:45``), from -12:00 to +14:00."""
    match = TIME_ZONE.match(text)
    if match is None:
        raise errors.invalid_parameter("timeZone")
    minutes = int(match[2]) * 60 + int(match[3] or 0)
    if int(match[3] or 0) >= 60:
        raise errors.invalid_parameter("timeZone")
    minutes = -minutes if match[1] == "-" else minutes
    if not -12 * 60 <= minutes <= 14 * 60:
        raise errors.invalid_parameter("timeZone")
    return minutes * MINUTE_MS


def month_start(time_ms: int) -> int:
    moment = datetime.fromtimestamp(time_ms / 1000, UTC)
    return int(datetime(moment.year, moment.month, 1, tzinfo=UTC).timestamp() * 1000)


def next_month_start(time_ms: int) -> int:
    return month_start(month_start(time_ms) + LONGEST_MONTH_DAYS * DAY_MS)


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class MarketView:
    def __init__(self, hub: MarketHub, tape: Tape, now_ms: Callable[[], int] = wall_clock_ms,
                 full_book: Callable[[str, int], BookSnapshot] | None = None) -> None:
        self.hub = hub
        self.tape = tape
        self._now_ms = now_ms
        self._full_book = full_book
        self._whole: dict[str, BookSnapshot] = {}  # the last whole book read, per symbol
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

    def whole_book(self, symbol: str) -> BookSnapshot | None:
        """Every level of the book as published last (the published book when it is the whole book):
        what a diff stream must follow, so a local book built from ``depth?limit=5000`` stays right."""
        book = self.book(symbol)
        if book is None or self._full_book is None:
            return book
        kept = self._whole.get(symbol)
        if kept is None or kept.update_id != book.update_id:
            kept = self._whole[symbol] = self._full_book(symbol, WHOLE_BOOK_LEVELS)
        return kept

    def depth(self, symbol: str, levels: int) -> BookSnapshot | None:
        """The published book, or the market's whole book when more levels are asked than it publishes."""
        book = self.book(symbol)
        if book is None or self._full_book is None or levels <= min(len(book.bids), len(book.asks)):
            return book
        return self._full_book(symbol, levels)

    def recent_trades(self, symbol: str, limit: int) -> list[TradePrint]:
        return self.tape.of(symbol).recent(limit)

    def last_trade(self, symbol: str) -> TradePrint | None:
        return self.hub.snapshot(symbol).last_trade

    async def klines(self, symbol: str, interval: str, start_ms: int | None = None,
                     end_ms: int | None = None, limit: int = 500, offset_ms: int = 0) -> list[Bar]:
        """Bars from ``start_ms`` on (the oldest ``limit``), else the newest ``limit`` up to ``end_ms``;
        with ``offset_ms``, in buckets of that time zone (``timeZone``), as far back as the hub's
        candles that fit them reach."""
        now = self._now_ms()
        if interval == SECOND:
            return [_second(bar, now) for bar in self.tape.of(symbol).seconds(start_ms, end_ms, limit, now)]
        plan = kline_plan(interval, offset_ms)
        if start_ms is not None and end_ms is None:
            until = start_ms + limit * plan.size_ms - 1
            end_ms = until if until < now else None
        wanted = min(limit * plan.factor + plan.factor, MAX_BASE_CANDLES)
        candles = await self.hub.candles(symbol, plan.base, end_ms, wanted)
        if plan.factor == 1 and not offset_ms and interval != MONTH:
            bars = [_bar(c) for c in candles]
        else:
            bars = _merge(candles, plan.start_of, plan.end_of, now)
        bars = [b for b in bars if (start_ms is None or b.open_time_ms >= start_ms)
                and (end_ms is None or b.open_time_ms <= end_ms)]
        return bars[:limit] if start_ms is not None else bars[-limit:]

    async def rolling(self, symbol: str, size_ms: int) -> WindowStats:
        """``ticker``: from the minute ``size_ms`` before this one to now (up to 59,999 ms wider)."""
        now = self._now_ms()
        return await self.window(symbol, now - now % MINUTE_MS - size_ms, now, now)

    async def trading_day(self, symbol: str, offset_ms: int) -> WindowStats:
        """``ticker/tradingDay``: today in the time zone ``offset_ms`` from UTC."""
        now = self._now_ms()
        local = now + offset_ms
        start = local - local % DAY_MS - offset_ms
        return await self.window(symbol, start, start + DAY_MS - 1, now)

    async def window(self, symbol: str, open_ms: int, close_ms: int, now: int) -> WindowStats:
        """The prints from ``open_ms`` (a minute) to now: minutes up to the next whole hour, hours after.

        Minutes older than the history's minutes are not known: the whole hour stands in for them.
        """
        hour = -(-open_ms // HOUR_MS) * HOUR_MS
        candles: list[Candle] = []
        if hour > open_ms:
            end = hour - 1 if hour <= now else None
            minutes = await self.hub.candles(symbol, Interval.M1, end, (hour - open_ms) // MINUTE_MS)
            minutes = [c for c in minutes if open_ms <= c.open_time_ms < hour]
            if not minutes and hour <= now:
                hour -= HOUR_MS
            candles += minutes
        if hour <= now:
            hours = await self.hub.candles(symbol, Interval.H1, None, (now - hour) // HOUR_MS + 1)
            candles += [c for c in hours if c.open_time_ms >= hour]
        traded = [c for c in candles if c.trade_count]
        last_trade = self.last_trade(symbol)
        last = last_trade.price if last_trade else (traded[-1].close if traded else ZERO)
        with_ids = [c for c in traded if c.first_trade_id >= 0]
        return WindowStats(
            symbol=symbol, open_time_ms=open_ms, close_time_ms=close_ms, **_prices_and_volumes(traded, last),
            count=sum(c.trade_count for c in traded),
            first_id=with_ids[0].first_trade_id if with_ids else -1,
            last_id=with_ids[-1].last_trade_id if with_ids else -1,
        )

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
            symbol=symbol, open_time_ms=window_start, close_time_ms=now, **_prices_and_volumes(day, last),
            last_quantity=last_trade.quantity if last_trade else ZERO,
            previous_close=previous[-1].close if previous else (day[0].open if day else last),
            count=count, first_id=last_id - count + 1 if count and last_id >= 0 else -1,
            last_id=last_id if count else -1,
            bid=bid.price if bid else ZERO, bid_quantity=bid.quantity if bid else ZERO,
            ask=ask.price if ask else ZERO, ask_quantity=ask.quantity if ask else ZERO,
        )


def _prices_and_volumes(traded: list[Candle], last: Decimal) -> dict[str, Decimal]:
    """A window's open, high, low, last and volumes from its candles that traded; a window
    with no trade stands at the last price."""
    return {"open": traded[0].open if traded else last, "high": max((c.high for c in traded), default=last),
            "low": min((c.low for c in traded), default=last), "last": last,
            "volume": sum((c.volume for c in traded), ZERO),
            "quote_volume": sum((c.quote_volume for c in traded), ZERO)}


def _bar(candle: Candle) -> Bar:
    return Bar(candle.open_time_ms, candle.close_time_ms, candle.open, candle.high, candle.low, candle.close,
               candle.volume, candle.quote_volume, candle.trade_count, candle.closed, candle.taker_buy_volume,
               candle.taker_buy_quote_volume, candle.first_trade_id, candle.last_trade_id)


def _second(bar: SecondBar, now_ms: int) -> Bar:
    return Bar(bar.open_time_ms, bar.close_time_ms, bar.open, bar.high, bar.low, bar.close, bar.volume,
               bar.quote_volume, bar.trade_count, bar.close_time_ms < now_ms, bar.taker_buy_volume,
               bar.taker_buy_quote_volume, bar.first_trade_id, bar.last_trade_id)


def _merge(candles: Sequence[Candle], start_of: Callable[[int], int], end_of: Callable[[int], int],
           now_ms: int) -> list[Bar]:
    """Group consecutive hub candles into the larger bucket each falls in (``start_of`` its open time)."""
    groups: dict[int, list[Candle]] = {}
    for candle in candles:
        groups.setdefault(start_of(candle.open_time_ms), []).append(candle)
    bars = []
    for start, members in sorted(groups.items()):
        end = end_of(start)
        ids = [(c.first_trade_id, c.last_trade_id) for c in members if c.first_trade_id >= 0]
        bars.append(Bar(
            start, end - 1, members[0].open, max(c.high for c in members),
            min(c.low for c in members), members[-1].close, sum((c.volume for c in members), ZERO),
            sum((c.quote_volume for c in members), ZERO), sum(c.trade_count for c in members),
            end <= now_ms, sum((c.taker_buy_volume for c in members), ZERO),
            sum((c.taker_buy_quote_volume for c in members), ZERO),
            ids[0][0] if ids else -1, ids[-1][1] if ids else -1,
        ))
    return bars
