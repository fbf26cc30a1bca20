"""The process-wide composition root: settings → market feed → hub → services.

Started once per worker by the app's lifespan; the UI and the API reach the services
through ``current()``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from numatix.config import Settings, get_settings
from numatix.market.hub import MarketHub
from numatix.market.selection import choose_feed
from numatix.services.market_data import MarketDataService

logger = logging.getLogger(__name__)


class Runtime:
    def __init__(self, settings: Settings, hub: MarketHub) -> None:
        self.settings = settings
        self.hub = hub
        self.market = MarketDataService(hub)

    @classmethod
    async def start(cls, settings: Settings) -> "Runtime":
        feed = await choose_feed(settings)
        hub = MarketHub(feed)
        await hub.start()
        logger.info("market data: %s feed for %s", feed.kind.value, ", ".join(settings.symbols))
        return cls(settings, hub)

    async def stop(self) -> None:
        await self.hub.stop()


_current: Runtime | None = None


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("the Numatix runtime has not started (lifespan not running)")
    return _current


@asynccontextmanager
async def lifespan(settings: Settings | None = None) -> AsyncIterator[Runtime]:
    global _current
    runtime = await Runtime.start(settings or get_settings())
    _current = runtime
    try:
        yield runtime
    finally:
        _current = None
        await runtime.stop()
