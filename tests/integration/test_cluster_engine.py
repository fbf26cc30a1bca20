"""The engine leader's command server and another worker's ``ClusterVenue``, over the real
Redis: calls run once on the one engine, errors come back as the engine raised them, and
without a leader (or with one that may not act) nothing runs and the caller is told."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal as D

import pytest
import redis.asyncio as redis

from numatix.domain.enums import OrderType, Side, TimeInForce
from numatix.domain.errors import OrderNotFound, OrderRejected, OutcomeUnknown, TransientVenueError
from numatix.domain.requests import OrderRequest
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.exchange.cluster import Channels, ClusterVenue, CommandClient, EngineServer
from numatix.store.db import make_engine
from numatix.store.paper_repository import SqlPaperStore
from tests.support.chaos import TcpProxy
from tests.support.database import migrated_sqlite_url
from tests.support.redis_server import REDIS_URL, needs_redis
from tests.unit.exchange.helpers import SYMBOL, make_exchange

pytestmark = needs_redis
HANG_GUARD = 60.0  # only so a subscription that never comes back fails instead of hanging

LIMIT = OrderRequest(SYMBOL, Side.BUY, OrderType.LIMIT, quantity=D("0.01"), price=D(49000),
                     time_in_force=TimeInForce.GTC, client_order_id="far-1")


@pytest.fixture
async def channels():
    channels = Channels(f"test-{uuid.uuid4().hex[:10]}:cluster:")
    yield channels
    client = redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(f"{channels.prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def worker_venue(channels, timeout: float):
    """A worker that does not run the engine: every call goes over Redis."""
    client = CommandClient(REDIS_URL, channels, timeout=timeout)
    await client.start()
    yield ClusterVenue(client, {SYMBOL: DEFAULT_SYMBOLS[SYMBOL]})
    await client.stop()


@pytest.fixture
async def far_venue(channels):
    """For calls that must be answered: a busy machine may take seconds to relay one."""
    async for venue in worker_venue(channels, timeout=HANG_GUARD / 2):
        yield venue


@pytest.fixture
async def impatient_venue(channels):
    """For calls nobody (able to) answers: each ends after 3 s, however idle the machine (with 1 s,
    a starved machine's PUBLISH alone took longer: an unknown outcome, not the refusal tested)."""
    async for venue in worker_venue(channels, timeout=3.0):
        yield venue


async def serving(channels, exchange, may_act=lambda: True) -> EngineServer:
    server = EngineServer(REDIS_URL, channels, exchange, may_act)
    exchange.add_listener(server.on_venue_event)
    await server.start()
    return server


async def next_event(subscription, timeout: float = HANG_GUARD):
    return await asyncio.wait_for(subscription.__anext__(), timeout)


async def test_calls_from_another_worker_run_once_on_the_engine_and_its_reports_reach_it(channels, far_venue):
    exchange = make_exchange()
    server = await serving(channels, exchange)
    try:
        async with far_venue.reports(7) as reports:
            placed = await far_venue.submit(7, LIMIT)
            assert placed.client_order_id == "far-1" and placed.venue_order_id is not None
            assert [o.client_order_id for o in await exchange.open_orders(7)] == ["far-1"]
            assert await far_venue.open_orders(7) == await exchange.open_orders(7)
            assert await far_venue.balances(7) == await exchange.balances(7)
            first = await next_event(reports)
            assert first.account == 7 and getattr(first, "client_order_id", None) == "far-1"

            with pytest.raises(OrderRejected) as rejected:
                await far_venue.submit(7, OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, quantity=D(1000)))
            assert rejected.value.code == -2010

            canceled = await far_venue.cancel(7, SYMBOL, client_order_id="far-1")
            assert canceled.status.value == "CANCELED" and canceled.original_client_order_id == "far-1"
            with pytest.raises(OrderNotFound):  # the same cancel again: the engine knows it is closed
                await far_venue.cancel(7, SYMBOL, client_order_id="far-1")
            assert await exchange.open_orders(7) == []
            assert len(await exchange.all_orders(7)) == 1  # placed once, whatever crossed the wire
    finally:
        await server.stop()


