"""The process-wide composition root: settings → market feed → hub → venue → services.

Started once per worker by the app's lifespan; the UI and the API reach the services
through ``current()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Hashable, Mapping
from contextlib import asynccontextmanager
from decimal import Decimal
from functools import partial
from typing import cast

from sqlalchemy.engine import Engine

from numatix.config import Settings, get_settings
from numatix.domain.balances import PAPER_STARTING_BALANCES
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.exchange.base import Venue
from numatix.exchange.binance import BinanceVenue
from numatix.exchange.paper import LogNormalLatency, PaperExchange, ZeroLatency
from numatix.market.hub import MarketHub
from numatix.market.selection import binance_venue_feed, choose_feed
from numatix.observability import configure_logging
from numatix.security.devices import DeviceCookies
from numatix.security.rate_limits import API_REQUESTS, ORDERS, RateLimiter
from numatix.security.tokens import TokenService
from numatix.security.vault import Vault
from numatix.services import metrics
from numatix.services.account_value import AccountValueService
from numatix.services.accounts import AccountService, KeyChecker
from numatix.services.alerts import AlertService
from numatix.services.cluster import ClusterNode
from numatix.services.events import EventBus, UserEventBus
from numatix.services.history import OrderHistory
from numatix.services.market_data import MarketDataService
from numatix.services.order_entry import OrderEntryService
from numatix.services.performance import PerformanceService
from numatix.services.portfolio import Opening, PortfolioService, price_at_minute
from numatix.services.preferences import PreferencesService
from numatix.services.redis_events import RedisEventBus
from numatix.services.trading import TradingService
from numatix.services.user_venues import BINANCE, PAPER, UserVenues
from numatix.services.venue_router import VenueRouter
from numatix.store.accounts_repository import SqlAccountStore
from numatix.store.alerts_repository import SqlAlertStore
from numatix.store.db import make_engine
from numatix.store.paper_repository import SqlPaperStore
from numatix.store.preferences_repository import SqlPreferenceStore
from numatix.store.value_repository import SqlValueStore

logger = logging.getLogger(__name__)
# An engine transaction silent this long is ended by the database (a paused engine's), so a
# new engine's claim never waits longer; far above a step's few milliseconds.
MIN_IDLE_TRANSACTION_SECONDS = 5.0

# A stop (SIGTERM from Docker, systemd or Ctrl-C) ends the process within 10 s: orders on their
# way get up to DRAIN_SECONDS to finish and be stored, the rest of the shutdown what is left.
DRAIN_SECONDS = 5.0
STOP_SECONDS = 8.0


class Runtime:
    def __init__(self, settings: Settings, hub: MarketHub, database: Engine, paper: Venue,
                 events: EventBus | RedisEventBus | None = None, binance: BinanceVenue | None = None) -> None:
        self.settings = settings
        self.hub = hub
        self.database = database
        self.venue_kind = "paper"  # where new users trade; each may choose Binance Testnet in Settings
        self.cluster: ClusterNode | None = None  # set when several workers share one engine
        self.market = MarketDataService(hub)
        # The form's and the API's order preview: the user's venue's market and balances.
        self.order_entry = OrderEntryService(self.market, market_for=self.market_for,
                                             free_balances=self.free_balances)
        self.events = events if events is not None else EventBus()
        self.limiter = RateLimiter(settings.redis_url or "memory://", {
            ORDERS.name: f"{settings.orders_per_minute}/minute",
            API_REQUESTS.name: f"{settings.api_requests_per_minute}/minute",
        })
        # Keys are Binance keys: the Binance venue checks them (the paper venue only their form).
        self.accounts = account_service(settings, database, self.limiter,
                                        (binance or paper).check_credentials, self.events)
        self.sessions = self.accounts.sessions
        # For each user: which venue, which market. Pages, REST, the socket and the router ask it.
        self.venues = UserVenues(self.accounts.venue_choice, self.market,
                                 partial(binance_venue_feed, settings) if binance is not None else None)
        self.venue = VenueRouter(paper, binance, self.venues)  # the services above see user ids only
        self.accounts.on_venue_change(self.venue.forget)
        self.trading = TradingService(self.venue, self.events, limiter=self.limiter,
                                      venue_name=self.venues.venue_name)
        self.history = OrderHistory(self.trading)
        symbols = {s: DEFAULT_SYMBOLS[s] for s in hub.symbols}
        self.alerts = AlertService(SqlAlertStore(database), self.events, symbols, self.last_price,
                                   last_price_for=self.last_price_of_user)
        # Alerts fire on their owner's market: the app's prints for paper users, the testnet's for the rest.
        hub.add_listener(self.alerts.listener(self._on_paper))
        self.venues.on_binance_market_start(self._watch_binance_alerts)
        self.portfolio = PortfolioService(self.venue, self.last_price, symbols,
                                          prices_for=self.venues.prices_for,
                                          starting_wallet=self.starting_wallet, price_at=self.price_at)
        # The account-value curve: a point per fill (the venue's listener) and per sample (every
        # worker runs the sampler; a claim in the database picks one per interval).
        self.account_value = AccountValueService(
            SqlValueStore(database), self.portfolio.complete_value_usdt, worker=worker_name(),
            sample_seconds=settings.value_sample_seconds)
        self.portfolio.on_wallet_reset(self.account_value.record_reset)
        self.performance = PerformanceService(self.trading, self.portfolio, symbols)
        self.preferences = PreferencesService(SqlPreferenceStore(database), symbols)
        self._sampler: asyncio.Task | None = None

    async def starting_wallet(self, user_id: Hashable) -> Opening | None:
        """A paper account starts with the paper wallet when it is created; a Binance
        account's wallet is the exchange's, with no start we know of."""
        user = cast(int, user_id)
        await self.venues.refresh(user)
        if self.venues.on_binance(user):
            return None
        return Opening(await self.accounts.created_time_ms(user), PAPER_STARTING_BALANCES)

    async def price_at(self, user_id: Hashable, symbol: str, time_ms: int) -> Decimal | None:
        return await price_at_minute(await self.market_for(user_id), symbol, time_ms)

    async def market_for(self, user_id: Hashable) -> MarketDataService:
        return await self.venues.market_for(cast(int, user_id))

    async def free_balances(self, user_id: Hashable) -> Mapping[str, Decimal]:
        balances = await self.venue.balances(cast(int, user_id))
        return {asset: balance.free for asset, balance in balances.items()}

    async def last_price_of_user(self, user_id: int, symbol: str) -> Decimal | None:
        """On the market this user trades on, without starting it."""
        await self.venues.refresh(user_id)
        return self.venues.last_price_now(user_id, symbol)

    def _on_paper(self, user_id: int) -> bool:
        """Per print, so from memory: a user whose venue is not known yet waits for the next print."""
        return self.venues.trades_on(user_id) == PAPER

    def _on_binance(self, user_id: int) -> bool:
        return self.venues.trades_on(user_id) == BINANCE

    def _watch_binance_alerts(self, testnet_hub: MarketHub) -> None:
        testnet_hub.add_listener(self.alerts.listener(self._on_binance))

    @classmethod
    async def start(cls, settings: Settings) -> Runtime:
        """A start that fails or is given up (the server told to stop meanwhile) stops again
        what it had started: the engine lease is handed over, tasks and connections end."""
        configure_logging(settings.log_level, settings.log_format == "json")
        database = make_engine(settings.database_url)
        # Several workers (Redis): one engine and one market feed per cluster, see services/cluster.py;
        # user events travel through Redis.
        cluster = cluster_node(settings, database) if settings.redis_url else None
        events = (RedisEventBus(settings.redis_url, prefix=f"{settings.cluster_name}:events:")
                  if settings.redis_url else None)
        runtime: Runtime | None = None
        try:
            if cluster is not None:
                await cluster.start()
            feed = cluster.feed if cluster else await choose_feed(settings)
            hub = MarketHub(feed)
            venue = cluster.venue if cluster else paper_venue(settings, database, hub)
            if events is not None:
                await events.start()
            runtime = cls(settings, hub, database, venue, events, BinanceVenue.from_settings(settings))
            runtime.cluster = cluster
            if cluster is not None:  # a new engine leader: pages and sockets reload what they show
                cluster.on_leader_change(runtime.events.resync_all)
            runtime.venue.add_listener(runtime.trading.on_venue_event)
            runtime.sessions.follow_revocations()  # sessions ended in other workers
            runtime.venue.add_listener(runtime.account_value.on_venue_event)
            metrics.watch_feed(runtime.seconds_since_last_print)
            # before the prints the alert checker judges
            await runtime.venues.look_up(runtime.alerts.owners())
            await hub.start()
            logger.info("market data: %s feed for %s", feed.kind.value, ", ".join(settings.symbols))
            runtime._sampler = asyncio.create_task(runtime.account_value.run_sampler())
            return runtime
        except BaseException:
            await _stop_partly_started(runtime, cluster, events, database)
            raise

    def seconds_since_last_print(self) -> float:
        last = self.hub.last_print_at
        return float("nan") if last is None else time.monotonic() - last

    def last_price(self, symbol: str) -> Decimal | None:
        return self.market.last_price(symbol)

    async def stop(self) -> None:
        """Orders already on their way finish (and are stored) before the market and the
        database go away; new ones are refused with 503 meanwhile."""
        if not await self.trading.drain(timeout=DRAIN_SECONDS):
            logger.warning("shutting down with orders still in flight")
        if self._sampler is not None:
            self._sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sampler
        await self.account_value.settled()
        if self.cluster is not None:  # the engine (if here) stops and hands its lease over
            await self.cluster.stop()
        await self.venue.close()  # Binance user data streams and the HTTP client
        await self.sessions.stop()
        await self.venues.stop()
        await self.hub.stop()
        if isinstance(self.events, RedisEventBus):
            await self.events.stop()
        self.database.dispose()


def account_service(settings: Settings, database: Engine, limiter: RateLimiter,
                    check_key: KeyChecker, events: UserEventBus | None = None) -> AccountService:
    tokens = TokenService(token_secret(settings.secret_key), ttl_seconds=settings.session_ttl_seconds)
    vault = Vault.from_secrets(settings.secret_key, settings.previous_secret_keys)
    return AccountService(SqlAccountStore(database), tokens, vault, limiter, check_key, events=events,
                          devices=DeviceCookies(settings.secret_key))


def worker_name() -> str:
    """Who holds a sampler claim: unique per process, readable in the database."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def token_secret(master_secret: str) -> str:
    """Tokens are signed with a key of their own, derived from the master secret."""
    return hmac.new(master_secret.encode(), b"numatix-session-tokens", hashlib.sha256).hexdigest()


