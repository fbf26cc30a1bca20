"""Cluster mode (``NUMATIX_REDIS_URL`` set): several workers, one paper engine, one market feed.

Every worker joins as a ``ClusterNode``. It gives the runtime a venue (``ClusterVenue``) and
a market feed (``RedisMarketFeed``) that work the same whichever worker leads. The worker
holding the engine lease (``leadership``) also runs the cluster's engine: the upstream
market feed, a private hub the paper engine matches on, the engine restored from the
database (as after a restart), the command server, and the market publisher.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import redis

from numatix.config import Settings, SettingsError, get_settings
from numatix.domain.market import Candle, Interval
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.exchange.cluster import Channels, ClusterVenue, Command, CommandClient, EngineServer
from numatix.exchange.paper import PaperExchange
from numatix.market.hub import MarketEvent, MarketHub
from numatix.market.redis_feed import MarketChannels, MarketPublisher, PublishingFeed, RedisMarketFeed
from numatix.market.selection import choose_feed
from numatix.services.leadership import LeaderLease, Leadership

logger = logging.getLogger(__name__)

# At a cold start the first leader may still be seeding its market (50 s seen on a starved machine).
HISTORY_TIMEOUT_SECONDS = 180.0


@dataclass(frozen=True, slots=True)
class MarketHistory:
    candles: tuple[Candle, ...]
    last_trade_id: int | None  # the newest print the candles include (M1, up to now)


MARKET_HISTORY = Command("market_history", (("symbol", str), ("interval", Interval),
                                            ("end_time_ms", int | None), ("limit", int)), MarketHistory)


def cluster_prefix(settings: Settings) -> str:
    return f"{settings.cluster_name}:cluster:"


class ClusterNode:
    def __init__(self, settings: Settings, make_exchange: Callable[[], PaperExchange]) -> None:
        assert settings.redis_url, "cluster mode needs NUMATIX_REDIS_URL"
        self._settings = settings
        self._url = settings.redis_url
        self._make_exchange = make_exchange
        prefix = cluster_prefix(settings)
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.channels = Channels(prefix)
        self._market_channels = MarketChannels(prefix)
        self.client = CommandClient(self._url, self.channels, self.worker_id)
        self.venue = ClusterVenue(self.client,
                                  {symbol: DEFAULT_SYMBOLS[symbol] for symbol in settings.symbols})
        self.feed = RedisMarketFeed(self._url, self._market_channels, settings.symbols, self._history)
        # Blocking, for the lease's own thread; a hung Redis must not hold it past a renewal.
        self._redis = redis.Redis.from_url(self._url, socket_timeout=settings.engine_lease_seconds / 5,
                                           socket_connect_timeout=settings.engine_lease_seconds / 5)
        lease = LeaderLease(self._redis, self.channels.leader, self.worker_id, settings.engine_lease_seconds)
        self.leadership = Leadership(lease, self._lead, self._stop_leading)
        self._engine_hub: MarketHub | None = None
        self._exchange: PaperExchange | None = None  # while this worker runs the engine
        self._stops: list[Callable[[], Awaitable[None]]] = []
        self._leader_watchers: list[Callable[[], None]] = []
        self.client.leader_sink = self._on_leader_changed

    async def start(self) -> None:
        """Join: listen for replies and the market first, then campaign for the engine."""
        await self.client.start()
        await self.feed.start()
        await self.leadership.start()

    async def stop(self) -> None:
        """Leave: if leading, the engine stops here and the lease is handed over at once."""
        await self.leadership.stop()
        await self.feed.stop()
        await self.client.stop()
        self._redis.close()

    # -------------------------------------------------------------- the engine
    async def _lead(self) -> None:
        """Run the cluster's engine here; each part is stopped again if the lease goes."""
        upstream = await choose_feed(self._settings)
        publisher = MarketPublisher(self._url, self._market_channels, upstream.kind)
        hub = MarketHub(PublishingFeed(upstream, publisher))
        # Claims the books (the claim waits for a paused predecessor's transaction to be ended
        # by the database), then restores open orders and wallets: off the event loop.
        exchange = await asyncio.to_thread(self._make_exchange)
        exchange.on_deposed(self.leadership.step_down)
        exchange.restore_only_while(self.leadership.lease.held)
        self._exchange = exchange
        hub.add_listener(self._guarded(exchange.on_market_event))
        server = EngineServer(self._url, self.channels, exchange, self.leadership.lease.held,
                              extra={MARKET_HISTORY.name: (MARKET_HISTORY, self._engine_history)})
        exchange.add_listener(server.on_venue_event)
        self.venue.listen(exchange)  # before the market runs: a restored order may fill at once
        await self._started(publisher.start(), publisher.stop)
        self._engine_hub = hub
        await self._started(hub.start(), hub.stop)
        await self._started(server.start(), server.stop)
        self.venue.attach(exchange, self.leadership.lease.held)
        logger.info("paper engine running on this worker (%s feed, term %s)", upstream.kind.value,
                    exchange.term)
        await self.client.announce_leader()

    def on_leader_change(self, callback: Callable[[], None]) -> None:
        """``callback()`` on every worker whenever a worker has taken the engine over. A leader
        killed outright takes the events it had not yet sent with it, so whoever shows
        orders (pages, event sockets) should reload them then (the database has them all)."""
        self._leader_watchers.append(callback)

    def _on_leader_changed(self, leader_id: str) -> None:
        logger.info("the paper engine now runs on %s", leader_id)
        for callback in self._leader_watchers:
            try:
                callback()
            except Exception:
                logger.exception("a leader change watcher failed")

    def describe(self) -> dict[str, object]:
        """For the health endpoint: who this worker is and whether it runs the engine."""
        description: dict[str, object] = {"worker": self.worker_id, "engine": self.venue.leads}
        if self.venue.leads and self._exchange is not None:
            description["term"] = self._exchange.term  # the fencing term its writes carry
        return description

    async def _started(self, starting: Awaitable[None], stop: Callable[[], Awaitable[None]]) -> None:
        self._stops.append(stop)
        await starting

    async def _stop_leading(self) -> None:
        self.venue.detach()  # calls from here go over Redis to the next leader
        self._engine_hub = None
        self._exchange = None
        while self._stops:
            stop = self._stops.pop()
            try:
                await stop()
            except Exception:
                logger.exception("stopping part of the paper engine failed")

    def _guarded(self, listener: Callable[[MarketEvent], None]) -> Callable[[MarketEvent], None]:
        """The engine matches only while the lease is surely held."""
        held = self.leadership.lease.held

        def guarded(event: MarketEvent) -> None:
            if held():
                listener(event)
        return guarded

    # ---------------------------------------------------------- market history
    async def _history(self, symbol: str, interval: Interval, end_time_ms: int | None,
                       limit: int) -> tuple[list[Candle], int | None]:
        if self._engine_hub is not None and self.venue.leads:
            history = await self._engine_history(symbol, interval, end_time_ms, limit)
        else:
            arguments: dict[str, object] = {"symbol": symbol, "interval": interval,
                                            "end_time_ms": end_time_ms, "limit": limit}
            history = await self.client.call(MARKET_HISTORY, arguments, timeout=HISTORY_TIMEOUT_SECONDS)
        return list(history.candles), history.last_trade_id

    async def _engine_history(self, symbol: str, interval: Interval, end_time_ms: int | None,
                              limit: int) -> MarketHistory:
        hub = self._engine_hub
        if hub is None:
            raise RuntimeError("this worker does not run the market feed")
        last_trade = hub.snapshot(symbol).last_trade
        candles = await hub.candles(symbol, interval, end_time_ms, limit)
        return MarketHistory(tuple(candles), last_trade.trade_id if last_trade is not None else None)


# ------------------------------------------------------------- before start-up
def workers_refusal(settings: Settings, workers: int) -> str | None:
    """Why ``workers`` processes must not serve with these settings; None when they may."""
    if workers > 1 and not settings.redis_url:
        return (f"WORKERS={workers} needs NUMATIX_REDIS_URL: without Redis every worker would run its own "
                "paper engine, market feed and event bus over the same database, and they would diverge. "
                "Set NUMATIX_REDIS_URL (and a PostgreSQL NUMATIX_DATABASE_URL), or run one worker.")
    return None


def main(arguments: list[str]) -> int:
    """``python -m numatix.services.cluster WORKERS``: what ``make run`` asks before starting."""
    workers = int(arguments[0]) if arguments else 1
    try:
        settings = get_settings()
    except SettingsError as error:
        print(f"Numatix configuration error: {error}", file=sys.stderr)
        return 2
    refusal = workers_refusal(settings, workers)
    if refusal is not None:
        print(f"Numatix: {refusal}", file=sys.stderr)
        return 2
    if workers > 1 and settings.database_url.startswith("sqlite"):
        print(f"Numatix: {workers} workers on SQLite will wait on each other's writes; "
              "use PostgreSQL (NUMATIX_DATABASE_URL) for several workers.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
