"""The order entity: its status moves only along a transition table, by applying events.

Applying the same fill twice (same trade id) is a no-op, so a report replayed after a
reconnect or a restart can never double an execution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from numatix.domain.enums import (
    ExpiryReason,
    OrderStatus,
    OrderType,
    SelfTradePreventionMode,
    Side,
    TimeInForce,
)
from numatix.domain.errors import IllegalTransition

ZERO = Decimal(0)
_S = OrderStatus

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    _S.NEW: frozenset(
        {_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELED, _S.PENDING_CANCEL, _S.REJECTED, _S.EXPIRED,
         _S.EXPIRED_IN_MATCH}
    ),
    _S.PARTIALLY_FILLED: frozenset(
        {_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELED, _S.PENDING_CANCEL, _S.EXPIRED, _S.EXPIRED_IN_MATCH}
    ),
    _S.PENDING_CANCEL: frozenset({_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELED, _S.EXPIRED}),
    _S.FILLED: frozenset(),
    _S.CANCELED: frozenset(),
    _S.REJECTED: frozenset(),
    _S.EXPIRED: frozenset(),
    _S.EXPIRED_IN_MATCH: frozenset(),
}


def can_transition(current: OrderStatus, new: OrderStatus) -> bool:
    return new in TRANSITIONS[current]


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution of one order; ``quote_quantity`` is price × quantity, exactly."""

    trade_id: int
    venue_order_id: int
    client_order_id: str
    symbol: str
    side: Side
    price: Decimal
    quantity: Decimal
    quote_quantity: Decimal
    commission: Decimal
    commission_asset: str
    is_maker: bool
    time_ms: int


@dataclass(frozen=True, slots=True)
class OrderCanceled:
    time_ms: int


@dataclass(frozen=True, slots=True)
class OrderExpired:
    time_ms: int
    reason: ExpiryReason
    in_match: bool = False  # self-trade prevention: EXPIRED_IN_MATCH


@dataclass(frozen=True, slots=True)
class OrderRejectedEvent:
    time_ms: int


@dataclass(frozen=True, slots=True)
class OrderTriggered:
    """A stop's condition was met: it starts working (Binance's ``w`` turns true)."""

    time_ms: int


@dataclass(frozen=True, slots=True)
class OrderPrevented:
    """Self-trade prevention took ``quantity`` off the order (Binance's prevented quantity); once
    nothing is left it has EXPIRED_IN_MATCH."""

    time_ms: int
    quantity: Decimal
    match_id: int


OrderEvent = Fill | OrderCanceled | OrderExpired | OrderRejectedEvent | OrderTriggered | OrderPrevented


@dataclass(frozen=True, slots=True)
class FillQuality:
    """How the execution compared with the market when the order arrived."""

    arrival_price: Decimal | None
    average_price: Decimal | None
    slippage_bps: Decimal | None  # positive = worse than arrival for this side
    time_to_fill_ms: int | None
    fill_ratio: Decimal


class OrderTerms:
    """What an order's type guarantees, read where the type is known.

    A request is checked against ``PARAMETER_RULES`` before it becomes an order: a LIMIT-type
    order has a price, a stop a stop price, every type but a MARKET by quote amount a
    quantity. Code past that check reads these instead of re-testing each Optional.
    """

    __slots__ = ()
    order_type: OrderType
    quantity: Decimal | None
    price: Decimal | None
    stop_price: Decimal | None

    @property
    def limit_price(self) -> Decimal:
        return _required(self.price, "price", self.order_type)

    @property
    def trigger_price(self) -> Decimal:
        return _required(self.stop_price, "stopPrice", self.order_type)

    @property
    def base_quantity(self) -> Decimal:
        return _required(self.quantity, "quantity", self.order_type)


def _required(value: Decimal | None, name: str, order_type: OrderType) -> Decimal:
    if value is None:  # a bug, not a user's mistake: validation refuses such a request
        raise TypeError(f"a {order_type.value} order without {name} got past validation")
    return value


