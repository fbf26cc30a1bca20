import asyncio
from decimal import Decimal as D

import pytest

from numatix.domain.errors import OrderNotFound, OutcomeUnknown, TransientVenueError, AuthenticationFailed, OrderRejected
from numatix.domain.enums import OrderStatus
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.exchange.errors import error_from_binance
from numatix.exchange.paper import FakeClock, FixedLatency, InMemoryPaperStore, LogNormalLatency
from numatix.store.db import make_engine
from numatix.store.paper_repository import SqlPaperStore
from tests.unit.exchange.helpers import SYMBOL, STANDARD_BOOK, book, make_exchange, trade


async def test_cancel_loses_the_race_with_a_fill():
    clock = FakeClock()
    exchange = make_exchange(clock=clock, latency=FixedLatency(entry_ms=100, cancel_ms=120))
    place = asyncio.create_task(exchange.submit(1, OrderRequest(
        SYMBOL, "BUY", "LIMIT", quantity="0.01", price="50000", time_in_force="GTC", client_order_id="o1")))
    await clock.advance(100)
    assert (await place).status is OrderStatus.NEW
    cancel = asyncio.create_task(exchange.cancel(1, SYMBOL, client_order_id="o1"))
    await clock.advance(50)
    exchange.on_trade(trade("49990", "1", 5))  # fills while the cancel is in flight
    await clock.advance(70)
    with pytest.raises(OrderNotFound):
        await cancel
    assert (await exchange.query_order(1, SYMBOL, "o1")).status is OrderStatus.FILLED


async def test_order_matches_the_book_at_arrival_not_at_sending():
    clock = FakeClock()
    exchange = make_exchange(clock=clock, latency=FixedLatency(entry_ms=150, cancel_ms=0))
    place = asyncio.create_task(exchange.submit(1, OrderRequest(SYMBOL, "BUY", "MARKET", quantity="0.01")))
    await clock.advance(10)
    exchange.on_book(book(bids=[("50100", "1")], asks=[("50200", "1")]))
    await clock.advance(140)
    assert (await place).cumulative_quote == D("502.00")


def test_lognormal_latency_is_seeded_with_a_realistic_median():
    first, second = LogNormalLatency(seed=3), LogNormalLatency(seed=3)
    samples = [first.entry_delay_ms() for _ in range(2001)]
    assert samples == [second.entry_delay_ms() for _ in range(2001)]
    samples.sort()
    assert 100 <= samples[1000] <= 150


SCRIPT = [
    ("book", STANDARD_BOOK),
    ("submit", OrderRequest(SYMBOL, "BUY", "LIMIT", quantity="0.05", price="49999", time_in_force="GTC",
                            client_order_id="a")),
    ("submit", OrderRequest(SYMBOL, "SELL", "STOP_LOSS", quantity="0.02", stop_price="49500", client_order_id="b")),
    ("oco", OcoRequest(SYMBOL, "SELL", D("0.03"), limit_price=D("50500"), stop_price=D("49000"),
                       list_client_order_id="l")),
    ("trade", trade("49999", "0.03", 11)),
    ("restart", None),
    ("book", STANDARD_BOOK),
    ("trade", trade("49999", "0.02", 12)),
    ("trade", trade("49400", "0.5", 13)),  # stop b triggers and sells into the book
    ("trade", trade("50600", "0.01", 14)),  # OCO limit leg fills partly
    ("submit", OrderRequest(SYMBOL, "BUY", "MARKET", quantity="0.01")),
]


def memory_store_factory():
    store = InMemoryPaperStore()
    return lambda: store


def sql_store_factory(database_url):
    """Each call is a new process's view of the same database: new engine, new store."""
    return lambda: SqlPaperStore(make_engine(database_url))


async def run_script(restart: bool, open_store):
    clock = FakeClock()
    store = open_store()
    exchange = make_exchange(store=store, clock=clock)
    for kind, payload in SCRIPT:
        if kind == "book":
            exchange.on_book(payload)
        elif kind == "trade":
            exchange.on_trade(payload)
        elif kind == "submit":
            await exchange.submit(1, payload)
        elif kind == "oco":
            await exchange.submit_oco(1, payload)
        elif kind == "restart":
            clock.set(clock.now_ms() + 120_000)  # consumed liquidity has refilled by now
            if restart:
                store = open_store()
                exchange = type(exchange)(store, clock=clock)
    orders = sorted((o.client_order_id, o.status, o.executed_quantity) for o in await exchange.open_orders(1))
    closed = {cid: (await exchange.query_order(1, SYMBOL, cid)).status for cid in ("a", "b")}
    return exchange.balances_now(1), orders, closed, [(f.trade_id, f.quantity, f.price) for f in exchange.fills(1)]


async def test_restart_mid_stream_reaches_the_same_state():
    uninterrupted = await run_script(restart=False, open_store=memory_store_factory())
    restarted = await run_script(restart=True, open_store=memory_store_factory())
    assert restarted == uninterrupted
    balances, open_orders, closed, fills = restarted
    assert closed["b"] is OrderStatus.FILLED and len(fills) >= 3


async def test_restart_from_the_database_reaches_the_same_state(database_url, tmp_path):
    uninterrupted = await run_script(restart=False, open_store=memory_store_factory())
    restarted = await run_script(restart=True, open_store=sql_store_factory(database_url))
    assert restarted == uninterrupted


@pytest.mark.parametrize(
    "code, http_status, expected",
    [(-2010, 400, OrderRejected), (-2011, 400, OrderNotFound), (-1003, 429, TransientVenueError),
     (-1007, 500, OutcomeUnknown), (None, 503, OutcomeUnknown), (-2015, 401, AuthenticationFailed),
     (-1021, 400, TransientVenueError)],
)
def test_binance_error_table(code, http_status, expected):
    error = error_from_binance(code, "msg", http_status, retry_after=2.0)
    assert type(error) is expected and error.code == code
    if expected is TransientVenueError:
        assert error.retry_after == 2.0
