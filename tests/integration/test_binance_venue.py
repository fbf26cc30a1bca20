"""The Binance venue against the Binance-compatible simulator, over real sockets.

Every order type, cancels, queries, balances and the user data stream, with HMAC and
Ed25519 keys. The market is the simulator's quiet one: it moves only on ``push_trade``,
so each test first prints the price it works around. Faults live in
``test_binance_venue_faults.py``.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal as D

import pytest

from numatix.domain.enums import ExecutionType, OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.errors import AuthenticationFailed, OrderNotFound, OrderRejected
from numatix.domain.events import BalanceUpdate, ExecutionReport
from numatix.domain.requests import OcoRequest, OrderRequest
from tests.integration.test_binance_venue_support import (  # noqa: F401
    PRICE, SYMBOL, WAIT_SECONDS, Trader, simulator, trader,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


def limit(side: Side, quantity: str, price: str, **kwargs: object) -> OrderRequest:
    return OrderRequest(SYMBOL, side, OrderType.LIMIT, quantity=D(quantity), price=D(price),
                        time_in_force=TimeInForce.GTC, **kwargs)


async def test_market_by_quantity_fills_and_streams_each_fill_once(trader: Trader) -> None:
    report = await trader.venue.submit(trader.account, OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET,
                                                                     quantity=D("0.0030009")))
    assert report.status is OrderStatus.FILLED and report.cumulative_quantity == D("0.003")  # floored to the step
    fills = await trader.fills_of(report.client_order_id, D("0.003"))
    trades = {fill.trade_id for fill in await trader.venue.my_trades(trader.account, SYMBOL)
              if fill.client_order_id == report.client_order_id}
    assert {fill.trade_id for fill in fills} == trades and len(fills) == len(trades)
    assert fills[-1].status is OrderStatus.FILLED
    await trader.until(lambda events: any(isinstance(e, BalanceUpdate) for e in events))


async def test_market_by_quote_amount(trader: Trader) -> None:
    report = await trader.venue.submit(trader.account, OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET,
                                                                     quote_order_qty=D("25")))
    assert report.status is OrderStatus.FILLED
    assert D("20") < report.cumulative_quote <= D("25")
    order = await trader.venue.query_order(trader.account, SYMBOL, report.client_order_id)
    assert order.quote_order_qty == D("25") and order.executed_quantity == report.cumulative_quantity


async def test_limit_rests_shows_in_open_orders_and_cancels(trader: Trader) -> None:
    report = await trader.venue.submit(trader.account, limit(Side.BUY, "0.001", str(PRICE - 1000)))
    assert (report.status, report.execution_type) == (OrderStatus.NEW, ExecutionType.NEW)
    open_ids = [order.client_order_id for order in await trader.venue.open_orders(trader.account, SYMBOL)]
    assert open_ids == [report.client_order_id]
    assert (await trader.sim.account_of(trader.account.api_key)).balances["USDT"].locked == D("49")
    canceled = await trader.venue.cancel(trader.account, SYMBOL, client_order_id=report.client_order_id)
    assert canceled.status is OrderStatus.CANCELED and canceled.venue_order_id == report.venue_order_id
    assert await trader.venue.open_orders(trader.account) == []
    with pytest.raises(OrderNotFound):
        await trader.venue.cancel(trader.account, SYMBOL, client_order_id=report.client_order_id)
    await trader.until(lambda events: trader.statuses(report.client_order_id, events)[-1:] == [OrderStatus.CANCELED])


async def test_limit_fills_when_the_market_comes_to_it(trader: Trader) -> None:
    report = await trader.venue.submit(trader.account, limit(Side.SELL, "0.002", str(PRICE + 10)))
    trader.sim.push_trade(SYMBOL, str(PRICE + 20), "0.01")
    fills = await trader.fills_of(report.client_order_id, D("0.002"))
    assert all(fill.last_price == PRICE + 10 for fill in fills)
    order = await trader.venue.query_order(trader.account, SYMBOL, report.client_order_id)
    assert order.status is OrderStatus.FILLED


async def test_limit_maker_rests_or_is_refused_if_it_would_take(trader: Trader) -> None:
    maker = OrderRequest(SYMBOL, Side.SELL, OrderType.LIMIT_MAKER, quantity=D("0.001"), price=PRICE + 500)
    report = await trader.venue.submit(trader.account, maker)
    assert report.status is OrderStatus.NEW and report.order_type is OrderType.LIMIT_MAKER
    taker = OrderRequest(SYMBOL, Side.BUY, OrderType.LIMIT_MAKER, quantity=D("0.001"), price=PRICE + 100)
    with pytest.raises(OrderRejected) as refused:
        await trader.venue.submit(trader.account, taker)
    assert (refused.value.code, refused.value.message) == (-2010, "Order would immediately match and take.")
    await trader.venue.cancel_all(trader.account, SYMBOL)
    assert await trader.venue.open_orders(trader.account, SYMBOL) == []


async def test_stop_loss_limit_waits_then_triggers_and_fills(trader: Trader) -> None:
    stop = OrderRequest(SYMBOL, Side.SELL, OrderType.STOP_LOSS_LIMIT, quantity=D("0.001"), price=PRICE - 110,
                        stop_price=PRICE - 100, time_in_force=TimeInForce.GTC)
    report = await trader.venue.submit(trader.account, stop)
    assert report.status is OrderStatus.NEW and not report.is_working
    trader.sim.push_trade(SYMBOL, str(PRICE - 100), "0.01")
    await trader.fills_of(report.client_order_id, D("0.001"))
    order = await trader.venue.query_order(trader.account, SYMBOL, report.client_order_id)
    assert order.status is OrderStatus.FILLED and order.average_price >= PRICE - 110


async def test_take_profit_limit_triggers_on_a_rise(trader: Trader) -> None:
    take = OrderRequest(SYMBOL, Side.SELL, OrderType.TAKE_PROFIT_LIMIT, quantity=D("0.001"), price=PRICE + 100,
                        stop_price=PRICE + 100, time_in_force=TimeInForce.GTC)
    report = await trader.venue.submit(trader.account, take)
    assert report.status is OrderStatus.NEW and not report.is_working
    trader.sim.push_trade(SYMBOL, str(PRICE + 150), "0.01")
    await trader.fills_of(report.client_order_id, D("0.001"))


async def test_oco_one_leg_fills_the_other_expires(trader: Trader) -> None:
    request = OcoRequest(SYMBOL, Side.SELL, D("0.001"), limit_price=PRICE + 200, stop_price=PRICE - 200,
                         stop_limit_price=PRICE - 210, stop_time_in_force=TimeInForce.GTC)
    limit_leg, stop_leg = await trader.venue.submit_oco(trader.account, request)
    assert (limit_leg.order_type, stop_leg.order_type) == (OrderType.LIMIT_MAKER, OrderType.STOP_LOSS_LIMIT)
    assert limit_leg.order_list_id == stop_leg.order_list_id >= 0
    assert len(await trader.venue.open_orders(trader.account, SYMBOL)) == 2
    trader.sim.push_trade(SYMBOL, str(PRICE + 250), "0.01")
    await trader.fills_of(limit_leg.client_order_id, D("0.001"))
    await trader.until(lambda events: OrderStatus.EXPIRED in trader.statuses(stop_leg.client_order_id, events))
    assert await trader.venue.open_orders(trader.account, SYMBOL) == []


async def test_orders_trades_and_balances_agree_with_the_simulator(trader: Trader) -> None:
    await trader.venue.submit(trader.account, OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, quantity=D("0.002")))
    resting = await trader.venue.submit(trader.account, limit(Side.BUY, "0.001", str(PRICE - 2000)))
    view = await trader.sim.account_of(trader.account.api_key)
    balances = await trader.venue.balances(trader.account)
    assert {asset: (b.free, b.locked) for asset, b in balances.items() if b.free or b.locked} == {
        asset: (b.free, b.locked) for asset, b in view.balances.items() if b.free or b.locked}
    orders = await trader.venue.all_orders(trader.account, SYMBOL)
    assert [o.venue_order_id for o in orders] == [o.venue_order_id for o in view.orders]  # newest first
    assert await trader.venue.order_by_id(trader.account, resting.venue_order_id) == await trader.venue.query_order(
        trader.account, SYMBOL, resting.client_order_id)
    fills = await trader.venue.my_trades(trader.account)
    assert fills and all(fill.client_order_id for fill in fills)
    assert [f.trade_id for f in fills] == sorted(f.trade_id for f in fills)


async def test_ed25519_key_trades_and_streams(trader: Trader) -> None:
    account = trader.sim.create_key(kind="ed25519")
    await trader.venue.check_credentials(account)
    await trader.venue.start_account(account)
    events: list = []
    trader.venue.add_listener(lambda event: events.append(event) if event.account == account else None)
    report = await trader.venue.submit(account, OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, quantity=D("0.001")))
    # This key's events come through the listener, not the trader's own subscription: poll them.
    async def filled() -> None:
        while not any(isinstance(e, ExecutionReport) and e.client_order_id == report.client_order_id
                      and e.status is OrderStatus.FILLED for e in events):
            await asyncio.sleep(0.02)

    await asyncio.wait_for(filled(), WAIT_SECONDS)
    await trader.venue.stop_account(account)


async def test_a_key_the_venue_does_not_know_is_refused_in_words(trader: Trader) -> None:
    stranger = type(trader.account)(99, "x" * 64, "not-a-secret")
    with pytest.raises(AuthenticationFailed, match="Binance refused this key"):
        await trader.venue.check_credentials(stranger)
    with pytest.raises(AuthenticationFailed):
        await trader.venue.start_account(stranger)
