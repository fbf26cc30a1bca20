"""Signed REST over one ``httpx.AsyncClient``: signing, server time, weight, bans, retries.

What may be repeated is the caller's decision (``Safety``): GETs and cancels by id are
retried with jittered backoff on transient failures; an order POST is never repeated once
it may have reached Binance (the placer resolves it by client order id instead). The one
exception is -1021: Binance refused the timestamp before doing anything, so every request
resyncs the clock and goes once more. After a 429/418 nothing is sent until Retry-After
has passed (``RequestGate``); a read waits that long and goes again if the wait is short.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from numatix.domain.backoff import Backoff
from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.errors import OutcomeUnknown, TransientVenueError, VenueError
from numatix.exchange.binance.limits import RateUsage, RequestGate, ServerClock, seconds_to_next_minute
from numatix.exchange.binance.options import BinanceOptions
from numatix.exchange.binance.signing import Signer, encode_params, signer_for
from numatix.exchange.errors import error_from_binance

logger = logging.getLogger(__name__)

Params = Iterable[tuple[str, object]]
INVALID_TIMESTAMP = -1021
DEFAULT_BAN_SECONDS = 60.0
# Binance codes that mean "busy or lost, nothing refused": worth another try when safe.
RETRYABLE_CODES = frozenset({-1000, -1001, -1006, -1007, -1008, -1016})


class Safety(enum.Enum):
    REPEATABLE = "repeatable"  # reads, cancels by id: retried with backoff
    ONCE = "once"  # order placement, cancel-all: never repeated after it may have arrived


@dataclass
class Attempts:
    """What happened to one call's attempts, for callers that must know (a retried cancel)."""

    count: int = 0
    unknown_outcomes: int = 0


