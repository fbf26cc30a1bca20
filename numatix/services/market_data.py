"""Market data as the UI and the API see it: symbols, snapshots, candles and live updates.

A thin use-case layer over the process-wide market hub, so pages and routes never hold
a feed or a hub themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

from numatix.domain.market import Candle, FeedKind, FeedStatus, Interval, TradePrint
from numatix.domain.symbols import DEFAULT_SYMBOLS, SymbolSpec
from numatix.market.hub import MarketHub, MarketSnapshot, MarketUpdate, Subscription
from numatix.services.errors import NotFound

MAX_CANDLES_PER_REQUEST = 1000


class MarketDataService:
    def __init__(self, hub: MarketHub) -> None:
        self._hub = hub

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(self._hub.symbols)

    @property
    def feed_kind(self) -> FeedKind:
        return self._hub.feed_kind

    @property
    def feed_status(self) -> FeedStatus:
        return self._hub.status

    def spec(self, symbol: str) -> SymbolSpec:
        """The symbol's increments; ``NotFound`` names the symbols that do exist."""
        normalised = symbol.upper()
        if normalised not in self._hub.symbols:
            known = ", ".join(self._hub.symbols)
            raise NotFound(f"Unknown symbol {symbol!r}; available: {known}", field="symbol")
        return DEFAULT_SYMBOLS[normalised]

    def snapshot(self, symbol: str) -> MarketSnapshot:
        return self._hub.snapshot(self.spec(symbol).symbol)

    def last_price(self, symbol: str) -> Decimal | None:
        """The last trade's price; None for a symbol not offered or not traded yet."""
        trade = self.last_trade(symbol)
        return trade.price if trade is not None else None

    def last_trade(self, symbol: str) -> TradePrint | None:
        """The last trade; None for a symbol not offered or not traded yet."""
        if symbol not in self._hub.symbols:
            return None
        return self._hub.snapshot(symbol).last_trade

    async def candles(
        self, symbol: str, interval: Interval, end_time_ms: int | None = None, limit: int = 500
    ) -> list[Candle]:
        limit = max(1, min(limit, MAX_CANDLES_PER_REQUEST))
        return await self._hub.candles(self.spec(symbol).symbol, interval, end_time_ms=end_time_ms,
                                       limit=limit)

    def subscribe_all(self) -> Subscription:
        """Coalesced updates of every symbol (the event socket's one subscription per market)."""
        return self._hub.subscribe(None)

    @asynccontextmanager
    async def updates(self, symbol: str, shown_trade_id: int | None = None
                      ) -> AsyncIterator[AsyncIterator[MarketUpdate]]:
        """Coalesced live updates for one symbol; a slow reader only ever gets the latest. The
        first brings what changed since the snapshot the reader shows (its newest trade's id,
        None when it had no trade), so no print falls between the snapshot and the updates."""
        subscription = self._hub.subscribe_after(self.spec(symbol).symbol, shown_trade_id)
        try:
            yield _iterate(subscription)
        finally:
            subscription.close()


async def _iterate(subscription) -> AsyncIterator[MarketUpdate]:
    while True:
        yield await subscription.next_update()
