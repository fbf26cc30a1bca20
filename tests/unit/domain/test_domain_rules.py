from decimal import Decimal as D

import pytest

from numatix.domain.balances import Balance, Wallet
from numatix.domain.enums import ExpiryReason, OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.errors import IllegalTransition, OrderRejected
from numatix.domain.filters import SymbolFilters
from numatix.domain.orders import TRANSITIONS, Fill, Order, OrderCanceled, OrderExpired
from numatix.domain.positions import Position
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.domain.values import to_decimal

BTC = SymbolFilters.from_spec(DEFAULT_SYMBOLS["BTCUSDT"])


def test_amounts_refuse_float_and_stay_exact():
    with pytest.raises(TypeError):
        to_decimal(0.1, "price")
    with pytest.raises(TypeError):
        to_decimal(True, "quantity")
    with pytest.raises(ValueError):
        to_decimal("NaN", "price")
    assert to_decimal("0.1") + to_decimal("0.2") == D("0.3")
    with pytest.raises(TypeError):
        OrderRequest("BTCUSDT", "BUY", "LIMIT", quantity=0.1, price="1", time_in_force="GTC")


MISSING = "was not sent, was empty/null, or malformed."


@pytest.mark.parametrize(
    "kwargs, code, message",
    [
        (dict(order_type="LIMIT", quantity="1", price="1"), -1102, f"Mandatory parameter 'timeInForce' {MISSING}"),
        (dict(order_type="LIMIT", time_in_force="GTC", price="1"), -1102, f"Mandatory parameter 'quantity' {MISSING}"),
        (dict(order_type="LIMIT", time_in_force="GTC", quantity="1"), -1102, f"Mandatory parameter 'price' {MISSING}"),
        (dict(order_type="LIMIT", time_in_force="GTC", quantity="1", price="1", stop_price="1"), -1106,
         "Parameter 'stopPrice' sent when not required."),
        (dict(order_type="MARKET"), -1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!"),
        (dict(order_type="MARKET", quantity="1", quote_order_qty="1"), -1106,
         "Parameter 'quoteOrderQty' sent when not required."),
        (dict(order_type="MARKET", quantity="1", price="1"), -1106, "Parameter 'price' sent when not required."),
        (dict(order_type="MARKET", quantity="1", time_in_force="GTC"), -1106,
         "Parameter 'timeInForce' sent when not required."),
        (dict(order_type="STOP_LOSS", quantity="1"), -1102, f"Mandatory parameter 'stopPrice' {MISSING}"),
        (dict(order_type="TAKE_PROFIT", quantity="1", stop_price="1", price="1"), -1106,
         "Parameter 'price' sent when not required."),
        (dict(order_type="STOP_LOSS_LIMIT", quantity="1", stop_price="1", price="1"), -1102,
         f"Mandatory parameter 'timeInForce' {MISSING}"),
        (dict(order_type="TAKE_PROFIT_LIMIT", quantity="1", price="1", time_in_force="GTC"), -1102,
         f"Mandatory parameter 'stopPrice' {MISSING}"),
        (dict(order_type="LIMIT_MAKER", quantity="1", price="1", time_in_force="GTC"), -1106,
         "Parameter 'timeInForce' sent when not required."),
        (dict(order_type="LIMIT_MAKER", quantity="1"), -1102, f"Mandatory parameter 'price' {MISSING}"),
    ],
)
def test_parameters_each_type_needs(kwargs, code, message):
    with pytest.raises(OrderRejected) as caught:
        OrderRequest("BTCUSDT", "BUY", **kwargs).validate()
    assert (caught.value.code, caught.value.message) == (code, message)


@pytest.mark.parametrize(
    "kwargs, code, message",
    [
        (dict(side="BUY", order_type="STOP_MARKET"), -1116, "Invalid orderType."),
        (dict(side="LONG", order_type="LIMIT"), -1117, "Invalid side."),
        (dict(side="BUY", order_type="LIMIT", time_in_force="GTX"), -1115, "Invalid timeInForce."),
    ],
)
def test_bad_enum_values_are_binance_rejections(kwargs, code, message):
    with pytest.raises(OrderRejected) as caught:
        OrderRequest("BTCUSDT", **kwargs)
    assert (caught.value.code, caught.value.message) == (code, message)


def test_negative_quantity_and_bad_client_id_are_illegal_characters():
    with pytest.raises(OrderRejected) as caught:
        OrderRequest("BTCUSDT", "BUY", "MARKET", quantity="-1")
    assert caught.value.code == -1100 and "parameter 'quantity'" in caught.value.message
    with pytest.raises(OrderRejected) as caught:
        OrderRequest("BTCUSDT", "BUY", "MARKET", quantity="1", client_order_id="bad id!")
    assert caught.value.code == -1100 and "newClientOrderId" in caught.value.message


def limit(side="BUY", quantity="0.001", price="50000", **extra):
    return OrderRequest("BTCUSDT", side, "LIMIT", quantity=quantity, price=price, time_in_force="GTC", **extra)


@pytest.mark.parametrize(
    "request_, reference, counts, failure",
    [
        (limit(price="50000.123456789"), None, (0, 0), (-1111, "Parameter 'price' has too much precision.")),
        (limit(quantity="0.000000001"), None, (0, 0), (-1111, "Parameter 'quantity' has too much precision.")),
        (limit(price="50000.001"), None, (0, 0), (-1013, "Filter failure: PRICE_FILTER")),
        (limit(price="2000000"), None, (0, 0), (-1013, "Filter failure: PRICE_FILTER")),
        (limit(price="0"), None, (0, 0), (-1013, "Filter failure: PRICE_FILTER")),
        (limit(quantity="0.000005"), None, (0, 0), (-1013, "Filter failure: LOT_SIZE")),
        (limit(quantity="0.000015"), None, (0, 0), (-1013, "Filter failure: LOT_SIZE")),
        (limit(quantity="9001"), None, (0, 0), (-1013, "Filter failure: LOT_SIZE")),
        (limit(quantity="0.00001"), None, (0, 0), (-1013, "Filter failure: NOTIONAL")),
        (limit(quantity="200", price="50000"), None, (0, 0), (-1013, "Filter failure: NOTIONAL")),
        (limit(price="300000"), D("50000"), (0, 0), (-1013, "Filter failure: PERCENT_PRICE_BY_SIDE")),
        (limit(side="SELL", price="9000"), D("50000"), (0, 0), (-1013, "Filter failure: PERCENT_PRICE_BY_SIDE")),
        (OrderRequest("BTCUSDT", "BUY", "MARKET", quantity="0.00001"), D("50000"), (0, 0),
         (-1013, "Filter failure: NOTIONAL")),
        (OrderRequest("BTCUSDT", "BUY", "MARKET", quote_order_qty="4.99"), None, (0, 0),
         (-1013, "Filter failure: NOTIONAL")),
        (OrderRequest("BTCUSDT", "BUY", "MARKET", quantity="9001"), D("1"), (0, 0),
         (-1013, "Filter failure: LOT_SIZE")),
        (limit(), None, (200, 0), (-1013, "Filter failure: MAX_NUM_ORDERS")),
        (OrderRequest("BTCUSDT", "SELL", "STOP_LOSS", quantity="0.001", stop_price="40000"), None, (10, 5),
         (-1013, "Filter failure: MAX_NUM_ALGO_ORDERS")),
    ],
)
def test_filters_reject_with_binance_codes(request_, reference, counts, failure):
    with pytest.raises(OrderRejected) as caught:
        BTC.validate(request_, reference, *counts)
    assert (caught.value.code, caught.value.message) == failure


def test_filters_accept_valid_orders_and_round():
    BTC.validate(limit(), D("50000"), 199, 0)
    BTC.validate(OrderRequest("BTCUSDT", "SELL", "STOP_LOSS", quantity="0.001", stop_price="40000"), None, 0, 4)
    assert BTC.round_price(D("50000.006")) == D("50000.01")
    assert BTC.floor_quantity(D("0.123456789")) == D("0.12345")
    market_lot = SymbolFilters.from_spec(DEFAULT_SYMBOLS["BTCUSDT"]).market_lot_size
    assert market_lot.name == "MARKET_LOT_SIZE"


def test_oco_price_relationship():
    good = OcoRequest("BTCUSDT", "SELL", D("0.01"), limit_price=D("51000"), stop_price=D("49000"))
    good.check_price_relationship(D("50000"))
    bad = OcoRequest("BTCUSDT", "SELL", D("0.01"), limit_price=D("49000"), stop_price=D("51000"))
    with pytest.raises(OrderRejected) as caught:
        bad.check_price_relationship(D("50000"))
    assert caught.value.message == "The relationship of the prices for the orders is not correct."
    assert good.stop_leg().order_type is OrderType.STOP_LOSS
    assert good.limit_leg().order_type is OrderType.LIMIT_MAKER


def make_order(quantity="1"):
    return Order(1, "c1", "BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, D(quantity), price=D("100"))


def fill(trade_id, quantity, price="100"):
    q, p = D(quantity), D(price)
    return Fill(trade_id, 1, "c1", "BTCUSDT", Side.BUY, p, q, p * q, D(0), "BTC", True, trade_id)


def test_order_applies_fills_once_and_follows_the_table():
    order = make_order()
    assert order.apply(fill(1, "0.4"))
    assert not order.apply(fill(1, "0.4"))  # duplicate trade id
    assert order.status is OrderStatus.PARTIALLY_FILLED and order.executed_quantity == D("0.4")
    order.apply(fill(2, "0.6"))
    assert order.status is OrderStatus.FILLED and order.cumulative_quote == D("100")
    with pytest.raises(IllegalTransition):
        order.apply(OrderCanceled(5))
    with pytest.raises(IllegalTransition):
        make_order().apply(fill(3, "2"))


@pytest.mark.parametrize("start", list(OrderStatus))
def test_terminal_statuses_have_no_way_out(start):
    order = make_order()
    order.status = start
    for target in OrderStatus:
        event = OrderExpired(1, ExpiryReason.EXCHANGE_CANCELED, in_match=target is OrderStatus.EXPIRED_IN_MATCH)
        if target not in (OrderStatus.EXPIRED, OrderStatus.EXPIRED_IN_MATCH):
            continue
        if target in TRANSITIONS[start]:
            order.apply(event)
            order.status = start
        else:
            with pytest.raises(IllegalTransition):
                order.apply(event)


def test_wallet_rules():
    wallet = Wallet([Balance("USDT", D("100"))])
    with pytest.raises(OrderRejected) as caught:
        wallet.lock("USDT", D("100.01"))
    assert caught.value.code == -2010
    assert wallet.balance("USDT") == Balance("USDT", D("100"), D("0"))
    wallet.lock("USDT", D("60"))
    wallet.spend_locked("USDT", D("10"))
    wallet.unlock("USDT", D("50"))
    assert wallet.balance("USDT") == Balance("USDT", D("90"), D("0"))
    with pytest.raises(ValueError):
        wallet.unlock("USDT", D("1"))


def test_position_entry_is_the_price_paid_and_fees_are_kept_apart():
    position = Position("BTCUSDT", "BTC", "USDT")
    buy = Fill(1, 1, "a", "BTCUSDT", Side.BUY, D("100"), D("1"), D("100"), D("0.001"), "BTC", False, 0)
    position.apply(buy)
    assert position.quantity == D("0.999")  # the fee was paid in BTC
    assert position.average_entry_price == D("100")  # what was paid per unit, fees aside
    assert position.fees_in_quote == D("0.1")  # 0.001 BTC at 100
    sell = Fill(2, 2, "b", "BTCUSDT", Side.SELL, D("110"), D("0.999"), D("109.89"), D("0.10989"), "USDT", False, 1)
    position.apply(sell)
    assert position.quantity == 0 and position.average_entry_price == 0
    assert position.realized_pnl == D("0.999") * D("10")
    assert position.fees_in_quote == D("0.1") + D("0.10989")
    assert position.unrealized_pnl(D("120")) == 0


def test_a_validated_request_gives_the_prices_its_type_requires():
    limit = OrderRequest("BTCUSDT", "BUY", "LIMIT", quantity="0.1", price="100", time_in_force="GTC")
    limit.validate()
    assert (limit.limit_price, limit.base_quantity) == (D("100"), D("0.1"))
    stop = OrderRequest("BTCUSDT", "SELL", "STOP_LOSS", quantity="0.1", stop_price="90")
    stop.validate()
    assert stop.trigger_price == D("90")
    with pytest.raises(TypeError, match="STOP_LOSS order without price"):
        _ = stop.limit_price  # a bug in the caller, never a user's mistake
    by_quote = OrderRequest("BTCUSDT", "BUY", "MARKET", quote_order_qty="50")
    with pytest.raises(TypeError, match="without quantity"):
        _ = by_quote.base_quantity


def test_holdings_without_a_trade_open_the_position_at_that_moments_price():
    position = Position("BTCUSDT", "BTC", "USDT")
    position.open_with(D("0.1"), D("90000"))
    position.apply(Fill(1, 1, "a", "BTCUSDT", Side.BUY, D("100000"), D("0.1"), D("10000"), D("0"), "BTC", False, 0))
    assert position.quantity == D("0.2") and position.average_entry_price == D("95000")
    position.apply(Fill(2, 2, "b", "BTCUSDT", Side.SELL, D("96000"), D("0.2"), D("19200"), D("19.2"), "USDT",
                        False, 1))
    assert position.realized_pnl == D("200") and position.fees_in_quote == D("19.2")


def test_selling_what_had_no_entry_is_not_profit_or_loss():
    position = Position("BTCUSDT", "BTC", "USDT")
    position.apply(Fill(1, 1, "a", "BTCUSDT", Side.SELL, D("100"), D("1"), D("100"), D("0.1"), "USDT", False, 0))
    assert position.realized_pnl == 0 and position.quantity == 0
    assert position.fees_in_quote == D("0.1")  # a cost all the same, in its own column
    position.apply(Fill(2, 2, "b", "BTCUSDT", Side.BUY, D("100"), D("1"), D("100"), D("0.01"), "BNB", False, 0))
    assert position.other_fees == {"BNB": D("0.01")} and position.fees_in_quote == D("0.1")


@pytest.mark.parametrize("order_type, first", [("LIMIT", "price"), ("LIMIT_MAKER", "price"),
                                               ("STOP_LOSS", "stopPrice"), ("STOP_LOSS_LIMIT", "stopPrice"),
                                               ("TAKE_PROFIT_LIMIT", "stopPrice")])
def test_an_empty_order_names_its_first_field_as_the_form_shows_them(order_type, first):
    """Enter in an empty Limit form says "Enter the price" (its top field), not the amount."""
    with pytest.raises(OrderRejected) as caught:
        OrderRequest("BTCUSDT", "BUY", order_type, time_in_force="GTC").validate()
    assert caught.value.message == f"Mandatory parameter '{first}' {MISSING}"
