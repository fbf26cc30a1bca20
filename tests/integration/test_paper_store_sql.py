"""The paper exchange's SQL store against a real, migrated database."""

from decimal import Decimal as D

import pytest
from sqlalchemy.exc import IntegrityError

from numatix.domain.balances import Balance
from numatix.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.orders import Fill, Order
from numatix.domain.requests import OrderRequest
from numatix.exchange.paper import FakeClock, PaperExchange, PaperOrderRecord
from numatix.exchange.paper.store import WALLET_RESET
from numatix.store.db import make_engine
from numatix.store.paper_repository import SqlPaperStore
from tests.unit.exchange.helpers import SYMBOL, STANDARD_BOOK, trade


@pytest.fixture
def store(database_url):
    engine = make_engine(database_url)
    yield SqlPaperStore(engine)
    engine.dispose()


def reopen(database_url):
    return SqlPaperStore(make_engine(database_url))


def limit_order(venue_order_id, client_order_id="c1", status=OrderStatus.NEW):
    return Order(venue_order_id, client_order_id, SYMBOL, Side.BUY, OrderType.LIMIT, TimeInForce.GTC,
                 quantity=D("0.00100000"), price=D("50000.01"), status=status, created_time_ms=1)


def record(order, account=7):
    return PaperOrderRecord(account, order, D("0.5"), "USDT", D("50.00001"))


def a_fill(trade_id, venue_order_id=1):
    return Fill(trade_id, venue_order_id, "c1", SYMBOL, Side.BUY, D("50000.01"), D("0.0001"),
                D("5.000001"), D("0.0000001"), "BTC", False, 5)


def test_amounts_come_back_exactly(store, database_url):
    tiny, large = D("0.000000000000000001"), D("12345678901234567890.123456789012345678")
    store.save_balances(7, [Balance("BTC", tiny, large), Balance("USDT", D("10000"), D("0"))])
    loaded = {b.asset: b for b in reopen(database_url).load_balances(7)}
    assert loaded["BTC"].free == tiny and loaded["BTC"].locked == large
    assert loaded["USDT"].free == D("10000") and str(loaded["USDT"].free) == "10000"


def test_a_float_is_refused(store):
    with pytest.raises(Exception) as raised:
        store.save_balances(7, [Balance("BTC", 0.1, D(0))])  # type: ignore[arg-type]
    assert "float" in str(raised.value)


def test_a_fill_is_stored_once_by_trade_id(store, database_url):
    store.save_order(record(limit_order(1)))
    assert store.save_fill(7, a_fill(10)) is True
    assert store.save_fill(7, a_fill(10)) is False
    assert [f.trade_id for f in reopen(database_url).load_fills(7)] == [10]
    assert reopen(database_url).load_order(7, SYMBOL, "c1").trade_ids == {10}


def test_client_order_id_is_unique_among_open_orders_only(store):
    store.save_order(record(limit_order(1, status=OrderStatus.FILLED)))
    store.save_order(record(limit_order(2)))  # a closed order's id may be reused
    with pytest.raises(IntegrityError):
        store.save_order(record(limit_order(3)))
    assert store.load_order(7, SYMBOL, "c1").venue_order_id == 2


def test_a_failed_step_commits_nothing(store, database_url):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.save_order(record(limit_order(1)))
            store.save_balances(7, [Balance("USDT", D("1"))])
            raise RuntimeError("crash mid-step")
    fresh = reopen(database_url)
    assert fresh.load_open_orders() == [] and fresh.load_balances(7) is None


def test_open_orders_come_back_with_their_engine_state(store, database_url):
    order = limit_order(1)
    order.apply(a_fill(10))
    with store.transaction():
        store.save_order(record(order))
        store.save_fill(7, a_fill(10))
    [restored] = reopen(database_url).load_open_orders()
    assert restored.order == order and restored.order.status is OrderStatus.PARTIALLY_FILLED
    assert (restored.account, restored.queue_ahead, restored.reserved_asset, restored.reserved_amount) == (
        7, D("0.5"), "USDT", D("50.00001"))
    assert reopen(database_url).max_ids() == (1, 10, 0)


async def test_orders_fills_and_wallet_reset_survive_a_restart(database_url):
    clock = FakeClock()
    exchange = PaperExchange(reopen(database_url), clock=clock)
    exchange.on_book(STANDARD_BOOK)
    exchange.on_trade(trade("50000", "0.001", trade_id=0))
    await exchange.submit(7, OrderRequest(SYMBOL, "BUY", "MARKET", quantity="0.01", client_order_id="m"))
    await exchange.submit(7, OrderRequest(SYMBOL, "BUY", "LIMIT", quantity="0.01", price="40000",
                                          time_in_force="GTC", client_order_id="rest"))
    before_reset = exchange.balances_now(7)
    await exchange.reset_wallet(7)

    again = PaperExchange(reopen(database_url), clock=clock)
    assert await again.open_orders(7) == []
    assert (await again.query_order(7, SYMBOL, "rest")).status is OrderStatus.CANCELED
    assert (await again.query_order(7, SYMBOL, "m")).status is OrderStatus.FILLED
    assert sum(f.quantity for f in again.fills(7)) == D("0.01")
    assert {a: b.total for a, b in again.balances_now(7).items()} == {
        "USDT": D("10000"), "BTC": D("0.1"), "ETH": D("1"), "BNB": D("10")}
    [entry] = again.store.load_ledger(7)
    assert entry.kind == WALLET_RESET and entry.balances_after["USDT"] == D("10000")
    assert entry.balances_before == {a: b.total for a, b in before_reset.items()}
    assert entry.balances_before["BTC"] > D("0.1")
