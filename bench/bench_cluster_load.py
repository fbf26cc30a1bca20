"""Several workers under load: two API workers on PostgreSQL + Redis (one paper engine and
one market feed for both), 50 traders placing and cancelling orders over REST through
both workers while 200 event sockets (4 per trader, on both workers) listen.

Reports requests/s and p50/p99 per kind of request, then checks the outcome and exits 1
if any check fails: every acknowledged order is stored exactly once, every stored order
was asked for, every fill is counted once (its order's executed quantity, the trader's
balances: start + fills = total, nothing left locked), and every socket got each order's
final update exactly once (or was told to reconnect and reload). With ``--kill-leader`` the engine leader is killed (SIGKILL)
halfway: the traders go on through the other worker, which must take the engine over; the
same checks then hold (sockets on the killed worker aside).

Loopback only; bounded in time (``--seconds``, default 120). Needs Redis on 127.0.0.1:6379
and PostgreSQL (``NUMATIX_TEST_POSTGRES_URL``, default postgresql://postgres@127.0.0.1:5432/test;
it works in a schema of its own and drops it).
Run: ``PYTHONPATH=. .venv/bin/python bench/bench_cluster_load.py --seconds 20``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
import websockets
from sqlalchemy import text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from numatix.domain.balances import PAPER_STARTING_BALANCES  # noqa: E402
from numatix.store.db import make_engine  # noqa: E402
from numatix.store.migrations import upgrade_to_head  # noqa: E402
from tests.support.cluster_processes import running_cluster  # noqa: E402
from tests.support.redis_server import redis_up  # noqa: E402

POSTGRES_URL = os.environ.get("NUMATIX_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = "redis://127.0.0.1:6379/15"
TRADERS = 50
SOCKETS_PER_TRADER = 4
PASSWORD = "violet-harbour-42"
FINAL = {"FILLED", "CANCELED", "EXPIRED", "REJECTED", "EXPIRED_IN_MATCH"}
TRY_AGAIN_LATER = 1013  # the event socket's "events were missed: reconnect and reload"
SETTLE_SECONDS = 15.0  # after the load: time for the last updates to reach every socket


@dataclass
class Trader:
    index: int
    headers: dict[str, str]
    acknowledged: set[str] = field(default_factory=set)  # client order ids answered 200/201
    ambiguous: set[str] = field(default_factory=set)  # no answer, or "outcome unknown"


@dataclass
class Listener:
    trader: Trader
    worker: int  # which worker it is connected to
    finals: Counter = field(default_factory=Counter)  # client order id -> final updates seen
    closed: str | None = None
    resync: bool = False  # the server said "reconnect and reload": a client would reload its orders


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)  # the first answer of each kind of refusal

    def refused(self, kind: str, answer: str) -> None:
        self.errors[kind] += 1
        self.examples.setdefault(kind, answer[:160])

    def timed(self, kind: str, started: float) -> None:
        self.latencies[kind].append((time.perf_counter() - started) * 1000)


class Workers:
    """HTTP clients to the workers; once one is killed, everything goes to the others."""

    def __init__(self, cluster) -> None:
        limits = httpx.Limits(max_connections=TRADERS * 2, max_keepalive_connections=TRADERS * 2)
        self.cluster = cluster
        self.clients = [httpx.AsyncClient(base_url=w.base_url, timeout=30, limits=limits) for w in cluster.workers]
        self.dead: set[int] = set()

    def pick(self, index: int) -> httpx.AsyncClient:
        alive = [n for n in range(len(self.clients)) if n not in self.dead]
        return self.clients[index % len(self.clients)] if index % len(self.clients) in alive else \
            self.clients[alive[index % len(alive)]]

    async def kill_leader(self, after: float) -> None:
        await asyncio.sleep(after)
        leader = await self.cluster.leader_worker()
        self.dead.add(self.cluster.workers.index(leader))
        leader.kill()
        print(f"killed the engine leader ({leader.name}) with SIGKILL after {after:.0f} s", flush=True)

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def postgres_schema() -> tuple[str, callable]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_URL}{'&' if '?' in POSTGRES_URL else '?'}options=-csearch_path%3D{schema}"
    upgrade_to_head(url)

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return url, drop


async def sign_up(http: httpx.AsyncClient, index: int) -> Trader:
    response = await http.post("/api/auth/register", json={"email": f"trader-{index}-{uuid.uuid4().hex[:6]}@example.com",
                                                          "password": PASSWORD})
    response.raise_for_status()
    return Trader(index, {"Authorization": f"Bearer {response.json()['token']}"})


async def listen(base_url: str, listener: Listener, connected: asyncio.Event, stop: asyncio.Event) -> None:
    token = listener.trader.headers["Authorization"].removeprefix("Bearer ")
    url = base_url.replace("http", "ws", 1) + f"/ws/prices?token={token}&symbols=NONE"
    try:
        async with websockets.connect(url, max_queue=None, open_timeout=30) as socket:
            await socket.recv()  # CONNECTED
            connected.set()
            while not stop.is_set():
                try:
                    received = json.loads(await asyncio.wait_for(socket.recv(), 0.5))
                except asyncio.TimeoutError:
                    continue
                data = received["data"]
                if received["type"] == "ORDER_UPDATE" and data["status"] in FINAL:
                    listener.finals[data["clientOrderId"]] += 1
    except websockets.ConnectionClosed as closed:
        if closed.rcvd is not None and closed.rcvd.code == TRY_AGAIN_LATER:
            listener.resync = True
        else:
            listener.closed = f"closed: {closed}"
        connected.set()
    except OSError as error:
        listener.closed = f"{type(error).__name__}: {error}"
        connected.set()


async def place(http: httpx.AsyncClient, trader: Trader, stats: Stats, kind: str, order: dict) -> dict | None:
    order["clientOrderId"] = client_order_id = f"t{trader.index}-{uuid.uuid4().hex[:16]}"
    started = time.perf_counter()
    try:
        response = await http.post("/api/trading/orders", headers=trader.headers, json=order)
    except httpx.HTTPError:
        trader.ambiguous.add(client_order_id)
        stats.refused(f"{kind}: no answer", "")
        return None
    stats.timed(kind, started)
    if response.status_code in (200, 201):
        trader.acknowledged.add(client_order_id)
        return response.json()
    if response.status_code in (502, 503, 504):
        trader.ambiguous.add(client_order_id)
    stats.refused(f"{kind}: {response.status_code}", response.text)
    return None


async def trade(trader: Trader, workers: Workers, stats: Stats, deadline: float) -> None:
    """Rest a far limit order through one worker, trade at market, cancel through the other."""
    round_number = 0
    while time.monotonic() < deadline:
        here, there = workers.pick(trader.index), workers.pick(trader.index + 1)
        try:
            depth = (await here.get("/api/market/depth", params={"symbol": "BTCUSDT"},
                                    headers=trader.headers)).json()
        except httpx.HTTPError:
            continue  # its worker was just killed: the next round picks another
        far_price = (Decimal(depth["bids"][0][0]) * Decimal("0.8")).quantize(Decimal("0.01"))
        resting = await place(here, trader, stats, "place limit", {
            "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.001", "price": str(far_price),
            "timeInForce": "GTC"})
        side = "BUY" if round_number % 2 == 0 else "SELL"
        await place(there, trader, stats, "place market", {"symbol": "BTCUSDT", "side": side, "type": "MARKET",
                                                           "quantity": "0.0005"})
        if resting is not None:
            started = time.perf_counter()
            try:
                cancelled = await there.delete(f"/api/trading/orders/{resting['orderId']}", headers=trader.headers)
            except httpx.HTTPError:
                stats.refused("cancel: no answer", "")
                continue
            stats.timed("cancel", started)
            if cancelled.status_code != 200:
                stats.refused(f"cancel: {cancelled.status_code}", cancelled.text)
        round_number += 1


async def all_orders(http: httpx.AsyncClient, trader: Trader) -> list[dict]:
    orders, cursor = [], None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        response = await http.get("/api/trading/orders", headers=trader.headers, params=params)
        response.raise_for_status()
        orders += response.json()
        cursor = response.headers.get("X-Next-Cursor")
        if cursor is None:
            return orders


async def check_trader(http: httpx.AsyncClient, trader: Trader) -> list[str]:
    """What is wrong with this trader's orders, fills and balances (nothing, when empty)."""
    problems = []
    await http.delete("/api/trading/orders", headers=trader.headers, params={"symbol": "BTCUSDT"})
    orders = await all_orders(http, trader)
    stored = Counter(order["clientOrderId"] for order in orders)
    problems += [f"trader {trader.index}: order {cid} stored {n} times" for cid, n in stored.items() if n > 1]
    problems += [f"trader {trader.index}: acknowledged order {cid} is not stored"
                 for cid in trader.acknowledged - set(stored)]
    problems += [f"trader {trader.index}: stored order {cid} was never asked for"
                 for cid in set(stored) - trader.acknowledged - trader.ambiguous]
    problems += [f"trader {trader.index}: order {o['orderId']} still {o['status']}" for o in orders
                 if o["status"] in ("NEW", "PARTIALLY_FILLED")]

    fills = (await http.get("/api/trading/trades", headers=trader.headers)).json()
    trade_ids = Counter(fill["tradeId"] for fill in fills)
    problems += [f"trader {trader.index}: fill {tid} counted {n} times" for tid, n in trade_ids.items() if n > 1]
    executed = defaultdict(Decimal)
    expected = {asset: Decimal(amount) for asset, amount in PAPER_STARTING_BALANCES.items()}
    for fill in fills:
        executed[fill["orderId"]] += Decimal(fill["quantity"])
        quantity, quote = Decimal(fill["quantity"]), Decimal(fill["quoteQuantity"])
        expected["BTC"] += quantity if fill["side"] == "BUY" else -quantity
        expected["USDT"] += -quote if fill["side"] == "BUY" else quote
        expected[fill["commissionAsset"]] -= Decimal(fill["commission"])
    for order in orders:
        if Decimal(order["executedQty"]) != executed.get(order["orderId"], Decimal(0)):
            problems.append(f"trader {trader.index}: order {order['orderId']} executed {order['executedQty']}, "
                            f"its fills add up to {executed.get(order['orderId'], 0)}")
    balances = (await http.get("/api/trading/balance", headers=trader.headers)).json()["balances"]
    for balance in balances:
        if Decimal(balance["total"]) != expected.get(balance["asset"], Decimal(0)):
            problems.append(f"trader {trader.index}: {balance['asset']} total {balance['total']}, "
                            f"start + fills = {expected.get(balance['asset'], 0)}")
        if Decimal(balance["locked"]) != 0:
            problems.append(f"trader {trader.index}: {balance['locked']} {balance['asset']} still locked")
    return problems


