"""One market feed per cluster: the engine leader publishes what its feed sees, every
worker's hub reads it back from Redis.

So every worker shows the same prints, books and tickers as the one engine that fills
orders against them, and the upstream (Binance's streams, or the synthetic market, which
is random and would differ per process) is connected once however many workers run.

``PublishingFeed`` wraps the leader's real feed and tees everything into a
``MarketPublisher``. ``RedisMarketFeed`` is each worker's feed: candle history comes
from the leader (a command, injected as ``history``), the latest book, ticker and status
from a Redis hash the leader keeps fresh, then the live channel. A late joiner's
forming candle is exact: prints already counted in the history it was given are skipped.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as redis

from numatix.domain.codec import from_plain, to_plain
from numatix.domain.market import BookSnapshot, Candle, FeedKind, FeedStatus, Interval, Ticker24h, TradePrint
from numatix.market.feed import FeedSink, MarketFeed

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0
SILENCE_SECONDS = 3.0  # no word from the leader this long: the feed is "reconnecting"
# (candles, the id of the last print they include): the leader's hub, asked by command.
HistorySource = Callable[[str, Interval, int | None, int], Awaitable[tuple[list[Candle], int | None]]]
KINDS = {"trade": TradePrint, "book": BookSnapshot, "ticker": Ticker24h}


class MarketChannels:
    def __init__(self, prefix: str) -> None:
        self.live = f"{prefix}market"
        self.latest = f"{prefix}market:latest"


class MarketPublisher:
    """A ``FeedSink`` that sends every event to Redis, in order, without blocking the feed."""

    def __init__(self, url: str, channels: MarketChannels, kind: FeedKind) -> None:
        self._url = url
        self._channels = channels
        self.kind = kind
        self.status = FeedStatus.OFFLINE
        self._outbox: asyncio.Queue[tuple[str, object]] = asyncio.Queue()
        self._client: redis.Redis | None = None
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        self._client = client = redis.from_url(self._url)
        self._tasks = [asyncio.create_task(self._send(client), name="market-to-redis"),
                       asyncio.create_task(self._heartbeat(), name="market-heartbeat")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def on_trade(self, trade: TradePrint) -> None:
        self._outbox.put_nowait(("trade", trade))

    def on_book(self, book: BookSnapshot) -> None:
        self._outbox.put_nowait(("book", book))

    def on_ticker(self, ticker: Ticker24h) -> None:
        self._outbox.put_nowait(("ticker", ticker))

    def on_status(self, status: FeedStatus) -> None:
        self.status = status
        self._outbox.put_nowait(("status", self._status_value()))

    def _status_value(self) -> dict[str, str]:
        return {"status": self.status.value, "kind": self.kind.value}

    async def _heartbeat(self) -> None:
        while True:
            self._outbox.put_nowait(("status", self._status_value()))
            await asyncio.sleep(HEARTBEAT_SECONDS)

    async def _send(self, client: redis.Redis) -> None:
        while True:
            batch = [await self._outbox.get()]
            while not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            latest = {_latest_field(kind, value): json.dumps(to_plain(value)) for kind, value in batch
                      if kind != "trade"}
            message = json.dumps([[kind, to_plain(value)] for kind, value in batch], separators=(",", ":"))
            try:
                async with client.pipeline(transaction=False) as pipe:
                    if latest:
                        pipe.hset(self._channels.latest, mapping=latest)
                    pipe.publish(self._channels.live, message)
                    await pipe.execute()
            except redis.RedisError:
                logger.exception("could not publish %d market events", len(batch))


def _latest_field(kind: str, value: Any) -> str:
    return kind if kind == "status" else f"{kind}:{value.symbol}"


class _Tee:
    def __init__(self, *sinks: FeedSink) -> None:
        self._sinks = sinks

    def on_trade(self, trade: TradePrint) -> None:
        for sink in self._sinks:
            sink.on_trade(trade)

    def on_book(self, book: BookSnapshot) -> None:
        for sink in self._sinks:
            sink.on_book(book)

    def on_ticker(self, ticker: Ticker24h) -> None:
        for sink in self._sinks:
            sink.on_ticker(ticker)

    def on_status(self, status: FeedStatus) -> None:
        for sink in self._sinks:
            sink.on_status(status)


class PublishingFeed:
    """The leader's upstream feed, with everything it delivers also published."""

    def __init__(self, feed: MarketFeed, publisher: MarketPublisher) -> None:
        self._feed = feed
        self._publisher = publisher
        self.kind = feed.kind
        self.symbols = feed.symbols

    async def history(self, symbol: str, interval: Interval, end_time_ms: int | None,
                      limit: int) -> list[Candle]:
        return await self._feed.history(symbol, interval, end_time_ms, limit)

    async def run(self, sink: FeedSink) -> None:
        try:
            await self._feed.run(_Tee(sink, self._publisher))
        finally:
            self._publisher.on_status(FeedStatus.OFFLINE)


