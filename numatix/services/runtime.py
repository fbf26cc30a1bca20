"""The process-wide composition root: settings → market feed → hub → venue → services.

Started once per worker by the app's lifespan; the UI and the API reach the services
through ``current()``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from decimal import Decimal

from sqlalchemy.engine import Engine

from numatix.config import Settings, get_settings
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.exchange.base import Venue
from numatix.exchange.binance import BinanceVenue
from numatix.exchange.paper import LogNormalLatency, PaperExchange, ZeroLatency
from numatix.market.hub import MarketHub
from numatix.market.selection import binance_venue_feed, choose_feed
from numatix.security.rate_limits import API_REQUESTS, ORDERS, RateLimiter
from numatix.security.tokens import TokenService
from numatix.security.vault import Vault
from numatix.observability import configure_logging
from numatix.services import metrics
from numatix.services.accounts import AccountService, KeyChecker
from numatix.services.alerts import AlertService
from numatix.services.cluster import ClusterNode
from numatix.services.events import EventBus
from numatix.services.redis_events import RedisEventBus
from numatix.services.market_data import MarketDataService
from numatix.services.order_entry import OrderEntryService
from numatix.services.portfolio import PortfolioService
from numatix.services.trading import TradingService
from numatix.services.venue_markets import VenueMarkets
from numatix.services.venue_router import VenueRouter
from numatix.store.db import make_engine
from numatix.store.paper_repository import SqlPaperStore

logger = logging.getLogger(__name__)


class Runtime:
    def __init__(self, settings: Settings, hub: MarketHub, database: Engine, paper: Venue,
                 events: EventBus | RedisEventBus | None = None, binance: BinanceVenue | None = None) -> None:
        self.settings = settings
        self.hub = hub
        self.database = database
        self.venue_kind = "paper"  # where new users trade; each may choose Binance Testnet in Settings
        self.cluster: ClusterNode | None = None  # set when several workers share one engine
        self.market = MarketDataService(hub)
        self.order_entry = OrderEntryService(self.market)
        self.events = events if events is not None else EventBus()
        self.limiter = RateLimiter(settings.redis_url or "memory://", {
            ORDERS.name: f"{settings.orders_per_minute}/minute",
            API_REQUESTS.name: f"{settings.api_requests_per_minute}/minute",
        })
        # Each user trades on the venue they chose; the services above see user ids only.
        self.venue = VenueRouter(paper, binance, lambda user_id: self.accounts.venue_choice(user_id))
        self.trading = TradingService(self.venue, self.events, limiter=self.limiter, venue_name=self.venue.name_for)
        self.accounts = account_service(settings, database, self.limiter, self.venue.check_credentials)
        self.accounts.on_venue_change(self.venue.forget)
        # A Binance Testnet user sees the testnet's market (prices, valuations, alerts);
        # everybody else the app's feed.
        def on_binance(user_id: int) -> bool:
            return self.venue.name_for(user_id) == "binance"

        self.markets = VenueMarkets(self.market, lambda: binance_venue_feed(settings), on_binance,
                                    on_start=lambda testnet: testnet.add_listener(self.alerts.listener(on_binance)))
        self.alerts = AlertService(database, self.events, {s: DEFAULT_SYMBOLS[s] for s in hub.symbols}, self.last_price,
                                   last_price_for=self.markets.last_price_now)
        hub.add_listener(self.alerts.listener(lambda user_id: not on_binance(user_id)))
        self.portfolio = PortfolioService(self.venue, self.last_price, {s: DEFAULT_SYMBOLS[s] for s in hub.symbols},
                                          prices_for=self.markets.last_price_for)

    @classmethod
    async def start(cls, settings: Settings) -> "Runtime":
        configure_logging(settings.log_level, settings.log_format == "json")
        database = make_engine(settings.database_url)
        # Several workers (Redis): one engine and one market feed per cluster, see services/cluster.py.
        cluster = await join_cluster(settings, database) if settings.redis_url else None
        feed = cluster.feed if cluster else await choose_feed(settings)
        hub = MarketHub(feed)
        venue = cluster.venue if cluster else paper_venue(settings, database, hub)
        events = None
        if settings.redis_url:  # several workers: user events travel through Redis
            events = RedisEventBus(settings.redis_url, prefix=f"{settings.cluster_name}:events:")
            await events.start()
        runtime = cls(settings, hub, database, venue, events, BinanceVenue.from_settings(settings))
        runtime.cluster = cluster
        if cluster is not None:  # a new engine leader: pages and sockets reload what they show
            cluster.on_leader_change(runtime.events.resync_all)
        runtime.venue.add_listener(runtime.trading.on_venue_event)
        metrics.watch_feed(runtime.seconds_since_last_print)
        await hub.start()
        logger.info("market data: %s feed for %s", feed.kind.value, ", ".join(settings.symbols))
        return runtime

    def seconds_since_last_print(self) -> float:
        last = self.hub.last_print_at
        return float("nan") if last is None else time.monotonic() - last

    def last_price(self, symbol: str) -> Decimal | None:
        return self.market.last_price(symbol)

    async def stop(self) -> None:
        """Orders already on their way finish (and are stored) before the market and the
        database go away; new ones are refused with 503 meanwhile."""
        if not await self.trading.drain(timeout=10.0):
            logger.warning("shutting down with orders still in flight")
        if self.cluster is not None:  # the engine (if here) stops and hands its lease over
            await self.cluster.stop()
        await self.venue.close()  # Binance user data streams and the HTTP client
        await self.markets.stop()
        await self.hub.stop()
        if isinstance(self.events, RedisEventBus):
            await self.events.stop()
        self.database.dispose()


def account_service(settings: Settings, database: Engine, limiter: RateLimiter, check_key: KeyChecker) -> AccountService:
    return AccountService(
        database, TokenService(token_secret(settings.secret_key), ttl_seconds=settings.session_ttl_seconds),
        Vault.from_secrets(settings.secret_key, settings.previous_secret_keys), limiter, check_key,
    )


def token_secret(master_secret: str) -> str:
    """Tokens are signed with a key of their own, derived from the master secret."""
    return hmac.new(master_secret.encode(), b"numatix-session-tokens", hashlib.sha256).hexdigest()


def paper_venue(settings: Settings, database: Engine, hub: MarketHub) -> PaperExchange:
    """The default venue: restores its open orders from the database and trades on the hub's market."""
    exchange = paper_exchange(settings, database, hub.symbols)
    hub.add_listener(exchange.on_market_event)
    return exchange


def paper_exchange(settings: Settings, database: Engine, symbols: tuple[str, ...]) -> PaperExchange:
    return PaperExchange(
        SqlPaperStore(database),
        symbols={symbol: DEFAULT_SYMBOLS[symbol] for symbol in symbols},
        latency=LogNormalLatency(median_ms=settings.paper_latency_ms, seed=settings.seed)
        if settings.paper_latency_ms else ZeroLatency(),
    )


async def join_cluster(settings: Settings, database: Engine) -> ClusterNode:
    """This worker's place in the cluster; it runs the engine whenever it holds the lease."""
    node = ClusterNode(settings, lambda: paper_exchange(settings, database, settings.symbols))
    await node.start()
    return node


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
