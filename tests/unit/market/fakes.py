"""A scripted market feed: history on demand, and prints pushed by the test itself."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from numatix.domain.market import BookLevel, BookSnapshot, Candle, FeedKind, FeedStatus, Interval, TradePrint
from numatix.market.feed import FeedSink

START = 1_700_438_400_000  # a Monday, 00:00 UTC


class ScriptedFeed:
    kind = FeedKind.SYNTHETIC

    def __init__(self, symbols=("BTCUSDT",), history_minutes: int = 0) -> None:
        self.symbols = tuple(symbols)
        self.runs = 0
        self.history_calls: list[tuple[str, Interval, int | None, int]] = []
        self.sink: FeedSink | None = None
        self.started = asyncio.Event()
        self._minutes = [
            Candle("BTCUSDT", Interval.M1, START + i * 60_000, Decimal(100 + i), Decimal(101 + i), Decimal(99 + i),
                   Decimal(100 + i), Decimal(1), Decimal(100 + i), 1, True)
            for i in range(history_minutes)
        ]

    async def history(self, symbol, interval, end_time_ms, limit):
        self.history_calls.append((symbol, interval, end_time_ms, limit))
        if interval is not Interval.M1:
            return []
        rows = [c for c in self._minutes if end_time_ms is None or c.open_time_ms <= end_time_ms]
        return rows[-limit:]

    async def run(self, sink: FeedSink) -> None:
        self.runs += 1
        self.sink = sink
        sink.on_status(FeedStatus.LIVE)
        self.started.set()
        await asyncio.Event().wait()


def trade(n: int, price: str = "100", symbol: str = "BTCUSDT", time_ms: int | None = None) -> TradePrint:
    return TradePrint(symbol, n, Decimal(price), Decimal("0.5"), time_ms or START + 10_000_000 + n, False)


def book(update_id: int, symbol: str = "BTCUSDT") -> BookSnapshot:
    return BookSnapshot(symbol, update_id, START, (BookLevel(Decimal(99), Decimal(1)),),
                        (BookLevel(Decimal(100), Decimal(1)),))


GUARD = 10.0  # only so a feed that never starts fails the test instead of hanging it


async def running_hub(symbols=("BTCUSDT", "ETHUSDT")):
    """A started hub on a scripted feed, for a fixture to iterate: (feed, hub), stopped after."""
    from numatix.market.hub import MarketHub

    feed = ScriptedFeed(symbols=symbols)
    hub = MarketHub(feed, clock=lambda: START + 10_000_000)
    await hub.start()
    await asyncio.wait_for(feed.started.wait(), GUARD)
    try:
        yield feed, hub
    finally:
        await hub.stop()