def check_sockets(listeners: list[Listener], orders_of: dict[int, list[dict]]) -> list[str]:
    problems = []
    for listener in listeners:
        trader = listener.trader
        if listener.closed:
            problems.append(f"trader {trader.index}: a socket closed under load ({listener.closed})")
            continue
        finals = {o["clientOrderId"] for o in orders_of[trader.index] if o["status"] in FINAL}
        missing = finals - set(listener.finals)
        doubled = [cid for cid, n in listener.finals.items() if n > 1]
        if missing and not listener.resync:
            problems.append(f"trader {trader.index}: a socket missed {len(missing)} final order updates")
        if doubled:
            problems.append(f"trader {trader.index}: a socket got {len(doubled)} final updates more than once")
    return problems


async def run(seconds: float, kill_leader: bool) -> int:
    database_url, drop_schema = postgres_schema()
    try:
        with tempfile.TemporaryDirectory() as directory:
            async with running_cluster(database_url, REDIS_URL, Path(directory), count=2,
                                       NUMATIX_LOG_LEVEL="warning", NUMATIX_ENGINE_LEASE_SECONDS="5") as cluster:
                workers = Workers(cluster)
                try:
                    return await load(workers, seconds, kill_leader)
                finally:
                    await workers.close()
    finally:
        drop_schema()


