"""Traders, event sockets and the outcome checks of a cluster under load, shared by the load
benchmark (``bench/bench_cluster_load.py``) and the chaos tests (``tests/integration/
test_cluster_chaos.py``): whatever happened to the workers, every acknowledged order is
stored exactly once, every stored order was asked for, every fill is counted once (its
order's executed quantity, the trader's balances: start + fills = total, nothing left
locked), and every socket got each order's final update exactly once, or was told to
reconnect and reload (a socket that reconnects counts what its reload showed).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import httpx
import websockets

from numatix.domain.balances import PAPER_STARTING_BALANCES

PASSWORD = "violet-harbour-42"
FINAL = {"FILLED", "CANCELED", "EXPIRED", "REJECTED", "EXPIRED_IN_MATCH"}
TRY_AGAIN_LATER = 1013  # the event socket's "events were missed: reconnect and reload"
NOT_SENT = 503  # "try again": the call never reached the engine, so nothing of it ran
OUTCOME_UNKNOWN = (502, 504)  # the call may or may not have run
RETRY_PAUSE = 0.1  # between tries at a worker that did not answer


@dataclass
class Trader:
    index: int
    headers: dict[str, str]
    acknowledged: set[str] = field(default_factory=set)  # client order ids answered 200/201
    ambiguous: set[str] = field(default_factory=set)  # no answer, or "outcome unknown"
    refused: set[str] = field(default_factory=set)  # answered 503: must never be stored


@dataclass
class Listener:
    trader: Trader
    worker: int  # which worker it is connected to
    finals: Counter = field(default_factory=Counter)  # client order id -> final updates seen
    reloaded: set[str] = field(default_factory=set)  # final when a reconnecting socket reloaded
    reloads: int = 0
    closed: str | None = None
    resync: bool = False  # told to reconnect and reload, and did not (a client would reload)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)  # the first answer of each kind of refusal
    retry_after: Counter = field(default_factory=Counter)  # 503 answers: with / without Retry-After

    def refused(self, kind: str, answer: str) -> None:
        self.errors[kind] += 1
        self.examples.setdefault(kind, answer[:160])

    def timed(self, kind: str, started: float) -> None:
        self.latencies[kind].append((time.perf_counter() - started) * 1000)


class Workers:
    """HTTP clients to the workers; once one is marked dead, everything goes to the others."""

    def __init__(self, cluster, connections: int = 100) -> None:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self.cluster = cluster
        self.clients = [httpx.AsyncClient(base_url=worker.base_url, timeout=30, limits=limits)
                        for worker in cluster.workers]
        self.dead: set[int] = set()

    def pick(self, index: int) -> httpx.AsyncClient:
        alive = [n for n in range(len(self.clients)) if n not in self.dead]
        return self.clients[index % len(self.clients)] if index % len(self.clients) in alive else \
            self.clients[alive[index % len(alive)]]

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


async def sign_up(http: httpx.AsyncClient, index: int) -> Trader:
    email = f"trader-{index}-{uuid.uuid4().hex[:6]}@example.com"
    response = await http.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    response.raise_for_status()
    return Trader(index, {"Authorization": f"Bearer {response.json()['token']}"})


async def listen(base_url: str, listener: Listener, connected: asyncio.Event, stop: asyncio.Event,
                 reconnect: bool = False) -> None:
    """Count the final order updates this socket gets. Told to reconnect and reload (1013): with
    ``reconnect``, reload the orders over REST (what is final there counts as seen) and listen
    again, as the browser does; without, stop listening and mark the socket ``resync``."""
    token = listener.trader.headers["Authorization"].removeprefix("Bearer ")
    url = base_url.replace("http", "ws", 1) + f"/ws/prices?token={token}&symbols=NONE"
    while not stop.is_set():
        try:
            async with websockets.connect(url, max_queue=None, open_timeout=30) as socket:
                await socket.recv()  # CONNECTED
                if listener.reloads or listener.resync:  # subscribed again: now the reload misses nothing
                    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
                        reloaded = await all_orders(http, listener.trader)
                    listener.reloaded |= {o["clientOrderId"] for o in reloaded if o["status"] in FINAL}
                    listener.resync = False
                connected.set()
                while not stop.is_set():
                    try:
                        received = json.loads(await asyncio.wait_for(socket.recv(), 0.5))
                    except TimeoutError:
                        continue
                    data = received["data"]
                    if received["type"] == "ORDER_UPDATE" and data["status"] in FINAL:
                        listener.finals[data["clientOrderId"]] += 1
                return
        except websockets.ConnectionClosed as closed:
            if closed.rcvd is None or closed.rcvd.code != TRY_AGAIN_LATER:
                listener.closed = f"closed: {closed}"
                connected.set()
                return
            listener.resync = True
            if not reconnect:
                connected.set()
                return
            listener.reloads += 1
        except (TimeoutError, OSError, httpx.HTTPError, websockets.InvalidHandshake) as error:
            if not (reconnect and listener.resync):
                listener.closed = f"{type(error).__name__}: {error}"
                connected.set()
                return
            await asyncio.sleep(RETRY_PAUSE)  # its worker cannot take it back yet


async def place(http: httpx.AsyncClient, trader: Trader, stats: Stats, kind: str, order: dict) -> dict | None:
    order["clientOrderId"] = client_order_id = f"t{trader.index}-{uuid.uuid4().hex[:16]}"
    started = time.perf_counter()
    try:
        response = await http.post("/api/trading/orders", headers=trader.headers, json=order)
    except httpx.HTTPError as error:
        trader.ambiguous.add(client_order_id)
        stats.refused(f"{kind}: no answer", repr(error))
        return None
    except asyncio.CancelledError:  # the trader gave up waiting (its worker is paused)
        trader.ambiguous.add(client_order_id)
        raise
    stats.timed(kind, started)
    if response.status_code in (200, 201):
        trader.acknowledged.add(client_order_id)
        return response.json()
    if response.status_code in OUTCOME_UNKNOWN:
        trader.ambiguous.add(client_order_id)
    elif response.status_code == NOT_SENT:
        trader.refused.add(client_order_id)
        stats.retry_after["with" if response.headers.get("Retry-After") else "without"] += 1
    stats.refused(f"{kind}: {response.status_code}", response.text)
    return None


async def trade(trader: Trader, workers: Workers, stats: Stats, going_on: Callable[[], bool]) -> None:
    """Rest a far limit order through one worker, trade at market, cancel through the other."""
    round_number, bid = 0, None
    while going_on():
        here, there = workers.pick(trader.index), workers.pick(trader.index + 1)
        try:
            depth = await here.get("/api/market/depth", params={"symbol": "BTCUSDT"}, headers=trader.headers)
        except httpx.HTTPError:
            await asyncio.sleep(RETRY_PAUSE)  # its worker was just killed: the next round picks another
            continue
        if depth.status_code == 200 and depth.json()["bids"]:
            bid = Decimal(depth.json()["bids"][0][0])
        else:
            stats.refused(f"depth: {depth.status_code}", depth.text)
            if bid is None:
                await asyncio.sleep(RETRY_PAUSE)
                continue
            await asyncio.sleep(RETRY_PAUSE)  # and trades on the last price it saw
        far_price = (bid * Decimal("0.8")).quantize(Decimal("0.01"))
        resting = await place(here, trader, stats, "place limit", {
            "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.001", "price": str(far_price),
            "timeInForce": "GTC"})
        side = "BUY" if round_number % 2 == 0 else "SELL"
        await place(there, trader, stats, "place market",
                    {"symbol": "BTCUSDT", "side": side, "type": "MARKET", "quantity": "0.0005"})
        if resting is not None:
            started = time.perf_counter()
            try:
                cancelled = await there.delete(f"/api/trading/orders/{resting['orderId']}",
                                               headers=trader.headers)
            except httpx.HTTPError as error:
                stats.refused("cancel: no answer", repr(error))
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
    cancelled = await http.delete("/api/trading/orders", headers=trader.headers, params={"symbol": "BTCUSDT"})
    if cancelled.status_code not in (200, 400, 404):  # 400 -2011 when nothing is open
        problems.append(f"trader {trader.index}: cancelling what is open answered {cancelled.status_code}: "
                        f"{cancelled.text[:160]}")
    orders = await all_orders(http, trader)
    stored = Counter(order["clientOrderId"] for order in orders)
    problems += [f"trader {trader.index}: order {cid} stored {n} times" for cid, n in stored.items() if n > 1]
    problems += [f"trader {trader.index}: acknowledged order {cid} is not stored"
                 for cid in trader.acknowledged - set(stored)]
    problems += [f"trader {trader.index}: stored order {cid} was never asked for"
                 for cid in set(stored) - trader.acknowledged - trader.ambiguous - trader.refused]
    problems += [f"trader {trader.index}: order {cid} answered 503 (not sent) but is stored"
                 for cid in set(stored) & trader.refused]
    problems += [f"trader {trader.index}: order {o['orderId']} still {o['status']}" for o in orders
                 if o["status"] in ("NEW", "PARTIALLY_FILLED")]

    fills = (await http.get("/api/trading/trades", headers=trader.headers)).json()
    trade_ids = Counter(fill["tradeId"] for fill in fills)
    problems += [f"trader {trader.index}: fill {tid} counted {n} times"
                 for tid, n in trade_ids.items() if n > 1]
    executed = defaultdict(Decimal)
    expected = {asset: Decimal(amount) for asset, amount in PAPER_STARTING_BALANCES.items()}
    for fill in fills:
        executed[fill["orderId"]] += Decimal(fill["quantity"])
        quantity, quote = Decimal(fill["quantity"]), Decimal(fill["quoteQuantity"])
        expected["BTC"] += quantity if fill["side"] == "BUY" else -quantity
        expected["USDT"] += -quote if fill["side"] == "BUY" else quote
        expected[fill["commissionAsset"]] -= Decimal(fill["commission"])
    for order in orders:
        filled = executed.get(order["orderId"], Decimal(0))
        if Decimal(order["executedQty"]) != filled:
            problems.append(f"trader {trader.index}: order {order['orderId']} executed "
                            f"{order['executedQty']}, its fills add up to {filled}")
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
        missing = finals - set(listener.finals) - listener.reloaded
        doubled = [cid for cid, n in listener.finals.items() if n > 1]
        if missing and not listener.resync:
            problems.append(f"trader {trader.index}: a socket missed {len(missing)} final order updates "
                            f"(e.g. {sorted(missing)[:3]})")
        if doubled:
            problems.append(f"trader {trader.index}: a socket got {len(doubled)} final updates "
                            "more than once")
    return problems


async def checked_outcome(workers: Workers, traders: list[Trader], listeners: list[Listener],
                          settle_seconds: float) -> tuple[list[str], dict[int, list[dict]]]:
    """Every check, through the live workers; sockets get up to ``settle_seconds`` for the last
    updates (the final cancels' too). Returns the problems and each trader's orders."""
    problems = []
    for trader in traders:  # final cancels first: their updates go to the sockets too
        problems += await check_trader(workers.pick(trader.index), trader)
    orders_of = {t.index: await all_orders(workers.pick(0), t) for t in traders}
    listening = [listener for listener in listeners if listener.worker not in workers.dead]
    settle_until = time.monotonic() + settle_seconds
    while time.monotonic() < settle_until and check_sockets(listening, orders_of):
        await asyncio.sleep(0.2)
    problems += check_sockets(listening, orders_of)
    return problems, orders_of
