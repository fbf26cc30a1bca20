"""Queue position of resting paper orders (trades and cancels ahead), fills when the book crosses,
Binance's average reference price in the filters, and exact slippage."""

from __future__ import annotations

import math
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numatix.domain.enums import OrderStatus, Side
from numatix.domain.errors import OrderRejected
from numatix.domain.market import TradePrint
from numatix.domain.requests import OrderRequest
from numatix.exchange.paper.queue import QueuePlace, share_ahead
from tests.unit.exchange.helpers import SYMBOL, book, make_exchange, trade


def test_trades_at_the_price_eat_the_queue_ahead_first():
    place = QueuePlace()
    place.join(D(5))
    assert place.trade(D(2)) == 0 and place.ahead == 3
    assert place.trade(D(4)) == 1 and place.ahead == 0  # one left over reaches us


def test_cancels_ahead_move_the_order_up_by_their_likely_share():
    alone = QueuePlace()
    alone.join(D(10))
    alone.depth(D(4))  # nothing behind us: every cancel was ahead
    assert alone.ahead == 4
    middle = QueuePlace()
    middle.join(D(10))
    middle.depth(D(30))  # 20 more joined behind us
    assert middle.ahead == 10
    middle.depth(D(20))  # 10 cancelled, from ahead with probability log 11 / (log 11 + log 21)
    expected = 10 - 10 * math.log(11) / (math.log(11) + math.log(21))
    assert float(middle.ahead) == pytest.approx(expected)
    assert share_ahead(D(10), D(20)) < D("0.5") < share_ahead(D(20), D(10))


def test_trades_are_not_counted_twice_as_cancels():
    place = QueuePlace()
    place.join(D(5))
    place.trade(D(2))
    place.depth(D(3))  # the level shrank by exactly what traded: nobody cancelled
    assert place.ahead == 3


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(0, 50, places=3),
    st.lists(st.tuples(st.booleans(), st.decimals(0, 50, places=3)), max_size=30),
)
def test_the_queue_ahead_is_never_negative_nor_above_what_is_shown(start, events):
    place = QueuePlace()
    place.join(start)
    for is_trade, amount in events:
        left = place.trade(amount) if is_trade else None
        if not is_trade:
            place.depth(amount)
        assert place.ahead >= 0 and (left is None or left >= 0)
        assert place.ahead <= place.shown


BIDS = [("49999", "1.0"), ("49998", "0.5"), ("49990", "1")]
ASKS = [("50001", "0.02"), ("50002", "0.03"), ("50010", "1")]


async def resting_buy(exchange, price="49999", quantity="0.1"):
    request = OrderRequest(SYMBOL, "BUY", "LIMIT", quantity=D(quantity), price=D(price), time_in_force="GTC")
    return await exchange.submit(1, request)


async def test_an_order_moves_up_as_the_level_is_cancelled_then_fills_on_a_print_at_its_price():
    exchange = make_exchange()
    exchange.on_book(book(BIDS, ASKS))
    report = await resting_buy(exchange)  # joins behind 1.0 BTC
    exchange.on_book(book([("49999", "0.2"), *BIDS[1:]], ASKS, update_id=2))  # 0.8 cancelled, all ahead of us
    exchange.on_trade(trade("49999", "0.25", trade_id=5, buyer_is_maker=True))
    order = await exchange.order_by_id(1, report.venue_order_id)
    assert order.executed_quantity == D("0.05") and order.status is OrderStatus.PARTIALLY_FILLED


async def test_without_cancels_the_same_print_only_eats_the_queue():
    exchange = make_exchange()
    exchange.on_book(book(BIDS, ASKS))
    report = await resting_buy(exchange)
    exchange.on_book(book(BIDS, ASKS, update_id=2))
    exchange.on_trade(trade("49999", "0.25", trade_id=5, buyer_is_maker=True))
    assert (await exchange.order_by_id(1, report.venue_order_id)).executed_quantity == 0