def paper_venue(settings: Settings, database: Engine, hub: MarketHub) -> PaperExchange:
    """The default venue: restores its open orders from the database and trades on the hub's market."""
    exchange = paper_exchange(settings, database, hub.symbols)
    hub.add_listener(exchange.on_market_event)
    return exchange


def paper_exchange(settings: Settings, database: Engine, symbols: tuple[str, ...]) -> PaperExchange:
    """Claims the paper books (fencing out any engine before it), then restores them."""
    return PaperExchange(
        SqlPaperStore(database,
                      idle_seconds=max(MIN_IDLE_TRANSACTION_SECONDS, settings.engine_lease_seconds)),
        symbols={symbol: DEFAULT_SYMBOLS[symbol] for symbol in symbols},
        latency=LogNormalLatency(median_ms=settings.paper_latency_ms, seed=settings.seed)
        if settings.paper_latency_ms else ZeroLatency(),
    )


def cluster_node(settings: Settings, database: Engine) -> ClusterNode:
    """This worker's place in the cluster (once started); it runs the engine whenever it holds the lease."""
    return ClusterNode(settings, lambda: paper_exchange(settings, database, settings.symbols))


async def _stop_partly_started(runtime: Runtime | None, cluster: ClusterNode | None,
                               events: RedisEventBus | None, database: Engine) -> None:
    try:
        async with asyncio.timeout(STOP_SECONDS):
            if runtime is not None:
                await runtime.stop()  # the cluster, the events and the database too
                return
            if cluster is not None:
                await cluster.stop()
            if events is not None:
                await events.stop()
            database.dispose()
    except Exception:  # the start's own error (or its cancellation) is what the caller hears about
        logger.exception("stopping what a failed start had started failed")


