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
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.domain.requests import OrderRequest
from numatix.exchange.cluster import Channels, ClusterVenue, CommandClient, EngineServer
from tests.support.redis_server import REDIS_URL, needs_redis
from tests.unit.exchange.helpers import SYMBOL, make_exchange

pytestmark = needs_redis
HANG_GUARD = 20.0  # only so a subscription that never comes back fails instead of hanging

LIMIT = OrderRequest(SYMBOL, Side.BUY, OrderType.LIMIT, quantity=D("0.01"), price=D("49000"),
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


@pytest.fixture
async def far_venue(channels):
    """A worker that does not run the engine: every call goes over Redis."""
    client = CommandClient(REDIS_URL, channels, timeout=1.0)
    await client.start()
    yield ClusterVenue(client, {SYMBOL: DEFAULT_SYMBOLS[SYMBOL]})
    await client.stop()


async def serving(channels, exchange, may_act=lambda: True) -> EngineServer:
    server = EngineServer(REDIS_URL, channels, exchange, may_act)
    exchange.add_listener(server.on_venue_event)
    await server.start()
    return server


async def next_event(subscription, timeout: float = 5.0):
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
                await far_venue.submit(7, OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, quantity=D("1000")))
            assert rejected.value.code == -2010

            canceled = await far_venue.cancel(7, SYMBOL, client_order_id="far-1")
            assert canceled.status.value == "CANCELED" and canceled.original_client_order_id == "far-1"
            with pytest.raises(OrderNotFound):  # the same cancel again: the engine knows it is closed
                await far_venue.cancel(7, SYMBOL, client_order_id="far-1")
            assert await exchange.open_orders(7) == []
            assert len(await exchange.all_orders(7)) == 1  # placed once, whatever crossed the wire
    finally:
        await server.stop()


async def test_without_a_leader_nothing_runs_and_the_caller_gets_a_retryable_error(far_venue):
    with pytest.raises(TransientVenueError) as refused:
        await far_venue.submit(7, LIMIT)
    assert "try again" in refused.value.message and refused.value.retry_after


async def test_a_leader_whose_lease_may_have_lapsed_refuses_and_does_not_act(channels, far_venue):
    exchange = make_exchange()
    server = await serving(channels, exchange, may_act=lambda: False)
    try:
        with pytest.raises(TransientVenueError):
            await far_venue.submit(7, LIMIT)
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
                                                            price=D("49000"), time_in_force=TimeInForce.GTC,
                                                            client_order_id=f"handover-{attempt}"))
            assert placed.client_order_id == f"handover-{attempt}"
        assert len(await taking_over.open_orders(7)) == 5 and await stepping_down.all_orders(7) == []
    finally:
        await old.stop()
        await new.stop()


async def test_a_command_delivered_but_never_answered_is_outcome_unknown_naming_the_order(channels, far_venue):
    silent = redis.from_url(REDIS_URL)  # a leader that took the command and died before answering
    listening = silent.pubsub()
    await listening.subscribe(channels.commands)
    try:
        with pytest.raises(OutcomeUnknown) as unknown:
            await far_venue.submit(7, LIMIT)
        assert unknown.value.client_order_id == "far-1"
        with pytest.raises(TransientVenueError):  # a read that got no answer is just retried
            await far_venue.balances(7)
    finally:
        await listening.aclose()
        await silent.aclose()


async def test_the_leader_calls_its_own_engine_directly_and_the_others_forward(channels, far_venue):
    exchange = make_exchange()
    events = []
    far_venue.add_listener(events.append)
    far_venue.attach(exchange)  # no server: a direct call is the only way this can work
    placed = await far_venue.submit(7, LIMIT)
    assert [e.client_order_id for e in events if hasattr(e, "client_order_id")] == ["far-1"]
    far_venue.detach()
    with pytest.raises(TransientVenueError):  # detached, with no leader anywhere
        await far_venue.cancel(7, SYMBOL, venue_order_id=placed.venue_order_id)


async def test_a_worker_whose_redis_connection_dropped_subscribes_again_and_gets_replies(channels, far_venue):
    exchange = make_exchange()
    server = await serving(channels, exchange)
    admin = redis.from_url(REDIS_URL)
    try:
        assert await far_venue.balances(7) == await exchange.balances(7)
        listed = await admin.client_list()
        mine = [c["id"] for c in listed if c["name"] == far_venue._client.client_name and "P" in c["flags"]]
        assert mine  # its subscription connection (replies and reports)
        for client_id in mine:
            await admin.execute_command("CLIENT", "KILL", "ID", client_id)
        async with asyncio.timeout(HANG_GUARD):
            while True:  # the first calls may time out while it reconnects; never for good
                try:
                    placed = await far_venue.submit(7, LIMIT)
                    break
                except TransientVenueError:
                    pass
                except OutcomeUnknown:  # it ran, the reply was lost: look it up, as a caller would
                    placed = None
                    break
        order = await far_venue.query_order(7, SYMBOL, "far-1")
        assert placed is None or placed.venue_order_id == order.venue_order_id
        assert len(await exchange.all_orders(7)) == 1
    finally:
        await admin.aclose()
        await server.stop()