class BinanceRestClient:
    def __init__(
        self,
        rest_url: str,
        options: BinanceOptions = BinanceOptions(),
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: ServerClock | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.options = options
        self.clock = clock or ServerClock(options.clock_resync_seconds, monotonic=monotonic)
        self.usage = RateUsage()
        self.gate = RequestGate(monotonic)
        self._http = httpx.AsyncClient(
            base_url=host_url(rest_url), timeout=options.request_timeout_seconds, transport=transport
        )
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._signers: dict[ExchangeCredentials, Signer] = {}
        self._sync_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ calls
    async def public(self, path: str, params: Params = ()) -> Any:
        """An unsigned GET (time, exchangeInfo), retried like any read."""
        query = encode_params(params)
        url = f"/api/v3/{path}" + (f"?{query}" if query else "")
        return await self._with_retries(lambda: self._send("GET", url, None, {}), Safety.REPEATABLE,
                                        Attempts())

    async def signed(
        self,
        method: str,
        path: str,
        credentials: ExchangeCredentials,
        params: Params = (),
        *,
        safety: Safety = Safety.REPEATABLE,
        attempts: Attempts | None = None,
    ) -> Any:
        """A USER_DATA/TRADE request: ``timestamp``, ``recvWindow`` and ``signature`` added last."""
        pairs = list(params)

        async def attempt() -> Any:
            await self.ensure_clock()
            try:
                return await self._send_signed(method, path, credentials, pairs)
            except TransientVenueError as error:
                if error.code != INVALID_TIMESTAMP:
                    raise
                logger.warning("Binance refused our timestamp (-1021); resyncing the clock and retrying once")
                await self.sync_time()
                return await self._send_signed(method, path, credentials, pairs)

        return await self._with_retries(attempt, safety, attempts or Attempts())

    # ------------------------------------------------------------------ time
    async def ensure_clock(self) -> None:
        if self.clock.needs_sync:
            async with self._sync_lock:
                if self.clock.needs_sync:
                    await self.sync_time()

    async def sync_time(self) -> None:
        sent = self.clock.local_ms()
        data = await self._send("GET", "/api/v3/time", None, {})
        self.clock.record(int(data["serverTime"]), sent, self.clock.local_ms())

    # ---------------------------------------------------------------- sending
    async def _send_signed(
        self, method: str, path: str, credentials: ExchangeCredentials, pairs: list[tuple[str, object]]
    ) -> Any:
        stamped = [*pairs, ("recvWindow", self.options.recv_window_ms), ("timestamp", self.clock.now_ms())]
        encoded = encode_params(stamped)
        signed = f"{encoded}&{encode_params([('signature', self._signer(credentials).sign(encoded))])}"
        headers = {"X-MBX-APIKEY": credentials.api_key}
        if method in ("GET", "DELETE"):
            return await self._send(method, f"/api/v3/{path}?{signed}", None, headers)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return await self._send(method, f"/api/v3/{path}", signed.encode(), headers)

    async def _send(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Any:
        self.gate.check()
        try:
            response = await self._http.request(method, url, content=body, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise TransientVenueError(f"Could not reach Binance: {type(error).__name__} {error}") from error
        except httpx.TransportError as error:  # sent, but no (complete) reply: it may have run
            raise OutcomeUnknown(f"No reply from Binance: {type(error).__name__} {error}") from error
        return self._read(response)

    def _read(self, response: httpx.Response) -> Any:
        self.usage.update(response.headers)
        if response.status_code < 400:
            if self.usage.weight_exhausted:
                self.gate.close_for(seconds_to_next_minute(self.clock.now_ms()), -1003,
                                    "request weight used up")
            try:
                return response.json()
            except json.JSONDecodeError as error:
                raise OutcomeUnknown(
                    f"Binance sent an unreadable reply (HTTP {response.status_code})") from error
        code, message = _error_body(response)
        retry_after = _retry_after(response.headers)
        if response.status_code in (418, 429):
            retry_after = DEFAULT_BAN_SECONDS if retry_after is None else retry_after
            self.gate.close_for(retry_after, code, message)
        raise error_from_binance(code, message, response.status_code, retry_after)

    def _signer(self, credentials: ExchangeCredentials) -> Signer:
        signer = self._signers.get(credentials)
        if signer is None:
            signer = self._signers[credentials] = signer_for(credentials)
        return signer

    # ---------------------------------------------------------------- retries
    async def _with_retries(self, attempt: Callable[[], Awaitable[Any]], safety: Safety,
                            attempts: Attempts) -> Any:
        backoff = self.new_backoff()
        while True:
            attempts.count += 1
            try:
                return await attempt()
            except VenueError as error:
                if isinstance(error, OutcomeUnknown):
                    attempts.unknown_outcomes += 1
                if safety is Safety.ONCE:
                    raise
                delay = self._retry_delay(error, backoff)
                if delay is None or attempts.count > self.options.max_retries:
                    raise _as_read_failure(error) from error
                logger.info("Binance request failed (%s); retry %d in %.2f s", error, attempts.count, delay)
                await self._sleep(delay)

    def _retry_delay(self, error: VenueError, backoff: Backoff) -> float | None:
        """How long before a repeatable request goes again, or None if it should not.

        Rate-limited: exactly the Retry-After Binance asked for, if short (a ban is not
        waited out). Busy or lost: jittered backoff. Refused or unauthorised: never."""
        if isinstance(error, TransientVenueError) and error.retry_after is not None:
            waits = error.retry_after <= self.options.max_retry_after_seconds
            return max(error.retry_after, self.gate.wait_seconds) if waits else None
        return backoff.next_delay() if is_retryable(error) else None

    def new_backoff(self) -> Backoff:
        return Backoff(self.options.retry_base_seconds, self.options.retry_cap_seconds, rng=self._rng)

    @property
    def sleep(self) -> Callable[[float], Awaitable[None]]:
        return self._sleep


def host_url(rest_url: str) -> str:
    """Binance documents the testnet as ``https://testnet.binance.vision/api``; we add ``/api/v3``."""
    base = rest_url.rstrip("/")
    return base.removesuffix("/api")


def is_retryable(error: VenueError) -> bool:
    """Worth a backoff retry: busy, down or lost. Refused or unauthorised: no."""
    if isinstance(error, OutcomeUnknown):
        return True
    if isinstance(error, TransientVenueError):
        return error.code is None or error.code in RETRYABLE_CODES
    return False


def _as_read_failure(error: VenueError) -> VenueError:
    """A repeatable request changed nothing we need to look up: "unknown" is just "failed"."""
    if isinstance(error, OutcomeUnknown):
        return TransientVenueError(error.message, error.code)
    return error


def _error_body(response: httpx.Response) -> tuple[int | None, str]:
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    if isinstance(data, dict) and "code" in data:
        code = data.get("code")
        return (int(code) if isinstance(code, int) else None), str(data.get("msg", ""))
    return None, f"HTTP {response.status_code} from Binance"


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
