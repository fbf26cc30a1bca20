"""Binance market streams over the simulator's market: ``/ws/<stream>``, ``/stream?streams=``
and the SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY methods.

Stream names are ``<symbol lowercase>@<kind>``: trade, aggTrade, kline_<interval>[@+08:00],
depth[@100ms|@1000ms] (diffs), depth5|10|20[@100ms|@1000ms] (partial book), bookTicker,
ticker, miniTicker, ticker_1h|4h|1d (rolling window). Payloads are Binance's, field for
field (bookTicker and partial depth have no ``e``/``E``, as on Binance).

Each stream keeps Binance's pace: trade, aggTrade and bookTicker in real time; depth every
1000 ms, or 100 ms with ``@100ms``; kline every 2000 ms (1000 ms for ``1s``); tickers every
1000 ms. Paced streams are sent once per period, on the period's boundary of the server
clock (``tick``), whatever the market did in between; a diff stream only when the book
changed, and each diff follows on from the last one that connection got, over the whole
book (not only the levels the feed publishes), as a local book built from REST depth needs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from numatix.domain.market import BookLevel, BookSnapshot, Ticker24h, TradePrint
from numatix.sim.market_view import HOUR_MS, KLINE_INTERVALS, MarketView, WindowStats, bucket_of
from numatix.sim.sockets import Connection, Message
from numatix.sim.tape import AggregateTrade
from numatix.sim.wire import amount

ZERO = Decimal(0)
MAX_STREAMS = 1024
PARTIAL_DEPTHS = ("5", "10", "20")
SPEEDS = ("", "@100ms", "@1000ms")
ROLLING_TICKERS = {"1h": HOUR_MS, "4h": 4 * HOUR_MS, "1d": 24 * HOUR_MS}
TICK_MS = 100  # the fastest pace a stream has
KLINE_ZONE = "@+08:00"  # the one time zone Binance's kline streams offer
KLINE_ZONE_MS = 8 * HOUR_MS


def stream_kinds() -> set[str]:
    kinds = {"trade", "aggTrade", "bookTicker", "ticker", "miniTicker"}
    kinds |= {f"ticker_{window}" for window in ROLLING_TICKERS}
    kinds |= {f"kline_{interval}{zone}" for interval in KLINE_INTERVALS for zone in ("", KLINE_ZONE)}
    kinds |= {f"depth{levels}{speed}" for levels in ("", *PARTIAL_DEPTHS) for speed in SPEEDS}
    return kinds


KINDS = stream_kinds()


def period_ms(kind: str) -> int | None:
    """How often Binance sends a stream; None for those sent as things happen."""
    if kind.startswith("depth"):
        return 100 if kind.endswith("@100ms") else 1000
    if kind.startswith("kline_"):
        return 1000 if kind.startswith("kline_1s") else 2000
    if kind.startswith(("ticker", "miniTicker")):
        return 1000
    return None


class InvalidStream(ValueError):
    pass


def split_name(name: str, symbols: tuple[str, ...]) -> tuple[str, str]:
    """``btcusdt@kline_1m`` -> (``BTCUSDT``, ``kline_1m``); InvalidStream if unknown."""
    symbol, _, kind = name.partition("@")
    if symbol != symbol.lower() or symbol.upper() not in symbols or kind not in KINDS:
        raise InvalidStream(name)
    return symbol.upper(), kind


Computed = Callable[[], Awaitable[Message | None]]  # a message worked out when it is sent


@dataclass(eq=False)
class Subscriber:
    connection: Connection
    combined: bool
    names: set[str] = field(default_factory=set)
    pending: set[str] = field(default_factory=set)  # computed messages already queued
    slots: dict[str, int] = field(default_factory=dict)  # paced stream -> the last period it was sent in
    klines: dict[str, int] = field(default_factory=dict)  # kline stream -> the open time of its last kline
    books: dict[str, BookSnapshot | None] = field(default_factory=dict)  # diff stream -> the book it last saw

    def push(self, name: str, data: Message) -> None:
        self.connection.send({"stream": name, "data": data} if self.combined else data)

    def push_computed(self, name: str, compute: Computed, key: str | None = None) -> None:
        """Queue ``compute`` once per ``key`` (the stream's name); later calls before it runs ride on it."""
        key = key or name
        if key in self.pending:
            return
        self.pending.add(key)

        async def produce() -> Message | None:
            self.pending.discard(key)
            if name not in self.names:
                return None
            data = await compute()
            if data is None:
                return None
            return {"stream": name, "data": data} if self.combined else data

        self.connection.send(produce)


class MarketStreams:
    def __init__(self, view: MarketView, now_ms: Callable[[], int]) -> None:
        self.view = view
        self._now_ms = now_ms
        self._subscribers: set[Subscriber] = set()
        self._books: dict[str, BookSnapshot] = {}

    # --------------------------------------------------------- connections
    def attach(self, connection: Connection, names: list[str], combined: bool) -> Subscriber:
        for name in names:
            split_name(name, self.view.symbols)
        subscriber = Subscriber(connection, combined)
        self._add_names(subscriber, names)
        self._subscribers.add(subscriber)
        return subscriber

    def detach(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    def _add_names(self, subscriber: Subscriber, names: list[str]) -> None:
        """A diff stream starts from the book as it is now: the client takes that from REST depth."""
        for name in names:
            if name in subscriber.names:
                continue
            subscriber.names.add(name)
            symbol, kind = split_name(name, self.view.symbols)
            if kind.split("@")[0] == "depth":
                subscriber.books[name] = self.view.whole_book(symbol)

    async def handle_method(self, subscriber: Subscriber, text: str) -> None:
        """A JSON method from the client; replies go to the same connection."""
        try:
            request = json.loads(text)
            method, request_id = request["method"], request.get("id")
            params = request.get("params", [])
        except (ValueError, KeyError, TypeError, AttributeError):
            subscriber.connection.send({"error": {"code": 3, "msg": "Invalid JSON: expected a method"},
                                        "id": None})
            return
        try:
            result = self._apply(subscriber, method, params)
        except InvalidStream as invalid:
            error = {"code": 2, "msg": f"Invalid request: unknown stream {invalid}"}
            subscriber.connection.send({"error": error, "id": request_id})
            return
        subscriber.connection.send({"result": result, "id": request_id})

    def _apply(self, subscriber: Subscriber, method: str, params: Any) -> object:
        if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
            if not isinstance(params, list) or not all(isinstance(name, str) for name in params):
                raise InvalidStream("params must be a list of stream names")
            if method == "SUBSCRIBE":
                for name in params:
                    split_name(name, self.view.symbols)
                if len(subscriber.names | set(params)) > MAX_STREAMS:
                    raise InvalidStream(f"more than {MAX_STREAMS} streams")
                self._add_names(subscriber, params)
            else:
                subscriber.names -= set(params)
                for name in params:
                    subscriber.slots.pop(name, None)
                    subscriber.books.pop(name, None)
                    subscriber.klines.pop(name, None)
            return None
        if method == "LIST_SUBSCRIPTIONS":
            return sorted(subscriber.names)
        is_list = isinstance(params, list)
        if method == "SET_PROPERTY" and is_list and len(params) == 2 and params[0] == "combined":
            subscriber.combined = bool(params[1])
            return None
        if method == "GET_PROPERTY" and params == ["combined"]:
            return subscriber.combined
        raise InvalidStream(f"method {method}")

    # -------------------------------------------------------- market events
    def on_market_event(self, event: TradePrint | BookSnapshot | Ticker24h) -> None:
        """Real-time streams; the paced ones go out on ``tick``."""
        if isinstance(event, TradePrint):
            now = self._now_ms()
            for subscriber, name, kind in self._each(event.symbol):
                if kind == "trade":
                    subscriber.push(name, trade_event(event, now))
        elif isinstance(event, BookSnapshot):
            self._books[event.symbol] = event
            for subscriber, name, kind in self._each(event.symbol):
                if kind == "bookTicker":
                    subscriber.push(name, book_ticker_event(event))

    def on_aggregates(self, symbol: str, aggregates: list[AggregateTrade]) -> None:
        """The tape closed these aggregate trades: Binance sends ``aggTrade`` once a taker is done."""
        now = self._now_ms()
        for subscriber, name, kind in self._each(symbol):
            if kind == "aggTrade":
                for aggregate in aggregates:
                    subscriber.push(name, aggregate_trade_event(symbol, aggregate, now))

    def _each(self, symbol: str) -> list[tuple[Subscriber, str, str]]:
        prefix = symbol.lower() + "@"
        return [(subscriber, name, name[len(prefix):]) for subscriber in list(self._subscribers)
                for name in list(subscriber.names) if name.startswith(prefix)]

    # -------------------------------------------------------- paced streams
    async def run(self) -> None:
        """Call ``tick`` on every 100 ms boundary of the server clock, until cancelled."""
        while True:
            await asyncio.sleep((TICK_MS - self._now_ms() % TICK_MS) / 1000)
            self.tick(self._now_ms())

    def tick(self, now_ms: int) -> None:
        """Send every paced stream whose period has turned since it was last sent."""
        for subscriber in list(self._subscribers):
            for name in sorted(subscriber.names):
                symbol, _, kind = name.partition("@")
                period = period_ms(kind)
                if period is None or subscriber.slots.get(name) == now_ms // period:
                    continue
                subscriber.slots[name] = now_ms // period
                self._send_paced(subscriber, name, symbol.upper(), kind, now_ms)

    def _send_paced(self, subscriber: Subscriber, name: str, symbol: str, kind: str, now_ms: int) -> None:
        base = kind.split("@")[0]
        book = self._books.get(symbol)
        if base == "depth":
            book = self.view.whole_book(symbol)
            previous = subscriber.books.get(name)
            if book is not None and (previous is None or previous.update_id != book.update_id):
                subscriber.books[name] = book
                subscriber.push(name, depth_update_event(previous, book, now_ms))
        elif base.startswith("depth"):
            if book is not None:
                subscriber.push(name, partial_depth_event(book, int(base[len("depth"):])))
        elif kind.startswith("kline_"):
            interval, zone = kind[len("kline_"):].partition("@")[::2]
            offset = KLINE_ZONE_MS if zone else 0
            opened, last_opened = bucket_of(interval, now_ms, offset), subscriber.klines.get(name)
            subscriber.klines[name] = opened
            if last_opened is not None and last_opened < opened:  # its final state, as Binance sends it
                closing = self._kline(symbol, interval, offset, last_opened)
                subscriber.push_computed(name, closing, key=f"{name} {last_opened}")
            subscriber.push_computed(name, self._kline(symbol, interval, offset))
        elif kind.startswith("ticker_"):
            subscriber.push_computed(name, self._rolling(symbol, kind[len("ticker_"):]))
        else:
            subscriber.push_computed(name, self._ticker(symbol, kind))

    def _kline(self, symbol: str, interval: str, offset_ms: int, opened: int | None = None) -> Computed:
        """The kline opening at ``opened``, else the newest (in the time zone ``offset_ms`` from UTC)."""
        async def compute() -> Message | None:
            bars = await self.view.klines(symbol, interval, start_ms=opened, limit=1, offset_ms=offset_ms)
            if not bars or (opened is not None and bars[0].open_time_ms != opened):
                return None
            return kline_event(symbol, interval, bars[-1], self._now_ms())
        return compute

    def _ticker(self, symbol: str, kind: str) -> Computed:
        async def compute() -> Message | None:
            if self.view.last_trade(symbol) is None:
                return None
            stats = await self.view.ticker(symbol)
            return ticker_event(stats, self._now_ms(), mini=kind == "miniTicker")
        return compute

    def _rolling(self, symbol: str, window: str) -> Computed:
        async def compute() -> Message | None:
            if self.view.last_trade(symbol) is None:
                return None
            stats = await self.view.rolling(symbol, ROLLING_TICKERS[window])
            return rolling_ticker_event(stats, window, self._now_ms())
        return compute


# ------------------------------------------------------------------ payloads
def trade_event(trade: TradePrint, now_ms: int) -> dict[str, object]:
    return {"e": "trade", "E": now_ms, "s": trade.symbol, "t": trade.trade_id, "p": amount(trade.price),
            "q": amount(trade.quantity), "T": trade.time_ms, "m": trade.buyer_is_maker, "M": True}


def aggregate_trade_event(symbol: str, aggregate: AggregateTrade, now_ms: int) -> dict[str, object]:
    return {"e": "aggTrade", "E": now_ms, "s": symbol, "a": aggregate.agg_id, "p": amount(aggregate.price),
            "q": amount(aggregate.quantity), "f": aggregate.first_id, "l": aggregate.last_id,
            "T": aggregate.time_ms, "m": aggregate.buyer_is_maker, "M": True}


def _levels(levels: tuple[BookLevel, ...]) -> list[list[str]]:
    return [[amount(level.price), amount(level.quantity)] for level in levels]


def partial_depth_event(book: BookSnapshot, depth: int) -> dict[str, object]:
    return {"lastUpdateId": book.update_id, "bids": _levels(book.bids[:depth]),
            "asks": _levels(book.asks[:depth])}


def _diff(before: tuple[BookLevel, ...], after: tuple[BookLevel, ...]) -> list[list[str]]:
    old = {level.price: level.quantity for level in before}
    new = {level.price: level.quantity for level in after}
    changed = [[amount(price), amount(quantity)] for price, quantity in new.items()
               if old.get(price) != quantity]
    removed = [[amount(price), amount(None)] for price in old if price not in new]
    return changed + removed


def depth_update_event(previous: BookSnapshot | None, book: BookSnapshot, now_ms: int) -> dict[str, object]:
    """``U``..``u`` follow on from the previous update, so a local book can spot gaps."""
    first = previous.update_id + 1 if previous is not None else book.update_id
    before = previous or BookSnapshot(book.symbol, 0, 0, (), ())
    return {"e": "depthUpdate", "E": now_ms, "s": book.symbol, "U": first, "u": max(book.update_id, first),
            "b": _diff(before.bids, book.bids), "a": _diff(before.asks, book.asks)}


def book_ticker_event(book: BookSnapshot) -> dict[str, object]:
    empty = BookLevel(ZERO, ZERO)
    bid = book.bids[0] if book.bids else empty
    ask = book.asks[0] if book.asks else empty
    return {"u": book.update_id, "s": book.symbol, "b": amount(bid.price), "B": amount(bid.quantity),
            "a": amount(ask.price), "A": amount(ask.quantity)}


def kline_event(symbol: str, interval: str, bar, now_ms: int) -> dict[str, object]:
    return {"e": "kline", "E": now_ms, "s": symbol, "k": {
        "t": bar.open_time_ms, "T": bar.close_time_ms, "s": symbol, "i": interval,
        "f": bar.first_trade_id, "L": bar.last_trade_id,
        "o": amount(bar.open), "c": amount(bar.close), "h": amount(bar.high), "l": amount(bar.low),
        "v": amount(bar.volume), "n": bar.trade_count, "x": bar.closed, "q": amount(bar.quote_volume),
        "V": amount(bar.taker_buy_volume), "Q": amount(bar.taker_buy_quote_volume), "B": "0"}}


def ticker_event(stats, now_ms: int, mini: bool = False) -> dict[str, object]:
    if mini:
        return {"e": "24hrMiniTicker", "E": now_ms, "s": stats.symbol, "c": amount(stats.last),
                "o": amount(stats.open), "h": amount(stats.high), "l": amount(stats.low),
                "v": amount(stats.volume), "q": amount(stats.quote_volume)}
    return {"e": "24hrTicker", "E": now_ms, "s": stats.symbol, "p": amount(stats.change),
            "P": format(stats.change_percent, "f"), "w": amount(stats.weighted_average),
            "x": amount(stats.previous_close), "c": amount(stats.last), "Q": amount(stats.last_quantity),
            "b": amount(stats.bid), "B": amount(stats.bid_quantity), "a": amount(stats.ask),
            "A": amount(stats.ask_quantity), "o": amount(stats.open), "h": amount(stats.high),
            "l": amount(stats.low), "v": amount(stats.volume), "q": amount(stats.quote_volume),
            "O": stats.open_time_ms, "C": stats.close_time_ms, "F": stats.first_id, "L": stats.last_id,
            "n": stats.count}


def rolling_ticker_event(stats: WindowStats, window: str, now_ms: int) -> dict[str, object]:
    """``<symbol>@ticker_<window>``: Binance's rolling-window ticker (``e`` is ``1hTicker`` and so on)."""
    return {"e": f"{window}Ticker", "E": now_ms, "s": stats.symbol, "p": amount(stats.change),
            "P": format(stats.change_percent, "f"), "o": amount(stats.open), "h": amount(stats.high),
            "l": amount(stats.low), "c": amount(stats.last), "w": amount(stats.weighted_average),
            "v": amount(stats.volume), "q": amount(stats.quote_volume), "O": stats.open_time_ms,
            "C": stats.close_time_ms, "F": stats.first_id, "L": stats.last_id, "n": stats.count}
