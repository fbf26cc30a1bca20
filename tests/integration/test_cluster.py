"""Two API workers on one PostgreSQL and one Redis, each its own process: one engine for both.

An order placed through one worker fills once and its updates reach an event socket on
the other; an order can be cancelled through either; when the engine leader is killed
outright, the other worker takes the engine over, the open orders survive and trading
goes on, with nothing applied twice.
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import httpx
import pytest
import websockets

from tests.support.cluster_processes import running_cluster
from tests.support.database import POSTGRES_URL, migrated_database_url
from tests.support.redis_server import REDIS_URL, needs_redis

PASSWORD = "violet-harbour-42"

pytestmark = [
    needs_redis,
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="NUMATIX_TEST_POSTGRES_URL is not set"),
]


@pytest.fixture
def postgres_url(tmp_path):
    yield from migrated_database_url("postgres", tmp_path)


async def sign_up(http: httpx.AsyncClient, base_url: str, email: str) -> dict[str, str]:
    response = await http.post(f"{base_url}/api/auth/register", json={"email": email, "password": PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def next_update(connection, timeout: float = 15.0, **matching) -> dict:
    async def find():
        while True:
            received = json.loads(await connection.recv())
            if received["type"] == "ORDER_UPDATE" and all(received["data"].get(k) == v for k, v in matching.items()):
                return received["data"]
    return await asyncio.wait_for(find(), timeout)


def socket_url(base_url: str, headers: dict[str, str]) -> str:
    token = headers["Authorization"].removeprefix("Bearer ")
    return base_url.replace("http://", "ws://") + f"/ws/prices?token={token}&symbols=BTCUSDT"


async def best_bid(http: httpx.AsyncClient, base_url: str) -> Decimal:
    depth = (await http.get(f"{base_url}/api/market/depth", params={"symbol": "BTCUSDT"})).json()
    return Decimal(depth["bids"][0][0])


def far_below(bid: Decimal) -> str:
    return str((bid * Decimal("0.5")).quantize(Decimal("0.01")))


async def test_an_order_via_one_worker_fills_once_and_reaches_a_socket_on_the_other(postgres_url, tmp_path):
    async with running_cluster(postgres_url, REDIS_URL, tmp_path) as cluster, httpx.AsyncClient(timeout=20) as http:
        a, b = cluster.workers
        headers = await sign_up(http, a.base_url, "cluster-1@example.com")
        async with websockets.connect(socket_url(b.base_url, headers)) as on_b:
            placed = await http.post(f"{a.base_url}/api/trading/orders", headers=headers,
                                     json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.002"})
            assert placed.status_code in (200, 201), placed.text
            order_id = placed.json()["orderId"]
            filled = await next_update(on_b, orderId=order_id, status="FILLED")
            assert filled["side"] == "BUY" and Decimal(filled["quantity"]) == Decimal("0.002")

        # Both workers see the same single order, its fills adding up to what was bought once.
        for worker in (a, b):
            orders = (await http.get(f"{worker.base_url}/api/trading/orders", headers=headers)).json()
            assert [(o["orderId"], o["status"]) for o in orders] == [(order_id, "FILLED")]
        held = [[(x["asset"], x["free"], x["locked"], x["total"]) for x in
                 (await http.get(f"{w.base_url}/api/trading/balance", headers=headers)).json()["balances"]]
                for w in (a, b)]
        assert held[0] == held[1]  # (their USDT values follow the moving price: not compared)
        btc = dict(zip(("asset", "free", "locked", "total"), next(x for x in held[0] if x[0] == "BTC")))
        # Starting 0.1 BTC, plus 0.002 less the 0.1 % fee taken in BTC: the fill counted once.
        assert Decimal(btc["total"]) == Decimal("0.1") + Decimal("0.002") * Decimal("0.999")


async def test_an_order_placed_via_one_worker_is_cancelled_via_the_other(postgres_url, tmp_path):
    async with running_cluster(postgres_url, REDIS_URL, tmp_path) as cluster, httpx.AsyncClient(timeout=20) as http:
        a, b = cluster.workers
        headers = await sign_up(http, b.base_url, "cluster-2@example.com")
        price = far_below(await best_bid(http, a.base_url))
        async with websockets.connect(socket_url(a.base_url, headers)) as on_a:
            placed = await http.post(f"{a.base_url}/api/trading/orders", headers=headers,
                                     json={"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.001",
                                           "price": price, "timeInForce": "GTC"})
            order_id = placed.json()["orderId"]
            await next_update(on_a, orderId=order_id, status="NEW")
            cancelled = await http.delete(f"{b.base_url}/api/trading/orders/{order_id}", headers=headers)
            assert cancelled.status_code == 200, cancelled.text
            await next_update(on_a, orderId=order_id, status="CANCELED")
        again = await http.delete(f"{a.base_url}/api/trading/orders/{order_id}", headers=headers)
        assert again.status_code in (400, 404)  # the engine knows it is closed: -2011, not a second cancel
        usdt = next(x for x in (await http.get(f"{a.base_url}/api/trading/balance", headers=headers)).json()["balances"]
                    if x["asset"] == "USDT")
        assert Decimal(usdt["locked"]) == 0 and Decimal(usdt["free"]) == Decimal("10000")


async def test_when_the_leader_is_killed_the_other_worker_takes_over_and_nothing_is_lost(postgres_url, tmp_path):
    async with running_cluster(postgres_url, REDIS_URL, tmp_path) as cluster, httpx.AsyncClient(timeout=20) as http:
        leader = await cluster.leader_worker()
        survivor = next(worker for worker in cluster.workers if worker is not leader)
        headers = await sign_up(http, survivor.base_url, "cluster-3@example.com")
        price = far_below(await best_bid(http, survivor.base_url))
        resting = []
        for index in range(3):
            placed = await http.post(f"{survivor.base_url}/api/trading/orders", headers=headers,
                                     json={"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.001",
                                           "price": price, "timeInForce": "GTC", "clientOrderId": f"rest-{index}"})
            assert placed.status_code in (200, 201), placed.text
            resting.append(placed.json()["orderId"])

        leader.kill()
        await leader.process.wait()

        # The survivor takes the lease once it expires; meanwhile an order is either placed
        # or refused with a clear, retryable error, and a retry with its client order id is safe.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        order = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001", "clientOrderId": "after-kill"}
        async with websockets.connect(socket_url(survivor.base_url, headers)) as socket:  # opened leaderless
            while True:
                response = await http.post(f"{survivor.base_url}/api/trading/orders", headers=headers, json=order)
                if response.status_code in (200, 201):
                    break
                assert response.status_code in (503, 504), response.text
                assert loop.time() < deadline, "no worker took the engine over"
                await asyncio.sleep(0.2)
            after_kill = response.json()["orderId"]
            # What the dead leader had not sent is lost: the new leader tells every worker,
            # and each tells its sockets to reconnect and reload (1013).
            with pytest.raises(websockets.ConnectionClosed) as told:
                async with asyncio.timeout(30):
                    while True:
                        await socket.recv()
            assert told.value.rcvd.code == 1013
        async with websockets.connect(socket_url(survivor.base_url, headers)) as socket:
            retried = await http.post(f"{survivor.base_url}/api/trading/orders", headers=headers, json=order)
            assert retried.json()["orderId"] == after_kill and retried.json()["status"] == "FILLED"

            orders = (await http.get(f"{survivor.base_url}/api/trading/orders", headers=headers)).json()
            assert sorted(o["orderId"] for o in orders) == sorted([*resting, after_kill])
            open_ids = [o["orderId"] for o in orders if o["status"] == "NEW"]
            assert sorted(open_ids) == sorted(resting)

            # The restored engine still holds the resting orders (and their locked funds): they cancel.
            cancelled = await http.delete(f"{survivor.base_url}/api/trading/orders/{resting[0]}", headers=headers)
            assert cancelled.status_code == 200, cancelled.text
            await next_update(socket, orderId=resting[0], status="CANCELED")
        fills = (await http.get(f"{survivor.base_url}/api/trading/trades", headers=headers)).json()
        assert {f["orderId"] for f in fills} == {after_kill}  # the retry did not fill a second time
        assert sum(Decimal(f["quantity"]) for f in fills) == Decimal("0.001")
        balances = {x["asset"]: x for x in (await http.get(f"{survivor.base_url}/api/trading/balance",
                                                           headers=headers)).json()["balances"]}
        assert Decimal(balances["USDT"]["locked"]) == 2 * Decimal("0.001") * Decimal(price)
        assert Decimal(balances["BTC"]["total"]) == Decimal("0.1") + Decimal("0.001") - sum(
            Decimal(f["commission"]) for f in fills)
        assert (await cluster.leader_worker()) is survivor