@dataclass(slots=True)
class Order(OrderTerms):
    venue_order_id: int
    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    quantity: Decimal | None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    quote_order_qty: Decimal | None = None
    status: OrderStatus = OrderStatus.NEW
    executed_quantity: Decimal = ZERO
    cumulative_quote: Decimal = ZERO
    created_time_ms: int = 0
    update_time_ms: int = 0
    working_time_ms: int = -1
    is_working: bool = True
    order_list_id: int = -1
    expiry_reason: ExpiryReason | None = None
    self_trade_prevention: SelfTradePreventionMode = SelfTradePreventionMode.EXPIRE_MAKER
    arrival_price: Decimal | None = None
    last_fill_time_ms: int | None = None
    prevented_quantity: Decimal = ZERO  # taken off by self-trade prevention
    prevented_match_id: int = -1  # the last prevented match this order was part of
    trade_ids: set[int] = field(default_factory=set)

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    @property
    def remaining_quantity(self) -> Decimal | None:
        """None for a MARKET order sized by quote amount. Binance: original − executed − prevented."""
        if self.quantity is None:
            return None
        return self.quantity - self.executed_quantity - self.prevented_quantity

    @property
    def base_remaining(self) -> Decimal:
        """What is left to fill of an order sized in the base asset (every order that rests)."""
        return self.base_quantity - self.executed_quantity - self.prevented_quantity

    @property
    def average_price(self) -> Decimal | None:
        if not self.executed_quantity:
            return None
        return self.cumulative_quote / self.executed_quantity

    def apply(self, event: OrderEvent) -> bool:
        """Change state by one event; returns False if the event was already applied."""
        if isinstance(event, Fill):
            return self._apply_fill(event)
        if isinstance(event, OrderCanceled):
            self._move_to(OrderStatus.CANCELED, event.time_ms)
        elif isinstance(event, OrderExpired):
            self.expiry_reason = event.reason
            target = OrderStatus.EXPIRED_IN_MATCH if event.in_match else OrderStatus.EXPIRED
            self._move_to(target, event.time_ms)
        elif isinstance(event, OrderRejectedEvent):
            self._move_to(OrderStatus.REJECTED, event.time_ms)
        elif isinstance(event, OrderPrevented):
            self._apply_prevention(event)
        elif isinstance(event, OrderTriggered):
            if self.is_working or not self.is_open:
                raise IllegalTransition(f"order {self.venue_order_id} cannot be triggered now")
            self.is_working = True
            self.working_time_ms = event.time_ms
            self.update_time_ms = event.time_ms
        else:
            raise TypeError(f"unknown order event {event!r}")
        return True

    def _apply_fill(self, fill: Fill) -> bool:
        if fill.trade_id in self.trade_ids:
            return False
        if fill.venue_order_id != self.venue_order_id:
            raise ValueError(f"fill {fill.trade_id} belongs to order {fill.venue_order_id}")
        remaining = self.remaining_quantity
        if remaining is not None and fill.quantity > remaining:
            raise IllegalTransition(f"fill of {fill.quantity} exceeds remaining {remaining}")
        executed = self.executed_quantity + fill.quantity
        complete = remaining is not None and executed + self.prevented_quantity == self.quantity
        self._move_to(OrderStatus.FILLED if complete else OrderStatus.PARTIALLY_FILLED, fill.time_ms)
        self.trade_ids.add(fill.trade_id)
        self.executed_quantity = executed
        self.cumulative_quote += fill.quote_quantity
        self.last_fill_time_ms = fill.time_ms
        return True

    def _apply_prevention(self, event: OrderPrevented) -> None:
        remaining = self.remaining_quantity
        if remaining is None or not 0 < event.quantity <= remaining:
            raise IllegalTransition(f"cannot prevent {event.quantity} of order {self.venue_order_id}")
        self.prevented_quantity += event.quantity
        self.prevented_match_id = event.match_id
        if event.quantity == remaining:
            self._move_to(OrderStatus.EXPIRED_IN_MATCH, event.time_ms)
        else:
            self.update_time_ms = event.time_ms

    def size_from_quote(self, quantity: Decimal) -> None:
        """A quoteOrderQty MARKET order learns its size when matched (Binance's origQty)."""
        if self.quantity is not None or self.executed_quantity:
            raise IllegalTransition(f"order {self.venue_order_id} already has a size")
        self.quantity = quantity

    def _move_to(self, status: OrderStatus, time_ms: int) -> None:
        if status not in TRANSITIONS[self.status]:
            raise IllegalTransition(f"order {self.venue_order_id}: {self.status.value} -> {status.value}")
        self.status = status
        self.update_time_ms = time_ms

    def fill_quality(self) -> FillQuality:
        average = self.average_price
        slippage = None
        if average is not None and self.arrival_price:
            sign = 1 if self.side is Side.BUY else -1
            # exact, not rounded to 0.01 bps: a fill-quality report must add up
            slippage = sign * (average - self.arrival_price) / self.arrival_price * 10_000
        if self.quantity:
            ratio = self.executed_quantity / self.quantity
        elif self.quote_order_qty:
            ratio = self.cumulative_quote / self.quote_order_qty
        else:
            ratio = ZERO
        time_to_fill = None
        if self.status is OrderStatus.FILLED and self.last_fill_time_ms is not None:
            time_to_fill = self.last_fill_time_ms - self.created_time_ms
        return FillQuality(self.arrival_price, average, slippage, time_to_fill, ratio)

    def copy(self) -> Order:
        """A detached snapshot, so readers cannot change the engine's state."""
        return _copy_order(self)


def placement_key(order: Order) -> tuple[int, int]:
    """Orders in the order they were placed: by time, then id (Binance numbers orders per
    symbol, so across symbols an id alone says nothing of when)."""
    return order.created_time_ms, order.venue_order_id


def execution_key(fill: Fill) -> tuple[int, str, int]:
    """Fills in the order they happened (trade ids too are per symbol)."""
    return fill.time_ms, fill.symbol, fill.trade_id


def _compile_copy():
    """A straight-line field copy: the engine snapshots orders on every step, and a loop of
    getattr/setattr over the slots costs three times as much."""
    lines = ["def copy(order):", "    duplicate = new(Order)"]
    lines += [f"    duplicate.{name} = order.{name}" for name in Order.__slots__ if name != "trade_ids"]
    lines += ["    duplicate.trade_ids = set(order.trade_ids)", "    return duplicate"]
    namespace = {"new": object.__new__, "Order": Order}
    exec("\n".join(lines), namespace)  # noqa: S102 - source built from our own slot names
    return namespace["copy"]


_copy_order = _compile_copy()
