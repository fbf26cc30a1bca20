"""The market hub: one upstream feed per process, fanned out to any number of subscribers.

Subscribers are coalesced, not queued: a slow one finds the latest book, ticker and
candles (and a bounded list of recent prints) when it next reads, so memory never grows
with how far behind it is. In-process consumers that must see every print (the paper
exchange, the alert checker) register a listener instead, called synchronously.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Self

from numatix.domain.market import (
    BookSnapshot,
    Candle,
    FeedKind,
    FeedStatus,
    Interval,
    Ticker24h,
    TradePrint,
)
from numatix.market.candles import CandleSeries
from numatix.market.feed import MarketFeed

logger = logging.getLogger(__name__)

RECENT_TRADES = 100
SUBSCRIBER_TRADES = 50
SEED_CANDLES = 1000
MarketEvent = TradePrint | BookSnapshot | Ticker24h
Listener = Callable[[MarketEvent], None]


@dataclass(frozen=True, slots=True)
class MarketUpdate:
    """What changed for a subscriber since it last read."""

    symbol: str | None
    trades: tuple[TradePrint, ...]
    dropped_trades: int
    book: BookSnapshot | None
    ticker: Ticker24h | None
    candles: tuple[Candle, ...]
    status: FeedStatus
    received_at: float


@dataclass(frozen=True, slots=True)
class MarketSnapshot:
    symbol: str
    last_trade: TradePrint | None
    recent_trades: tuple[TradePrint, ...]
    book: BookSnapshot | None
    ticker: Ticker24h | None
    status: FeedStatus
    feed_kind: FeedKind


@dataclass(slots=True)
class _Pending:
    trades: deque = field(default_factory=lambda: deque(maxlen=SUBSCRIBER_TRADES))
    dropped_trades: int = 0
    book: BookSnapshot | None = None
    ticker: Ticker24h | None = None
    candles: dict = field(default_factory=dict)
    received_at: float = 0.0


class Subscription:
    def __init__(self, hub: MarketHub, symbol: str | None) -> None:
        self.symbol = symbol
        self._hub = hub
        self._pending = _Pending()
        self._ready = asyncio.Event()
        self.closed = False

    def _add_trade(self, trade: TradePrint, changed: list[Candle], received_at: float) -> None:
        pending = self._pending
        if len(pending.trades) == pending.trades.maxlen:
            pending.dropped_trades += 1
        pending.trades.append(trade)
        for candle in changed:
            pending.candles[(candle.symbol, candle.interval, candle.open_time_ms)] = candle
        pending.received_at = received_at
        self._ready.set()

    def _set_book(self, book: BookSnapshot) -> None:
        self._pending.book = book
        self._ready.set()

    def _set_ticker(self, ticker: Ticker24h) -> None:
        self._pending.ticker = ticker
        self._ready.set()

    def _wake(self) -> None:
        self._ready.set()

    async def next_update(self) -> MarketUpdate:
        """Wait until something changed, then take everything that did."""
        await self._ready.wait()
        self._ready.clear()
        pending, self._pending = self._pending, _Pending()
        return MarketUpdate(
            symbol=self.symbol,
            trades=tuple(pending.trades),
            dropped_trades=pending.dropped_trades,
            book=pending.book,
            ticker=pending.ticker,
            candles=tuple(pending.candles.values()),
            status=self._hub.status,
            received_at=pending.received_at,
        )

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._hub._unsubscribe(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class _SymbolState:
    def __init__(self, symbol: str) -> None:
        self.candles = CandleSeries(symbol)
        self.recent_trades: deque[TradePrint] = deque(maxlen=RECENT_TRADES)
        self.book: BookSnapshot | None = None
        self.ticker: Ticker24h | None = None


class MarketHub:
    def __init__(self, feed: MarketFeed, clock: Callable[[], int] | None = None) -> None:
        self._feed = feed
        self._clock = clock or (lambda: int(time.time() * 1000))
        self._state = {symbol: _SymbolState(symbol) for symbol in feed.symbols}
        self._subscribers: dict[str | None, set[Subscription]] = {None: set()}
        self._listeners: list[Listener] = []
        self._task: asyncio.Task | None = None
        self.status = FeedStatus.OFFLINE
        self.last_print_at: float | None = None  # time.monotonic() of the newest trade print

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(self._state)

    @property
    def feed_kind(self) -> FeedKind:
        return self._feed.kind

    @property
    def upstream_running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Seed candles from history, then run the one upstream feed for this process."""
        if self._task is not None:
            return
        now = self._clock()
        for symbol, state in self._state.items():
            history = {
                interval: await self._feed.history(symbol, interval, None,
                                                   SEED_CANDLES) for interval in Interval
            }
            state.candles.seed(history, now)
        self._task = asyncio.create_task(self._run_feed(), name=f"market-feed-{self._feed.kind.value}")

    async def _run_feed(self) -> None:
        try:
            await self._feed.run(self)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("market feed %s stopped", self._feed.kind.value)
            self.on_status(FeedStatus.OFFLINE)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        self.on_status(FeedStatus.OFFLINE)

    # FeedSink: called by the feed for everything it sees.
    def on_trade(self, trade: TradePrint) -> None:
        state = self._state.get(trade.symbol)
        if state is None:
            return
        received_at = time.monotonic()
        self.last_print_at = received_at
        changed = state.candles.apply(trade)
        state.recent_trades.append(trade)
        self._notify_listeners(trade)
        for subscription in self._audience(trade.symbol):
            subscription._add_trade(trade, changed, received_at)

    def on_book(self, book: BookSnapshot) -> None:
        state = self._state.get(book.symbol)
        if state is None:
            return
        state.book = book
        self._notify_listeners(book)
        for subscription in self._audience(book.symbol):
            subscription._set_book(book)

    def on_ticker(self, ticker: Ticker24h) -> None:
        state = self._state.get(ticker.symbol)
        if state is None:
            return
        state.ticker = ticker
        self._notify_listeners(ticker)
        for subscription in self._audience(ticker.symbol):
            subscription._set_ticker(ticker)

    def on_status(self, status: FeedStatus) -> None:
        if status is self.status:
            return
        self.status = status
        for subscriptions in self._subscribers.values():
            for subscription in subscriptions:
                subscription._wake()

    def _audience(self, symbol: str) -> list[Subscription]:
        return [*self._subscribers.get(symbol, ()), *self._subscribers[None]]

    def _notify_listeners(self, event: MarketEvent) -> None:
        for listener in tuple(self._listeners):
            try:
                listener(event)
            except Exception:
                logger.exception("market listener %r failed on %s", listener, type(event).__name__)

    # Consumers.
    def subscribe(self, symbol: str | None = None) -> Subscription:
        """Coalesced updates for one symbol, or for all of them when ``symbol`` is None."""
        subscription = Subscription(self, symbol)
        self._subscribers.setdefault(symbol, set()).add(subscription)
        return subscription

    def subscribe_after(self, symbol: str, shown_trade_id: int | None) -> Subscription:
        """Updates for one symbol, picking up where a snapshot left off (its newest trade, None
        when it had none): the first update brings the trades after it, with the current book,
        ticker and forming candles. Reading a snapshot, then subscribing, loses the prints in
        between; on a quiet market the price shown would stay wrong until the next one."""
        subscription = self.subscribe(symbol)
        state = self._state[symbol]
        trades = list(state.recent_trades)
        shown = next((i for i, t in enumerate(trades) if t.trade_id == shown_trade_id), None)
        missed = trades if shown is None else trades[shown + 1:]
        forming = [state.candles.forming(interval) for interval in Interval] if missed else []
        for trade in missed:
            subscription._add_trade(trade, [c for c in forming if c is not None], time.monotonic())
        if state.book is not None:
            subscription._set_book(state.book)
        if state.ticker is not None:
            subscription._set_ticker(state.ticker)
        return subscription

    def _unsubscribe(self, subscription: Subscription) -> None:
        self._subscribers.get(subscription.symbol, set()).discard(subscription)

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def snapshot(self, symbol: str) -> MarketSnapshot:
        state = self._state[symbol]
        trades = tuple(state.recent_trades)
        return MarketSnapshot(symbol, trades[-1] if trades else None, trades, state.book, state.ticker,
                              self.status, self._feed.kind)

    async def candles(
        self, symbol: str, interval: Interval, end_time_ms: int | None = None, limit: int = 500
    ) -> list[Candle]:
        """Candles opening at or before ``end_time_ms`` (all, with the forming one, when None).

        Memory first; what memory does not reach comes from the feed's history, so a chart
        can scroll back as far as the feed goes without gaps or duplicates.
        """
        in_memory = self._state[symbol].candles.candles(interval)
        if end_time_ms is not None:
            in_memory = [c for c in in_memory if c.open_time_ms <= end_time_ms]
        result = in_memory[-limit:]
        missing = limit - len(result)
        if missing > 0:
            before = (result[0].open_time_ms - 1) if result else end_time_ms
            older = await self._feed.history(symbol, interval, before, missing)
            first_open = result[0].open_time_ms if result else None
            older = [c for c in older if first_open is None or c.open_time_ms < first_open]
            result = older[-missing:] + result
        return result
