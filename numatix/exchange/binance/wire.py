"""Binance JSON <-> domain types. Raw dicts stop here; nothing above sees them.

Binance sends prices, quantities and balances as strings and ids and times as ints; we
parse strings straight into ``Decimal`` and send ``Decimal`` back as plain decimal text,
never exponent notation (``1E-5`` would be -1100 "Illegal characters").
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from numatix.domain.balances import Balance
from numatix.domain.enums import (
    ExecutionType,
    ExpiryReason,
    OrderStatus,
    OrderType,
    RejectReason,
    SelfTradePreventionMode,
    Side,
    TimeInForce,
)
from numatix.domain.events import BalanceUpdate, ExecutionReport, PreventedMatch, VenueEvent
from numatix.domain.orders import Fill, Order
from numatix.domain.requests import PARAMETER_RULES, OcoRequest, OrderRequest

ZERO = Decimal(0)
Json = dict[str, Any]

_END_STATES = {
    OrderStatus.CANCELED: ExecutionType.CANCELED,
    OrderStatus.EXPIRED: ExecutionType.EXPIRED,
    OrderStatus.EXPIRED_IN_MATCH: ExecutionType.EXPIRED,
    OrderStatus.REJECTED: ExecutionType.REJECTED,
}


def decimal_text(value: Decimal) -> str:
    """``Decimal("1E-5")`` -> ``"0.00001"``; ``Decimal("100.0")`` -> ``"100"``."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _amount(data: Json, key: str) -> Decimal:
    value = data.get(key)
    return Decimal(str(value)) if value not in (None, "") else ZERO


def _first_int(data: Json, keys: tuple[str, ...], default: int) -> int:
    """The first of ``keys`` the reply has (Binance names a time differently per endpoint)."""
    for key in keys:
        if key in data:
            return int(data[key])
    return default


def _optional_amount(data: Json, key: str) -> Decimal | None:
    value = _amount(data, key)
    return value if value else None


def _enum(kind: Any, value: object, default: Any) -> Any:
    try:
        return kind(value)
    except ValueError:
        return default


# ----------------------------------------------------------------- requests
def order_params(request: OrderRequest) -> list[tuple[str, str]]:
    """``POST /api/v3/order`` parameters in Binance's documented order; FULL replies carry fills."""
    required, _ = PARAMETER_RULES[request.order_type]
    params = [("symbol", request.symbol), ("side", request.side.value), ("type", request.order_type.value)]
    if "time_in_force" in required:
        params.append(("timeInForce", request.effective_time_in_force.value))
    for name, wire_name in (("quantity", "quantity"), ("quote_order_qty", "quoteOrderQty"),
                            ("price", "price"), ("stop_price", "stopPrice")):
        value = getattr(request, name)
        if value is not None:
            params.append((wire_name, decimal_text(value)))
    if request.client_order_id:
        params.append(("newClientOrderId", request.client_order_id))
    if request.self_trade_prevention is not SelfTradePreventionMode.EXPIRE_MAKER:
        params.append(("selfTradePreventionMode", request.self_trade_prevention.value))
    params.append(("newOrderRespType", "FULL"))
    return params


def oco_params(request: OcoRequest) -> list[tuple[str, str]]:
    """``POST /api/v3/orderList/oco``: the LIMIT_MAKER leg is above a SELL's market and below a BUY's."""
    limit_leg, stop_leg = request.limit_leg(), request.stop_leg()
    limit_side, stop_side = ("above", "below") if request.side is Side.SELL else ("below", "above")
    params = [("symbol", request.symbol), ("side", request.side.value),
              ("quantity", decimal_text(request.quantity))]
    params += [(f"{limit_side}Type", limit_leg.order_type.value),
               (f"{limit_side}Price", decimal_text(request.limit_price))]
    params.append((f"{stop_side}Type", stop_leg.order_type.value))
    if request.stop_limit_price is not None:
        params.append((f"{stop_side}Price", decimal_text(request.stop_limit_price)))
    params.append((f"{stop_side}StopPrice", decimal_text(request.stop_price)))
    if request.stop_time_in_force is not None:
        params.append((f"{stop_side}TimeInForce", request.stop_time_in_force.value))
    for name, value in ((f"{limit_side}ClientOrderId", request.limit_client_order_id),
                        (f"{stop_side}ClientOrderId", request.stop_client_order_id),
                        ("listClientOrderId", request.list_client_order_id)):
        if value:
            params.append((name, value))
    params.append(("newOrderRespType", "FULL"))
    return params


