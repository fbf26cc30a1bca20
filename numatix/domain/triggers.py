"""Stop and take-profit triggers: which way each fires, what the form calls its price, and
the refusal of one that would fire the moment it is placed.

One rule for the venue's engine (when a resting trigger fires), its admission (a trigger
already reached is refused) and the order preview (the form says so as the trader types).
"""

from __future__ import annotations

from decimal import Decimal

from numatix.domain import errors
from numatix.domain.enums import OrderType, RejectReason, Side
from numatix.domain.errors import OrderRejected
from numatix.domain.guidance import plain
from numatix.domain.type_names import order_label

TAKE_PROFIT_TYPES = frozenset({OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT})


def trigger_label(order_type: OrderType | str) -> str:
    """A take-profit waits for a trigger price, a stop-loss for a stop price."""
    return "Trigger price" if order_type in TAKE_PROFIT_TYPES else "Stop price"  # "TAKE_PROFIT" too


def fires_below(order_type: OrderType, side: Side) -> bool:
    """Binance: a sell stop-loss and a buy take-profit fire when the last price falls to the
    trigger; a buy stop-loss and a sell take-profit when it rises to it."""
    take_profit = order_type in TAKE_PROFIT_TYPES
    return (side is Side.SELL) != take_profit


def triggered(order_type: OrderType, side: Side, trigger: Decimal, last_price: Decimal) -> bool:
    return last_price <= trigger if fires_below(order_type, side) else last_price >= trigger


def trigger_side_hint(order_type: OrderType, side: Side, trigger: Decimal, last_price: Decimal) -> str:
    """"For a buy stop-market order: stop price above the last price (97,076.28); at 96,000
    it would trigger at once"."""
    where = "below" if fires_below(order_type, side) else "above"
    return (f"For a {order_label(side.value, order_type.value).lower()} order: "
            f"{trigger_label(order_type).lower()} {where} the last price ({plain(last_price)}); "
            f"at {plain(trigger)} it would trigger at once")


def check_trigger(order_type: OrderType, side: Side, trigger: Decimal | None,
                  last_price: Decimal | None) -> None:
    """Binance's -2010 "Order would trigger immediately." for a trigger the last price has
    already reached, with the side it belongs on in the trader's words."""
    if not order_type.is_conditional or trigger is None or last_price is None:
        return
    if triggered(order_type, side, trigger, last_price):
        raise OrderRejected(errors.NEW_ORDER_REJECTED, errors.MSG_WOULD_TRIGGER,
                            RejectReason.STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY,
                            trigger_side_hint(order_type, side, trigger, last_price))
