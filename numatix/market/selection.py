"""Which market feed this process runs: the operator's choice, or ``auto``.

``auto`` asks Binance's public REST for a ping and takes the live market when it answers
within a couple of seconds; otherwise (no internet, a blocked host) the synthetic market.
"""

from __future__ import annotations

import logging

import httpx

from numatix.config import Settings
from numatix.market.feed import MarketFeed

logger = logging.getLogger(__name__)
PROBE_SECONDS = 2.0


async def binance_answers(rest_url: str, timeout: float = PROBE_SECONDS) -> bool:
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.get(f"{rest_url}/api/v3/ping")
        return response.status_code == 200
    except httpx.HTTPError as error:
        logger.info("Binance market data not reachable at %s (%s)", rest_url, type(error).__name__)
        return False


def synthetic_feed(settings: Settings) -> MarketFeed:
    from numatix.market.synthetic import SyntheticFeed

    return SyntheticFeed(symbols=settings.symbols, seed=settings.seed)


def binance_feed(settings: Settings) -> MarketFeed:
    from numatix.market.binance_feed import BinanceMarketFeed

    return BinanceMarketFeed(settings.symbols, settings.market_rest_url, settings.market_stream_url)


def binance_venue_feed(settings: Settings) -> MarketFeed:
    """The market of the Binance venue users trade on (the Spot Testnet's own prices)."""
    from numatix.market.binance_feed import BinanceMarketFeed

    return BinanceMarketFeed(settings.symbols, settings.binance_rest_url, settings.binance_stream_url)


def replay_feed(settings: Settings) -> MarketFeed:
    from numatix.market.replay import ReplayFeed

    if settings.replay_path is None:  # the settings refuse replay without a path; this is for the types
        raise ValueError("NUMATIX_REPLAY_PATH is not set")
    return ReplayFeed(settings.replay_path, speed=settings.replay_speed, symbols=settings.symbols)


async def choose_feed(settings: Settings) -> MarketFeed:
    if settings.market_data == "synthetic":
        return synthetic_feed(settings)
    if settings.market_data == "binance":
        return binance_feed(settings)
    if settings.market_data == "replay":
        return replay_feed(settings)
    if await binance_answers(settings.market_rest_url):
        logger.info("market data: auto chose Binance (%s answered)", settings.market_rest_url)
        return binance_feed(settings)
    logger.info("market data: auto chose the synthetic market (Binance did not answer)")
    return synthetic_feed(settings)
