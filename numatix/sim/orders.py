"""New-order parameters, read the way Binance reads them, into the engine's requests.

Which parameters a type needs or refuses (-1102, -1106) is the domain's table
(``numatix.domain.requests``); here we parse the wire values (-1100 for a malformed
number, -1116/-1117/-1115 for bad enums) and the options the engine does not model.
"""

from __future__ import annotations

from dataclasses import dataclass

from numatix.domain.enums import OrderType, SelfTradePreventionMode, Side
from numatix.domain.errors import OrderRejected
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.sim import errors
from numatix.sim.errors import SimError
from numatix.sim.keys import random_token
from numatix.sim.params import Params
from numatix.sim.wire import RESPONSE_TYPES, default_response_type

CLIENT_ORDER_ID_LENGTH = 22
STP_MODES = tuple(mode.value for mode in SelfTradePreventionMode)
UNSUPPORTED = ("icebergQty", "trailingDelta", "pegPriceType", "pegOffsetValue", "pegOffsetType")


def new_client_order_id() -> str:
    """Binance makes a 22-character id when the client sends none."""
    return random_token(CLIENT_ORDER_ID_LENGTH)


@dataclass(frozen=True, slots=True)
class NewOrder:
    request: OrderRequest
    response_type: str


def _refuse_unsupported(params: Params, names: tuple[str, ...] = UNSUPPORTED) -> None:
    for name in names:
        value = params.text(name)
        if value is not None and value not in ("0", "0.0", "0.00000000"):
            raise errors.not_required(name)


def _self_trade_prevention(params: Params) -> SelfTradePreventionMode:
    mode = params.choice("selfTradePreventionMode", STP_MODES)
    return SelfTradePreventionMode(mode) if mode else SelfTradePreventionMode.EXPIRE_MAKER


def _build(factory, *args, **kwargs):
    """Domain parse errors (bad enum, bad client id) are Binance rejections already."""
    try:
        return factory(*args, **kwargs)
    except OrderRejected as rejection:
        raise errors.from_rejection(rejection) from None


def parse_new_order(params: Params) -> NewOrder:
    symbol = params.required("symbol")
    side = params.required("side")
    order_type = params.required("type")
    _refuse_unsupported(params)
    request = _build(
        OrderRequest,
        symbol=symbol,
        side=side,
        order_type=order_type,
        quantity=params.decimal("quantity"),
        quote_order_qty=params.decimal("quoteOrderQty"),
        price=params.decimal("price"),
        stop_price=params.decimal("stopPrice"),
        time_in_force=params.text("timeInForce"),
        client_order_id=params.text("newClientOrderId") or new_client_order_id(),
        self_trade_prevention=_self_trade_prevention(params),
    )
    try:
        request.validate()
    except OrderRejected as rejection:
        raise errors.from_rejection(rejection) from None
    response_type = params.choice("newOrderRespType", RESPONSE_TYPES) or default_response_type(
        request.order_type.value
    )
    return NewOrder(request, response_type)


@dataclass(frozen=True, slots=True)
class NewOco:
    request: OcoRequest
    list_client_order_id: str
    limit_is_above: bool  # SELL: the LIMIT_MAKER leg is above; BUY: below
    response_type: str


def parse_order_list_oco(params: Params) -> NewOco:
    """``POST orderList/oco``: one leg LIMIT_MAKER, the other STOP_LOSS or STOP_LOSS_LIMIT."""
    side = _side(params)
    above_type, below_type = params.required("aboveType"), params.required("belowType")
    _refuse_unsupported(params, ("aboveIcebergQty", "belowIcebergQty", "aboveTrailingDelta",
                                 "belowTrailingDelta"))
    limit_side, stop_side = ("above", "below") if side is Side.SELL else ("below", "above")
    legs = {limit_side: above_type if limit_side == "above" else below_type,
            stop_side: above_type if stop_side == "above" else below_type}
    if not _known(above_type, below_type):
        raise SimError(-1158, "Order type not supported in OCO.")
    stop_types = ("STOP_LOSS", "STOP_LOSS_LIMIT")
    if legs[limit_side] != OrderType.LIMIT_MAKER.value or legs[stop_side] not in stop_types:
        raise errors.unsupported_combination()  # the engine pairs a LIMIT_MAKER with a STOP_LOSS(_LIMIT)
    stop_limit = legs[stop_side] == "STOP_LOSS_LIMIT"
    limit_price = params.decimal(f"{limit_side}Price")
    stop_price = params.decimal(f"{stop_side}StopPrice")
    if limit_price is None:
        raise errors.mandatory(f"{limit_side}Price")
    if stop_price is None:
        raise errors.mandatory(f"{stop_side}StopPrice")
    stop_limit_price = params.decimal(f"{stop_side}Price")
    if stop_limit and stop_limit_price is None:
        raise errors.mandatory(f"{stop_side}Price")
    if not stop_limit and stop_limit_price is not None:
        raise errors.not_required(f"{stop_side}Price")
    if stop_limit and params.text(f"{stop_side}TimeInForce") is None:
        raise errors.mandatory(f"{stop_side}TimeInForce")
    list_id = params.text("listClientOrderId") or new_client_order_id()
    request = _oco(params, side, limit_price, stop_price, stop_limit_price if stop_limit else None,
                   params.text(f"{stop_side}TimeInForce") if stop_limit else None, list_id,
                   params.text(f"{limit_side}ClientOrderId"), params.text(f"{stop_side}ClientOrderId"))
    response_type = params.choice("newOrderRespType", RESPONSE_TYPES) or "FULL"
    return NewOco(request, list_id, side is Side.SELL, response_type)


def parse_legacy_oco(params: Params) -> NewOco:
    """The deprecated ``POST order/oco``: ``price`` (limit leg), ``stopPrice``, ``stopLimitPrice``."""
    side = _side(params)
    limit_price = params.decimal("price")
    stop_price = params.decimal("stopPrice")
    if limit_price is None:
        raise errors.mandatory("price")
    if stop_price is None:
        raise errors.mandatory("stopPrice")
    stop_limit_price = params.decimal("stopLimitPrice")
    time_in_force = params.text("stopLimitTimeInForce")
    list_id = params.text("listClientOrderId") or new_client_order_id()
    request = _oco(params, side, limit_price, stop_price, stop_limit_price, time_in_force, list_id,
                   params.text("limitClientOrderId"), params.text("stopClientOrderId"))
    response_type = params.choice("newOrderRespType", RESPONSE_TYPES) or "FULL"
    return NewOco(request, list_id, side is Side.SELL, response_type)


def _side(params: Params) -> Side:
    text = params.required("side")
    if text not in ("BUY", "SELL"):
        raise SimError(-1117, "Invalid side.")
    return Side(text)


def _known(*types: str) -> bool:
    return all(name in ("LIMIT_MAKER", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
               for name in types)


def _oco(params: Params, side: Side, limit_price, stop_price, stop_limit_price, time_in_force, list_id,
         limit_id, stop_id) -> OcoRequest:
    quantity = params.decimal("quantity")
    if quantity is None:
        raise errors.mandatory("quantity")
    return _build(
        OcoRequest,
        symbol=params.required("symbol"),
        side=side,
        quantity=quantity,
        limit_price=limit_price,
        stop_price=stop_price,
        stop_limit_price=stop_limit_price,
        stop_time_in_force=time_in_force,
        list_client_order_id=list_id,
        limit_client_order_id=limit_id or new_client_order_id(),
        stop_client_order_id=stop_id or new_client_order_id(),
    )
