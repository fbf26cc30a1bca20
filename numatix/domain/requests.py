"""What a user asks a venue for, checked the way Binance checks it before any filter.

Which parameters each order type needs (and refuses) is a table, so the rules can be read
in one place and tested row by row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from numatix.domain import errors
from numatix.domain.enums import OrderType, SelfTradePreventionMode, Side, TimeInForce
from numatix.domain.errors import OrderRejected
from numatix.domain.guidance import oco_prices_hint
from numatix.domain.orders import OrderTerms
from numatix.domain.triggers import trigger_label
from numatix.domain.values import NUMBER_RULE, PLAIN_NUMBER, to_decimal, within_bounds

_NUMBER_RANGE = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"
_CLIENT_ID_RANGE = r"^[\.A-Z\:/a-z0-9_-]{1,36}$"
_CLIENT_ID = re.compile(_CLIENT_ID_RANGE)

# Wire names, as they appear in Binance's error messages.
_WIRE_NAMES = {
    "quantity": "quantity",
    "quote_order_qty": "quoteOrderQty",
    "price": "price",
    "stop_price": "stopPrice",
    "time_in_force": "timeInForce",
}

_OCO_WIRE_NAMES = {"quantity": "quantity", "limit_price": "price", "stop_price": "stopPrice",
                   "stop_limit_price": "stopLimitPrice"}

# order type -> (required fields, allowed optional fields); the required in the order the
# form shows them (stop, price, amount), so an empty form names its first field first
PARAMETER_RULES: dict[OrderType, tuple[tuple[str, ...], tuple[str, ...]]] = {
    OrderType.LIMIT: (("time_in_force", "price", "quantity"), ()),
    OrderType.MARKET: ((), ("quantity", "quote_order_qty")),
    OrderType.STOP_LOSS: (("stop_price", "quantity"), ()),
    OrderType.TAKE_PROFIT: (("stop_price", "quantity"), ()),
    OrderType.STOP_LOSS_LIMIT: (("time_in_force", "stop_price", "price", "quantity"), ()),
    OrderType.TAKE_PROFIT_LIMIT: (("time_in_force", "stop_price", "price", "quantity"), ()),
    OrderType.LIMIT_MAKER: (("price", "quantity"), ()),
}


def illegal_characters(wire_name: str, legal_range: str = _NUMBER_RANGE, hint: str = "") -> OrderRejected:
    if not hint and wire_name in errors.FIELD_LABELS:
        hint = f"{errors.FIELD_LABELS[wire_name]} must be a positive number"
    elif not hint:
        hint = "A client order id has 1 to 36 letters, digits or . : / _ -"
    return OrderRejected(
        errors.ILLEGAL_CHARACTERS,
        f"Illegal characters found in parameter '{wire_name}'; legal range is '{legal_range}'.", hint=hint,
    )


def parse_side(value: Side | str) -> Side:
    try:
        return Side(value)
    except ValueError:
        raise OrderRejected(errors.INVALID_SIDE, errors.MSG_INVALID_SIDE) from None


def parse_order_type(value: OrderType | str) -> OrderType:
    try:
        return OrderType(value)
    except ValueError:
        raise OrderRejected(errors.INVALID_ORDER_TYPE, errors.MSG_INVALID_ORDER_TYPE) from None


def parse_time_in_force(value: TimeInForce | str | None) -> TimeInForce | None:
    if value is None:
        return None
    try:
        return TimeInForce(value)
    except ValueError:
        raise OrderRejected(errors.INVALID_TIME_IN_FORCE, errors.MSG_INVALID_TIME_IN_FORCE) from None


def parse_self_trade_prevention(value: SelfTradePreventionMode | str) -> SelfTradePreventionMode:
    try:
        return SelfTradePreventionMode(value)
    except ValueError:  # Binance answers a malformed enum as a parameter not sent
        raise errors.mandatory_parameter("selfTradePreventionMode") from None


def _parse_amount(value: object, field_name: str) -> Decimal | None:
    if value is None:
        return None
    amount = to_decimal(value, field_name)
    if amount < 0:
        raise illegal_characters(_WIRE_NAMES[field_name])
    if not within_bounds(amount):
        raise out_of_bounds(_WIRE_NAMES[field_name])
    return amount


def out_of_bounds(wire_name: str) -> OrderRejected:
    return illegal_characters(wire_name, hint=f"{errors.FIELD_LABELS.get(wire_name, wire_name)} must be "
                                              f"{NUMBER_RULE}")


# Commas only between thousands (1,000 or 95,000.5): a comma anywhere else is a decimal comma
# ("0,01" meant 0.01), and dropping it would make the order 100 times bigger.
THOUSANDS = re.compile(r"[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]*)?")


def typed_amount(text: str, wire_name: str) -> Decimal | None:
    """What a person typed in an amount field: None when empty; refused, in their words, when
    it is not a plain number within Binance's 20 + 20 digits, or has a comma that is not a
    thousands separator."""
    text = (text or "").strip()
    if "," in text:
        if not THOUSANDS.fullmatch(text):
            label = errors.FIELD_LABELS.get(wire_name, wire_name)
            raise illegal_characters(wire_name, hint=f"{label}: use a point for decimals, like 0.01 "
                                                     "(a comma only between thousands, like 1,000.5)")
        text = text.replace(",", "")
    if not text:
        return None
    if not PLAIN_NUMBER.fullmatch(text):
        raise out_of_bounds(wire_name)
    return Decimal(text)


@dataclass(frozen=True, slots=True)
class OrderRequest(OrderTerms):
    """A new order as the user asked for it; parsing happens on construction.

    Strings are accepted for the enums so that a bad value becomes Binance's own rejection
    (-1116, -1115, -1117) instead of a Python ValueError.
    """

    symbol: str
    side: Side
    order_type: OrderType
    quantity: Decimal | None = None
    quote_order_qty: Decimal | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce | None = None
    client_order_id: str | None = None
    self_trade_prevention: SelfTradePreventionMode = SelfTradePreventionMode.EXPIRE_MAKER

    def __post_init__(self) -> None:
        set_value = object.__setattr__
        set_value(self, "side", parse_side(self.side))
        set_value(self, "order_type", parse_order_type(self.order_type))
        set_value(self, "time_in_force", parse_time_in_force(self.time_in_force))
        set_value(self, "self_trade_prevention", parse_self_trade_prevention(self.self_trade_prevention))
        for name in ("quantity", "quote_order_qty", "price", "stop_price"):
            set_value(self, name, _parse_amount(getattr(self, name), name))
        if self.client_order_id is not None and not _CLIENT_ID.match(self.client_order_id):
            raise illegal_characters("newClientOrderId", _CLIENT_ID_RANGE)

    def validate(self) -> None:
        """Raise Binance's -1102/-1106 for parameters missing or not wanted by this type."""
        required, optional = PARAMETER_RULES[self.order_type]
        for name in required:
            if getattr(self, name) is None:
                missing = errors.mandatory_parameter(_WIRE_NAMES[name])
                if name == "stop_price":  # a take-profit's is its trigger price
                    missing.hint = f"Enter the {trigger_label(self.order_type).lower()}"
                raise missing
        if self.order_type is OrderType.MARKET:
            self._validate_market_amounts()
        for name, wire_name in _WIRE_NAMES.items():
            if name not in required and name not in optional and getattr(self, name) is not None:
                raise errors.parameter_not_required(wire_name)

    def _validate_market_amounts(self) -> None:
        if self.quantity is None and self.quote_order_qty is None:
            raise errors.either_parameter("quantity", "quoteOrderQty")
        if self.quantity is not None and self.quote_order_qty is not None:
            raise errors.parameter_not_required("quoteOrderQty")

    def with_client_order_id(self, client_order_id: str) -> OrderRequest:
        return replace(self, client_order_id=client_order_id)

    @property
    def effective_time_in_force(self) -> TimeInForce:
        """Binance reports GTC for types that take no timeInForce."""
        return self.time_in_force or TimeInForce.GTC


