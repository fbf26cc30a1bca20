"""Run the Binance simulator from tests, over real sockets.

In-process (async tests)::

    async with running_simulator() as sim:
        credentials = sim.create_key("ed25519")      # ExchangeCredentials, funded account
        venue = BinanceVenue(sim.rest_url, sim.ws_api_url, ...)
        sim.push_trade("BTCUSDT", "99000", "1")      # a print: resting orders fill
        sim.faults.fail_next(2)                      # the next two REST requests get 503
        view = await sim.account_of(credentials.api_key)

As a subprocess (e2e tests, other processes)::

    with SimulatorProcess() as sim:                  # python -m numatix.sim serve --port P ...
        credentials = sim.create_key("hmac")         # POST /sim/admin/keys
        sim.push_trade("BTCUSDT", "99000", "1")      # POST /sim/admin/trades
        sim.set_faults(fail_next=1)                  # POST /sim/admin/faults

The default market is ``"quiet"``: prices move only when a test pushes a trade, so fills
are deterministic. Pass ``market="synthetic"`` for a live, moving market.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Self

import httpx

from numatix.domain.credentials import ExchangeCredentials, SignatureKind
from numatix.domain.market import TradePrint
from numatix.sim.faults import Faults
from numatix.sim.server import HOST, STOP_TIMEOUT_SECONDS, Endpoints, serving
from numatix.sim.simulator import AccountView, SimOptions, Simulator, parse_kind

# A deadline, not a measurement: a busy machine may take a while to start a Python process.
START_TIMEOUT_SECONDS = 120.0


def credentials_of(api_key: str, secret: str, kind: SignatureKind, account: int) -> ExchangeCredentials:
    """``secret`` is the HMAC secret, or the Ed25519 private key PEM (PKCS#8)."""
    return ExchangeCredentials(user_id=account, api_key=api_key, secret=secret, signature=kind)


class RunningSimulator:
    """A simulator serving on a loopback port inside this event loop."""

    def __init__(self, simulator: Simulator, endpoints: Endpoints) -> None:
        self.simulator = simulator
        self.endpoints = endpoints
        self.rest_url = endpoints.rest_url
        self.ws_api_url = endpoints.ws_api_url
        self.stream_url = endpoints.stream_url

    @property
    def faults(self) -> Faults:
        return self.simulator.faults

    def create_key(self, kind: str | SignatureKind = "hmac") -> ExchangeCredentials:
        made = self.simulator.create_key(kind)
        return credentials_of(made.key.api_key, made.secret, made.key.kind, made.key.account)

    async def account_of(self, api_key: str) -> AccountView:
        return await self.simulator.account_of(api_key)

    def push_trade(self, symbol: str, price: Decimal | str, quantity: Decimal | str,
                   buyer_is_maker: bool = False) -> TradePrint:
        return self.simulator.push_trade(symbol, price, quantity, buyer_is_maker)

    def last_price(self, symbol: str) -> Decimal:
        trade = self.simulator.hub.snapshot(symbol).last_trade
        if trade is None:
            raise LookupError(f"no trade yet on {symbol}")
        return trade.price


@contextlib.asynccontextmanager
async def running_simulator(**options: object) -> AsyncIterator[RunningSimulator]:
    """Options are ``SimOptions`` fields: symbols, market ("quiet"/"synthetic"), seed,
    history_days, keys_file, starting_balances, fees, weight_limit, raw_requests_limit,
    orders_per_ten_seconds, orders_per_day."""
    simulator = Simulator(SimOptions(**options))  # type: ignore[arg-type]
    await simulator.start()
    try:
        async with serving(simulator) as served:
            yield RunningSimulator(simulator, served.endpoints)
    finally:
        await simulator.stop()


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class SimulatorProcess:
    """``python -m numatix.sim serve`` in a child process, driven over ``/sim/admin``."""

    def __init__(self, port: int | None = None, keys_file: Path | None = None, market: str = "quiet",
                 extra_args: tuple[str, ...] = (), log_file: Path | None = None) -> None:
        self.port = port or free_port()
        self._temporary = tempfile.TemporaryDirectory(prefix="numatix-sim-")
        self.keys_file = keys_file or Path(self._temporary.name) / "keys.json"
        # A file, not a pipe: nobody reads a pipe while the server runs, and a full one would stall it.
        self.log_file = log_file or Path(self._temporary.name) / "sim.log"
        self.market = market
        self.extra_args = extra_args
        self.endpoints = Endpoints(HOST, self.port)
        self.rest_url, self.ws_api_url, self.stream_url = (
            self.endpoints.rest_url, self.endpoints.ws_api_url, self.endpoints.stream_url)
        self.process: subprocess.Popen | None = None
        self._http = httpx.Client(base_url=self.rest_url, timeout=10.0)

    def start(self) -> Self:
        command = [sys.executable, "-m", "numatix.sim", "serve", "--host", HOST, "--port", str(self.port),
                   "--keys-file", str(self.keys_file), "--market", self.market, *self.extra_args]
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(command, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.log_file.read_text(errors="replace")
                raise RuntimeError(f"the simulator exited with {self.process.returncode}:\n{output}")
            try:
                if self._http.get("/api/v3/ping").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"the simulator did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._http.close()
        self._temporary.cleanup()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _post(self, path: str, body: dict[str, object]) -> dict[str, Any]:
        response = self._http.post(path, json=body)
        response.raise_for_status()
        return response.json()

    def create_key(self, kind: str | SignatureKind = "hmac") -> ExchangeCredentials:
        signature = parse_kind(kind)
        spelled = "ed25519" if signature is SignatureKind.ED25519 else "hmac"
        made = self._post("/sim/admin/keys", {"kind": spelled})
        secret = made.get("privateKey") or made["secret"]
        return credentials_of(str(made["apiKey"]), str(secret), signature, int(made["account"]))

    def push_trade(self, symbol: str, price: Decimal | str, quantity: Decimal | str) -> dict[str, Any]:
        return self._post("/sim/admin/trades", {"symbol": symbol, "price": str(price), "qty": str(quantity)})

    def set_faults(self, **settings: object) -> dict[str, object]:
        """Keys as in ``POST /sim/admin/faults``: latency_ms, skew_ms, fail_next, fail_status,
        throttle_next, retry_after, throttle_status, lose_next_order_reply, hold_seconds,
        drop_streams, clear."""
        return self._post("/sim/admin/faults", settings)

    def last_price(self, symbol: str) -> Decimal:
        response = self._http.get("/api/v3/ticker/price", params={"symbol": symbol})
        response.raise_for_status()
        return Decimal(response.json()["price"])

    def account(self, api_key: str) -> dict[str, object]:
        response = self._http.get(f"/sim/admin/accounts/{api_key}")
        response.raise_for_status()
        return response.json()


class SignedClient:
    """A minimal Binance REST client for tests: signs exactly as Binance expects.

    ``params`` go in the query string (or the form body with ``in_body=True``);
    ``timestamp`` is added unless given. Returns the raw ``httpx.Response``.
    """

    def __init__(self, rest_url: str, credentials: ExchangeCredentials | None = None,
                 timeout: float = 10.0) -> None:
        self.credentials = credentials
        self.http = httpx.AsyncClient(base_url=rest_url, timeout=timeout)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.http.aclose()

    def sign(self, params: list[tuple[str, object]]) -> str:
        from numatix.exchange.binance.signing import encode_params, signer_for

        assert self.credentials is not None, "signing needs credentials"
        payload = encode_params(params)
        signature = signer_for(self.credentials).sign(payload)
        return payload + "&" + encode_params([("signature", signature)])

    async def public(self, method: str, path: str, **params: Any) -> httpx.Response:
        return await self.http.request(method, f"/api/v3/{path}", params=params)

    async def signed(self, method: str, path: str, params: dict[str, object] | None = None,
                     in_body: bool = False, timestamp_ms: int | None = None,
                     timeout: float | None = None) -> httpx.Response:
        pairs = [(name, value) for name, value in (params or {}).items()]
        if not any(name == "timestamp" for name, _ in pairs):
            now_ms = time.time_ns() // 1_000_000
            pairs.append(("timestamp", timestamp_ms if timestamp_ms is not None else now_ms))
        signed = self.sign(pairs)
        assert self.credentials is not None
        headers = {"X-MBX-APIKEY": self.credentials.api_key}
        wait = httpx.USE_CLIENT_DEFAULT if timeout is None else timeout
        if in_body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return await self.http.request(method, f"/api/v3/{path}", content=signed.encode(),
                                           headers=headers, timeout=wait)
        return await self.http.request(method, f"/api/v3/{path}?{signed}", headers=headers, timeout=wait)
