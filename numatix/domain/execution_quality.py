"""How well orders were executed: per order and over many (the paper venue's fill quality).

Per order the venue records the arrival price (the best opposite quote when the order reached
the book); with the order's fills that gives slippage in basis points (positive = paid more
than arrival on a buy, received less on a sell), time to fill, fill ratio and the maker share.
Over many orders slippage and maker share are weighted by traded value, so a dust order cannot
outweigh a large one; time to fill is the median, since one slow resting order would swamp a mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from numatix.domain.enums import OrderStatus, OrderType, Side
from numatix.domain.orders import Fill, Order

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENTS = Decimal("0.01")


def to_cents(value: Decimal) -> Decimal:
    """Rounded to a hundredth, never "-0.00": a slippage that rounds to nothing has no sign."""
    return value.quantize(CENTS) + 0


@dataclass(frozen=True, slots=True)
class OrderExecution:
    venue_order_id: int
    symbol: str
    side: Side
    order_type: OrderType
    status: OrderStatus
    created_ms: int
    arrival_price: Decimal | None
    average_price: Decimal | None
    slippage_bps: Decimal | None  # exact: a summary of many must add up
    time_to_first_fill_ms: int | None
    time_to_fill_ms: int | None  # to the last fill of a FILLED order
    fill_ratio: Decimal  # executed / ordered, 0..1
    executed_quantity: Decimal
    quote_volume: Decimal
    maker_quote_volume: Decimal
    fees: tuple[tuple[str, Decimal], ...]  # (asset, amount), by asset
    fills: int

    @property
    def slippage_bps_shown(self) -> Decimal | None:
        """To a hundredth of a basis point, as a person reads it."""
        return None if self.slippage_bps is None else to_cents(self.slippage_bps)

    @property
    def maker_share(self) -> Decimal | None:
        """Percent of the traded value that rested as maker; None for an order with no fill."""
        if not self.quote_volume:
            return None
        return (self.maker_quote_volume / self.quote_volume * HUNDRED).quantize(CENTS)


@dataclass(frozen=True, slots=True)
class ExecutionSummary:
    orders: int  # orders with at least one fill
    fills: int
    quote_volume: Decimal
    average_slippage_bps: Decimal | None  # value-weighted, over orders with an arrival price
    median_time_to_fill_ms: int | None  # over FILLED orders
    maker_share: Decimal | None  # percent of traded value
    average_fill_ratio: Decimal | None  # percent


def order_execution(order: Order, fills: Sequence[Fill]) -> OrderExecution:
    """``fills`` are this order's (others are ignored), any order."""
    own = sorted((f for f in fills if f.venue_order_id == order.venue_order_id), key=lambda f: f.time_ms)
    quality = order.fill_quality()
    fees: dict[str, Decimal] = {}
    for fill in own:
        if fill.commission:
            fees[fill.commission_asset] = fees.get(fill.commission_asset, ZERO) + fill.commission
    return OrderExecution(
        venue_order_id=order.venue_order_id, symbol=order.symbol, side=order.side,
        order_type=order.order_type, status=order.status, created_ms=order.created_time_ms,
        arrival_price=quality.arrival_price, average_price=quality.average_price,
        slippage_bps=quality.slippage_bps,
        time_to_first_fill_ms=own[0].time_ms - order.created_time_ms if own else None,
        time_to_fill_ms=quality.time_to_fill_ms,
        fill_ratio=quality.fill_ratio,
        executed_quantity=order.executed_quantity,
        quote_volume=sum((f.quote_quantity for f in own), ZERO) or order.cumulative_quote,
        maker_quote_volume=sum((f.quote_quantity for f in own if f.is_maker), ZERO),
        fees=tuple(sorted(fees.items())),
        fills=len(own),
    )


def executions(orders: Iterable[Order], fills: Sequence[Fill]) -> list[OrderExecution]:
    """The orders that traded, newest first, each with its own fills."""
    by_order: dict[int, list[Fill]] = {}
    for fill in fills:
        by_order.setdefault(fill.venue_order_id, []).append(fill)
    traded = [o for o in orders if o.executed_quantity > 0]
    traded.sort(key=lambda o: (o.created_time_ms, o.venue_order_id), reverse=True)
    return [order_execution(o, by_order.get(o.venue_order_id, [])) for o in traded]


def summarize(rows: Sequence[OrderExecution]) -> ExecutionSummary:
    volume = sum((r.quote_volume for r in rows), ZERO)
    priced = [r for r in rows if r.slippage_bps is not None and r.quote_volume > 0]
    priced_volume = sum((r.quote_volume for r in priced), ZERO)
    slippage = None
    if priced_volume:
        weighted = sum((r.slippage_bps * r.quote_volume for r in priced if r.slippage_bps is not None), ZERO)
        slippage = to_cents(weighted / priced_volume)
    times = sorted(r.time_to_fill_ms for r in rows if r.time_to_fill_ms is not None)
    maker = sum((r.maker_quote_volume for r in rows), ZERO)
    return ExecutionSummary(
        orders=len(rows),
        fills=sum(r.fills for r in rows),
        quote_volume=volume,
        average_slippage_bps=slippage,
        median_time_to_fill_ms=_median(times),
        maker_share=(maker / volume * HUNDRED).quantize(CENTS) if volume else None,
        average_fill_ratio=(sum((r.fill_ratio for r in rows), ZERO) / len(rows) * HUNDRED).quantize(CENTS)
        if rows else None,
    )


def _median(values: list[int]) -> int | None:
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) // 2
