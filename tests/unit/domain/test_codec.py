"""The JSON codec for values between workers: exact, typed back, and never able to run code."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from numatix.domain.balances import Balance
from numatix.domain.codec import from_plain, to_plain
from numatix.domain.enums import OrderType, Side, TimeInForce
from numatix.domain.market import BookLevel, BookSnapshot, Candle, Interval, Ticker24h, TradePrint
from numatix.domain.orders import Order
from numatix.domain.requests import OcoRequest, OrderRequest
from tests.unit.exchange.helpers import SYMBOL, make_exchange


def through_json(hint: object, value: object) -> object:
    text = json.dumps(to_plain(value))
    assert "Decimal(" not in text
    return from_plain(hint, json.loads(text))


def test_decimals_keep_every_digit_and_never_become_floats():
    balance = Balance("BTC", D("0.123456789012345678"), D("1E-8"))
    plain = to_plain(balance)
    assert plain == {"asset": "BTC", "free": "0.123456789012345678", "locked": "0.00000001"}
    assert through_json(Balance, balance) == balance


def test_market_values_come_back_equal_and_typed():
    book = BookSnapshot(SYMBOL, 9, 1000, (BookLevel(D("50000.01"), D("0.5")),), (BookLevel(D("50000.02"), D("2")),))
    trade = TradePrint(SYMBOL, 17, D("50000.01"), D("0.00042"), 1001, True)
    ticker = Ticker24h(SYMBOL, 1002, D("50000"), D("49000"), D("51000"), D("48000"), D("12.5"), D("625000"))
    candle = Candle(SYMBOL, Interval.H1, 0, D("1"), D("2"), D("0.5"), D("1.5"), D("3"), D("4.5"), 7, False)
    for value in (book, trade, ticker, candle):
        decoded = through_json(type(value), value)
        assert decoded == value
    assert isinstance(through_json(Candle, candle).interval, Interval)


async def test_what_the_paper_engine_returns_survives_the_trip():
    exchange = make_exchange()
    events = []
    exchange.add_listener(events.append)
    request = OrderRequest(SYMBOL, Side.BUY, OrderType.LIMIT, quantity=D("0.01"), price=D("49000"),
                           time_in_force=TimeInForce.GTC, client_order_id="codec-1")
    await exchange.submit(7, request)
    await exchange.submit(7, OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, quantity=D("0.03")))
    await exchange.reset_wallet(7)
    orders = await exchange.all_orders(7)
    fills = await exchange.my_trades(7)
    assert len(events) >= 4 and len(orders) == 2 and fills
    assert through_json(list[Order], orders) == orders
    assert through_json(list[type(fills[0])], fills) == fills
    for event in events:
        assert through_json(type(event), event) == event
    ledger = await exchange.wallet_ledger(7)
    assert through_json(list[type(ledger[0])], ledger) == ledger
    balances = await exchange.balances(7)
    assert through_json(dict[str, Balance], balances) == balances
    assert through_json(OrderRequest, request) == request


def test_requests_with_optional_and_enum_fields_round_trip():
    oco = OcoRequest(SYMBOL, Side.SELL, D("0.01"), D("52000"), D("48000"), D("47900"), TimeInForce.GTC)
    assert through_json(OcoRequest, oco) == oco
    assert through_json(tuple[int, str], (3, "x")) == (3, "x")
    assert through_json(int | None, None) is None


def test_a_type_it_does_not_know_is_refused_not_guessed():
    class Unknown:
        pass

    with pytest.raises(TypeError):
        from_plain(Unknown, {"a": 1})