async def test_without_a_leader_nothing_runs_and_the_caller_gets_a_retryable_error(impatient_venue):
    with pytest.raises(TransientVenueError) as refused:
        await impatient_venue.submit(7, LIMIT)
    assert "try again" in refused.value.message and refused.value.retry_after


async def test_a_leader_whose_lease_may_have_lapsed_refuses_and_does_not_act(channels, impatient_venue):
    exchange = make_exchange()
    server = await serving(channels, exchange, may_act=lambda: False)
    try:
        with pytest.raises(TransientVenueError):
            await impatient_venue.submit(7, LIMIT)
        assert await exchange.all_orders(7) == []
    finally:
        await server.stop()


async def test_during_a_handover_the_refusal_of_the_old_leader_does_not_hide_the_new_ones_answer(channels,
                                                                                                  far_venue):
    stepping_down, taking_over = make_exchange(), make_exchange()
    submit_now = taking_over.submit

    async def submit_a_little_later(account, request):  # so the refusal surely comes back first
        await asyncio.sleep(0.05)
        return await submit_now(account, request)
    taking_over.submit = submit_a_little_later
    old = await serving(channels, stepping_down, may_act=lambda: False)  # both subscribed for a moment
    new = await serving(channels, taking_over)
    try:
        for attempt in range(5):
            placed = await far_venue.submit(7, OrderRequest(SYMBOL, Side.BUY, OrderType.LIMIT, quantity=D("0.01"),
                                                            price=D(49000), time_in_force=TimeInForce.GTC,
                                                            client_order_id=f"handover-{attempt}"))
            assert placed.client_order_id == f"handover-{attempt}"
        assert len(await taking_over.open_orders(7)) == 5 and await stepping_down.all_orders(7) == []
    finally:
        await old.stop()
        await new.stop()


async def test_a_command_delivered_but_never_answered_is_outcome_unknown_naming_the_order(channels,
                                                                                          impatient_venue):
    silent = redis.from_url(REDIS_URL)  # a leader that took the command and died before answering
    listening = silent.pubsub()
    await listening.subscribe(channels.commands)
    try:
        with pytest.raises(OutcomeUnknown) as unknown:
            await impatient_venue.submit(7, LIMIT)
        assert unknown.value.client_order_id == "far-1"
        with pytest.raises(TransientVenueError):  # a read that got no answer is just retried
            await impatient_venue.balances(7)
    finally:
        await listening.aclose()
        await silent.aclose()


async def test_the_leader_calls_its_own_engine_directly_and_the_others_forward(impatient_venue):
    exchange = make_exchange()
    events = []
    impatient_venue.add_listener(events.append)
    impatient_venue.attach(exchange)  # no server: a direct call is the only way this can work
    placed = await impatient_venue.submit(7, LIMIT)
    assert [e.client_order_id for e in events if hasattr(e, "client_order_id")] == ["far-1"]
    impatient_venue.detach()
    with pytest.raises(TransientVenueError):  # detached, with no leader anywhere
        await impatient_venue.cancel(7, SYMBOL, venue_order_id=placed.venue_order_id)


@pytest.fixture
async def quick_venue(channels):
    """For calls that may be lost and are tried again: each given up after 5 s."""
    async for venue in worker_venue(channels, timeout=5.0):
        yield venue


