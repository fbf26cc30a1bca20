"""An order's life as a person reads it: placed, triggered, each fill, and how it ended.

Built from the order as the venue keeps it and its fills, so it is the same on the paper venue
and on Binance (where the venue itself keeps no event log we could replay).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from numatix.domain.enums import ExpiryReason, OrderStatus
from numatix.domain.orders import Fill, Order


class Step(str, enum.Enum):
    PLACED = "PLACED"
    TRIGGERED = "TRIGGERED"
    FILL = "FILL"
    FILLED = "FILLED"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    REJECTED = "REJECTED"


ENDINGS = {
    OrderStatus.CANCELED: Step.CANCELED,
    OrderStatus.EXPIRED: Step.EXPIRED,
    OrderStatus.EXPIRED_IN_MATCH: Step.EXPIRED,
    OrderStatus.REJECTED: Step.REJECTED,
}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    step: Step
    time_ms: int
    status: OrderStatus  # the order's status right after this step
    fill: Fill | None = None
    executed_quantity: Decimal = Decimal(0)  # cumulative, after this step
    reason: ExpiryReason | None = None


def order_timeline(order: Order, fills: Sequence[Fill]) -> list[TimelineEntry]:
    own = sorted((f for f in fills if f.venue_order_id == order.venue_order_id),
                 key=lambda f: (f.time_ms, f.trade_id))
    entries = [TimelineEntry(Step.PLACED, order.created_time_ms, OrderStatus.NEW)]
    if order.order_type.is_conditional and order.working_time_ms > order.created_time_ms:
        entries.append(TimelineEntry(Step.TRIGGERED, order.working_time_ms, OrderStatus.NEW))
    executed = Decimal(0)
    for fill in own:
        executed += fill.quantity
        complete = order.quantity is not None and executed >= order.quantity
        status = OrderStatus.FILLED if complete else OrderStatus.PARTIALLY_FILLED
        entries.append(TimelineEntry(Step.FILL, fill.time_ms, status, fill, executed))
    if order.status is OrderStatus.FILLED:
        last = own[-1].time_ms if own else order.update_time_ms
        entries.append(TimelineEntry(Step.FILLED, last, OrderStatus.FILLED, None, order.executed_quantity))
    elif order.status in ENDINGS:
        end = max(order.update_time_ms, entries[-1].time_ms)
        entries.append(TimelineEntry(ENDINGS[order.status], end, order.status, None,
                                     order.executed_quantity, order.expiry_reason))
    return entries
