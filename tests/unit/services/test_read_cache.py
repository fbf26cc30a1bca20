"""The kept Binance reads follow the user data stream's reports without being read again."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal as D

from numatix.domain.enums import ExecutionType, OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.events import AccountUncertain, ExecutionReport
from numatix.domain.orders import Fill, Order
from numatix.services.kept_reads import OpenOrders, OrderHistory, Trades
from numatix.services.read_cache import ReadCache

USER = 7
BTC, ETH = "BTCUSDT", "ETHUSDT"


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


class Venue:
    """Answers reads from lists the test sets, and counts them."""

    def __init__(self) -> None:
        self.open: list[Order] = []
        self.history: list[Order] = []  # newest first
        self.fills: list[Fill] = []
        self.loads = 0

    def load(self, value):
        async def load():
            self.loads += 1
            return list(value)
        return load


def order(order_id: int, symbol: str = BTC, *, created: int | None = None, status=OrderStatus.NEW,
          executed: str = "0", client_order_id: str | None = None) -> Order:
    return Order(order_id, client_order_id or f"c-{order_id}", symbol, Side.BUY, OrderType.LIMIT, TimeInForce.GTC,
                 quantity=D("2"), price=D("100"), status=status, executed_quantity=D(executed),
                 cumulative_quote=D(executed) * 100, created_time_ms=created if created is not None else order_id,
                 update_time_ms=created if created is not None else order_id, working_time_ms=order_id)


def report(placed: Order, kind: ExecutionType, time_ms: int = 1_000, fill: Fill | None = None,
           **changes: object) -> ExecutionReport:
    return ExecutionReport.from_order(USER, replace(placed, **changes), kind, time_ms, fill=fill)


def fill_of(placed: Order, trade_id: int, quantity: str, time_ms: int = 1_000) -> Fill:
    return Fill(trade_id, placed.venue_order_id, placed.client_order_id, placed.symbol, placed.side, D("100"),
                D(quantity), D(quantity) * 100, D("0.001"), "BTC", True, time_ms)


def traded(placed: Order, trade_id: int, quantity: str, executed: str, status: OrderStatus) -> ExecutionReport:
    fill = fill_of(placed, trade_id, quantity)
    return report(placed, ExecutionType.TRADE, fill=fill, status=status, executed_quantity=D(executed),
                  cumulative_quote=D(executed) * 100, update_time_ms=1_000)


async def keep_all(cache: ReadCache, venue: Venue) -> None:
    """A page's reads: every symbol's, and one symbol's."""
    for symbol in (None, BTC, ETH):
        def of(orders, symbol=symbol):
            return [o for o in orders if symbol is None or o.symbol == symbol]
        await cache.read(USER, OpenOrders(symbol), venue.load(of(venue.open)))
        await cache.read(USER, OrderHistory(symbol, 500, None, None), venue.load(of(venue.history)))
        await cache.read(USER, Trades(symbol), venue.load(of(venue.fills)))


async def read(cache: ReadCache, key, venue: Venue):
    return await cache.read(USER, key, venue.load(["not kept"]))


def ids(orders: list[Order]) -> list[int]:
    return [o.venue_order_id for o in orders]


async def test_a_fill_updates_open_orders_history_and_trades_without_a_read() -> None:
    cache, venue = ReadCache(clock=Clock()), Venue()
    resting, other = order(1), order(2, ETH)
    venue.open, venue.history = [resting, other], [other, resting]
    await keep_all(cache, venue)
    loads = venue.loads

    cache.apply(USER, traded(resting, 11, "0.5", "0.5", OrderStatus.PARTIALLY_FILLED))
    [partly, _] = await read(cache, OpenOrders(None), venue)
    assert (partly.status, partly.executed_quantity) == (OrderStatus.PARTIALLY_FILLED, D("0.5"))
    assert [f.trade_id for f in await read(cache, Trades(BTC), venue)] == [11]

    cache.apply(USER, traded(resting, 12, "1.5", "2", OrderStatus.FILLED))
    assert ids(await read(cache, OpenOrders(None), venue)) == [2]
    assert await read(cache, OpenOrders(BTC), venue) == []
    history = await read(cache, OrderHistory(None, 500, None, None), venue)
    assert [(o.venue_order_id, o.status) for o in history] == [(2, OrderStatus.NEW), (1, OrderStatus.FILLED)]
    assert [(f.trade_id, f.quantity) for f in await read(cache, Trades(None), venue)] == [(11, D("0.5")),
                                                                                           (12, D("1.5"))]
    assert venue.loads == loads  # not one request more


