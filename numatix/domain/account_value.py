"""The account-value curve and the daily P&L drawn from it.

A point is what the whole wallet was worth in USDT at a moment: after a fill, at a regular
sample, or right after a wallet reset. A reset is money put in or taken out, not profit, so
the change that ends in a reset point counts for no day: the curve starts afresh from it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

DAY_MS = 86_400_000
ZERO = Decimal(0)


class PointKind(str, enum.Enum):
    FILL = "fill"  # after one of the user's fills
    SAMPLE = "sample"  # the regular (at least hourly) sample
    RESET = "reset"  # right after a paper wallet reset: a new start, not P&L
    LIVE = "live"  # now, computed when asked, never stored


@dataclass(frozen=True, slots=True)
class ValuePoint:
    time_ms: int
    value: Decimal
    kind: PointKind


@dataclass(frozen=True, slots=True)
class KeyedPoint:
    """A point to store for a user; its key (``fill:BTCUSDT:42``, ``sample:<bucket>``) makes
    a second write of the same point a no-op."""

    user_id: int
    point: ValuePoint
    key: str


@dataclass(frozen=True, slots=True)
class DailyPnl:
    day_start_ms: int  # 00:00 UTC
    pnl: Decimal
    end_value: Decimal


def day_start(time_ms: int) -> int:
    return time_ms - time_ms % DAY_MS


def daily_pnl(points: Sequence[ValuePoint]) -> list[DailyPnl]:
    """Points oldest first; each change between two points counts for the day of the later one,
    unless the later one is a reset. Days without a point have no bar."""
    days: dict[int, DailyPnl] = {}
    previous: ValuePoint | None = None
    for point in points:
        day = day_start(point.time_ms)
        change = ZERO
        if previous is not None and point.kind is not PointKind.RESET:
            change = point.value - previous.value
        before = days.get(day)
        days[day] = DailyPnl(day, (before.pnl if before else ZERO) + change, point.value)
        previous = point
    return [days[day] for day in sorted(days)]
