"""Refusals name the number a trader needs, while the venue's code and words stay as they are."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from numatix.domain.enums import OrderType, Side
from numatix.domain.errors import OrderRejected
from numatix.domain.filters import SymbolFilters
from numatix.domain.guidance import far_from_market_warning, is_far_from_market, plain
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.domain.symbols import DEFAULT_SYMBOLS

BTC = SymbolFilters.from_spec(DEFAULT_SYMBOLS["BTCUSDT"])
ETH = SymbolFilters.from_spec(DEFAULT_SYMBOLS["ETHUSDT"])
LAST = D("50000")


def limit(quantity="0.001", price="50000", side="BUY", **more) -> OrderRequest:
    return OrderRequest("BTCUSDT", side, OrderType.LIMIT, quantity=D(quantity), price=D(price),
                        time_in_force="GTC", **more)


def refusal(request: OrderRequest, filters: SymbolFilters = BTC, reference=LAST, open_orders=0,
            open_algo=0) -> OrderRejected:
    with pytest.raises(OrderRejected) as caught:
        request.validate()
        filters.validate(request, reference, open_orders, open_algo)
    return caught.value


@pytest.mark.parametrize(("request_", "code", "venue_words", "hint"), [
    (limit(quantity="0.00005", price="50000"), -1013, "Filter failure: NOTIONAL", "Minimum order is 5 USDT"),
    (limit(quantity="0.000015"), -1013, "Filter failure: LOT_SIZE", "Amount must be a multiple of 0.00001 BTC"),
    (limit(quantity="0.000001"), -1013, "Filter failure: LOT_SIZE", "Amount must be at least 0.00001 BTC"),
    (limit(quantity="9001"), -1013, "Filter failure: LOT_SIZE", "Amount can be at most 9,000 BTC"),
    (limit(price="50000.005"), -1013, "Filter failure: PRICE_FILTER", "Price must be a multiple of 0.01 USDT"),
    (limit(price="2000000"), -1013, "Filter failure: PRICE_FILTER", "Price can be at most 1,000,000 USDT"),
    (limit(quantity="100", price="100000"), -1013, "Filter failure: NOTIONAL",
     "Maximum order is 9,000,000 USDT"),
    (limit(price="9999.99"), -1013, "Filter failure: PERCENT_PRICE_BY_SIDE",
     "Price must be between 10,000 and 250,000 USDT now (a band around the market)"),
    (limit(quantity="0.0010000001"), -1111, "Parameter 'quantity' has too much precision.",
     "Amount must be a multiple of 0.00001 BTC"),
    (OrderRequest("BTCUSDT", "BUY", OrderType.LIMIT, quantity=D("0.001"), time_in_force="GTC"), -1102,
     "Mandatory parameter 'price' was not sent, was empty/null, or malformed.", "Enter the price"),
    (OrderRequest("BTCUSDT", "BUY", OrderType.MARKET), -1102,
     "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
     "Enter the amount or the total"),
    (OrderRequest("BTCUSDT", "SELL", OrderType.STOP_LOSS, quantity=D("0.001"), stop_price=D("49000.001")), -1013,
     "Filter failure: PRICE_FILTER", "Stop price must be a multiple of 0.01 USDT"),
])
def test_each_refusal_keeps_the_venues_words_and_names_the_number(request_, code, venue_words, hint):
    refused = refusal(request_)
    assert (refused.code, refused.message, refused.hint) == (code, venue_words, hint)
    assert refused.words == hint


def test_open_order_limits_say_how_many():
    assert refusal(limit(), open_orders=200).words == "At most 200 open orders per symbol: cancel one first"
    stop = OrderRequest("BTCUSDT", "SELL", OrderType.STOP_LOSS, quantity=D("0.001"), stop_price=D("49000"))
    assert refusal(stop, open_algo=5).words == "At most 5 open stop orders per symbol: cancel one first"


def test_a_number_that_is_not_one_says_so():
    with pytest.raises(OrderRejected) as caught:
        OrderRequest("BTCUSDT", "BUY", OrderType.LIMIT, quantity=D(-1), price=D("1"))
    assert caught.value.code == -1100 and caught.value.words == "Amount must be a positive number"


def test_an_oco_with_prices_the_wrong_way_round_says_which_way():
    pair = OcoRequest("BTCUSDT", "SELL", D("0.001"), limit_price=D("49000"), stop_price=D("51000"))
    with pytest.raises(OrderRejected) as caught:
        pair.check_price_relationship(LAST)
    assert caught.value.message == "The relationship of the prices for the orders is not correct."
    assert caught.value.words == ("For a sell OCO: take-profit price above the last price (50,000), "
                                  "stop price below it")


steps = st.integers(min_value=1, max_value=10**7)


@given(steps, st.integers(min_value=1, max_value=9))
def test_an_amount_off_the_step_is_told_the_step(units, tenths):
    quantity = units * D("0.00001") + tenths * D("0.000001")
    refused = refusal(limit(quantity=str(quantity), price="50000"), reference=None)
    assert refused.code in (-1013, -1111) and refused.message.startswith(("Filter failure", "Parameter"))
    assert refused.words == "Amount must be a multiple of 0.00001 BTC"
    # and the amount floored to that step is no longer refused for it
    floored = BTC.floor_quantity(quantity)
    assert floored % D("0.00001") == 0 and floored <= quantity


@given(st.decimals(min_value=D("0.0001"), max_value=D("4.99"), places=2))
def test_any_order_under_the_minimum_is_told_the_minimum(notional):
    quantity = D("0.01")
    price = (notional / quantity).quantize(D("0.01"))
    if price * quantity >= 5 or price <= 0:
        return
    refused = refusal(limit(quantity=str(quantity), price=str(price)), reference=None)
    assert (refused.code, refused.message) == (-1013, "Filter failure: NOTIONAL")
    assert refused.words == "Minimum order is 5 USDT"


@given(st.decimals(min_value=D("1"), max_value=D("500000"), places=2))
def test_the_percent_band_names_bounds_that_pass(average):
    lowest, highest = BTC.percent_price.bounds(Side.BUY, average)
    for price in (lowest, highest):
        BTC.percent_price.check(Side.BUY, price, average)  # the bounds the hint names are allowed
    assert lowest % D("0.01") == 0 and highest % D("0.01") == 0


def test_plain_numbers_group_and_drop_trailing_zeros():
    assert plain(D("9000000")) == "9,000,000"
    assert plain(D("0.00001000")) == "0.00001"
    assert plain(D("95000.10")) == "95,000.1"


def test_a_price_more_than_ten_percent_away_asks_first():
    assert not is_far_from_market(D("0.1")) and is_far_from_market(D("0.1001"))
    assert is_far_from_market(D("-0.2"))
    assert far_from_market_warning(D("40000"), D("50000"), D("-0.2")) == (
        "Your price 40,000 is 20.0% below the market (50,000). Place it anyway?")


def test_units_follow_the_symbol():
    with pytest.raises(OrderRejected) as caught:
        ETH.lot_size.check(D("0.00005"))
    assert caught.value.words == "Amount must be at least 0.0001 ETH"


def test_a_take_profit_waits_for_a_trigger_price_a_stop_loss_for_a_stop_price():
    from numatix.domain.triggers import trigger_label, triggered

    assert [trigger_label(t) for t in ("TAKE_PROFIT", OrderType.TAKE_PROFIT_LIMIT)] == ["Trigger price"] * 2
    assert [trigger_label(t) for t in ("STOP_LOSS", OrderType.STOP_LOSS_LIMIT, "OCO")] == ["Stop price"] * 3
    # which way each fires (Binance): sell stop-loss and buy take-profit on a fall, the others on a rise
    last = D("100")
    assert triggered(OrderType.STOP_LOSS, Side.SELL, D("100"), last)
    assert not triggered(OrderType.STOP_LOSS, Side.SELL, D("99"), last)
    assert triggered(OrderType.TAKE_PROFIT, Side.BUY, D("101"), last)
    assert not triggered(OrderType.TAKE_PROFIT, Side.BUY, D("99"), last)
    assert triggered(OrderType.STOP_LOSS_LIMIT, Side.BUY, D("99"), last)
    assert not triggered(OrderType.TAKE_PROFIT_LIMIT, Side.SELL, D("101"), last)