# ------------------------------------------------------------------ replies
def parse_order(data: Json) -> Order:
    """The order query shape (GET order, openOrders, allOrders)."""
    created = _first_int(data, ("time", "transactTime"), 0)
    working_time = int(data.get("workingTime", -1))
    return Order(
        venue_order_id=int(data["orderId"]),
        client_order_id=str(data["clientOrderId"]),
        symbol=str(data["symbol"]),
        side=Side(data["side"]),
        order_type=OrderType(data["type"]),
        time_in_force=_enum(TimeInForce, data.get("timeInForce"), TimeInForce.GTC),
        quantity=_amount(data, "origQty"),
        price=_optional_amount(data, "price"),
        stop_price=_optional_amount(data, "stopPrice"),
        quote_order_qty=_optional_amount(data, "origQuoteOrderQty"),
        status=OrderStatus(data["status"]),
        executed_quantity=_amount(data, "executedQty"),
        cumulative_quote=_amount(data, "cummulativeQuoteQty"),
        created_time_ms=created,
        update_time_ms=_first_int(data, ("updateTime", "transactTime"), created),
        working_time_ms=working_time,
        is_working=bool(data.get("isWorking", working_time != -1)),
        order_list_id=int(data.get("orderListId", -1)),
        self_trade_prevention=_enum(
            SelfTradePreventionMode, data.get("selfTradePreventionMode"), SelfTradePreventionMode.EXPIRE_MAKER
        ),
        prevented_quantity=_amount(data, "preventedQuantity"),
        prevented_match_id=int(data.get("preventedMatchId", -1)),
    )


def parse_fill(data: Json, client_order_id: str) -> Fill:
    """A myTrades row; Binance leaves the client order id out, so the caller supplies it."""
    return Fill(
        trade_id=int(data["id"]),
        venue_order_id=int(data["orderId"]),
        client_order_id=client_order_id,
        symbol=str(data["symbol"]),
        side=Side.BUY if data.get("isBuyer") else Side.SELL,
        price=_amount(data, "price"),
        quantity=_amount(data, "qty"),
        quote_quantity=_amount(data, "quoteQty"),
        commission=_amount(data, "commission"),
        commission_asset=str(data.get("commissionAsset") or ""),
        is_maker=bool(data.get("isMaker")),
        time_ms=int(data.get("time", 0)),
    )


def response_report(account: Hashable, data: Json) -> ExecutionReport:
    """A POST order (RESULT/FULL) or DELETE order reply as the order's latest report.

    A cancel's reply names the cancel's own id in ``clientOrderId`` and the order's in
    ``origClientOrderId``, as the executionReport does in ``c`` and ``C``."""
    order = parse_order(data)
    time_ms = int(data.get("transactTime", 0))
    fills = data.get("fills") or []
    fill = _response_fill(fills[-1], order) if fills else None
    execution_type = _END_STATES.get(order.status)
    if execution_type is None:
        execution_type = ExecutionType.TRADE if fill else ExecutionType.NEW
    if execution_type is not ExecutionType.TRADE:
        fill = None
    return ExecutionReport.from_order(
        account, order, execution_type, time_ms, fill=fill,
        original_client_order_id=str(data.get("origClientOrderId") or ""),
    )


def _response_fill(data: Json, order: Order) -> Fill:
    price, quantity = _amount(data, "price"), _amount(data, "qty")
    return Fill(
        trade_id=int(data.get("tradeId", -1)), venue_order_id=order.venue_order_id,
        client_order_id=order.client_order_id, symbol=order.symbol, side=order.side, price=price,
        quantity=quantity, quote_quantity=price * quantity, commission=_amount(data, "commission"),
        commission_asset=str(data.get("commissionAsset") or ""), is_maker=False, time_ms=order.update_time_ms,
    )


def order_reports(account: Hashable, data: Json | list) -> list[ExecutionReport]:
    """Every order in a reply: one order, a list of them, or an order list's ``orderReports``."""
    if isinstance(data, list):
        return [report for item in data for report in order_reports(account, item)]
    if "orderReports" in data:
        time_ms = int(data.get("transactionTime", 0))
        return [response_report(account, {"transactTime": time_ms, **item}) for item in data["orderReports"]]
    return [response_report(account, data)]