async def load(workers: Workers, seconds: float, kill_leader: bool) -> int:
    traders = list(await asyncio.gather(*(sign_up(workers.pick(i), i) for i in range(TRADERS))))
    stop = asyncio.Event()
    listeners, connections, tasks = [], [], []
    for trader in traders:
        for n in range(SOCKETS_PER_TRADER):
            listener, connected = Listener(trader, worker=n % 2), asyncio.Event()
            listeners.append(listener)
            connections.append(connected.wait())
            tasks.append(asyncio.create_task(listen(workers.cluster.workers[n % 2].base_url, listener, connected,
                                                    stop)))
    await asyncio.gather(*connections)

    stats = Stats()
    started = time.monotonic()
    killing = [asyncio.create_task(workers.kill_leader(seconds / 2))] if kill_leader else []
    await asyncio.gather(*(trade(t, workers, stats, started + seconds) for t in traders), *killing)
    elapsed = time.monotonic() - started
    print_stats(stats, elapsed, len(listeners))

    problems = []
    for trader in traders:  # final cancels first: their updates go to the sockets too
        problems += await check_trader(workers.pick(trader.index), trader)
    orders_of = {t.index: await all_orders(workers.pick(0), t) for t in traders}
    listening = [listener for listener in listeners if listener.worker not in workers.dead]
    settle_until = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < settle_until and check_sockets(listening, orders_of):
        await asyncio.sleep(0.2)
    stop.set()
    await asyncio.gather(*tasks)
    problems += check_sockets(listening, orders_of)

    orders = sum(len(o) for o in orders_of.values())
    resynced = sum(listener.resync for listener in listening)
    print(f"checked: {orders} orders of {TRADERS} traders, {len(listening)} sockets on live workers"
          + (f" ({resynced} told to reconnect and reload)" if resynced else ""))
    if stats.errors:
        print("refused requests:")
        for kind, count in sorted(stats.errors.items()):
            print(f"  {kind} x{count}, e.g. {stats.examples.get(kind, '')}")
    if problems:
        print(f"FAILED: {len(problems)} problems")
        for problem in problems[:30]:
            print(f"  {problem}")
        return 1
    print("OK: no order lost or stored twice, every fill counted once, every balance = start + fills, "
          "every socket got every final update once")
    return 0


