"""Binance JSON shapes (binance-spot.md §3-§5, §10) into domain types, and decimals back out."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from numatix.domain.balances import Balance
from numatix.domain.enums import ExecutionType, ExpiryReason, OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.events import BalanceUpdate, ExecutionReport
from numatix.exchange.binance import wire

ACCOUNT = "key"

EXECUTION_REPORT = {
    "e": "executionReport", "E": 1499405658658, "s": "ETHBTC", "c": "mUvoqJxFIILMdfAW5iGSOW", "S": "BUY",
    "o": "LIMIT", "f": "GTC", "q": "1.00000000", "p": "0.10264410", "P": "0.00000000", "F": "0.00000000",
    "g": -1, "C": "", "x": "TRADE", "X": "PARTIALLY_FILLED", "r": "NONE", "i": 4293153, "l": "0.40000000",
    "z": "0.40000000", "L": "0.10264400", "n": "0.00004106", "N": "BNB", "T": 1499405658657, "t": 98765,
    "v": 3, "I": 8641984, "w": False, "m": True, "M": False, "O": 1499405658600, "Z": "0.04105760",
    "Y": "0.04105760", "Q": "0.00000000", "W": 1499405658600, "V": "EXPIRE_MAKER",
}


def test_execution_report_wrapped_by_the_ws_api() -> None:
    report = wire.parse_event(ACCOUNT, {"subscriptionId": 0, "event": EXECUTION_REPORT})
    assert isinstance(report, ExecutionReport)
    assert (report.account, report.symbol, report.venue_order_id, report.client_order_id) == (
        ACCOUNT, "ETHBTC", 4293153, "mUvoqJxFIILMdfAW5iGSOW")
    assert (report.side, report.order_type, report.time_in_force) == (Side.BUY, OrderType.LIMIT, TimeInForce.GTC)
    assert (report.execution_type, report.status) == (ExecutionType.TRADE, OrderStatus.PARTIALLY_FILLED)
    assert (report.last_quantity, report.last_price, report.last_quote) == (D("0.4"), D("0.102644"), D("0.0410576"))
    assert (report.commission, report.commission_asset, report.trade_id, report.is_maker) == (
        D("0.00004106"), "BNB", 98765, True)
    assert (report.cumulative_quantity, report.cumulative_quote) == (D("0.4"), D("0.0410576"))
    assert (report.transaction_time_ms, report.created_time_ms, report.working_time_ms) == (
        1499405658657, 1499405658600, 1499405658600)
    assert isinstance(report.price, D) and report.price == D("0.10264410")


def test_a_bare_legacy_event_parses_the_same() -> None:
    assert wire.parse_event(ACCOUNT, EXECUTION_REPORT) == wire.parse_event(ACCOUNT, {"event": EXECUTION_REPORT})


def test_cancel_and_expiry_events() -> None:
    cancel = {**EXECUTION_REPORT, "x": "CANCELED", "X": "CANCELED", "c": "cancel-id", "C": "mUvoqJxFIILMdfAW5iGSOW",
              "t": -1, "l": "0", "L": "0", "Y": "0", "n": "0", "N": None}
    report = wire.parse_execution_report(ACCOUNT, cancel)
    assert (report.client_order_id, report.original_client_order_id) == ("cancel-id", "mUvoqJxFIILMdfAW5iGSOW")
    assert (report.trade_id, report.commission_asset) == (-1, None)
    expired = wire.parse_execution_report(ACCOUNT, {**cancel, "x": "EXPIRED", "X": "EXPIRED", "eR": "OCO_TRIGGER"})
    assert expired.expiry_reason is ExpiryReason.OCO_TRIGGER


def test_account_position_and_ignored_events() -> None:
    event = {"subscriptionId": 0, "event": {"e": "outboundAccountPosition", "E": 1564034571105, "u": 1564034571073,
                                            "B": [{"a": "ETH", "f": "10000.000000", "l": "0.000000"}]}}
    update = wire.parse_event(ACCOUNT, event)
    assert update == BalanceUpdate(ACCOUNT, 1564034571105, 1564034571073, (Balance("ETH", D("10000"), D("0")),))
    assert wire.parse_event(ACCOUNT, {"event": {"e": "balanceUpdate", "E": 1, "a": "BTC", "d": "1", "T": 1}}) is None
    assert wire.parse_event(ACCOUNT, {"event": {"e": "listStatus", "E": 1, "s": "BTCUSDT", "g": 2}}) is None


ORDER_QUERY = {
    "symbol": "LTCBTC", "orderId": 1, "orderListId": -1, "clientOrderId": "myOrder1", "price": "0.1",
    "origQty": "1.0", "executedQty": "0.0", "cummulativeQuoteQty": "0.0", "status": "NEW", "timeInForce": "GTC",
    "type": "STOP_LOSS_LIMIT", "side": "SELL", "stopPrice": "0.09", "icebergQty": "0.0", "time": 1499827319559,
    "updateTime": 1499827319560, "isWorking": False, "workingTime": -1, "origQuoteOrderQty": "0.000000",
    "selfTradePreventionMode": "NONE",
}


def test_order_query_shape() -> None:
    order = wire.parse_order(ORDER_QUERY)
    assert (order.venue_order_id, order.client_order_id, order.symbol) == (1, "myOrder1", "LTCBTC")
    assert (order.order_type, order.side, order.status) == (OrderType.STOP_LOSS_LIMIT, Side.SELL, OrderStatus.NEW)
    assert (order.quantity, order.price, order.stop_price, order.quote_order_qty) == (D("1"), D("0.1"), D("0.09"), None)
    assert (order.is_working, order.working_time_ms, order.order_list_id) == (False, -1, -1)
    assert (order.created_time_ms, order.update_time_ms) == (1499827319559, 1499827319560)


def test_market_order_query_has_no_price() -> None:
    market = {**ORDER_QUERY, "type": "MARKET", "price": "0.00000000", "stopPrice": "0.00000000",
              "origQuoteOrderQty": "10.00000000", "status": "FILLED", "executedQty": "1.0",
              "cummulativeQuoteQty": "10.0", "isWorking": True, "workingTime": 1499827319559}
    order = wire.parse_order(market)
    assert (order.price, order.stop_price, order.quote_order_qty) == (None, None, D("10"))
    assert order.average_price == D("10")


def test_my_trades_row() -> None:
    row = {"symbol": "BNBBTC", "id": 28457, "orderId": 100234, "orderListId": -1, "price": "4.00000100",
           "qty": "12.00000000", "quoteQty": "48.000012", "commission": "10.10000000", "commissionAsset": "BNB",
           "time": 1499865549590, "isBuyer": True, "isMaker": False, "isBestMatch": True}
    fill = wire.parse_fill(row, "their-id")
    assert (fill.trade_id, fill.venue_order_id, fill.client_order_id, fill.side) == (28457, 100234, "their-id", Side.BUY)
    assert (fill.price, fill.quantity, fill.quote_quantity, fill.commission) == (
        D("4.000001"), D("12"), D("48.000012"), D("10.1"))
    assert (fill.is_maker, fill.time_ms) == (False, 1499865549590)


def test_full_reply_reports_the_last_fill_and_the_totals() -> None:
    reply = {
        "symbol": "BTCUSDT", "orderId": 28, "orderListId": -1, "clientOrderId": "6gCrw2kRUAF9CvJDGP16IP",
        "transactTime": 1507725176595, "price": "0.00000000", "origQty": "10.00000000", "executedQty": "10.00000000",
        "origQuoteOrderQty": "0.00000000", "cummulativeQuoteQty": "10.00000000", "status": "FILLED",
        "timeInForce": "GTC", "type": "MARKET", "side": "SELL", "workingTime": 1507725176595,
        "selfTradePreventionMode": "NONE",
        "fills": [{"price": "4000.00000000", "qty": "1.00000000", "commission": "4.00000000",
                   "commissionAsset": "USDT", "tradeId": 56},
                  {"price": "3999.00000000", "qty": "5.00000000", "commission": "19.99500000",
                   "commissionAsset": "USDT", "tradeId": 57}],
    }
    report = wire.response_report(ACCOUNT, reply)
    assert (report.execution_type, report.status, report.trade_id) == (ExecutionType.TRADE, OrderStatus.FILLED, 57)
    assert (report.last_price, report.last_quantity, report.last_quote) == (D("3999"), D("5"), D("19995"))
    assert report.cumulative_quantity == D("10")


def test_unfilled_market_remainder_is_expired_not_traded() -> None:
    reply = {**ORDER_QUERY, "type": "MARKET", "status": "EXPIRED", "transactTime": 5, "fills": []}
    report = wire.response_report(ACCOUNT, reply)
    assert (report.execution_type, report.status) == (ExecutionType.EXPIRED, OrderStatus.EXPIRED)


def test_cancel_reply_names_the_cancels_id_and_the_orders() -> None:
    reply = {**ORDER_QUERY, "status": "CANCELED", "clientOrderId": "cancelMyOrder1", "origClientOrderId": "myOrder1",
             "transactTime": 1684804350068}
    report = wire.response_report(ACCOUNT, reply)
    assert (report.execution_type, report.client_order_id, report.original_client_order_id) == (
        ExecutionType.CANCELED, "cancelMyOrder1", "myOrder1")


@pytest.mark.parametrize(("value", "text"), [(D("0.00000300"), "0.000003"), (D("3E-6"), "0.000003"),
                                             (D("1E+2"), "100"), (D("100.10"), "100.1"), (D("-0"), "0"),
                                             (D("123456789.12345678"), "123456789.12345678")])
def test_decimals_never_leave_in_exponent_notation(value: D, text: str) -> None:
    assert wire.decimal_text(value) == text


def test_balances_from_account() -> None:
    data = {"balances": [{"asset": "BTC", "free": "4723846.89208129", "locked": "0.00000000"},
                         {"asset": "USDT", "free": "1.5", "locked": "2.25"}]}
    assert wire.parse_balances(data) == {"BTC": Balance("BTC", D("4723846.89208129"), D("0")),
                                         "USDT": Balance("USDT", D("1.5"), D("2.25"))}