async def test_a_worker_whose_redis_connection_dropped_subscribes_again_and_gets_replies(channels, quick_venue):
    exchange = make_exchange()
    server = await serving(channels, exchange)
    admin = redis.from_url(REDIS_URL)
    try:
        assert await quick_venue.balances(7) == await exchange.balances(7)
        listed = await admin.client_list()
        mine = [c["id"] for c in listed if c["name"] == quick_venue._client.client_name and "P" in c["flags"]]
        assert mine  # its subscription connection (replies and reports)
        for client_id in mine:
            await admin.execute_command("CLIENT", "KILL", "ID", client_id)
        async with asyncio.timeout(HANG_GUARD):
            while True:  # the first calls may time out while it reconnects; never for good
                try:
                    placed = await quick_venue.submit(7, LIMIT)
                    break
                except TransientVenueError:
                    pass
                except OutcomeUnknown:  # it ran, the reply was lost: look it up, as a caller would
                    placed = None
                    break
        order = await quick_venue.query_order(7, SYMBOL, "far-1")
        assert placed is None or placed.venue_order_id == order.venue_order_id
        assert len(await exchange.all_orders(7)) == 1
    finally:
        await admin.aclose()
        await server.stop()


async def test_an_engine_fenced_out_by_a_newer_one_refuses_and_the_newer_one_answers(channels, far_venue,
                                                                                      tmp_path):
    """Both still subscribed, both believing they lead (a paused leader woke up): the database
    refuses the old engine's step, so it refuses the command, and the new engine runs it once."""
    database = make_engine(migrated_sqlite_url(tmp_path))
    try:
        fenced = make_exchange(SqlPaperStore(database))
        told = []
        fenced.on_deposed(lambda: told.append("deposed"))
        newest = make_exchange(SqlPaperStore(database))  # claimed the books after it
        old, new = await serving(channels, fenced), await serving(channels, newest)
        try:
            for attempt in range(3):
                request = OrderRequest(SYMBOL, Side.BUY, OrderType.LIMIT, quantity=D("0.01"), price=D(49000),
                                       time_in_force=TimeInForce.GTC, client_order_id=f"fenced-{attempt}")
                assert (await far_venue.submit(7, request)).client_order_id == f"fenced-{attempt}"
            async with asyncio.timeout(HANG_GUARD):  # it tried too (its answer may come after the other's)
                while not told:
                    await asyncio.sleep(0.01)
            assert told == ["deposed"]
            stored = SqlPaperStore(database).load_orders(7)
            assert sorted(o.client_order_id for o in stored) == ["fenced-0", "fenced-1", "fenced-2"]
            assert len(await newest.open_orders(7)) == 3
        finally:
            await old.stop()
            await new.stop()
    finally:
        database.dispose()


async def test_the_leaders_own_call_to_an_engine_fenced_out_goes_to_the_newer_one(channels, far_venue,
                                                                                   tmp_path):
    database = make_engine(migrated_sqlite_url(tmp_path))
    try:
        fenced = make_exchange(SqlPaperStore(database))
        far_venue.attach(fenced)  # this worker still believes it leads
        newest = make_exchange(SqlPaperStore(database))
        server = await serving(channels, newest)
        try:
            placed = await far_venue.submit(7, LIMIT)
            assert [o.venue_order_id for o in await newest.open_orders(7)] == [placed.venue_order_id]
            assert [o.client_order_id for o in SqlPaperStore(database).load_orders(7)] == ["far-1"]
        finally:
            far_venue.detach()
            await server.stop()
    finally:
        database.dispose()


async def test_a_worker_whose_redis_went_silent_gets_an_answer_by_the_deadline(channels):
    """Packets dropped, no reset: the publish itself never returns. The caller is told by the
    command's deadline (the order may have reached Redis: outcome unknown), not left waiting."""
    proxy = TcpProxy("127.0.0.1", int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])).start()
    client = CommandClient(proxy.url_for(REDIS_URL), channels, timeout=1.0)
    await client.start()
    venue = ClusterVenue(client, {SYMBOL: DEFAULT_SYMBOLS[SYMBOL]})
    try:
        proxy.silence()
        async with asyncio.timeout(HANG_GUARD):
            with pytest.raises(OutcomeUnknown) as unknown:
                await venue.submit(7, LIMIT)
            assert unknown.value.client_order_id == "far-1"
            with pytest.raises(TransientVenueError):
                await venue.balances(7)
    finally:
        proxy.restore()
        await client.stop()
        proxy.close()
