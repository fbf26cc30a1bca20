"""Each user sees the market of the venue their orders go to.

The Spot Testnet's prices are not mainnet's (its books are thin and drift on their own), so
a Binance Testnet user's chart, book, estimates and valuations come from the testnet's own
market data, and everybody else's from the app's feed. The testnet feed starts with the
first user who needs it, so a host where nobody trades on Binance never connects to it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from decimal import Decimal

import httpx

from numatix.domain.market import FeedStatus
from numatix.market.feed import MarketFeed
from numatix.market.hub import MarketHub
from numatix.services.market_data import MarketDataService

logger = logging.getLogger(__name__)
RETRY_SECONDS = 30.0  # after the testnet's market data failed to start


class VenueMarkets:
    def __init__(self, app_market: MarketDataService, binance_feed: Callable[[], MarketFeed],
                 trades_on_binance: Callable[[int], bool], *,
                 on_start: Callable[[MarketHub], None] = lambda hub: None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app_market = app_market
        self._binance_feed = binance_feed
        self._trades_on_binance = trades_on_binance
        self._on_start = on_start  # e.g. the alerts checker listening to the testnet's prints
        self._clock = clock
        self._binance_hub: MarketHub | None = None
        self._binance_market: MarketDataService | None = None
        self._unavailable: tuple[float, MarketDataService] | None = None  # (since, an empty offline market)
        self._starting = asyncio.Lock()

    async def for_user(self, user_id: int | None) -> MarketDataService:
        if not user_id or not self._trades_on_binance(user_id):
            return self.app_market
        return await self._binance()

    async def last_price_for(self, user_id: int | None) -> Callable[[str], Decimal | None]:
        """``symbol -> last price`` on the market this user trades on."""
        return (await self.for_user(user_id)).last_price

    def last_price_now(self, user_id: int, symbol: str) -> Decimal | None:
        """The same without starting anything: None while the user's market is not running."""
        if not self._trades_on_binance(user_id):
            return self.app_market.last_price(symbol)
        return self._binance_market.last_price(symbol) if self._binance_market is not None else None

    async def _binance(self) -> MarketDataService:
        """The testnet's market; while it cannot be reached, an empty one marked offline (the
        page says so rather than showing another market's prices), tried again later."""
        async with self._starting:
            if self._binance_market is not None:
                return self._binance_market
            if self._unavailable is not None and self._clock() - self._unavailable[0] < RETRY_SECONDS:
                return self._unavailable[1]
            hub = MarketHub(self._binance_feed())
            self._on_start(hub)
            try:
                await hub.start()
            except (httpx.HTTPError, OSError, ValueError) as error:
                logger.warning("the Binance venue's market data did not start (%s: %s); "
                               "trying again in %.0f s", type(error).__name__, error, RETRY_SECONDS)
                hub.on_status(FeedStatus.OFFLINE)
                self._unavailable = (self._clock(), MarketDataService(hub))
                return self._unavailable[1]
            self._binance_hub, self._binance_market, self._unavailable = hub, MarketDataService(hub), None
            return self._binance_market

    async def stop(self) -> None:
        if self._binance_hub is not None:
            await self._binance_hub.stop()
