"""Binance's JSON shapes for orders, trades and user-stream events, field for field.

Amounts are strings with 8 decimals (``"0.00100000"``), ids and times are integers, and
names are Binance's own, typo included (``cummulativeQuoteQty``). "None" is -1.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from numatix.domain.events import BalanceUpdate, ExecutionReport
from numatix.domain.orders import Fill, Order

EIGHT_PLACES = Decimal("0.00000001")
ZERO = Decimal(0)
RESPONSE_TYPES = ("ACK", "RESULT", "FULL")


def amount(value: Decimal | None) -> str:
    """``"4.00000200"``: what every Binance price, quantity and balance looks like."""
    return format((value or ZERO).quantize(EIGHT_PLACES, ROUND_HALF_UP), "f")


def ack(order: Order, transact_time_ms: int) -> dict[str, object]:
    return {
        "symbol": order.symbol,
        "orderId": order.venue_order_id,
        "orderListId": order.order_list_id,
        "clientOrderId": order.client_order_id,
        "transactTime": transact_time_ms,
    }


def result(order: Order, transact_time_ms: int) -> dict[str, object]:
    shape = ack(order, transact_time_ms)
    shape.update(
        price=amount(order.price),
        origQty=amount(order.quantity),
        executedQty=amount(order.executed_quantity),
        origQuoteOrderQty=amount(order.quote_order_qty),
        cummulativeQuoteQty=amount(order.cumulative_quote),
        status=order.status.value,
        timeInForce=order.time_in_force.value,
        type=order.order_type.value,
        side=order.side.value,
    )
    if order.order_type.is_conditional:
        shape["stopPrice"] = amount(order.stop_price)
    shape["workingTime"] = order.working_time_ms
    shape["selfTradePreventionMode"] = order.self_trade_prevention.value
    shape.update(_prevented(order))
    return shape


def full(order: Order, transact_time_ms: int, fills: Iterable[Fill]) -> dict[str, object]:
    shape = result(order, transact_time_ms)
    shape["fills"] = [
        {
            "price": amount(fill.price),
            "qty": amount(fill.quantity),
            "commission": amount(fill.commission),
            "commissionAsset": fill.commission_asset,
            "tradeId": fill.trade_id,
        }
        for fill in fills
    ]
    return shape


def order_reply(order: Order, transact_time_ms: int, fills: Iterable[Fill],
                response_type: str) -> dict[str, object]:
    if response_type == "ACK":
        return ack(order, transact_time_ms)
    if response_type == "RESULT":
        return result(order, transact_time_ms)
    return full(order, transact_time_ms, fills)


def default_response_type(order_type: str) -> str:
    """FULL for MARKET and LIMIT, ACK for every other type (Binance's default)."""
    return "FULL" if order_type in ("MARKET", "LIMIT") else "ACK"


def order_status(order: Order) -> dict[str, object]:
    """GET order / openOrders / allOrders: ``stopPrice`` and ``icebergQty`` always present."""
    return {
        "symbol": order.symbol,
        "orderId": order.venue_order_id,
        "orderListId": order.order_list_id,
        "clientOrderId": order.client_order_id,
        "price": amount(order.price),
        "origQty": amount(order.quantity),
        "executedQty": amount(order.executed_quantity),
        "cummulativeQuoteQty": amount(order.cumulative_quote),
        "status": order.status.value,
        "timeInForce": order.time_in_force.value,
        "type": order.order_type.value,
        "side": order.side.value,
        "stopPrice": amount(order.stop_price),
        "icebergQty": amount(ZERO),
        "time": order.created_time_ms,
        "updateTime": order.update_time_ms,
        "isWorking": order.is_working,
        "workingTime": order.working_time_ms,
        "origQuoteOrderQty": amount(order.quote_order_qty),
        "selfTradePreventionMode": order.self_trade_prevention.value,
        **_prevented(order),
    }


def _prevented(order: Order) -> dict[str, object]:
    """``preventedMatchId`` and ``preventedQuantity``: present only on orders STP has touched."""
    if order.prevented_match_id < 0:
        return {}
    return {"preventedMatchId": order.prevented_match_id,
            "preventedQuantity": amount(order.prevented_quantity)}


def canceled(order: Order, transact_time_ms: int, cancel_client_order_id: str) -> dict[str, object]:
    """DELETE order: the RESULT fields, ``origClientOrderId``, and the cancel's own id."""
    shape: dict[str, object] = {
        "symbol": order.symbol,
        "origClientOrderId": order.client_order_id,
        "orderId": order.venue_order_id,
        "orderListId": order.order_list_id,
        "clientOrderId": cancel_client_order_id,
        "transactTime": transact_time_ms,
        "price": amount(order.price),
        "origQty": amount(order.quantity),
        "executedQty": amount(order.executed_quantity),
        "origQuoteOrderQty": amount(order.quote_order_qty),
        "cummulativeQuoteQty": amount(order.cumulative_quote),
        "status": order.status.value,
        "timeInForce": order.time_in_force.value,
        "type": order.order_type.value,
        "side": order.side.value,
    }
    if order.order_type.is_conditional:
        shape["stopPrice"] = amount(order.stop_price)
    shape["selfTradePreventionMode"] = order.self_trade_prevention.value
    return shape


def order_list(orders: list[Order], list_client_order_id: str, transaction_time_ms: int,
               reports: list[dict[str, object]]) -> dict[str, object]:
    """An OCO as placed or cancelled: the list's status, its legs, and a report per leg."""
    running = any(order.is_open for order in orders)
    return {
        "orderListId": orders[0].order_list_id,
        "contingencyType": "OCO",
        "listStatusType": "EXEC_STARTED" if running else "ALL_DONE",
        "listOrderStatus": "EXECUTING" if running else "ALL_DONE",
        "listClientOrderId": list_client_order_id,
        "transactionTime": transaction_time_ms,
        "symbol": orders[0].symbol,
        "orders": [{"symbol": order.symbol, "orderId": order.venue_order_id,
                    "clientOrderId": order.client_order_id} for order in orders],
        "orderReports": reports,
    }


def trade(fill: Fill, order_list_id: int) -> dict[str, object]:
    """GET myTrades row."""
    return {
        "symbol": fill.symbol,
        "id": fill.trade_id,
        "orderId": fill.venue_order_id,
        "orderListId": order_list_id,
        "price": amount(fill.price),
        "qty": amount(fill.quantity),
        "quoteQty": amount(fill.quote_quantity),
        "commission": amount(fill.commission),
        "commissionAsset": fill.commission_asset,
        "time": fill.time_ms,
        "isBuyer": fill.side.value == "BUY",
        "isMaker": fill.is_maker,
        "isBestMatch": True,
    }


def execution_report(report: ExecutionReport, execution_id: int) -> dict[str, object]:
    """The ``executionReport`` event, keys in Binance's order."""
    event: dict[str, object] = {
        "e": "executionReport",
        "E": report.event_time_ms,
        "s": report.symbol,
        "c": report.client_order_id,
        "S": report.side.value,
        "o": report.order_type.value,
        "f": report.time_in_force.value,
        "q": amount(report.quantity),
        "p": amount(report.price),
        "P": amount(report.stop_price),
        "F": amount(ZERO),
        "g": report.order_list_id,
        "C": report.original_client_order_id,
        "x": report.execution_type.value,
        "X": report.status.value,
        "r": report.reject_reason.value,
        "i": report.venue_order_id,
        "l": amount(report.last_quantity),
        "z": amount(report.cumulative_quantity),
        "L": amount(report.last_price),
        "n": amount(report.commission) if report.commission_asset else "0",
        "N": report.commission_asset,
        "T": report.transaction_time_ms,
        "t": report.trade_id,
        "I": execution_id,
        "w": report.is_working,
        "m": report.is_maker,
        "M": False,
        "O": report.created_time_ms,
        "Z": amount(report.cumulative_quote),
        "Y": amount(report.last_quote),
        "Q": amount(report.quote_order_qty),
    }
    if report.working_time_ms >= 0:
        event["W"] = report.working_time_ms
    event["V"] = report.self_trade_prevention.value
    if report.prevention is not None:  # Binance's STP fields, only on reports of a prevented match
        prevention = report.prevention
        event.update(v=prevention.match_id, A=amount(report.prevented_quantity),
                     B=amount(prevention.quantity),
                     U=prevention.counter_order_id, Cs=report.symbol, pl=amount(prevention.match_quantity),
                     pL=amount(prevention.price), pY=amount(prevention.match_quantity * prevention.price))
    elif report.prevented_quantity:
        event["A"] = amount(report.prevented_quantity)
    if report.expiry_reason is not None:
        event["eR"] = report.expiry_reason.value
    return event


def account_position(update: BalanceUpdate) -> dict[str, object]:
    return {
        "e": "outboundAccountPosition",
        "E": update.event_time_ms,
        "u": update.last_update_ms,
        "B": [{"a": b.asset, "f": amount(b.free), "l": amount(b.locked)} for b in update.balances],
    }
