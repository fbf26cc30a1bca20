"""Market streams keep Binance's pace on the server clock: depth every 1000 ms (100 ms with @100ms),
klines every 2000 ms (1000 ms for 1s), tickers every 1000 ms; trades and book tickers at once."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from numatix.domain.market import BookLevel, BookSnapshot, TradePrint
from numatix.sim.market_view import Bar
from numatix.sim.streams import MarketStreams, period_ms

ZERO = Decimal(0)


class Outbox:
    """A connection that keeps what it is given; computed messages are worked out on read."""

    def __init__(self) -> None:
        self.items: list[object] = []

    def send(self, item: object) -> None:
        self.items.append(item)

    async def messages(self) -> list[dict]:
        sent = [await item() if callable(item) else item for item in self.items]
        self.items.clear()
        return [message for message in sent if message is not None]


class View:
    symbols = ("BTCUSDT",)

    def __init__(self) -> None:
        self.trade: TradePrint | None = None
        self.now = 0
        self.books: dict[str, BookSnapshot] = {}

    def whole_book(self, symbol):
        return self.books.get(symbol)

    def last_trade(self, symbol):
        return self.trade

    async def klines(self, symbol, interval, start_ms=None, end_ms=None, limit=500, offset_ms=0):
        one = Decimal(1)
        return [Bar(0, 59_999, one, one, one, one, one, one, 3, False, one, one, 7, 9)]


def book(update_id: int, price: str = "100") -> BookSnapshot:
    level = BookLevel(Decimal(price), Decimal(1))
    return BookSnapshot("BTCUSDT", update_id, 0, (level,), (BookLevel(Decimal(price) + 1, Decimal(1)),))


class Streams(MarketStreams):
    """Streams whose view's whole book is the published one (as in the quiet market)."""

    def on_market_event(self, event):
        if isinstance(event, BookSnapshot):
            self.view.books[event.symbol] = event  # type: ignore[attr-defined]
        super().on_market_event(event)


@pytest.fixture
def streams():
    return Streams(View(), lambda: 0)  # type: ignore[arg-type]


def names_sent(messages: list[dict]) -> list[str]:
    return [message["stream"] for message in messages]


@pytest.mark.parametrize(("kind", "period"), [("depth", 1000), ("depth@100ms", 100), ("depth@1000ms", 1000),
                                              ("depth5", 1000), ("depth20@100ms", 100), ("kline_1s", 1000),
                                              ("kline_1m", 2000), ("kline_1M", 2000), ("ticker", 1000),
                                              ("miniTicker", 1000), ("ticker_1h", 1000), ("trade", None),
                                              ("aggTrade", None), ("bookTicker", None)])
def test_each_stream_has_binance_s_period(kind, period):
    assert period_ms(kind) == period


async def test_paced_streams_go_out_once_per_period_whatever_the_market_does(streams):
    outbox = Outbox()
    names = ["btcusdt@kline_1m", "btcusdt@depth5", "btcusdt@depth5@100ms", "btcusdt@trade"]
    streams.attach(outbox, names, combined=True)  # type: ignore[arg-type]
    sent: list[str] = []
    for now in range(0, 4000, 100):  # four seconds of ticks, a new book and a print at every one
        streams.on_market_event(book(now + 1))
        streams.on_market_event(TradePrint("BTCUSDT", now + 1, Decimal(100), Decimal(1), now, False))
        streams.tick(now)
        sent += names_sent(await outbox.messages())
    assert sent.count("btcusdt@trade") == 40  # real time
    assert sent.count("btcusdt@depth5@100ms") == 40
    assert sent.count("btcusdt@depth5") == 4
    assert sent.count("btcusdt@kline_1m") == 2


async def test_a_diff_stream_starts_from_the_book_at_subscription_and_sends_only_changes(streams):
    streams.on_market_event(book(5))
    outbox = Outbox()
    streams.attach(outbox, ["btcusdt@depth@100ms"], combined=False)  # type: ignore[arg-type]
    streams.tick(0)
    assert await outbox.messages() == []  # nothing changed since the client took its snapshot
    streams.on_market_event(book(6, "100.5"))
    streams.on_market_event(book(9, "101"))
    streams.tick(50)  # the same period: nothing yet
    assert await outbox.messages() == []
    streams.tick(100)
    (diff,) = await outbox.messages()
    assert (diff["U"], diff["u"]) == (6, 9)  # follows on from the book at subscription, no gap
    assert ["100.00000000", "0.00000000"] in diff["b"] and ["101.00000000", "1.00000000"] in diff["b"]
    streams.tick(200)
    assert await outbox.messages() == []


async def test_klines_carry_trade_ids_and_taker_buy_volumes(streams):
    outbox = Outbox()
    streams.attach(outbox, ["btcusdt@kline_1m"], combined=False)  # type: ignore[arg-type]
    streams.tick(0)
    (event,) = await outbox.messages()
    assert (event["k"]["f"], event["k"]["L"], event["k"]["V"], event["k"]["Q"]) == (7, 9, "1.00000000",
                                                                                 "1.00000000")


async def test_unsubscribed_streams_stop_and_tickers_wait_for_a_first_print(streams):
    outbox = Outbox()
    subscriber = streams.attach(outbox, ["btcusdt@ticker", "btcusdt@miniTicker"],  # type: ignore[arg-type]
                                combined=True)
    streams.tick(0)
    assert await outbox.messages() == []  # no print yet: nothing to say
    unsubscribe = {"method": "UNSUBSCRIBE", "params": ["btcusdt@ticker"], "id": 1}
    await streams.handle_method(subscriber, json.dumps(unsubscribe))
    streams.tick(1000)
    assert await outbox.messages() == [{"result": None, "id": 1}]


class Klines(View):
    """Each minute's kline closes at its end; asked for by open time or the newest."""

    async def klines(self, symbol, interval, start_ms=None, end_ms=None, limit=500, offset_ms=0):
        one = Decimal(1)
        opened = start_ms if start_ms is not None else self.now - self.now % 60_000
        closed = opened + 60_000 <= self.now
        return [Bar(opened, opened + 59_999, one, one, one, one, one, one, 1, closed, one, one, 1, 1)]


async def test_a_kline_s_final_state_is_sent_when_its_minute_ends():
    view = Klines()
    streams = MarketStreams(view, lambda: view.now)  # type: ignore[arg-type]
    outbox = Outbox()
    streams.attach(outbox, ["btcusdt@kline_1m"], combined=False)  # type: ignore[arg-type]
    seen = []
    for now in range(58_000, 64_000, 100):
        view.now = now
        streams.tick(now)
        seen += [(event["k"]["t"], event["k"]["x"]) for event in await outbox.messages()]
    assert seen == [(0, False), (0, True), (60_000, False), (60_000, False)]
