"""One account's user data over the WebSocket API, kept alive across drops.

Each connection subscribes with ``userDataStream.subscribe.signature`` (works with HMAC
and Ed25519 keys alike), then runs the caller's reconciliation while incoming events wait
in a queue, then hands events over in arrival order. The reconciliation is told up to when
events were heard before (``heard_until_ms``: the newest event delivered, or the start of
the last reconciled connection), so it knows from when something may have been missed. A drop, an
``eventStreamTerminated`` or a failed reconciliation means: back off (jittered), connect
again, reconcile again. A refused key stops the stream for good; retrying would not help.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from numatix.domain.backoff import Backoff
from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.errors import AuthenticationFailed, TransientVenueError, VenueError
from numatix.domain.events import VenueEvent
from numatix.exchange.binance.limits import ServerClock
from numatix.exchange.binance.signing import signer_for, ws_payload
from numatix.exchange.binance.wire import parse_event
from numatix.exchange.errors import error_from_binance

logger = logging.getLogger(__name__)

SUBSCRIBE = "userDataStream.subscribe.signature"
_STREAM_ENDS = frozenset({"eventStreamTerminated", "serverShutdown"})


class StreamEnded(Exception):
    """The server closed the connection or ended the subscription."""


class UserDataStream:
    def __init__(
        self,
        url: str,
        account: ExchangeCredentials,
        clock: ServerClock,
        *,
        resync_clock: Callable[[], Awaitable[None]],
        on_connected: Callable[[int | None], Awaitable[None]],
        on_event: Callable[[VenueEvent], None],
        backoff: Backoff,
        recv_window_ms: int = 5_000,
        open_timeout: float = 10.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._url = url
        self._account = account
        self._clock = clock
        self._resync_clock = resync_clock
        self._on_connected = on_connected
        self._on_event = on_event
        self._backoff = backoff
        self._recv_window_ms = recv_window_ms
        self._open_timeout = open_timeout
        self._sleep = sleep
        self.connections = 0
        self.ready = asyncio.Event()  # set after each successful subscribe + reconcile, cleared on a drop
        self.failure: VenueError | None = None
        # Server time up to which every event was delivered (None until a connection was reconciled).
        self.heard_until_ms: int | None = None

    async def run(self) -> None:
        """Until cancelled, or until Binance refuses the key (``failure`` says why)."""
        while True:
            retry_after = 0.0
            try:
                await self._session()
            except AuthenticationFailed as refused:
                logger.error("Binance user stream for key %s refused: %s", self._account.hint, refused)
                self.failure = refused
                self.ready.set()  # wake start_account, which reads ``failure``
                return
            except (TimeoutError, OSError, WebSocketException, StreamEnded, VenueError, ValueError) as error:
                logger.warning("Binance user stream for key %s lost (%s: %s); reconnecting",
                               self._account.hint, type(error).__name__, error)
                retry_after = getattr(error, "retry_after", None) or 0.0
            self.ready.clear()
            await self._sleep(max(self._backoff.next_delay(), retry_after))

    async def _session(self) -> None:
        async with connect(self._url, open_timeout=self._open_timeout, ping_interval=20,
                           max_size=2**22) as socket:
            queue: asyncio.Queue[dict[str, Any] | BaseException] = asyncio.Queue()
            subscribed_at_ms = self._clock.now_ms()  # before asking: no event after it is lost now
            await self._subscribe(socket, queue)
            self.connections += 1
            reader = asyncio.create_task(_read_into(socket, queue))
            try:
                await self._on_connected(self.heard_until_ms)
                self.heard_until_ms = max(self.heard_until_ms or 0, subscribed_at_ms)
                self._backoff.reset()
                self.ready.set()
                await self._deliver(queue)
            finally:
                self.ready.clear()  # at once: nothing may count on this connection while it closes
                reader.cancel()

    async def _deliver(self, queue: asyncio.Queue[dict[str, Any] | BaseException]) -> None:
        while True:
            item = await queue.get()
            if isinstance(item, BaseException):
                raise item
            if item.get("event", {}).get("e") in _STREAM_ENDS:
                raise StreamEnded(item["event"]["e"])
            event = parse_event(self._account, item)
            if event is not None:
                self._on_event(event)
            event_time = item.get("event", {}).get("E")
            if isinstance(event_time, int):
                self.heard_until_ms = max(self.heard_until_ms or 0, event_time)

    async def _subscribe(self, socket: ClientConnection,
                         early: asyncio.Queue[dict[str, Any] | BaseException]) -> int:
        """Subscribe, resyncing the clock and trying once more if Binance refuses our timestamp."""
        try:
            return await self._request_subscription(socket, early)
        except TransientVenueError as error:
            if error.code != -1021:
                raise
            await self._resync_clock()
            return await self._request_subscription(socket, early)

    async def _request_subscription(
        self, socket: ClientConnection, early: asyncio.Queue[dict[str, Any] | BaseException]
    ) -> int:
        """Events that overtake the reply are kept for delivery, not dropped."""
        params: dict[str, object] = {
            "apiKey": self._account.api_key,
            "recvWindow": self._recv_window_ms,
            "timestamp": self._clock.now_ms(),
        }
        params["signature"] = signer_for(self._account).sign(ws_payload(params))
        request_id = uuid.uuid4().hex
        await socket.send(json.dumps({"id": request_id, "method": SUBSCRIBE, "params": params}))
        while True:
            reply = json.loads(await asyncio.wait_for(socket.recv(), self._open_timeout))
            if reply.get("id") == request_id:
                break
            if isinstance(reply, dict) and "event" in reply:
                early.put_nowait(reply)
        if reply.get("status") == 200:
            return int(reply.get("result", {}).get("subscriptionId", 0))
        raise _ws_error(reply, self._clock.now_ms())


async def _read_into(socket: ClientConnection, queue: asyncio.Queue[dict[str, Any] | BaseException]) -> None:
    """Everything the server sends, in order; the end (or the error) last."""
    try:
        async for raw in socket:
            message = json.loads(raw)
            if isinstance(message, dict) and "event" in message:
                queue.put_nowait(message)
        queue.put_nowait(StreamEnded("connection closed by the server"))
    except Exception as error:  # noqa: BLE001 - handed to the consumer, which decides
        queue.put_nowait(error)


def _ws_error(reply: dict[str, Any], now_ms: int) -> VenueError:
    error = reply.get("error") or {}
    status = reply.get("status")
    data = error.get("data") or {}
    retry_after = None
    if isinstance(data, dict) and data.get("retryAfter"):
        retry_after = max(0.0, (int(data["retryAfter"]) - now_ms) / 1000)  # an epoch ms on the WS API
    return error_from_binance(error.get("code"), str(error.get("msg", "subscription refused")),
                              int(status) if isinstance(status, int) else None, retry_after)
