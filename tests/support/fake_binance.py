"""A scripted Binance for the connector's unit tests, over ``httpx.MockTransport``.

It checks what the real one checks where a test depends on it (the signature over the raw
wire bytes, the timestamp window), answers from per-route scripts, and records every
request. Time is a ``FakeTime``: sleeping advances it, so no test waits for real.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from urllib.parse import parse_qsl

import httpx

from numatix.domain.credentials import ExchangeCredentials
from numatix.exchange.binance.client import BinanceRestClient
from numatix.exchange.binance.limits import ServerClock
from numatix.exchange.binance.options import BinanceOptions
from numatix.exchange.binance.signing import verify_hmac

CREDENTIALS = ExchangeCredentials(7, "test-api-key", "test-secret")
START_WALL_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class FakeTime:
    """Wall clock, monotonic clock and sleep that move together, only when slept."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.seconds

    def wall_ms(self) -> int:
        return START_WALL_MS + int(self.seconds * 1000)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.seconds += seconds


def error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "msg": message}, headers=headers)


class FakeBinance:
    def __init__(self, time: FakeTime, secret: str = CREDENTIALS.secret) -> None:
        self.time = time
        self.secret = secret
        self.skew_ms = 0  # the server's clock minus ours
        self.requests: list[httpx.Request] = []
        self._scripts: dict[tuple[str, str], deque[Reply]] = {}
        self._defaults: dict[tuple[str, str], Reply] = {}

    # ------------------------------------------------------------- scripting
    def on(self, method: str, path: str, *replies: Reply, then: Reply | None = None) -> None:
        """Answer the next requests with ``replies`` in turn, then with ``then`` for ever."""
        self._scripts.setdefault((method, path), deque()).extend(replies)
        if then is not None:
            self._defaults[(method, path)] = then

    def server_ms(self) -> int:
        return self.time.wall_ms() + self.skew_ms

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == f"/api/v3/{path}"]

    @staticmethod
    def params(request: httpx.Request) -> dict[str, str]:
        pairs = parse_qsl(request.url.query.decode()) + parse_qsl(request.content.decode())
        return dict(pairs)

    def client(self, options: BinanceOptions = BinanceOptions(), **kwargs: object) -> BinanceRestClient:
        clock = ServerClock(options.clock_resync_seconds, wall_ms=self.time.wall_ms, monotonic=self.time.monotonic)
        return BinanceRestClient(
            "https://testnet.binance.vision", options, transport=self.transport(), clock=clock,
            sleep=self.time.sleep, monotonic=self.time.monotonic, **kwargs,  # type: ignore[arg-type]
        )

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # -------------------------------------------------------------- serving
    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/api/v3/")
        if "signature" in self.params(request):
            refusal = self._check_signed(request)
            if refusal is not None:
                return refusal
        script = self._scripts.get((request.method, path))
        reply: Reply | None = script.popleft() if script else self._defaults.get((request.method, path))
        if reply is None and (request.method, path) == ("GET", "time"):
            return httpx.Response(200, json={"serverTime": self.server_ms()})
        if reply is None:
            return error(404, -1000, f"no script for {request.method} {path}")
        if isinstance(reply, Exception):
            raise reply
        return reply(request) if callable(reply) else reply

    def _check_signed(self, request: httpx.Request) -> httpx.Response | None:
        raw_query, body = request.url.query.decode(), request.content.decode()
        payload, _, signature = (raw_query + body).rpartition("&signature=")
        if request.headers.get("X-MBX-APIKEY") != CREDENTIALS.api_key:
            return error(401, -2015, "Invalid API-key, IP, or permissions for action.")
        if not verify_hmac(self.secret, payload, signature):
            return error(400, -1022, "Signature for this request is not valid.")
        params = self.params(request)
        timestamp, window = int(params["timestamp"]), int(params.get("recvWindow", 5000))
        now = self.server_ms()
        if timestamp >= now + 1000 or now - timestamp > window:
            return error(400, -1021, "Timestamp for this request is outside of the recvWindow.")
        return None


def ok(data: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(200, content=json.dumps(data).encode(), headers={
        "Content-Type": "application/json", **(headers or {})})
