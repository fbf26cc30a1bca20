"""Binance's JSON shapes, built from real engine reports."""

from decimal import Decimal

from numatix.domain.balances import Balance
from numatix.domain.enums import ExecutionType, OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.events import BalanceUpdate, ExecutionReport
from numatix.domain.orders import Fill, Order
from numatix.sim import wire

EXECUTION_REPORT_KEYS = {"e", "E", "s", "c", "S", "o", "f", "q", "p", "P", "F", "g", "C", "x", "X", "r",
                         "i", "l", "z", "L", "n", "N", "T", "t", "I", "w", "m", "M", "O", "Z", "Y", "Q",
                         "W", "V"}
ORDER_STATUS_KEYS = {"symbol", "orderId", "orderListId", "clientOrderId", "price", "origQty", "executedQty",
                     "cummulativeQuoteQty", "status", "timeInForce", "type", "side", "stopPrice",
                     "icebergQty", "time", "updateTime", "isWorking", "workingTime", "origQuoteOrderQty",
                     "selfTradePreventionMode"}


def order(**changes) -> Order:
    values = dict(venue_order_id=7, client_order_id="abc", symbol="BTCUSDT", side=Side.BUY,
                  order_type=OrderType.LIMIT, time_in_force=TimeInForce.GTC, quantity=Decimal("0.002"),
                  price=Decimal("90000"), created_time_ms=1000, update_time_ms=1000, working_time_ms=1000)
    values.update(changes)
    return Order(**values)


def fill(quantity: str = "0.001") -> Fill:
    size = Decimal(quantity)
    return Fill(3, 7, "abc", "BTCUSDT", Side.BUY, Decimal(90000), size, Decimal(90000) * size,
                Decimal("0.000001"), "BTC", True, 2000)


def test_amounts_are_eight_decimal_strings() -> None:
    assert wire.amount(Decimal("4.000002")) == "4.00000200"
    assert wire.amount(None) == "0.00000000"
    assert wire.amount(Decimal("1E+2")) == "100.00000000"


def test_response_types_nest_ack_result_full() -> None:
    placed = order()
    placed.apply(fill())
    ack = wire.order_reply(placed, 5, [fill()], "ACK")
    result = wire.order_reply(placed, 5, [fill()], "RESULT")
    full = wire.order_reply(placed, 5, [fill()], "FULL")
    assert set(ack) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}
    assert set(ack) < set(result) < set(full)
    assert (result["status"], result["executedQty"], result["cummulativeQuoteQty"]) == (
        "PARTIALLY_FILLED", "0.00100000", "90.00000000")
    assert full["fills"] == [{"price": "90000.00000000", "qty": "0.00100000", "commission": "0.00000100",
                              "commissionAsset": "BTC", "tradeId": 3}]
    assert wire.default_response_type("LIMIT") == wire.default_response_type("MARKET") == "FULL"
    assert wire.default_response_type("STOP_LOSS_LIMIT") == "ACK"


def test_order_status_always_has_stop_price_and_iceberg() -> None:
    shape = wire.order_status(order())
    assert set(shape) == ORDER_STATUS_KEYS
    assert (shape["stopPrice"], shape["icebergQty"], shape["orderListId"]) == ("0.00000000", "0.00000000", -1)


def test_cancel_reply_carries_the_cancels_own_id() -> None:
    canceled = order(status=OrderStatus.CANCELED)
    shape = wire.canceled(canceled, 9, "cancel-1")
    assert (shape["clientOrderId"], shape["origClientOrderId"], shape["status"]) == (
        "cancel-1", "abc", "CANCELED")


def test_execution_report_has_binances_letters() -> None:
    placed = order()
    placed.apply(fill())
    report = ExecutionReport.from_order(1, placed, ExecutionType.TRADE, 2000, fill())
    event = wire.execution_report(report, 11)
    assert set(event) == EXECUTION_REPORT_KEYS
    assert (event["x"], event["X"], event["l"], event["L"], event["t"], event["I"], event["m"]) == (
        "TRADE", "PARTIALLY_FILLED", "0.00100000", "90000.00000000", 3, 11, True)
    assert (event["n"], event["N"], event["Y"]) == ("0.00000100", "BTC", "90.00000000")


def test_execution_report_without_a_fill_has_no_commission_asset() -> None:
    report = ExecutionReport.from_order(1, order(), ExecutionType.NEW, 1000)
    event = wire.execution_report(report, 1)
    assert (event["n"], event["N"], event["t"], event["C"]) == ("0", None, -1, "")


def test_untriggered_stop_has_no_working_time() -> None:
    stop = order(order_type=OrderType.STOP_LOSS_LIMIT, stop_price=Decimal(80000), is_working=False,
                 working_time_ms=-1)
    event = wire.execution_report(ExecutionReport.from_order(1, stop, ExecutionType.NEW, 1000), 1)
    assert "W" not in event and event["w"] is False and event["P"] == "80000.00000000"


def test_account_position_lists_changed_balances() -> None:
    update = BalanceUpdate(1, 5, 4, (Balance("USDT", Decimal(10), Decimal(2)),))
    assert wire.account_position(update) == {"e": "outboundAccountPosition", "E": 5, "u": 4,
                                             "B": [{"a": "USDT", "f": "10.00000000", "l": "2.00000000"}]}