async def test_a_level_deeper_than_the_published_book_keeps_its_estimate():
    """Binance's depth20 does not show every level: no news is not a cancel."""
    exchange = make_exchange()
    exchange.on_book(book(BIDS, ASKS))
    report = await resting_buy(exchange, price="49990")  # behind 1 BTC at the third level
    exchange.on_book(book(BIDS[:2], ASKS, update_id=2))  # the feed now shows two levels only
    exchange.on_trade(trade("49990", "0.5", trade_id=5, buyer_is_maker=True))
    assert (await exchange.order_by_id(1, report.venue_order_id)).executed_quantity == 0


async def test_a_book_that_crosses_a_resting_order_fills_it_at_its_own_price_once():
    exchange = make_exchange()
    exchange.on_book(book(BIDS, ASKS))
    report = await resting_buy(exchange)
    sellers = [("49990", "0.03"), ("49999", "0.02"), ("50005", "1")]  # asks at or below the resting buy
    exchange.on_book(book([("49997", "1")], sellers, update_id=2))
    exchange.on_book(book([("49997", "1")], sellers, update_id=3))  # the same book again
    fills = exchange.fills(1, SYMBOL)
    assert [(fill.price, fill.quantity, fill.is_maker) for fill in fills] == [(D(49999), D("0.05"), True)]
    order = await exchange.order_by_id(1, report.venue_order_id)
    assert order.executed_quantity == D("0.05")  # not through its limit, and the same sellers only once


async def test_filters_use_the_average_price_of_the_last_five_minutes_not_the_last_print():
    exchange = make_exchange()
    clock = exchange.clock
    now = clock.now_ms()
    for index in range(5):
        exchange.on_trade(TradePrint(SYMBOL, 10 + index, D(50000), D("0.1"), now - 60_000 * index, False))
    exchange.on_trade(TradePrint(SYMBOL, 20, D(60000), D("0.001"), now, False))  # a spike on a tiny print
    low = OrderRequest(SYMBOL, Side.BUY, "LIMIT", quantity=D("0.001"), price=D(11000), time_in_force="GTC")
    assert (await exchange.submit(1, low)).status is OrderStatus.NEW  # 0.2 × average (≈ 50,020) allows it
    too_low = OrderRequest(SYMBOL, Side.BUY, "LIMIT", quantity=D("0.001"), price=D(9999), time_in_force="GTC")
    with pytest.raises(OrderRejected, match="PERCENT_PRICE_BY_SIDE"):
        await exchange.submit(1, too_low)
    clock.set(now + 6 * 60_000)  # nothing traded in the last five minutes: the last price counts
    with pytest.raises(OrderRejected, match="PERCENT_PRICE_BY_SIDE"):
        await exchange.submit(
            1,
            OrderRequest(SYMBOL, Side.BUY, "LIMIT", quantity=D("0.001"), price=D(11000), time_in_force="GTC"),
        )


async def test_a_market_order_s_notional_is_valued_at_the_average_price():
    exchange = make_exchange()
    now = exchange.clock.now_ms()
    exchange.on_trade(TradePrint(SYMBOL, 10, D(50000), D(1), now - 1_000, False))
    exchange.on_trade(TradePrint(SYMBOL, 11, D(40000), D("0.0001"), now, False))
    small = OrderRequest(SYMBOL, Side.BUY, "MARKET", quantity=D("0.00011"))  # 5.5 at the average, 4.4 at last
    assert (await exchange.submit(1, small)).status is OrderStatus.FILLED


async def test_slippage_is_recorded_exactly():
    exchange = make_exchange()
    request = OrderRequest(SYMBOL, Side.BUY, "MARKET", quantity=D("0.03"), client_order_id="slip")
    await exchange.submit(1, request)
    quality = exchange.fill_quality(1, SYMBOL, "slip")
    average = (D("0.02") * 50001 + D("0.01") * 50002) / D("0.03")
    assert quality.slippage_bps == (average - 50001) / 50001 * 10_000
