"""A market that moves only when told to: the synthetic market's history, then silence.

Tests need fills they can predict. The live synthetic feed prints on its own schedule, so
a resting order may fill (or not) by chance; this feed publishes one book and one print
per symbol at start, then only what ``print_trade`` asks for, re-centring the book on
each print so that stops, LIMIT_MAKER checks and MARKET orders see a consistent market.
"""

from __future__ import annotations

import asyncio
import itertools
from decimal import ROUND_DOWN, Decimal

from numatix.domain.market import BookLevel, BookSnapshot, Candle, FeedKind, FeedStatus, Interval, TradePrint
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.market.feed import FeedSink
from numatix.market.synthetic import SyntheticFeed
from numatix.market.synthetic.feed import wall_clock_ms

BOOK_LEVELS = 20
LEVEL_NOTIONAL = Decimal(5000)  # quote value shown at each price level


def book_around(symbol: str, price: Decimal, update_id: int, time_ms: int) -> BookSnapshot:
    """Bids one tick below ``price`` and down, asks one tick above and up, evenly sized."""
    spec = DEFAULT_SYMBOLS[symbol]
    size = (LEVEL_NOTIONAL / price / spec.step_size).to_integral_value(ROUND_DOWN) * spec.step_size
    size = max(size, spec.step_size)
    bids = tuple(BookLevel(price - spec.tick_size * level, size) for level in range(1, BOOK_LEVELS + 1)
                 if price - spec.tick_size * level > 0)
    asks = tuple(BookLevel(price + spec.tick_size * level, size) for level in range(1, BOOK_LEVELS + 1))
    return BookSnapshot(symbol, update_id, time_ms, bids, asks)


class QuietFeed:
    kind = FeedKind.SYNTHETIC

    def __init__(self, symbols: tuple[str, ...], seed: int, history_days: int = 2) -> None:
        self.symbols = tuple(symbols)
        self._history = SyntheticFeed(symbols, seed=seed, history_days=history_days)
        self._sink: FeedSink | None = None
        self._trade_ids = {symbol: itertools.count(1) for symbol in self.symbols}
        self._update_ids = {symbol: itertools.count(1) for symbol in self.symbols}

    async def history(self, symbol: str, interval: Interval, end_time_ms: int | None,
                      limit: int) -> list[Candle]:
        return await self._history.history(symbol, interval, end_time_ms, limit)

    async def run(self, sink: FeedSink) -> None:
        self._sink = sink
        sink.on_status(FeedStatus.LIVE)
        for symbol in self.symbols:
            # trade ids carry on after the history's prints (all of them, from its first day)
            self._trade_ids[symbol] = itertools.count(self._history.bars(symbol).trade_count + 1)
            last = await self._history.history(symbol, Interval.M1, None, 1)
            if last:
                self.print_trade(symbol, last[-1].close, DEFAULT_SYMBOLS[symbol].step_size, wall_clock_ms())
        await asyncio.Event().wait()  # nothing more unless asked

    def print_trade(self, symbol: str, price: Decimal, quantity: Decimal, time_ms: int,
                    buyer_is_maker: bool = False) -> TradePrint:
        """Publish a print at ``price`` and a book centred on it."""
        if self._sink is None:
            raise RuntimeError("the market has not started")
        trade = TradePrint(symbol, next(self._trade_ids[symbol]), price, quantity, time_ms, buyer_is_maker)
        self._sink.on_book(book_around(symbol, price, next(self._update_ids[symbol]), time_ms))
        self._sink.on_trade(trade)
        return trade
