"""Order vocabularies, spelled exactly as Binance spells them on the wire."""

from __future__ import annotations

import enum


class Side(str, enum.Enum):
    BUY = "BUY"
    SELL = "SELL"

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(str, enum.Enum):
    LIMIT = "LIMIT"
    MARKET = "MARKET"
    STOP_LOSS = "STOP_LOSS"
    STOP_LOSS_LIMIT = "STOP_LOSS_LIMIT"
    TAKE_PROFIT = "TAKE_PROFIT"
    TAKE_PROFIT_LIMIT = "TAKE_PROFIT_LIMIT"
    LIMIT_MAKER = "LIMIT_MAKER"

    @property
    def is_conditional(self) -> bool:
        """Stop and take-profit types wait for a trigger; Binance counts them as algo orders."""
        return self in _CONDITIONAL

    @property
    def has_limit_price(self) -> bool:
        return self in _PRICED

    @property
    def executes_as_market(self) -> bool:
        return self in (OrderType.MARKET, OrderType.STOP_LOSS, OrderType.TAKE_PROFIT)


_CONDITIONAL = frozenset(
    {OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT}
)
_PRICED = frozenset(
    {OrderType.LIMIT, OrderType.LIMIT_MAKER, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT}
)


class TimeInForce(str, enum.Enum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"


class OrderStatus(str, enum.Enum):
    NEW = "NEW"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELED = "CANCELED"
    PENDING_CANCEL = "PENDING_CANCEL"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    EXPIRED_IN_MATCH = "EXPIRED_IN_MATCH"

    @property
    def is_open(self) -> bool:
        return self in (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED, OrderStatus.PENDING_CANCEL)


class ExecutionType(str, enum.Enum):
    NEW = "NEW"
    CANCELED = "CANCELED"
    REPLACED = "REPLACED"
    REJECTED = "REJECTED"
    TRADE = "TRADE"
    EXPIRED = "EXPIRED"
    TRADE_PREVENTION = "TRADE_PREVENTION"


class RejectReason(str, enum.Enum):
    NONE = "NONE"
    INSUFFICIENT_BALANCES = "INSUFFICIENT_BALANCES"
    STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY = "STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY"
    WOULD_MATCH_IMMEDIATELY = "WOULD_MATCH_IMMEDIATELY"
    OCO_BAD_PRICES = "OCO_BAD_PRICES"


class ExpiryReason(str, enum.Enum):
    """Binance's ``eR``: why the exchange, not the user, ended an order."""

    EXCHANGE_CANCELED = "EXCHANGE_CANCELED"
    OCO_TRIGGER = "OCO_TRIGGER"
    UNFILLED_IOC_QUANTITY_EXPIRED = "UNFILLED_IOC_QUANTITY_EXPIRED"
    UNFILLED_FOK_ORDER_EXPIRED = "UNFILLED_FOK_ORDER_EXPIRED"
    INSUFFICIENT_LIQUIDITY = "INSUFFICIENT_LIQUIDITY"
    SELF_TRADE_PREVENTION = "SELF_TRADE_PREVENTION"


class SelfTradePreventionMode(str, enum.Enum):
    """Binance's STP modes; the taker's decides (TRANSFER needs both orders to say TRANSFER, and
    between orders of one account it is DECREMENT)."""

    NONE = "NONE"
    EXPIRE_MAKER = "EXPIRE_MAKER"
    EXPIRE_TAKER = "EXPIRE_TAKER"
    EXPIRE_BOTH = "EXPIRE_BOTH"
    DECREMENT = "DECREMENT"
    TRANSFER = "TRANSFER"
