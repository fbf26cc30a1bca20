"""The API and its event socket over real connections, the server in its own process.

1. REST order -> ORDER_UPDATE on the socket, p50/p99 (targets 5 ms / 20 ms; paper latency off).
2. Event socket fan-out: 100 / 1,000 / 2,000 clients on BTCUSDT (about ten price updates a
   second each); latency from the server publishing a PRICE_UPDATE to each client reading
   it, p99 (target 50 ms). The clients run in this process, on the same two cores as the
   server, so they are part of what is measured.
Run: ``PYTHONPATH=. .venv/bin/python bench/bench_api.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import websockets

HERE = Path(__file__).resolve().parent
ORDERS = 300
FAN_OUT = (100, 1_000, 2_000)
FAN_OUT_SECONDS = 6.0
TARGETS = {"order_p50": 5.0, "order_p99": 20.0, "fan_out_p99": 50.0}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    process = subprocess.Popen([sys.executable, str(HERE / "api_server.py"), str(data_dir), str(port)], env=env)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/api/health", timeout=1).status_code == 200:
                return process, base_url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the API server did not start")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def order_round_trips(base_url: str, token: str) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    socket_url = base_url.replace("http", "ws", 1) + f"/ws/prices?token={token}&symbols=NONE"
    latencies = []
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=10) as http, \
            websockets.connect(socket_url, max_queue=None) as events:
        await events.recv()  # CONNECTED
        for index in range(ORDERS):
            client_order_id = f"bench-{uuid.uuid4().hex[:16]}"
            side = "BUY" if index % 2 == 0 else "SELL"
            started = time.perf_counter()
            sending = asyncio.create_task(http.post("/api/trading/orders", json={
                "symbol": "BTCUSDT", "side": side, "type": "MARKET", "quantity": "0.0002",
                "clientOrderId": client_order_id}))
            while True:
                event = json.loads(await events.recv())
                if event["type"] == "ORDER_UPDATE" and event["data"]["clientOrderId"] == client_order_id:
                    latencies.append((time.perf_counter() - started) * 1000)
                    break
            (await sending).raise_for_status()
    return latencies


async def fan_out(base_url: str, token: str, clients: int) -> tuple[list[float], int]:
    socket_url = base_url.replace("http", "ws", 1) + f"/ws/prices?token={token}&symbols=BTCUSDT"
    latencies: list[float] = []
    connected = 0
    stop = asyncio.Event()

    async def client() -> None:
        nonlocal connected
        async with websockets.connect(socket_url, max_queue=None, open_timeout=60) as connection:
            connected += 1
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(connection.recv(), 1.0)
                except asyncio.TimeoutError:
                    continue
                if '"PRICE_UPDATE"' in raw:
                    received = time.time() * 1000
                    latencies.append(received - json.loads(raw)["data"]["publishedAt"])

    tasks = [asyncio.create_task(client()) for _ in range(clients)]
    while connected < clients and not any(t.done() for t in tasks):
        await asyncio.sleep(0.1)
    latencies.clear()  # measure only once everyone is in
    await asyncio.sleep(FAN_OUT_SECONDS)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return latencies, connected


async def run(base_url: str) -> bool:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        token = (await http.post("/api/auth/register", json={
            "email": f"bench-{uuid.uuid4().hex[:8]}@example.com", "password": "violet-harbour-42"})).json()["token"]
    ok = True
    latencies = await order_round_trips(base_url, token)
    p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    ok &= p50 <= TARGETS["order_p50"] and p99 <= TARGETS["order_p99"]
    print(f"REST order -> ORDER_UPDATE: p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(latencies)} orders "
          f"(targets {TARGETS['order_p50']:.0f} / {TARGETS['order_p99']:.0f} ms)")
    print(f"{'clients':>8}{'connected':>11}{'updates':>10}{'per client/s':>14}{'p50 ms':>9}{'p99 ms':>9}")
    for clients in FAN_OUT:
        samples, connected = await fan_out(base_url, token, clients)
        if not samples:
            print(f"{clients:>8}{connected:>11}{0:>10}  no updates received")
            ok = False
            continue
        p99 = percentile(samples, 0.99)
        ok &= p99 <= TARGETS["fan_out_p99"]
        rate = len(samples) / connected / FAN_OUT_SECONDS
        print(f"{clients:>8}{connected:>11}{len(samples):>10}{rate:>14.1f}{statistics.median(samples):>9.1f}{p99:>9.1f}")
    print(f"(fan-out target p99 <= {TARGETS['fan_out_p99']:.0f} ms)")
    return ok


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        process, base_url = start_server(Path(folder))
        try:
            ok = asyncio.run(run(base_url))
        finally:
            process.terminate()
            process.wait(timeout=20)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