def print_stats(stats: Stats, elapsed: float, sockets: int) -> None:
    total = sum(len(samples) for samples in stats.latencies.values())
    print(f"2 workers (PostgreSQL + Redis), {TRADERS} traders, {sockets} event sockets, {elapsed:.1f} s")
    print(f"{'request':<14}{'count':>8}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for kind, samples in sorted(stats.latencies.items()):
        print(f"{kind:<14}{len(samples):>8}{len(samples) / elapsed:>9.1f}"
              f"{percentile(samples, 0.5):>9.1f}{percentile(samples, 0.99):>9.1f}")
    print(f"{'all':<14}{total:>8}{total / elapsed:>9.1f}")


def services_missing() -> str | None:
    """Why this benchmark cannot run here (it needs both servers), or None."""
    try:
        with make_engine(POSTGRES_URL).connect():
            pass
    except Exception as error:  # any reason: the benchmark is skipped, not failed
        return f"no PostgreSQL at {POSTGRES_URL} ({type(error).__name__})"
    if not redis_up():
        return "no Redis on 127.0.0.1:6379"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="how long the traders trade (default 120)")
    parser.add_argument("--kill-leader", action="store_true",
                        help="kill -9 the engine leader halfway: the other worker must take over, nothing lost")
    arguments = parser.parse_args()
    missing = services_missing()
    if missing:
        print(f"skipped: {missing}")
        return 0
    return asyncio.run(run(arguments.seconds, arguments.kill_leader))


if __name__ == "__main__":
    sys.exit(main())
