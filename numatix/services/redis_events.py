"""The per-user event bus across workers: the same ``subscribe``/``publish`` as ``EventBus``,
with every event going through Redis pub/sub, so an order filled in worker A reaches the
browser and the event socket served by worker B.

Each process keeps one Redis subscription (a pattern over every user's channel) and hands
what arrives to its local readers, in the order Redis delivers it; its own events take the
same path, so every worker sees one order. Publishing never blocks the engine: events queue
for one sender task, which keeps them in order.

A Binance user's events can come from two workers at once (each serving that user keeps
the user's data stream open), so an event identical to one of the user's recent ones is
dropped: a report carries its order's full state and time, so only a copy is identical.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from collections.abc import Hashable

import redis.asyncio as redis

from numatix.services.event_codec import decode, encode
from numatix.services.events import DEFAULT_CAPACITY, EventBus, UserEvents

logger = logging.getLogger(__name__)
RECENT_PER_USER = 256  # copies arrive within moments of each other
RECENT_USERS = 10_000
RECONNECT_SECONDS = 1.0


class RecentEvents:
    """The last few encoded events per user, to recognise a copy."""

    def __init__(self) -> None:
        self._by_user: OrderedDict[str, tuple[deque[bytes], set[bytes]]] = OrderedDict()

    def first_time(self, user: str, payload: bytes) -> bool:
        order, seen = self._by_user.get(user) or self._by_user.setdefault(user, (deque(), set()))
        self._by_user.move_to_end(user)
        if payload in seen:
            return False
        order.append(payload)
        seen.add(payload)
        if len(order) > RECENT_PER_USER:
            seen.discard(order.popleft())
        if len(self._by_user) > RECENT_USERS:
            self._by_user.popitem(last=False)
        return True


class RedisEventBus:
    def __init__(self, url: str, prefix: str = "numatix:events:", capacity: int = DEFAULT_CAPACITY,
                 client_name: str = "numatix-events") -> None:
        self._url = url
        self._prefix = prefix
        self.client_name = client_name  # shows in Redis CLIENT LIST
        self._local = EventBus(capacity)
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._client: redis.Redis | None = None
        self._tasks: list[asyncio.Task] = []
        self._recent = RecentEvents()

    async def start(self) -> None:
        self._client = redis.from_url(self._url, client_name=self.client_name)
        pubsub = self._client.pubsub()
        await pubsub.psubscribe(f"{self._prefix}*")
        self._tasks = [asyncio.create_task(self._send(self._client), name="events-to-redis"),
                       asyncio.create_task(self._receive(pubsub), name="events-from-redis")]

    async def stop(self) -> None:
        await self._outbox.join()  # what was published still goes out
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def subscribe(self, user_id: Hashable) -> UserEvents:
        return self._local.subscribe(user_id)

    def publish(self, user_id: Hashable, event: object) -> None:
        self._outbox.put_nowait((f"{self._prefix}{user_id}", encode(event)))

    def resync_all(self) -> None:
        self._local.resync_all()

    def reader_count(self, user_id: Hashable | None = None) -> int:
        return self._local.reader_count(user_id)

    async def _send(self, client: redis.Redis) -> None:
        while True:
            channel, text = await self._outbox.get()
            try:
                await client.publish(channel, text)
            except redis.RedisError:
                logger.exception("could not publish an event to %s; its readers miss it", channel)
            finally:
                self._outbox.task_done()

    async def _receive(self, pubsub) -> None:
        """Until stopped, Redis outages included: after one, the subscription is made again and
        every reader is told it missed events (what was published meanwhile is gone): at
        once, and again when Redis has confirmed the new subscription. A reader that reloads
        on the first notice could miss what is published before that confirmation; after
        the second, nothing is missed."""
        lost = False
        while True:
            try:
                async for message in pubsub.listen():
                    if lost and message["type"] == "psubscribe":
                        lost = False
                        self._local.resync_all()
                    self._deliver(message)
            except (redis.ConnectionError, redis.TimeoutError, OSError):
                logger.warning("lost Redis; subscribing again in %s s", RECONNECT_SECONDS)
                lost = True
                await asyncio.sleep(RECONNECT_SECONDS)
                self._local.resync_all()

    def _deliver(self, message: dict) -> None:
        if message["type"] != "pmessage":
            return
        channel = message["channel"].decode()
        user_text = channel[len(self._prefix):]
        if not self._recent.first_time(user_text, message["data"]):
            return  # the same event from a second worker
        user_id: Hashable = int(user_text) if user_text.isdigit() else user_text
        self._local.publish(user_id, decode(message["data"]))
