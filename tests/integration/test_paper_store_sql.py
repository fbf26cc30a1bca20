"""The paper exchange's SQL store against a real, migrated database."""

from decimal import Decimal as D

import pytest

from numatix.domain.balances import Balance
from numatix.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.orders import Fill, Order
from numatix.domain.requests import OrderRequest
from numatix.exchange.paper import FakeClock, PaperExchange, PaperOrderRecord
from numatix.exchange.paper.store import WALLET_RESET, RecordCollision
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


def test_a_taken_trade_id_is_an_error_not_a_dropped_fill(store, database_url):
    store.insert_order(record(limit_order(1)))
    store.insert_fill(7, a_fill(10))
    with pytest.raises(RecordCollision, match="trade id 10"):
        with store.transaction():
            store.insert_fill(8, a_fill(10))
    assert [f.trade_id for f in reopen(database_url).load_fills(7)] == [10]
    assert reopen(database_url).load_fills(8) == []
    assert reopen(database_url).load_order(7, SYMBOL, "c1").trade_ids == {10}


def test_a_taken_order_id_is_an_error_not_an_overwrite(store, database_url):
    store.insert_order(record(limit_order(1, client_order_id="mine")))
    with pytest.raises(RecordCollision, match="order id 1"):
        with store.transaction():
            store.insert_order(record(limit_order(1, client_order_id="theirs"), account=8))
    with pytest.raises(RecordCollision, match="order 1"):  # nor updated into another account's order
        with store.transaction():
            store.update_order(record(limit_order(1, client_order_id="theirs", status=OrderStatus.FILLED), account=8))
    assert reopen(database_url).load_order_by_id(7, 1).client_order_id == "mine"
    assert reopen(database_url).load_order_by_id(8, 1) is None


def test_an_order_is_updated_only_as_itself(store, database_url):
    store.insert_order(record(limit_order(1)))
    store.update_order(record(limit_order(1, status=OrderStatus.CANCELED)))
    assert reopen(database_url).load_order_by_id(7, 1).status is OrderStatus.CANCELED
    with pytest.raises(RecordCollision):  # an order that was never stored
        store.update_order(record(limit_order(2)))


def test_client_order_id_is_unique_among_open_orders_only(store):
    store.insert_order(record(limit_order(1, status=OrderStatus.FILLED)))
    store.insert_order(record(limit_order(2)))  # a closed order's id may be reused
    with pytest.raises(RecordCollision):
        store.insert_order(record(limit_order(3)))
    assert store.load_order(7, SYMBOL, "c1").venue_order_id == 2


def test_a_failed_step_commits_nothing(store, database_url):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.insert_order(record(limit_order(1)))
            store.save_balances(7, [Balance("USDT", D("1"))])
            raise RuntimeError("crash mid-step")
    fresh = reopen(database_url)
    assert fresh.load_open_orders() == [] and fresh.load_balances(7) is None


def test_open_orders_come_back_with_their_engine_state(store, database_url):
    order = limit_order(1)
    order.apply(a_fill(10))
    with store.transaction():
        store.insert_order(record(order))
        store.insert_fill(7, a_fill(10))
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


async def test_an_order_decremented_by_self_trade_prevention_keeps_its_prevented_quantity_across_a_restart(
        database_url):
    clock = FakeClock()
    exchange = PaperExchange(reopen(database_url), clock=clock)
    exchange.on_book(STANDARD_BOOK)
    exchange.on_trade(trade("50000", "0.001", trade_id=0))
    await exchange.submit(7, OrderRequest(SYMBOL, "BUY", "LIMIT", quantity="0.06", price="50000.50",
                                          time_in_force="GTC", client_order_id="maker"))
    await exchange.submit(7, OrderRequest(SYMBOL, "SELL", "LIMIT", quantity="0.02", price="50000.50",
                                          time_in_force="GTC", self_trade_prevention="DECREMENT"))
    again = PaperExchange(reopen(database_url), clock=clock)
    maker = await again.query_order(7, SYMBOL, "maker")
    assert maker.status is OrderStatus.NEW and maker.prevented_quantity == D("0.02")
    assert maker.prevented_match_id > 0
    assert maker.remaining_quantity == D("0.04")
    assert again.balances_now(7)["USDT"].locked == D("0.04") * D("50000.50")
