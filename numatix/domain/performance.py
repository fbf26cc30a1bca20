"""Per-symbol trading activity from fills: round trips, win rate, traded value, fees.

A round trip opens with a buy while the traded position is flat and closes when sells bring
it back to flat. Only what was traded counts here (what the wallet started with was not
bought, so selling it opens and closes nothing), and "flat" means less than one step of the
symbol left: a buy whose fee is charged in the base asset leaves a remainder the venue will
not let anyone sell, and that dust must not keep a round trip open for ever. A round trip is
won when it made money after its fees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from numatix.domain.enums import Side
from numatix.domain.orders import Fill
from numatix.domain.positions import Position
from numatix.domain.symbols import SymbolSpec

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class RoundTrip:
    symbol: str
    opened_ms: int
    closed_ms: int
    realized_pnl: Decimal  # against the average entry, fees aside (as positions show it)
    fees_in_quote: Decimal

    @property
    def net_pnl(self) -> Decimal:
        return self.realized_pnl - self.fees_in_quote

    @property
    def won(self) -> bool:
        return self.net_pnl > 0


@dataclass(slots=True)
class SymbolActivity:
    symbol: str
    fills: int = 0
    buys: int = 0
    sells: int = 0
    volume_quote: Decimal = ZERO
    fees_in_quote: Decimal = ZERO  # fees in the base or quote asset, at their fills' prices
    round_trips: list[RoundTrip] = field(default_factory=list)

    @property
    def wins(self) -> int:
        return sum(1 for trip in self.round_trips if trip.won)

    @property
    def losses(self) -> int:
        return len(self.round_trips) - self.wins

    @property
    def win_rate(self) -> Decimal | None:
        """Share of closed round trips that made money, in percent; None before the first."""
        if not self.round_trips:
            return None
        return (Decimal(self.wins) / len(self.round_trips) * 100).quantize(Decimal("0.01"))

    @property
    def round_trip_pnl(self) -> Decimal:
        """What the closed round trips made, after their fees."""
        return sum((trip.net_pnl for trip in self.round_trips), ZERO)


@dataclass(slots=True)
class _Tracker:
    """One symbol's traded position and the round trip it is in."""

    spec: SymbolSpec
    position: Position
    result: SymbolActivity
    opened_ms: int | None = None
    pnl_at_open: Decimal = ZERO
    fees_at_open: Decimal = ZERO

    def is_flat(self) -> bool:
        return self.position.quantity < self.spec.step_size

    def apply(self, fill: Fill) -> None:
        position = self.position
        if fill.side is Side.BUY and self.opened_ms is None and self.is_flat():
            self.opened_ms = fill.time_ms
            self.pnl_at_open, self.fees_at_open = position.realized_pnl, position.fees_in_quote
        position.apply(fill)
        result = self.result
        result.fills += 1
        result.buys += fill.side is Side.BUY
        result.sells += fill.side is Side.SELL
        result.volume_quote += fill.quote_quantity
        result.fees_in_quote = position.fees_in_quote
        if fill.side is Side.SELL and self.opened_ms is not None and self.is_flat():
            result.round_trips.append(RoundTrip(
                fill.symbol, self.opened_ms, fill.time_ms, position.realized_pnl - self.pnl_at_open,
                position.fees_in_quote - self.fees_at_open))
            self.opened_ms = None


def activity_by_symbol(fills: Iterable[Fill], specs: Mapping[str, SymbolSpec]) -> list[SymbolActivity]:
    """Fills oldest first; symbols without a spec here are left out. Sorted by symbol."""
    trackers: dict[str, _Tracker] = {}
    for fill in fills:
        spec = specs.get(fill.symbol)
        if spec is None:
            continue
        tracker = trackers.get(fill.symbol)
        if tracker is None:
            position = Position(fill.symbol, spec.base_asset, spec.quote_asset)
            tracker = trackers[fill.symbol] = _Tracker(spec, position, SymbolActivity(fill.symbol))
        tracker.apply(fill)
    return [trackers[symbol].result for symbol in sorted(trackers)]


def totals(rows: Iterable[SymbolActivity]) -> SymbolActivity:
    """Every symbol together, round trips by closing time."""
    total = SymbolActivity("ALL")
    for row in rows:
        total.fills += row.fills
        total.buys += row.buys
        total.sells += row.sells
        total.volume_quote += row.volume_quote
        total.fees_in_quote += row.fees_in_quote
        total.round_trips.extend(row.round_trips)
    total.round_trips.sort(key=lambda trip: trip.closed_ms)
    return total
