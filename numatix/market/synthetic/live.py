"""One symbol's live market: its simulation, the minute its prints are making, its published book.

Prints become ``TradePrint``s and the book becomes ``BookSnapshot``s here, at the boundary
between the integer simulation and the Decimal world of the hub and the paper engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from numatix.domain.market import BookLevel, BookSnapshot, TradePrint
from numatix.domain.symbols import SymbolSpec
from numatix.market.synthetic.simulation import MarketSimulation, Print

PUBLISHED_LEVELS = 50  # per side, in every book update; deeper on request (``depth``)
QUOTE_SCALE = 100_000_000  # quote volumes are kept in units of 1e-8


@dataclass(slots=True)
class MinuteRecord:
    """The minute as its prints make it: becomes a history bar when the minute ends."""

    open_time: int
    open: int = 0
    high: int = 0
    low: int = 0
    close: int = 0
    volume: int = 0
    quote: int = 0
    count: int = 0
    buy_volume: int = 0
    buy_quote: int = 0

    def add(self, price_ticks: int, steps: int, taker_bought: bool, unit_quote: int) -> None:
        if self.count == 0:
            self.open = self.high = self.low = price_ticks
        self.high = max(self.high, price_ticks)
        self.low = min(self.low, price_ticks)
        self.close = price_ticks
        quote = price_ticks * steps * unit_quote
        self.volume += steps
        self.quote += quote
        self.count += 1
        if taker_bought:
            self.buy_volume += steps
            self.buy_quote += quote

    def row(self) -> tuple[int, ...]:
        return (
            self.open_time,
            self.open,
            self.high,
            self.low,
            self.close,
            self.volume,
            self.quote,
            self.count,
            self.buy_volume,
            self.buy_quote,
        )


@dataclass(slots=True)
class SymbolStream:
    spec: SymbolSpec
    simulation: MarketSimulation
    minute: MinuteRecord
    published_update_id: int = -1
    last_price_ticks: int = 0
    last_print: TradePrint | None = None
    _unit_quote: int = field(default=0)
    _levels: dict = field(default_factory=dict)  # (price, size) -> BookLevel, from the last depth

    def __post_init__(self) -> None:
        # price (ticks) × size (steps) × this = quote in 1e-8 units, exactly
        self._unit_quote = int(self.spec.tick_size * self.spec.step_size * QUOTE_SCALE)

    def trade(self, item: Print) -> TradePrint:
        self.minute.add(item.price, item.size, not item.buyer_is_maker, self._unit_quote)
        self.last_price_ticks = item.price
        self.last_print = TradePrint(
            symbol=self.spec.symbol,
            trade_id=item.trade_id,
            price=item.price * self.spec.tick_size,
            quantity=item.size * self.spec.step_size,
            time_ms=item.time_ms,
            buyer_is_maker=item.buyer_is_maker,
        )
        return self.last_print

    def book_if_changed(self, time_ms: int) -> BookSnapshot | None:
        book = self.simulation.book
        if book.update_id == self.published_update_id:
            return None
        self.published_update_id = book.update_id
        return self.depth(time_ms, PUBLISHED_LEVELS)

    def depth(self, time_ms: int, levels: int) -> BookSnapshot:
        """The book's best ``levels`` a side; levels unchanged since the last call are the same objects."""
        book = self.simulation.book
        previous, self._levels = self._levels, {}
        return BookSnapshot(
            self.spec.symbol,
            book.update_id,
            time_ms,
            self._convert(book.bids.depth(levels), previous),
            self._convert(book.asks.depth(levels), previous),
        )

    def _convert(self, levels: list[tuple[int, int]], previous: dict) -> tuple[BookLevel, ...]:
        tick, step, kept = self.spec.tick_size, self.spec.step_size, self._levels
        converted = []
        for key in levels:
            level = previous.get(key)
            if level is None:
                level = BookLevel(key[0] * tick, key[1] * step)
            kept[key] = level
            converted.append(level)
        return tuple(converted)


def decimal_quote(units: int) -> Decimal:
    return (Decimal(units) / QUOTE_SCALE).normalize()
