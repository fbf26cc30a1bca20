"""The production server with several workers, as ``make run WORKERS=2`` starts it: Reflex's
Granian forks two processes on one port, which share one paper engine through Redis.

Whichever worker takes an order, the fill reaches an event socket held by either worker.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import websockets

from tests.support.app_server import ROOT, free_port
from tests.support.database import POSTGRES_URL, migrated_database_url
from tests.support.redis_server import REDIS_URL, needs_redis

pytestmark = [
    needs_redis,
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="NUMATIX_TEST_POSTGRES_URL is not set"),
]

ORDER = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.0005"}


@pytest.fixture
async def two_workers(tmp_path):
    database = migrated_database_url("postgres", tmp_path)
    database_url = next(database)
    port = free_port()
    environment = {
        **os.environ, "GRANIAN_WORKERS": "2", "PYTHONUNBUFFERED": "1", "REFLEX_TELEMETRY_ENABLED": "false",
        "NUMATIX_DATA_DIR": str(tmp_path), "NUMATIX_DATABASE_URL": database_url, "NUMATIX_REDIS_URL": REDIS_URL,
        "NUMATIX_CLUSTER_NAME": f"granian-{uuid.uuid4().hex[:8]}", "NUMATIX_MARKET_DATA": "synthetic",
        "NUMATIX_SYMBOLS": "BTCUSDT", "NUMATIX_SECRET_KEY": "granian-test-secret-" + "x" * 32,
        "NUMATIX_PAPER_LATENCY_MS": "0", "NUMATIX_ENV_FILE": str(tmp_path / "no.env"),
        # Reflex's folders of its own: `reflex run` empties the state folder it is given
        "REFLEX_STATES_WORKDIR": str(tmp_path / "reflex-states"), "REFLEX_WEB_WORKDIR": str(tmp_path / "web"),
    }
    with open(tmp_path / "app.log", "ab") as log:
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "reflex"), "run", "--env", "prod", "--backend-only",
            "--backend-port", str(port), cwd=ROOT, env=environment, stdout=log, stderr=log, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        await until_trading(base_url, process, tmp_path / "app.log")
        yield base_url
    finally:
        if process.returncode is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except asyncio.TimeoutError:
                os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
        next(database, None)  # drops the schema


async def until_trading(base_url: str, process, log: Path, timeout: float = 180) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=2) as http, asyncio.timeout(timeout):
        while True:
            if process.returncode is not None:
                raise RuntimeError(f"the server exited:\n{log.read_text()[-4000:]}")
            try:
                depth = await http.get("/api/market/depth", params={"symbol": "BTCUSDT"})
                if depth.status_code == 200 and depth.json()["bids"]:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)


async def one_connection_per_worker(base_url: str) -> dict[str, httpx.AsyncClient]:
    """A kept-alive connection stays with the worker that accepted it; /api/health names it."""
    clients: dict[str, httpx.AsyncClient] = {}
    for _ in range(60):
        client = httpx.AsyncClient(base_url=base_url, timeout=20)
        worker = (await client.get("/api/health")).json()["cluster"]["worker"]
        if worker in clients:
            await client.aclose()
        else:
            clients[worker] = client
        if len(clients) == 2:
            return clients
    raise AssertionError(f"only {list(clients)} answered: Granian did not start two workers")


async def test_a_fill_taken_by_either_worker_reaches_a_socket_on_either(two_workers):
    clients = await one_connection_per_worker(two_workers)
    try:
        first = next(iter(clients.values()))
        registered = await first.post("/api/auth/register",
                                      json={"email": "granian@example.com", "password": "violet-harbour-42"})
        registered.raise_for_status()
        token = registered.json()["token"]
        socket_url = two_workers.replace("http://", "ws://") + f"/ws/prices?token={token}&symbols=BTCUSDT"
        async with websockets.connect(socket_url) as socket:
            placed = []
            for client in clients.values():  # one order through each worker
                response = await client.post("/api/trading/orders", json=ORDER,
                                             headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 201, response.text
                placed.append(response.json()["orderId"])
            filled = set()
            async with asyncio.timeout(60):  # a guard, not a speed target
                while filled != set(placed):
                    message = json.loads(await socket.recv())
                    if message["type"] == "ORDER_UPDATE" and message["data"]["status"] == "FILLED":
                        filled.add(message["data"]["orderId"])
        fills = (await first.get("/api/trading/trades", headers={"Authorization": f"Bearer {token}"})).json()
        for order_id in placed:  # each filled once, by the one engine
            assert sum(Decimal(f["quantity"]) for f in fills if f["orderId"] == order_id) == Decimal(ORDER["quantity"])
    finally:
        for client in clients.values():
            await client.aclose()
