"""Each user sees the market of the venue their orders go to: a Binance Testnet user the
testnet's prices (its feed started when first needed), everybody else the app's feed."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest

from numatix.domain.market import FeedStatus
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.market.hub import MarketHub
from numatix.services.market_data import MarketDataService
from numatix.services.portfolio import PortfolioService
from numatix.services.venue_markets import VenueMarkets
from tests.unit.exchange.helpers import SYMBOL, make_exchange
from tests.unit.market.fakes import ScriptedFeed, trade

PAPER_USER, BINANCE_USER = 1, 2


async def printed(feed: ScriptedFeed, market: MarketDataService, price: str) -> None:
    await feed.started.wait()
    feed.sink.on_trade(trade(1, price, SYMBOL))
    for _ in range(100):
        if market.last_price(SYMBOL) == Decimal(price):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the print never reached the hub")


@pytest.fixture
async def markets():
    app_feed, testnet_feeds = ScriptedFeed((SYMBOL,)), []

    def testnet_feed():
        testnet_feeds.append(ScriptedFeed((SYMBOL,)))
        return testnet_feeds[-1]

    app_hub = MarketHub(app_feed)
    await app_hub.start()
    app_market = MarketDataService(app_hub)
    await printed(app_feed, app_market, "100")
    venue_markets = VenueMarkets(app_market, testnet_feed, lambda user_id: user_id == BINANCE_USER)
    yield venue_markets, testnet_feeds
    await venue_markets.stop()
    await app_hub.stop()


async def test_a_paper_user_never_starts_the_testnet_feed(markets):
    venue_markets, testnet_feeds = markets
    assert await venue_markets.for_user(PAPER_USER) is venue_markets.app_market
    assert await venue_markets.for_user(None) is venue_markets.app_market  # signed out: the app's market
    assert testnet_feeds == []


async def test_a_binance_user_sees_the_testnet_prices_from_one_shared_feed(markets):
    venue_markets, testnet_feeds = markets
    first, second = await asyncio.gather(venue_markets.for_user(BINANCE_USER), venue_markets.for_user(BINANCE_USER))
    assert first is second and len(testnet_feeds) == 1
    await printed(testnet_feeds[0], first, "80")
    assert (await venue_markets.last_price_for(BINANCE_USER))(SYMBOL) == Decimal("80")
    assert (await venue_markets.last_price_for(PAPER_USER))(SYMBOL) == Decimal("100")


async def test_positions_are_valued_at_the_users_venues_price(markets):
    venue_markets, testnet_feeds = markets
    exchange = make_exchange()
    portfolio = PortfolioService(exchange, venue_markets.app_market.last_price, DEFAULT_SYMBOLS,
                                 prices_for=venue_markets.last_price_for)
    testnet = await venue_markets.for_user(BINANCE_USER)
    await printed(testnet_feeds[0], testnet, "80")
    for user, price in ((BINANCE_USER, 80), (PAPER_USER, 100)):
        btc = next(b for b in await portfolio.balances(user) if b.asset == "BTC")
        assert btc.total > 0 and btc.value_usdt == btc.total * price


class UnreachableFeed(ScriptedFeed):
    async def history(self, symbol, interval, end_time_ms, limit):
        raise httpx.ConnectError("testnet unreachable")


async def test_an_unreachable_testnet_shows_as_offline_and_is_tried_again_later(markets):
    venue_markets, _ = markets
    made: list[ScriptedFeed] = []
    now = [0.0]

    def testnet_feed() -> ScriptedFeed:
        made.append(UnreachableFeed((SYMBOL,)))
        return made[-1]

    unreachable = VenueMarkets(venue_markets.app_market, testnet_feed, lambda user_id: True, clock=lambda: now[0])
    market = await unreachable.for_user(BINANCE_USER)
    assert market is not venue_markets.app_market  # never another market's prices
    assert market.feed_status is FeedStatus.OFFLINE and market.last_price(SYMBOL) is None
    await unreachable.for_user(BINANCE_USER)
    assert len(made) == 1  # not hammered on every page event
    now[0] += 60
    await unreachable.for_user(BINANCE_USER)
    assert len(made) == 2