class RedisMarketFeed:
    """Every worker's feed in a cluster: what the engine leader's feed saw, from Redis."""

    def __init__(self, url: str, channels: MarketChannels, symbols: tuple[str, ...], history: HistorySource,
                 kind: FeedKind = FeedKind.SYNTHETIC, silence_seconds: float = SILENCE_SECONDS) -> None:
        self._url = url
        self._channels = channels
        self.symbols = tuple(symbols)
        self.kind = kind  # the leader's feed kind, learnt from its status messages
        self._history = history
        self._silence = silence_seconds
        self._inbox: asyncio.Queue[bytes] = asyncio.Queue()
        self._counted_up_to: dict[str, int] = {}  # per symbol: prints the seeded candles already hold
        self._client: redis.Redis | None = None
        self._reader: asyncio.Task | None = None

    async def start(self) -> None:
        """Listen before the hub asks for history, so no print falls between the two."""
        self._client = redis.from_url(self._url)
        pubsub = self._client.pubsub()
        await pubsub.subscribe(self._channels.live)
        self._reader = asyncio.create_task(self._listen(pubsub), name="market-from-redis")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    async def history(self, symbol: str, interval: Interval, end_time_ms: int | None,
                      limit: int) -> list[Candle]:
        candles, last_trade_id = await self._history(symbol, interval, end_time_ms, limit)
        if end_time_ms is None and interval is Interval.M1 and last_trade_id is not None:
            self._counted_up_to[symbol] = last_trade_id
        return [c for c in candles if c.closed] if end_time_ms is not None else candles

    async def run(self, sink: FeedSink) -> None:
        await self._deliver_latest(sink)
        while True:
            try:  # (asyncio.timeout, not wait_for: on 3.11 wait_for can swallow the hub's cancel)
                async with asyncio.timeout(self._silence):
                    data = await self._inbox.get()
            except TimeoutError:
                sink.on_status(FeedStatus.RECONNECTING)  # the leader is gone or changing
                continue
            for kind, plain in json.loads(data):
                self._deliver(sink, kind, plain)

    async def _listen(self, pubsub) -> None:
        """Until stopped: a lost Redis connection is made again (redis-py resubscribes)."""
        while True:
            try:
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        self._inbox.put_nowait(message["data"])
            except (redis.ConnectionError, redis.TimeoutError, OSError):
                logger.warning("lost Redis; listening to the market again in a second")
                await asyncio.sleep(1.0)

    async def _deliver_latest(self, sink: FeedSink) -> None:
        if self._client is None:
            raise RuntimeError("start() the feed before running it")
        latest = await self._client.hgetall(self._channels.latest)  # type: ignore[misc]  # redis-py: sync|async
        for field, data in sorted(latest.items()):
            kind = field.decode().partition(":")[0]
            if kind in ("book", "ticker", "status"):
                self._deliver(sink, kind, json.loads(data))

    def _deliver(self, sink: FeedSink, kind: str, plain: Any) -> None:
        if kind == "status":
            self.kind = FeedKind(plain["kind"])
            sink.on_status(FeedStatus(plain["status"]))
            return
        value = from_plain(KINDS[kind], plain)
        if value.symbol not in self.symbols:
            return
        if kind == "trade":
            if not self._fresh(value):
                return
            sink.on_trade(value)
        elif kind == "book":
            sink.on_book(value)
        else:
            sink.on_ticker(value)

    def _fresh(self, trade: TradePrint) -> bool:
        """False for a print the seeded candles already counted (heard while seeding)."""
        counted = self._counted_up_to.get(trade.symbol)
        if counted is None:
            return True
        if trade.trade_id <= counted:
            return False
        del self._counted_up_to[trade.symbol]  # past the seed: a new leader may number afresh
        return True
