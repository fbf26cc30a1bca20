"""Two cluster nodes in one process on the real Redis and one database: the engine runs on
one of them, the other forwards to it, and when the leader leaves the other takes the
engine over from the database and tells every worker, so readers can resync."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal as D

import redis.asyncio as redis

from numatix.config import load_settings
from numatix.domain.enums import OrderType, Side, TimeInForce
from numatix.domain.errors import TransientVenueError
from numatix.domain.requests import OrderRequest
from numatix.services.cluster import ClusterNode
from numatix.services.runtime import paper_exchange
from numatix.store.db import make_engine
from numatix.store.paper_repository import SqlPaperStore
from tests.support.database import migrated_sqlite_url
from tests.support.redis_server import REDIS_URL, needs_redis

pytestmark = needs_redis
HANG_GUARD = 30.0


async def until(condition) -> None:
    async with asyncio.timeout(HANG_GUARD):
        while not condition():
            await asyncio.sleep(0.02)


def cluster_settings(tmp_path):
    url = migrated_sqlite_url(tmp_path)
    return load_settings({"NUMATIX_DATA_DIR": str(tmp_path), "NUMATIX_DATABASE_URL": url,
                          "NUMATIX_REDIS_URL": REDIS_URL,
                          "NUMATIX_CLUSTER_NAME": f"test-{uuid.uuid4().hex[:10]}",
                          "NUMATIX_MARKET_DATA": "synthetic", "NUMATIX_SYMBOLS": "BTCUSDT",
                          "NUMATIX_PAPER_LATENCY_MS": "0", "NUMATIX_ENGINE_LEASE_SECONDS": "1"},
                         tmp_path / "no.env")


async def forget_cluster(settings) -> None:
    client = redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(f"{settings.cluster_name}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_the_engine_moves_to_the_other_node_with_its_open_orders_and_everyone_hears_of_it(tmp_path):
    settings = cluster_settings(tmp_path)
    url = settings.database_url
    database = make_engine(url)
    first = ClusterNode(settings, lambda: paper_exchange(settings, database, settings.symbols))
    second = ClusterNode(settings, lambda: paper_exchange(settings, database, settings.symbols))
    changes = {"first": 0, "second": 0}
    first.on_leader_change(lambda: changes.__setitem__("first", changes["first"] + 1))
    second.on_leader_change(lambda: changes.__setitem__("second", changes["second"] + 1))
    await first.start()
    await until(lambda: first.venue.leads and changes["first"] == 1)
    await second.start()
    try:
        assert not second.venue.leads
        market = first._engine_hub  # the leader's own market, the one its engine matches on
        await until(lambda: market.snapshot("BTCUSDT").last_trade is not None)
        price = (market.snapshot("BTCUSDT").last_trade.price * D("0.9")).quantize(D("0.01"))
        request = OrderRequest("BTCUSDT", Side.BUY, OrderType.LIMIT, quantity=D("0.001"), price=price,
                               time_in_force=TimeInForce.GTC, client_order_id="moves-1")
        placed = await second.venue.submit(7, request)  # forwarded to the first node's engine
        assert [o.client_order_id for o in await first.venue.open_orders(7)] == ["moves-1"]

        await first.stop()  # a clean stop hands the lease over at once
        await until(lambda: second.venue.leads and changes["second"] == 1)
        restored = await second.venue.open_orders(7)  # the new engine, from the database
        assert [(o.venue_order_id, o.client_order_id) for o in restored] == [(placed.venue_order_id, "moves-1")]
        balances = await second.venue.balances(7)
        assert balances["USDT"].locked == D("0.001") * price  # its funds are still held for it
        assert (await second.venue.cancel(7, "BTCUSDT", client_order_id="moves-1")).status.value == "CANCELED"
    finally:
        await second.stop()
        await first.stop() if first.venue.leads else None
        await forget_cluster(settings)
        database.dispose()


async def test_a_leader_whose_books_another_engine_claimed_steps_down_and_the_other_node_takes_over(tmp_path):
    """Whatever its lease says: the first write its engine tries is refused by the database,
    and it stops, hands the lease back and lets the other node in."""
    settings = cluster_settings(tmp_path)
    database = make_engine(settings.database_url)
    first = ClusterNode(settings, lambda: paper_exchange(settings, database, settings.symbols))
    second = ClusterNode(settings, lambda: paper_exchange(settings, database, settings.symbols))
    await first.start()
    await until(lambda: first.venue.leads)
    await second.start()
    try:
        SqlPaperStore(database).claim()  # a newer engine, elsewhere (a split brain, say)
        request = OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, quantity=D("0.001"),
                               client_order_id="after")
        async with asyncio.timeout(HANG_GUARD):
            while True:  # refused (it did nothing) until the other node runs the engine
                try:
                    placed = await first.venue.submit(7, request)
                    break
                except TransientVenueError:
                    await asyncio.sleep(0.1)
        await until(lambda: second.venue.leads and not first.venue.leads)
        assert not first.leadership.leading
        assert placed.client_order_id == "after"  # (FILLED, or EXPIRED if the new engine had no book yet)
        assert [o.client_order_id for o in SqlPaperStore(database).load_orders(7)] == ["after"]
    finally:
        await second.stop()
        await first.stop()
        await forget_cluster(settings)
        database.dispose()
