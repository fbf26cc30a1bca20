"""One WebSocket connection's plumbing: a reader, a writer and an outbox between them.

Producers (the engine, the market hub) never await a socket: they put messages in the
outbox. An item may be a coroutine function, run by the writer just before sending, so
an expensive message (a kline, a 24-hour ticker) is computed once per send, not per
print. ``drop()`` makes the writer close the socket, which is how faults cut streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import cast

from starlette.websockets import WebSocket, WebSocketDisconnect

Message = dict[str, object] | list[object]
Producer = Callable[[], Awaitable[Message | None]]
_CLOSE = object()
GOING_AWAY = 1001


def dumps(message: Message) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


class Connection:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self._outbox: asyncio.Queue[object] = asyncio.Queue()

    def send(self, message: Message | Producer) -> None:
        self._outbox.put_nowait(message)

    def drop(self) -> None:
        self._outbox.put_nowait(_CLOSE)

    async def run(self, on_text: Callable[[str], Awaitable[None]]) -> None:
        """Until the client goes or the connection is dropped."""
        reader = asyncio.create_task(self._read(on_text))
        writer = asyncio.create_task(self._write())
        try:
            await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (reader, writer):
                task.cancel()
            await asyncio.gather(reader, writer, return_exceptions=True)

    async def _read(self, on_text: Callable[[str], Awaitable[None]]) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                message = await self.websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text")
                if text is not None:
                    await on_text(text)

    async def _write(self) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            while True:
                item = await self._outbox.get()
                if item is _CLOSE:
                    await self.websocket.close(code=GOING_AWAY)
                    return
                message = await item() if callable(item) else item
                if message is not None:
                    await self.websocket.send_text(dumps(cast(Message, message)))


class Connections:
    """Every open socket, so that a fault can cut them all at once."""

    def __init__(self) -> None:
        self._open: set[Connection] = set()

    @contextlib.contextmanager
    def track(self, connection: Connection) -> Iterator[Connection]:
        self._open.add(connection)
        try:
            yield connection
        finally:
            self._open.discard(connection)

    def drop_all(self) -> int:
        dropped = list(self._open)
        for connection in dropped:
            connection.drop()
        return len(dropped)

    def __len__(self) -> int:
        return len(self._open)
