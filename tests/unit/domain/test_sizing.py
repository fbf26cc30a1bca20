"""Sizing: the slider's share of what is free, amount ↔ total, and the funds an order locks."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from numatix.domain.enums import OrderType, Side
from numatix.domain.filters import SymbolFilters
from numatix.domain.order_types import OCO, TICKET_TYPES, TICKETS
from numatix.domain.requests import OrderRequest
from numatix.domain.sizing import (
    MARKET_BUY_HEADROOM, Funds, funds_to_lock, quantity_for_percent, quantity_for_quote, quote_for_percent,
    quote_for_quantity,
)
from numatix.domain.symbols import DEFAULT_SYMBOLS

BTC = SymbolFilters.from_spec(DEFAULT_SYMBOLS["BTCUSDT"])
STEP = D("0.00001")
amounts = st.decimals(min_value=D("0"), max_value=D("1000000"), places=8)
prices = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)
percents = st.sampled_from([D(0), D(25), D(50), D(75), D(100)]) | st.decimals(min_value=0, max_value=100, places=0)


@given(percents, amounts)
def test_a_sell_share_is_on_the_step_and_never_more_than_is_free(percent, free_base):
    quantity = quantity_for_percent(percent, Side.SELL, OrderType.LIMIT, free_base, D(0), None, BTC)
    assert quantity % STEP == 0
    assert 0 <= quantity <= free_base * percent / 100
    assert free_base * percent / 100 - quantity < STEP  # and as much as the step allows


@given(percents, amounts, prices)
def test_a_limit_buy_share_costs_no_more_than_that_share_and_is_as_large_as_it_can_be(percent, free_quote, price):
    quantity = quantity_for_percent(percent, Side.BUY, OrderType.LIMIT, D(0), free_quote, price, BTC)
    spend = free_quote * percent / 100
    assert quantity % STEP == 0
    assert quantity * price <= spend
    assert (quantity + STEP) * price > spend


@given(amounts, prices)
def test_a_market_buy_leaves_room_for_the_price_to_move(free_quote, price):
    quantity = quantity_for_percent(D(100), Side.BUY, OrderType.MARKET, D(0), free_quote, price, BTC)
    assert quantity * price * (1 + MARKET_BUY_HEADROOM) <= free_quote


def test_a_buy_with_no_price_cannot_be_sized():
    assert quantity_for_percent(D(50), Side.BUY, OrderType.LIMIT, D(0), D(1000), None, BTC) is None


@given(percents, amounts)
def test_a_market_buy_by_total_spends_that_share_in_cents(percent, free_quote):
    total = quote_for_percent(percent, free_quote)
    assert total == total.quantize(D("0.01")) and 0 <= total <= free_quote * percent / 100


@given(st.decimals(min_value=D("0.00001"), max_value=D("9000"), places=5), prices)
def test_amount_to_total_and_back_loses_less_than_a_step(quantity, price):
    total = quote_for_quantity(quantity, price)
    assert total == quantity * price
    back = quantity_for_quote(total, price, BTC)
    assert back == quantity  # an amount on the step comes back exactly
    cents = quantity_for_quote(total.quantize(D("0.01")), price, BTC)  # a total typed in cents
    assert cents % STEP == 0 and abs(quantity - cents) <= STEP + D("0.005") / price


def test_each_order_locks_what_the_venue_locks():
    def order(order_type, side="BUY", **fields):
        return OrderRequest("BTCUSDT", side, order_type, **{k: D(v) for k, v in fields.items()},
                            time_in_force="GTC" if order_type in (OrderType.LIMIT, OrderType.STOP_LOSS_LIMIT) else None)

    assert funds_to_lock(order(OrderType.LIMIT, quantity="0.01", price="50000"), BTC) == Funds("USDT", D("500"))
    assert funds_to_lock(order(OrderType.STOP_LOSS, quantity="0.01", stop_price="51000"), BTC) == \
        Funds("USDT", D("510"))
    assert funds_to_lock(order(OrderType.STOP_LOSS_LIMIT, quantity="0.01", price="52000", stop_price="51000"),
                         BTC) == Funds("USDT", D("520"))
    assert funds_to_lock(order(OrderType.MARKET, quote_order_qty="100"), BTC) == Funds("USDT", D("100"))
    assert funds_to_lock(order(OrderType.MARKET, quantity="0.01"), BTC, lambda: (D("0.01"), D("500.5"))) == \
        Funds("USDT", D("500.5"))
    assert funds_to_lock(order(OrderType.MARKET, quantity="0.01"), BTC) is None  # no book to walk
    assert funds_to_lock(order(OrderType.LIMIT, "SELL", quantity="0.01", price="50000"), BTC) == \
        Funds("BTC", D("0.01"))
    assert funds_to_lock(order(OrderType.MARKET, "SELL", quote_order_qty="100"), BTC,
                         lambda: (D("0.002"), D("100"))) == Funds("BTC", D("0.002"))
    assert Funds("USDT", D("500")).shortfall_hint(D("120.5")) == \
        "Not enough USDT: this order needs 500 USDT, 120.5 USDT available"


def test_each_ticket_asks_for_what_its_type_needs():
    assert TICKET_TYPES[-1] == OCO and len(TICKET_TYPES) == 8
    limit, market, stop = TICKETS["LIMIT"], TICKETS["MARKET"], TICKETS["STOP_LOSS"]
    assert (limit.price, limit.stop_price, limit.time_in_force, limit.total) == (True, False, True, True)
    assert (market.price, market.by_quote, market.total) == (False, True, False)
    assert (stop.price, stop.stop_price, stop.total) == (False, True, False)
    assert TICKETS["LIMIT_MAKER"].time_in_force is False
    assert TICKETS["TAKE_PROFIT_LIMIT"].price and TICKETS["TAKE_PROFIT_LIMIT"].stop_price
    assert TICKETS[OCO].stop_limit_price and not TICKETS[OCO].total