async def test_a_new_order_appears_newest_first_in_history_and_in_placement_order_among_open_orders() -> None:
    cache, venue = ReadCache(clock=Clock()), Venue()
    older = order(5, created=10)
    venue.open, venue.history = [older], [older]
    await keep_all(cache, venue)
    placed = order(3, ETH, created=20)  # Binance numbers orders per symbol: time orders them
    cache.apply(USER, report(placed, ExecutionType.NEW))
    assert ids(await read(cache, OpenOrders(None), venue)) == [5, 3]
    assert ids(await read(cache, OpenOrders(ETH), venue)) == [3]
    assert ids(await read(cache, OrderHistory(None, 500, None, None), venue)) == [3, 5]
    assert ids(await read(cache, OpenOrders(BTC), venue)) == [5]


async def test_a_cancel_removes_the_order_and_keeps_its_own_client_id() -> None:
    cache, venue = ReadCache(clock=Clock()), Venue()
    resting = order(1, client_order_id="mine")
    venue.open, venue.history = [resting], [resting]
    await keep_all(cache, venue)
    cache.apply(USER, ExecutionReport.from_order(USER, replace(resting, status=OrderStatus.CANCELED),
                                                 ExecutionType.CANCELED, 1_000, original_client_order_id="mine",
                                                 client_order_id="the-cancel"))
    assert await read(cache, OpenOrders(None), venue) == []
    [canceled] = await read(cache, OrderHistory(BTC, 500, None, None), venue)
    assert (canceled.status, canceled.client_order_id) == (OrderStatus.CANCELED, "mine")


async def test_a_read_in_flight_when_an_event_arrives_is_answered_but_not_kept() -> None:
    cache, venue = ReadCache(clock=Clock()), Venue()
    resting = order(1)
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_read():
        started.set()
        await release.wait()
        return [resting]  # what the venue said before the fill

    in_flight = asyncio.create_task(cache.read(USER, OpenOrders(None), slow_read))
    await started.wait()
    cache.apply(USER, traded(resting, 11, "2", "2", OrderStatus.FILLED))
    release.set()
    assert ids(await in_flight) == [1]
    assert cache.kept(USER, OpenOrders(None)) is None
    venue.open = []
    assert await cache.read(USER, OpenOrders(None), venue.load(venue.open)) == [] and venue.loads == 1


async def test_other_symbols_reads_are_left_as_they_were() -> None:
    cache, venue = ReadCache(clock=Clock()), Venue()
    eth = order(2, ETH)
    venue.open, venue.history, venue.fills = [eth], [eth], [fill_of(eth, 1, "1", time_ms=500)]
    await keep_all(cache, venue)
    kept = {key: cache.kept(USER, key) for key in (OpenOrders(ETH), OrderHistory(ETH, 500, None, None), Trades(ETH))}
    btc = order(1)
    cache.apply(USER, report(btc, ExecutionType.NEW))
    cache.apply(USER, traded(btc, 1, "2", "2", OrderStatus.FILLED))  # same trade id, other symbol
    assert all(cache.kept(USER, key) is value for key, value in kept.items())
    assert [f.symbol for f in await read(cache, Trades(None), venue)] == [ETH, BTC]


