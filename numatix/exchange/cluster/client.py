"""A worker's line to the engine leader over Redis: commands out, replies and reports in.

A command is published on the cluster's command channel, which only the engine leader
subscribes to; Redis says how many received it. Nobody means no leader right now (one is
starting or taking over), and so does a refusal from every receiver (a leader whose lease
may have lapsed): the command certainly did not run, so it is sent again until the
deadline. Somebody, but no reply by the deadline, means it may have run: the command's
own timeout error (``OutcomeUnknown`` for what changes state).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Hashable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis

from numatix.domain.errors import TransientVenueError
from numatix.exchange.cluster.protocol import NO_ENGINE, Command, decode_result, encode_request

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
NO_LEADER_RETRY_SECONDS = 0.05
LAST_TRY_FRACTION = 0.2  # of the timeout: the last try is sent no later, so its answer can come back
RECONNECT_SECONDS = 1.0
ReportSink = Callable[[Hashable, bytes], None]  # (account, the encoded event): decoded only if read


async def messages(pubsub) -> AsyncIterator[dict]:
    """Everything a subscription receives, for as long as it runs: when Redis goes away the
    subscription is made again (redis-py resubscribes on reconnect) instead of ending."""
    while True:
        try:
            async for message in pubsub.listen():
                yield message
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            logger.warning("lost Redis; subscribing again in %s s", RECONNECT_SECONDS)
            await asyncio.sleep(RECONNECT_SECONDS)


REFUSED = object()  # every receiver of a command refused it: it ran nowhere


@dataclass
class _Waiting:
    """A command sent: its reply, or REFUSED once as many refusals as receivers came back
    (a leader stepping down refuses; its successor, also subscribed, may still answer)."""

    reply: asyncio.Future
    receivers: int | None = None  # known once the publish returns (a reply may come first)
    refusals: int = 0

    def settle(self) -> None:
        if not self.reply.done() and self.receivers is not None and self.refusals >= self.receivers:
            self.reply.set_result(REFUSED)


class Channels:
    """Every Redis name one cluster uses, under one prefix (so clusters never meet)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.commands = f"{prefix}commands"
        self.reports_pattern = f"{prefix}reports:*"
        self.leader = f"{prefix}leader"
        self.leader_changed = f"{prefix}leader-changed"

    def reply(self, worker_id: str) -> str:
        return f"{self.prefix}reply:{worker_id}"

    def reports(self, account: Hashable) -> str:
        return f"{self.prefix}reports:{account}"

    def account_of(self, channel: str) -> Hashable:
        text = channel[len(self.prefix) + len("reports:"):]
        return int(text) if text.lstrip("-").isdigit() else text


class CommandClient:
    def __init__(self, url: str, channels: Channels, worker_id: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self._url = url
        self.channels = channels
        self.worker_id = worker_id or uuid.uuid4().hex
        self.timeout = timeout
        self._reply_channel = channels.reply(self.worker_id)
        self.client_name = f"numatix-{self.worker_id}"
        self._pending: dict[str, _Waiting] = {}
        self._client: redis.Redis | None = None
        self._task: asyncio.Task | None = None
        self.report_sink: ReportSink | None = None  # set by the venue, for its report readers
        self.leader_sink: Callable[[str], None] | None = None  # told the new leader's id at each takeover

    async def start(self) -> None:
        self._client = redis.from_url(self._url, client_name=self.client_name)  # named in CLIENT LIST
        pubsub = self._client.pubsub()
        await pubsub.subscribe(self._reply_channel, self.channels.leader_changed)
        await pubsub.psubscribe(self.channels.reports_pattern)
        self._task = asyncio.create_task(self._receive(pubsub), name="engine-replies")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    @property
    def _redis(self) -> redis.Redis:
        if self._client is None:
            raise RuntimeError("start() the command client first")
        return self._client

    async def call(self, command: Command, arguments: dict[str, object],
                   timeout: float | None = None) -> Any:
        """Run ``command`` on the engine leader and return its result (or raise its error).

        Sent again while nobody can run it (no leader yet, or only one that refuses), until
        the deadline: then it certainly never ran."""
        loop = asyncio.get_running_loop()
        seconds = timeout or self.timeout
        deadline = loop.time() + seconds
        last_try = deadline - seconds * LAST_TRY_FRACTION
        while True:
            answer = await self._attempt(command, arguments, deadline, last_try)
            if answer is not REFUSED:
                return decode_result(command, answer)
            if loop.time() >= last_try:
                raise TransientVenueError(NO_ENGINE, retry_after=1.0)
            await asyncio.sleep(NO_LEADER_RETRY_SECONDS)

    async def _attempt(self, command: Command, arguments: dict[str, object], deadline: float,
                       last_try: float) -> Any:
        """One delivery: the reply, or REFUSED when every receiver refused (nobody ran it)."""
        request_id = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        waiting = _Waiting(loop.create_future())
        self._pending[request_id] = waiting
        try:
            waiting.receivers = await self._deliver(
                encode_request(request_id, self._reply_channel, command, arguments), deadline, last_try,
                command, arguments)
            waiting.settle()
            try:
                return await asyncio.wait_for(waiting.reply, max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise command.timed_out(arguments) from None
        finally:
            self._pending.pop(request_id, None)

    async def announce_leader(self) -> None:
        """Tell every worker that this one now runs the engine (events in flight from the
        previous leader may be lost: readers resync)."""
        await self._redis.publish(self.channels.leader_changed, self.worker_id)

    async def _deliver(self, message: str, deadline: float, last_try: float, command: Command,
                       arguments: dict[str, object]) -> int:
        """Publish until somebody has it (returns how many); nobody before the deadline: it never ran.
        A publish Redis does not answer by the deadline (a connection gone silent) may have
        reached it: the command's own timeout error, never a wait without end."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    receivers = await self._redis.publish(self.channels.commands, message)
            except (redis.RedisError, TimeoutError):
                logger.warning("could not send %s to the paper exchange", command.name, exc_info=True)
                raise command.timed_out(arguments) from None
            if receivers:
                return receivers
            if loop.time() >= last_try:
                raise TransientVenueError(NO_ENGINE, retry_after=1.0)
            await asyncio.sleep(NO_LEADER_RETRY_SECONDS)

    async def _receive(self, pubsub) -> None:
        async for message in messages(pubsub):
            try:
                channel = message["channel"].decode() if message["type"] == "message" else None
                if channel == self.channels.leader_changed:
                    if self.leader_sink is not None:
                        self.leader_sink(message["data"].decode())
                elif message["type"] == "message":
                    self._on_reply(message["data"])
                elif message["type"] == "pmessage":
                    self._on_report(message["channel"].decode(), message["data"])
            except Exception:
                logger.exception("bad message from the paper exchange on %s", message.get("channel"))

    def _on_reply(self, data: bytes) -> None:
        reply = json.loads(data)
        waiting = self._pending.get(reply["id"])
        if waiting is None or waiting.reply.done():
            return
        if reply.get("refused"):
            waiting.refusals += 1
            waiting.settle()
        else:
            waiting.reply.set_result(reply)

    def _on_report(self, channel: str, data: bytes) -> None:
        if self.report_sink is not None:
            self.report_sink(self.channels.account_of(channel), data)
