"""Binance market streams over the simulator's market: ``/ws/<stream>``, ``/stream?streams=``
and the SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY methods.

Stream names are ``<symbol lowercase>@<kind>``: trade, aggTrade, kline_<interval>,
depth[@100ms|@1000ms] (diffs), depth5|10|20[@100ms|@1000ms] (partial book), bookTicker,
ticker, miniTicker. Payloads are Binance's, field for field (bookTicker and partial depth
have no ``e``/``E``, as on Binance).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from numatix.domain.market import BookLevel, BookSnapshot, Ticker24h, TradePrint
from numatix.sim.market_view import INTERVALS, MarketView
from numatix.sim.sockets import Connection, Message
from numatix.sim.wire import amount

ZERO = Decimal(0)
MAX_STREAMS = 1024
PARTIAL_DEPTHS = ("5", "10", "20")
SPEEDS = ("", "@100ms", "@1000ms")


def stream_kinds() -> set[str]:
    kinds = {"trade", "aggTrade", "bookTicker", "ticker", "miniTicker"}
    kinds |= {f"kline_{interval}" for interval in INTERVALS}
    kinds |= {f"depth{levels}{speed}" for levels in ("", *PARTIAL_DEPTHS) for speed in SPEEDS}
    return kinds


KINDS = stream_kinds()


class InvalidStream(ValueError):
    pass


def split_name(name: str, symbols: tuple[str, ...]) -> tuple[str, str]:
    """``btcusdt@kline_1m`` -> (``BTCUSDT``, ``kline_1m``); InvalidStream if unknown."""
    symbol, _, kind = name.partition("@")
    if symbol != symbol.lower() or symbol.upper() not in symbols or kind not in KINDS:
        raise InvalidStream(name)
    return symbol.upper(), kind


@dataclass(eq=False)
class Subscriber:
    connection: Connection
    combined: bool
    names: set[str] = field(default_factory=set)
    pending: set[str] = field(default_factory=set)  # computed messages already queued

    def push(self, name: str, data: Message) -> None:
        self.connection.send({"stream": name, "data": data} if self.combined else data)

    def push_computed(self, name: str, compute: Callable[[], object]) -> None:
        """Queue ``compute`` once; later prints before it runs ride on the same send."""
        if name in self.pending:
            return
        self.pending.add(name)

        async def produce() -> Message | None:
            self.pending.discard(name)
            if name not in self.names:
                return None
            data = await compute()
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
        subscriber = Subscriber(connection, combined, set(names))
        self._subscribers.add(subscriber)
        return subscriber

    def detach(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

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

    def _apply(self, subscriber: Subscriber, method: str, params: object) -> object:
        if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
            if not isinstance(params, list) or not all(isinstance(name, str) for name in params):
                raise InvalidStream("params must be a list of stream names")
            if method == "SUBSCRIBE":
                for name in params:
                    split_name(name, self.view.symbols)
                if len(subscriber.names | set(params)) > MAX_STREAMS:
                    raise InvalidStream(f"more than {MAX_STREAMS} streams")
                subscriber.names |= set(params)
            else:
                subscriber.names -= set(params)
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
        if isinstance(event, TradePrint):
            self._on_trade(event)
        elif isinstance(event, BookSnapshot):
            self._on_book(event)
        elif isinstance(event, Ticker24h):
            self._on_ticker(event.symbol)

    def _each(self, symbol: str) -> list[tuple[Subscriber, str, str]]:
        prefix = symbol.lower() + "@"
        return [(subscriber, name, name[len(prefix):]) for subscriber in list(self._subscribers)
                for name in list(subscriber.names) if name.startswith(prefix)]

    def _on_trade(self, trade: TradePrint) -> None:
        now = self._now_ms()
        for subscriber, name, kind in self._each(trade.symbol):
            if kind == "trade":
                subscriber.push(name, trade_event(trade, now))
            elif kind == "aggTrade":
                subscriber.push(name, aggregate_trade_event(trade, now))
            elif kind.startswith("kline_"):
                subscriber.push_computed(name, self._kline(trade.symbol, kind[len("kline_"):]))
            elif kind in ("ticker", "miniTicker"):
                subscriber.push_computed(name, self._ticker(trade.symbol, kind))

    def _on_ticker(self, symbol: str) -> None:
        for subscriber, name, kind in self._each(symbol):
            if kind in ("ticker", "miniTicker"):
                subscriber.push_computed(name, self._ticker(symbol, kind))

    def _on_book(self, book: BookSnapshot) -> None:
        previous = self._books.get(book.symbol)
        self._books[book.symbol] = book
        now = self._now_ms()
        for subscriber, name, kind in self._each(book.symbol):
            base = kind.split("@")[0]
            if kind == "bookTicker":
                subscriber.push(name, book_ticker_event(book))
            elif base == "depth":
                subscriber.push(name, depth_update_event(previous, book, now))
            elif base.startswith("depth"):
                subscriber.push(name, partial_depth_event(book, int(base[len("depth"):])))

    def _kline(self, symbol: str, interval: str) -> Callable[[], object]:
        async def compute() -> Message | None:
            bars = await self.view.klines(symbol, interval, limit=1)
            return kline_event(symbol, interval, bars[-1], self._now_ms()) if bars else None
        return compute

    def _ticker(self, symbol: str, kind: str) -> Callable[[], object]:
        async def compute() -> Message:
            stats = await self.view.ticker(symbol)
            return ticker_event(stats, self._now_ms(), mini=kind == "miniTicker")
        return compute


# ------------------------------------------------------------------ payloads
def trade_event(trade: TradePrint, now_ms: int) -> dict[str, object]:
    return {"e": "trade", "E": now_ms, "s": trade.symbol, "t": trade.trade_id, "p": amount(trade.price),
            "q": amount(trade.quantity), "T": trade.time_ms, "m": trade.buyer_is_maker, "M": True}


def aggregate_trade_event(trade: TradePrint, now_ms: int) -> dict[str, object]:
    """Every print is its own aggregate here: ``a`` = ``f`` = ``l`` = the trade id."""
    return {"e": "aggTrade", "E": now_ms, "s": trade.symbol, "a": trade.trade_id, "p": amount(trade.price),
            "q": amount(trade.quantity), "f": trade.trade_id, "l": trade.trade_id, "T": trade.time_ms,
            "m": trade.buyer_is_maker, "M": True}


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
        "t": bar.open_time_ms, "T": bar.close_time_ms, "s": symbol, "i": interval, "f": -1, "L": -1,
        "o": amount(bar.open), "c": amount(bar.close), "h": amount(bar.high), "l": amount(bar.low),
        "v": amount(bar.volume), "n": bar.trade_count, "x": bar.closed, "q": amount(bar.quote_volume),
        "V": amount(None), "Q": amount(None), "B": "0"}}


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