@dataclass(frozen=True, slots=True)
class OcoRequest:
    """A one-cancels-the-other pair: a LIMIT_MAKER leg and a STOP_LOSS(_LIMIT) leg.

    SELL protects a long (take profit above, stop below); BUY the reverse. Giving
    ``stop_limit_price`` makes the stop leg a STOP_LOSS_LIMIT.
    """

    symbol: str
    side: Side
    quantity: Decimal
    limit_price: Decimal
    stop_price: Decimal
    stop_limit_price: Decimal | None = None
    stop_time_in_force: TimeInForce | None = None
    list_client_order_id: str | None = None
    limit_client_order_id: str | None = None
    stop_client_order_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "side", parse_side(self.side))
        for name in ("quantity", "limit_price", "stop_price", "stop_limit_price"):
            value = getattr(self, name)
            if value is not None:
                amount = to_decimal(value, name)
                if not within_bounds(amount):
                    raise out_of_bounds(_OCO_WIRE_NAMES[name])
                object.__setattr__(self, name, amount)
        object.__setattr__(self, "stop_time_in_force", parse_time_in_force(self.stop_time_in_force))
        if self.stop_limit_price is not None and self.stop_time_in_force is None:
            raise errors.mandatory_parameter("stopLimitTimeInForce")

    def limit_leg(self) -> OrderRequest:
        return OrderRequest(
            symbol=self.symbol,
            side=self.side,
            order_type=OrderType.LIMIT_MAKER,
            quantity=self.quantity,
            price=self.limit_price,
            client_order_id=self.limit_client_order_id,
        )

    def stop_leg(self) -> OrderRequest:
        limit = self.stop_limit_price is not None
        return OrderRequest(
            symbol=self.symbol,
            side=self.side,
            order_type=OrderType.STOP_LOSS_LIMIT if limit else OrderType.STOP_LOSS,
            quantity=self.quantity,
            price=self.stop_limit_price,
            stop_price=self.stop_price,
            time_in_force=self.stop_time_in_force if limit else None,
            client_order_id=self.stop_client_order_id,
        )

    def check_price_relationship(self, last_price: Decimal | None) -> None:
        """SELL needs limit > last > stop; BUY needs limit < last < stop (Binance)."""
        reference = last_price
        if self.side is Side.SELL:
            ok = self.limit_price > self.stop_price and (
                reference is None or self.limit_price > reference > self.stop_price
            )
        else:
            ok = self.limit_price < self.stop_price and (
                reference is None or self.limit_price < reference < self.stop_price
            )
        if not ok:
            raise OrderRejected(errors.NEW_ORDER_REJECTED, errors.MSG_BAD_OCO_PRICES,
                                hint=oco_prices_hint(self.side, last_price))


