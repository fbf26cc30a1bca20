"""The engine leader's side: carry out the commands other workers send, reply to the sender.

Only the leader subscribes to the command channel, so each command runs once, on the one
engine. Each command runs in a task of its own (the paper venue's simulated latency then
overlaps, as it does for concurrent requests in one process). ``may_act`` is asked before
every command: a leader whose lease may have lapsed refuses (the command did not run
there); during a handover the caller waits for the other receiver's answer. The lease is
only the first line: what makes two engines' writes impossible is the fence in the
database, and an engine fenced out (``EngineDeposed``) refuses the same way. Every venue
event is also published per account, for ``ClusterVenue.reports`` readers on any worker.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

import redis.asyncio as redis
from redis.asyncio.client import PubSub

from numatix.domain.errors import VenueError
from numatix.domain.events import VenueEvent
from numatix.exchange.base import Venue
from numatix.exchange.cluster.client import Channels, messages
from numatix.exchange.cluster.protocol import (
    VENUE_COMMANDS,
    Command,
    encode_failure,
    encode_refusal,
    encode_result,
    encode_venue_event,
)
from numatix.exchange.paper import EngineDeposed

logger = logging.getLogger(__name__)

Handler = Callable[..., Awaitable[object]]
STOP_GRACE_SECONDS = 5.0


class EngineServer:
    def __init__(self, url: str, channels: Channels, venue: Venue, may_act: Callable[[], bool],
                 extra: dict[str, tuple[Command, Handler]] | None = None) -> None:
        self._url = url
        self._channels = channels
        self._may_act = may_act
        self._handlers: dict[str, tuple[Command, Handler]] = {
            command.name: (command, getattr(venue, command.name)) for command in VENUE_COMMANDS
        }
        self._handlers.update(extra or {})
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._running: set[asyncio.Task] = set()
        self._client: redis.Redis | None = None
        self._pubsub: PubSub | None = None
        self._tasks: list[asyncio.Task] = []
        self._stopping = False

    @property
    def _redis(self) -> redis.Redis:
        if self._client is None:
            raise RuntimeError("start() the engine server first")
        return self._client

    async def start(self) -> None:
        self._client = redis.from_url(self._url)
        self._pubsub = pubsub = self._client.pubsub()
        await pubsub.subscribe(self._channels.commands)
        self._tasks = [asyncio.create_task(self._receive(), name="engine-commands"),
                       asyncio.create_task(self._send_reports(), name="engine-reports")]

    async def stop(self) -> None:
        """Stop taking commands (the next leader gets them), let those under way reply.

        Commands Redis delivered before the unsubscribe took effect are still read, and
        refused (they did not run here), so their senders ask the next leader at once
        instead of waiting for a reply that would never come."""
        self._stopping = True
        if self._pubsub is not None and self._tasks:
            try:
                await self._pubsub.unsubscribe(self._channels.commands)
                await asyncio.wait_for(asyncio.shield(self._tasks[0]), STOP_GRACE_SECONDS)
            except (TimeoutError, redis.RedisError):
                logger.warning("could not unsubscribe from engine commands cleanly", exc_info=True)
        if self._tasks:
            self._tasks[0].cancel()  # no new commands; replies and reports still go out
        if self._running:
            await asyncio.wait(self._running, timeout=STOP_GRACE_SECONDS)
        try:
            await asyncio.wait_for(self._outbox.join(), STOP_GRACE_SECONDS)
        except TimeoutError:
            logger.warning("engine reports still unsent at stop")
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def on_venue_event(self, event: VenueEvent) -> None:
        """The engine's listener: never blocks matching, keeps the engine's order."""
        self._outbox.put_nowait((self._channels.reports(event.account), encode_venue_event(event)))

    async def _receive(self) -> None:
        async for message in messages(self._pubsub):
            if message["type"] == "unsubscribe" and self._stopping:
                return  # every command delivered before it has been taken (and refused)
            if message["type"] != "message":
                continue
            task = asyncio.create_task(self._handle(message["data"]))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _handle(self, data: bytes) -> None:
        try:
            request = json.loads(data)
            request_id, reply_to = request["id"], request["reply_to"]
        except (ValueError, KeyError):
            logger.warning("ignored a malformed engine command")
            return
        reply = await self._run(request_id, request.get("command"), request.get("arguments") or {})
        try:
            await self._redis.publish(reply_to, reply)
        except redis.RedisError:
            logger.warning("could not reply to %s; it will see a timeout", reply_to, exc_info=True)

    async def _run(self, request_id: str, name: str | None, arguments: dict) -> str:
        entry = self._handlers.get(name or "")
        if entry is None:
            return encode_failure(request_id, VenueError(f"Unknown engine command {name!r}."))
        if self._stopping or not self._may_act():
            return encode_refusal(request_id)
        command, handler = entry
        try:
            return encode_result(request_id, await handler(**command.decode_arguments(arguments)))
        except EngineDeposed:
            return encode_refusal(request_id)  # a newer engine owns the books: this one did nothing
        except Exception as error:
            if not isinstance(error, VenueError):
                logger.exception("engine command %s failed", name)
            return encode_failure(request_id, error)

    async def _send_reports(self) -> None:
        while True:
            batch = [await self._outbox.get()]
            while not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for channel, text in batch:
                        pipe.publish(channel, text)
                    await pipe.execute()
            except redis.RedisError:
                logger.exception("could not publish %d engine reports", len(batch))
            finally:
                for _ in batch:
                    self._outbox.task_done()
