"""A local server that speaks Binance's public market API: combined streams and REST klines.

One websockets server does both: WebSocket upgrades on ``/stream?streams=...`` and plain
HTTP for ``/api/v3/ping`` and ``/api/v3/klines`` (answered from ``process_request``).
Tests push frames with ``publish`` and cut every connection with ``drop_connections``.
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Response

INTERVAL_MS = {"1m": 60_000, "5m": 300_000, "15m": 900_000, "1h": 3_600_000, "4h": 14_400_000,
               "1d": 86_400_000, "1w": 604_800_000}


class BinanceStreamServer:
    def __init__(self, now_ms: int) -> None:
        self.now_ms = now_ms
        self.connections: set[ServerConnection] = set()
        self.subscriptions: list[list[str]] = []
        self.kline_requests: list[dict[str, str]] = []
        self.connected = asyncio.Event()
        self._server = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stream_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def __aenter__(self) -> "BinanceStreamServer":
        self._server = await serve(self._handle, "127.0.0.1", 0, process_request=self._http)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_exc) -> None:
        self._server.close()
        await self._server.wait_closed()

    def _http(self, connection: ServerConnection, request):
        path = urlsplit(request.path)
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return None
        query = {k: v[0] for k, v in parse_qs(path.query).items()}
        if path.path == "/api/v3/ping":
            return _json({})
        if path.path == "/api/v3/klines":
            self.kline_requests.append(query)
            return _json(self._klines(query))
        return _json({"code": -1000, "msg": "unknown path"}, HTTPStatus.NOT_FOUND)

    def _klines(self, query: dict[str, str]) -> list[list]:
        step = INTERVAL_MS[query["interval"]]
        limit = int(query.get("limit", 500))
        end = int(query.get("endTime", self.now_ms))
        last_open = end - end % step
        rows = []
        for i in range(limit):
            open_time = last_open - (limit - 1 - i) * step
            price = Decimal(100) + Decimal(open_time // step % 50)
            rows.append([open_time, str(price), str(price + 2), str(price - 1), str(price + 1), "10.5",
                         open_time + step - 1, "1060.5", 42, "5", "530", "0"])
        return rows

    async def _handle(self, connection: ServerConnection) -> None:
        query = parse_qs(urlsplit(connection.request.path).query)
        self.subscriptions.append(query.get("streams", [""])[0].split("/"))
        self.connections.add(connection)
        self.connected.set()
        try:
            await connection.wait_closed()
        finally:
            self.connections.discard(connection)

    async def publish(self, stream: str, data: dict) -> None:
        frame = json.dumps({"stream": stream, "data": data})
        await asyncio.gather(*(c.send(frame) for c in list(self.connections)), return_exceptions=True)

    async def drop_connections(self) -> None:
        self.connected.clear()
        await asyncio.gather(*(c.close(code=1001) for c in list(self.connections)))


def _json(body, status: HTTPStatus = HTTPStatus.OK) -> Response:
    payload = json.dumps(body).encode()
    headers = Headers([("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return Response(status.value, status.phrase, headers, payload)