async def test_a_report_older_than_what_was_read_does_not_undo_it() -> None:
    """The read already saw the fill; the reports leading there arrive after it."""
    cache, venue = ReadCache(clock=Clock()), Venue()
    resting = order(1)
    filled = replace(resting, status=OrderStatus.FILLED, executed_quantity=D("2"), cumulative_quote=D("200"))
    venue.history, venue.fills = [filled], [fill_of(resting, 11, "0.5"), fill_of(resting, 12, "1.5")]
    await keep_all(cache, venue)
    cache.apply(USER, report(resting, ExecutionType.NEW))
    cache.apply(USER, traded(resting, 11, "0.5", "0.5", OrderStatus.PARTIALLY_FILLED))
    [still] = await read(cache, OrderHistory(None, 500, None, None), venue)
    assert still.status is OrderStatus.FILLED
    assert [f.trade_id for f in await read(cache, Trades(None), venue)] == [11, 12]  # not twice
    cache.apply(USER, traded(resting, 12, "1.5", "2", OrderStatus.FILLED))
    assert await read(cache, OpenOrders(None), venue) == []


async def test_a_page_of_history_takes_a_new_order_but_is_dropped_when_one_leaves_it_full() -> None:
    cache, venue = ReadCache(clock=Clock()), Venue()
    first, second, third = order(1), order(2), order(3)
    venue.history = [third, second, first]
    page, open_page = OrderHistory(None, 2, None, None), OrderHistory(None, 2, None, True)
    await cache.read(USER, page, venue.load(venue.history[:2]))
    await cache.read(USER, open_page, venue.load(venue.history[:2]))
    cache.apply(USER, report(order(4), ExecutionType.NEW))
    assert ids(cache.kept(USER, page)) == [4, 3]  # the oldest went off the page
    cache.apply(USER, traded(third, 31, "2", "2", OrderStatus.FILLED))
    assert ids(cache.kept(USER, page)) == [4, 3]
    assert cache.kept(USER, open_page) is None  # the order under the page was never read


async def test_kept_answers_still_expire_and_an_uncertain_account_keeps_nothing() -> None:
    clock = Clock()
    cache, venue = ReadCache(ttl_seconds=15, clock=clock), Venue()
    resting = order(1)
    venue.open = [resting]
    await cache.read(USER, OpenOrders(None), venue.load(venue.open))
    clock.now += 10
    cache.apply(USER, traded(resting, 11, "1", "1", OrderStatus.PARTIALLY_FILLED))  # does not renew it
    clock.now += 6
    await cache.read(USER, OpenOrders(None), venue.load(venue.open))
    assert venue.loads == 2
    cache.apply(USER, AccountUncertain(USER, 5))
    assert cache.kept(USER, OpenOrders(None)) is None


async def test_answers_are_kept_for_one_stream_connection_and_a_read_across_a_reconnect_is_not() -> None:
    """A reconnect may have missed events: nothing kept before it is shown after it, nothing is
    kept while no stream is up, and a read sent before a reconnect is not kept after it."""
    cache, venue = ReadCache(clock=Clock()), Venue()
    connection: list[int | None] = [1]
    venue.open = [order(1)]

    async def read_open() -> list[Order]:
        return await cache.read(USER, OpenOrders(None), venue.load(venue.open), lambda: connection[0])

    await read_open()
    await read_open()
    assert venue.loads == 1
    connection[0] = None  # down
    await read_open()
    await read_open()
    assert venue.loads == 3
    connection[0] = 2  # back: the answer kept on connection 1 is gone
    await read_open()
    assert venue.loads == 4 and cache.kept(USER, OpenOrders(None)) is not None

    cache.invalidate(USER)
    load = venue.load(venue.open)

    async def load_across_a_reconnect() -> list[Order]:
        connection[0] = 3
        return await load()

    await cache.read(USER, OpenOrders(None), load_across_a_reconnect, lambda: connection[0])
    assert cache.kept(USER, OpenOrders(None)) is None
