"""One live minute of one symbol, planned in advance: its trade prints and book states.

The minute's return is drawn from the volatility process; the prints follow a Brownian
bridge to it at clustered arrival times, buyers lifting the ask and sellers hitting the bid.
A minute's first print trades at the previous minute's close, so live candles open where
the last one (historical or live) closed, as the history does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from numatix.domain.market import BookLevel, BookSnapshot, TradePrint
from numatix.domain.symbols import SymbolSpec
from numatix.market.synthetic.flow import (
    BookShape,
    activity,
    arrival_offsets_ms,
    bridge,
    spread_ticks,
    trade_sizes,
)
from numatix.market.synthetic.process import VolatilityProcess, intraday_factor
from numatix.market.synthetic.profiles import MarketProfile

BOOK_INTERVAL_MS = 100
AGGRESSOR_FOLLOWS_MOVE = 0.75


@dataclass(slots=True)
class PlannedPrint:
    time_ms: int
    price_ticks: int
    quantity_steps: int
    buyer_aggressor: bool
    bid_ticks: int
    ask_ticks: int


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

    def add(self, price_ticks: int, steps: int, tick: Decimal, step: Decimal) -> None:
        if self.count == 0:
            self.open = self.high = self.low = price_ticks
        self.high = max(self.high, price_ticks)
        self.low = min(self.low, price_ticks)
        self.close = price_ticks
        self.volume += steps
        self.quote += int(price_ticks * tick * steps * step * 100_000_000)
        self.count += 1


@dataclass(slots=True)
class SymbolStream:
    """Everything the live feed carries from minute to minute for one symbol."""

    profile: MarketProfile
    spec: SymbolSpec
    process: VolatilityProcess
    rng: np.random.Generator
    last_mid: float
    last_price_ticks: int
    next_trade_id: int
    book_shape: BookShape
    last_book_ms: int = 0
    book_update_id: int = 0
    minute: MinuteRecord | None = None
    last_touch: tuple[int, int] | None = None
    planned: list[PlannedPrint] = field(default_factory=list)

    def plan_minute(self, open_time_ms: int) -> list[PlannedPrint]:
        minute_of_day = (open_time_ms // 60_000) % 1440
        draw = self.process.step(minute_of_day)
        busy = activity(draw.sd, self.process.base_sd, intraday_factor(int(minute_of_day)))
        offsets = arrival_offsets_ms(self.rng, self.profile.trades_per_second * busy)
        if offsets.size == 0:
            offsets = np.array([int(self.rng.integers(0, 60_000))])
        path = bridge(self.rng, offsets.size, draw.log_return, draw.sd)
        moves = np.diff(np.r_[0.0, path])
        follows = self.rng.random(offsets.size) < AGGRESSOR_FOLLOWS_MOVE
        buyers = np.where(follows, moves >= 0, moves < 0)
        tick, step = float(self.spec.tick_size), float(self.spec.step_size)
        spread = spread_ticks(draw.sd, self.process.base_sd, draw.jumped)
        mids = self.last_mid * np.exp(path)
        bids = np.maximum(1, np.floor(mids / tick - spread / 2)).astype(np.int64)
        sizes = trade_sizes(self.rng, offsets.size, self.profile.median_trade_notional)
        steps = np.maximum(1, np.floor(sizes / mids / step)).astype(np.int64)
        bids[0] = self.last_price_ticks - (spread if buyers[0] else 0)
        plan = [
            PlannedPrint(open_time_ms + int(offsets[i]), int(bids[i] + spread if buyers[i] else bids[i]),
                         int(steps[i]), bool(buyers[i]), int(bids[i]), int(bids[i] + spread))
            for i in range(offsets.size)
        ]
        self.last_mid = float(mids[-1])
        self.last_price_ticks = plan[-1].price_ticks
        self.process.log_price_offset = math.log(self.last_mid / float(self.profile.start_price))
        self.minute = MinuteRecord(open_time_ms)
        return plan

    def print_of(self, planned: PlannedPrint) -> TradePrint:
        self.next_trade_id += 1
        self.minute.add(planned.price_ticks, planned.quantity_steps, self.spec.tick_size, self.spec.step_size)
        self.book_shape.consume(planned.buyer_aggressor, planned.quantity_steps)
        return TradePrint(
            symbol=self.spec.symbol,
            trade_id=self.next_trade_id,
            price=planned.price_ticks * self.spec.tick_size,
            quantity=planned.quantity_steps * self.spec.step_size,
            time_ms=planned.time_ms,
            buyer_is_maker=not planned.buyer_aggressor,
        )

    def book_at(self, planned: PlannedPrint) -> BookSnapshot | None:
        """A fresh 20-level book at most every ``BOOK_INTERVAL_MS``, around the print's touch."""
        self.last_touch = (planned.bid_ticks, planned.ask_ticks)
        return self.book_if_due(planned.time_ms, BOOK_INTERVAL_MS)

    def book_if_due(self, time_ms: int, min_gap_ms: int) -> BookSnapshot | None:
        """The book around the last touch, unless one went out less than ``min_gap_ms`` ago."""
        if self.last_touch is None or time_ms - self.last_book_ms < min_gap_ms:
            return None
        elapsed = (time_ms - self.last_book_ms) / 1000 if self.last_book_ms else 0.0
        self.book_shape.refill(elapsed)
        self.last_book_ms = time_ms
        self.book_update_id += 1
        bid_sizes, ask_sizes = self.book_shape.levels(self.rng)
        tick, step = self.spec.tick_size, self.spec.step_size
        bid_ticks, ask_ticks = self.last_touch
        bids = tuple(BookLevel((bid_ticks - i) * tick, int(q) * step)
                     for i, q in enumerate(bid_sizes) if bid_ticks - i > 0)
        asks = tuple(BookLevel((ask_ticks + i) * tick, int(q) * step) for i, q in enumerate(ask_sizes))
        return BookSnapshot(self.spec.symbol, self.book_update_id, time_ms, bids, asks)
