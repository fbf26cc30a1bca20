"""Self-trade prevention, mode by mode, in the scenarios of Binance's STP FAQ.

The account's own buy orders rest inside the public spread (bids 49999, asks 50001), so a sell
taker reaches them before any public liquidity.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from numatix.domain.enums import ExecutionType, OrderStatus
from numatix.domain.events import ExecutionReport
from numatix.domain.requests import OrderRequest
from tests.unit.exchange.helpers import SYMBOL, make_exchange, trade

ACCOUNT = 1


def limit(side: str, quantity: str, price: str, mode: str = "NONE", **kwargs) -> OrderRequest:
    return OrderRequest(
        SYMBOL,
        side,
        "LIMIT",
        quantity=D(quantity),
        price=D(price),
        time_in_force="GTC",
        self_trade_prevention=mode,
        **kwargs,
    )


async def place_makers(exchange, *orders: tuple[str, str]) -> list:
    return [await exchange.submit(ACCOUNT, limit("BUY", quantity, price)) for quantity, price in orders]


async def status(exchange, report):
    return await exchange.order_by_id(ACCOUNT, report.venue_order_id)


def preventions(events) -> list[ExecutionReport]:
    return [
        e
        for e in events
        if isinstance(e, ExecutionReport) and e.execution_type is ExecutionType.TRADE_PREVENTION
    ]


async def test_none_lets_the_orders_trade_and_charges_both_fees():
    exchange = make_exchange()
    (maker,) = await place_makers(exchange, ("0.01", "50000.50"))
    before = {asset: b.total for asset, b in exchange.balances_now(ACCOUNT).items()}
    taker = await exchange.submit(ACCOUNT, limit("SELL", "0.01", "50000.50", "NONE"))
    assert taker.status is OrderStatus.FILLED and (await status(exchange, maker)).status is OrderStatus.FILLED
    fills = exchange.fills(ACCOUNT, SYMBOL)
    assert sorted((f.is_maker, f.price, f.quantity) for f in fills) == [
        (False, D("50000.50"), D("0.01")),
        (True, D("50000.50"), D("0.01")),
    ]
    after = {asset: b.total for asset, b in exchange.balances_now(ACCOUNT).items()}
    assert after["BTC"] - before["BTC"] == -D("0.00001")  # the buyer's fee, in BTC
    assert after["USDT"] - before["USDT"] == -D("0.5000050")  # the seller's fee, in USDT


async def test_expire_maker_expires_every_own_order_it_meets_and_the_taker_rests():
    exchange = make_exchange()
    makers = await place_makers(exchange, ("0.012", "50000.50"), ("0.013", "50000.40"), ("0.081", "50000.30"))
    events: list = []
    exchange.add_listener(events.append)
    taker = await exchange.submit(ACCOUNT, limit("SELL", "0.03", "50000.30", "EXPIRE_MAKER"))
    for maker, quantity in zip(makers, ("0.012", "0.013", "0.081"), strict=True):
        order = await status(exchange, maker)
        assert order.status is OrderStatus.EXPIRED_IN_MATCH and order.prevented_quantity == D(quantity)
    assert taker.status is OrderStatus.NEW and taker.cumulative_quantity == 0  # it goes on the book
    reports = preventions(events)
    assert [r.prevention.quantity for r in reports] == [D("0.012"), D("0.013"), D("0.081")]
    assert all(r.prevention.counter_order_id == taker.venue_order_id for r in reports)
    assert len({r.prevention.match_id for r in reports}) == 3


async def test_expire_taker_keeps_the_makers_and_expires_the_taker():
    exchange = make_exchange()
    makers = await place_makers(exchange, ("0.012", "50000.50"), ("0.013", "50000.40"))
    taker = await exchange.submit(ACCOUNT, limit("SELL", "0.03", "50000.30", "EXPIRE_TAKER"))
    assert [(await status(exchange, m)).status for m in makers] == [OrderStatus.NEW, OrderStatus.NEW]
    assert taker.status is OrderStatus.EXPIRED_IN_MATCH and taker.prevented_quantity == D("0.03")
    assert exchange.balances_now(ACCOUNT)["BTC"].locked == 0


async def test_expire_both_expires_both():
    exchange = make_exchange()
    (maker,) = await place_makers(exchange, ("0.01", "50000.50"))
    taker = await exchange.submit(ACCOUNT, limit("SELL", "0.03", "50000.50", "EXPIRE_BOTH"))
    maker_order = await status(exchange, maker)
    assert maker_order.status is OrderStatus.EXPIRED_IN_MATCH and maker_order.prevented_quantity == D("0.01")
    assert taker.status is OrderStatus.EXPIRED_IN_MATCH and taker.prevented_quantity == D("0.03")


async def test_a_market_taker_that_expires_its_own_maker_goes_on_into_the_public_book():
    exchange = make_exchange()
    (maker,) = await place_makers(exchange, ("0.01", "50000.50"))
    taker = await exchange.submit(
        ACCOUNT,
        OrderRequest(SYMBOL, "SELL", "MARKET", quantity=D("0.01"), self_trade_prevention="EXPIRE_MAKER"),
    )
    assert (await status(exchange, maker)).status is OrderStatus.EXPIRED_IN_MATCH
    assert taker.status is OrderStatus.FILLED and taker.last_price == D(49999)


@pytest.mark.parametrize("mode", ["DECREMENT", "TRANSFER"])
async def test_decrement_takes_the_overlap_off_both_and_the_smaller_expires(mode):
    exchange = make_exchange()
    (maker,) = await place_makers(exchange, ("0.06", "50000.50"))
    taker = await exchange.submit(ACCOUNT, limit("SELL", "0.02", "50000.50", mode))
    assert taker.status is OrderStatus.EXPIRED_IN_MATCH and taker.prevented_quantity == D("0.02")
    order = await status(exchange, maker)
    assert order.status is OrderStatus.NEW and order.prevented_quantity == D("0.02")
    assert order.remaining_quantity == D("0.04")
    assert exchange.balances_now(ACCOUNT)["USDT"].locked == D("0.04") * D("50000.50")  # what is left to buy
    exchange.on_trade(trade("50000.00", "1", trade_id=9, buyer_is_maker=False))  # a print through its price
    order = await status(exchange, maker)
    assert order.status is OrderStatus.FILLED and order.executed_quantity == D("0.04")


async def test_a_taker_that_never_reaches_its_own_order_prevents_nothing():
    exchange = make_exchange()
    (maker,) = await place_makers(exchange, ("0.01", "49990"))  # behind 0.05 of public bids at better prices
    events: list = []
    exchange.add_listener(events.append)
    taker = await exchange.submit(ACCOUNT, limit("SELL", "0.02", "49990", "EXPIRE_BOTH"))
    assert taker.status is OrderStatus.FILLED and not preventions(events)
    assert (await status(exchange, maker)).status is OrderStatus.NEW


async def test_an_account_never_ends_crossed_against_itself():
    """Issue #16: with EXPIRE_TAKER, EXPIRE_BOTH or NONE the account used to keep a buy above its own sell."""
    for mode in ("NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER"):
        exchange = make_exchange()
        await exchange.submit(ACCOUNT, limit("SELL", "0.01", "50000.50"))
        await exchange.submit(ACCOUNT, limit("BUY", "0.03", "50000.60", mode))
        open_orders = await exchange.open_orders(ACCOUNT, SYMBOL)
        bids = [o.price for o in open_orders if o.side.value == "BUY"]
        asks = [o.price for o in open_orders if o.side.value == "SELL"]
        assert not bids or not asks or max(bids) < min(asks), mode