_current: Runtime | None = None
_starting: asyncio.Task | None = None
_server_stopping = False


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("the Numatix runtime has not started (lifespan not running)")
    return _current


def on_server_stop() -> None:
    """The server was told to stop (SIGTERM; scripts/granian_stop.py calls this in each worker):
    a start of the runtime still under way is given up at once, none begins after. A worker
    still starting serves nothing yet, so nothing is left to finish; its start could otherwise
    take longer than the stop may (a market history asked of an engine that is stopping too)."""
    global _server_stopping
    _server_stopping = True
    if _starting is not None:
        _starting.cancel()


@asynccontextmanager
async def lifespan(settings: Settings | None = None) -> AsyncIterator[Runtime | None]:
    """The runtime while the app serves; None when the server was told to stop before it had
    started (see ``on_server_stop``)."""
    global _current
    runtime = await _start_unless_stopping(settings or get_settings())
    if runtime is None:
        yield None
        return
    _current = runtime
    try:
        yield runtime
    finally:
        _current = None
        try:
            async with asyncio.timeout(STOP_SECONDS):
                await runtime.stop()
        except TimeoutError:  # a task that ignores its cancellation must not keep the process alive
            logger.error("the runtime did not stop within %.0f s; exiting anyway", STOP_SECONDS)


async def _start_unless_stopping(settings: Settings) -> Runtime | None:
    global _starting
    if _server_stopping:
        logger.info("told to stop before the runtime started: not starting it")
        return None
    _starting = starting = asyncio.create_task(Runtime.start(settings), name="runtime-start")
    try:
        return await starting
    except asyncio.CancelledError:
        if not _server_stopping or cast(asyncio.Task, asyncio.current_task()).cancelling():
            raise  # cancelled from outside, not given up
        logger.info("told to stop while the runtime was starting: start given up")
        return None
    finally:
        _starting = None