def report_for_order(
    account: Hashable, order: Order, time_ms: int, fill: Fill | None = None,
    execution_type: ExecutionType | None = None
) -> ExecutionReport:
    """A report synthesised from a queried order (a lost reply, a missed stream event)."""
    if execution_type is None:
        traded = fill is not None or order.status in (OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED)
        execution_type = _END_STATES.get(order.status) or (
            ExecutionType.TRADE if traded else ExecutionType.NEW)
    return ExecutionReport.from_order(account, order, execution_type, time_ms, fill=fill)


def order_at(order: Order, status: OrderStatus, executed: Decimal, quote: Decimal) -> Order:
    """The order as it stood at an earlier point (for reports replayed in order)."""
    return replace(order, status=status, executed_quantity=executed, cumulative_quote=quote, trade_ids=set())


def parse_balances(data: Json) -> dict[str, Balance]:
    """``GET /api/v3/account`` balances."""
    balances = (Balance(str(b["asset"]), _amount(b, "free"),
                        _amount(b, "locked")) for b in data.get("balances", ()))
    return {balance.asset: balance for balance in balances}


# ------------------------------------------------------------- user stream
def parse_event(account: Hashable, message: Json) -> VenueEvent | None:
    """A user data event (bare, or wrapped by the WS API as ``{"subscriptionId", "event"}``).

    None for events that carry nothing we model (balanceUpdate deltas are followed by an
    outboundAccountPosition; listStatus by the legs' executionReports)."""
    event = message.get("event", message)
    kind = event.get("e")
    if kind == "executionReport":
        return parse_execution_report(account, event)
    if kind == "outboundAccountPosition":
        return parse_account_position(account, event)
    return None


def parse_execution_report(account: Hashable, event: Json) -> ExecutionReport:
    commission_asset = event.get("N")
    return ExecutionReport(
        account=account,
        event_time_ms=int(event["E"]),
        symbol=str(event["s"]),
        venue_order_id=int(event["i"]),
        client_order_id=str(event["c"]),
        original_client_order_id=str(event.get("C") or ""),
        order_list_id=int(event.get("g", -1)),
        side=Side(event["S"]),
        order_type=OrderType(event["o"]),
        time_in_force=_enum(TimeInForce, event.get("f"), TimeInForce.GTC),
        quantity=_amount(event, "q"),
        price=_amount(event, "p"),
        stop_price=_amount(event, "P"),
        quote_order_qty=_amount(event, "Q"),
        execution_type=ExecutionType(event["x"]),
        status=OrderStatus(event["X"]),
        reject_reason=_enum(RejectReason, event.get("r"), RejectReason.NONE),
        last_quantity=_amount(event, "l"),
        last_price=_amount(event, "L"),
        last_quote=_amount(event, "Y"),
        commission=_amount(event, "n"),
        commission_asset=str(commission_asset) if commission_asset else None,
        trade_id=int(event.get("t", -1)),
        is_maker=bool(event.get("m")),
        is_working=bool(event.get("w")),
        cumulative_quantity=_amount(event, "z"),
        cumulative_quote=_amount(event, "Z"),
        transaction_time_ms=_first_int(event, ("T",), int(event["E"])),
        created_time_ms=int(event.get("O", 0)),
        working_time_ms=int(event.get("W", -1)),
        expiry_reason=_enum(ExpiryReason, event.get("eR"), None),
        prevented_quantity=_amount(event, "A"),
        prevention=_prevention(event),
        self_trade_prevention=_enum(SelfTradePreventionMode, event.get("V"),
                                    SelfTradePreventionMode.EXPIRE_MAKER),
    )


def _prevention(event: Json) -> PreventedMatch | None:
    """Self-trade prevention's fields, present only when the report is about one."""
    if "v" not in event:
        return None
    return PreventedMatch(int(event["v"]), _amount(event, "B"), int(event.get("U", -1)), _amount(event, "pL"),
                          _amount(event, "pl"))


def parse_account_position(account: Hashable, event: Json) -> BalanceUpdate:
    balances = tuple(Balance(str(b["a"]), _amount(b, "f"), _amount(b, "l")) for b in event.get("B", ()))
    event_time = int(event["E"])
    return BalanceUpdate(account, event_time, _first_int(event, ("u",), event_time), balances)
