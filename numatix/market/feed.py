"""The contract every market data source fulfils, so the hub never knows which one it has."""

from __future__ import annotations

from typing import Protocol

from numatix.domain.market import (
    BookSnapshot,
    Candle,
    FeedKind,
    FeedStatus,
    Interval,
    Ticker24h,
    TradePrint,
)


class FeedSink(Protocol):
    """Where a running feed delivers what it sees (the market hub implements this).

    Calls are synchronous and must be cheap: a feed calls them from its own task.
    """

    def on_trade(self, trade: TradePrint) -> None: ...

    def on_book(self, book: BookSnapshot) -> None: ...

    def on_ticker(self, ticker: Ticker24h) -> None: ...

    def on_status(self, status: FeedStatus) -> None: ...


class MarketFeed(Protocol):
    kind: FeedKind
    symbols: tuple[str, ...]

    async def history(
        self, symbol: str, interval: Interval, end_time_ms: int | None, limit: int
    ) -> list[Candle]:
        """Closed candles opening at or before ``end_time_ms`` (the newest when None), oldest first."""
        ...

    async def run(self, sink: FeedSink) -> None:
        """Stream trades, books and tickers into ``sink`` until cancelled."""
        ...
