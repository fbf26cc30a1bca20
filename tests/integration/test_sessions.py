"""Sessions over a real database (and Redis between workers): a cheap check that still
never lets an ended session act, in this worker or any other."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import update

from numatix.security.tokens import TokenService
from numatix.services.errors import AuthenticationRequired, NotFound
from numatix.services.event_codec import decode, encode
from numatix.services.events import EventBus
from numatix.services.redis_events import RedisEventBus
from numatix.services.sessions import RECHECK_SECONDS, SESSIONS_TOPIC, SessionsEnded, SessionService
from numatix.store.accounts_repository import SqlAccountStore
from numatix.store.db import make_engine
from numatix.store.tables.accounts import SessionRow, UserRow
from tests.support.redis_server import REDIS_URL, needs_redis

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


class Clocks:
    def __init__(self) -> None:
        self.wall, self.steady = 1_800_000_000.0, 1000.0

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.steady += seconds


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def new_user(engine, email: str = "") -> int:
    from numatix.store.db import session_scope

    with session_scope(engine) as session:
        user = UserRow(email=email or f"u-{uuid.uuid4().hex[:8]}@example.com", password_hash="x",
                       created_time_ms=1, password_changed_ms=1)
        session.add(user)
        session.flush()
        return user.id


def service(engine, clocks: Clocks, events=None) -> SessionService:
    tokens = TokenService("t" * 64, ttl_seconds=3600, clock=lambda: clocks.wall)
    return SessionService(SqlAccountStore(engine), tokens, events, clock=lambda: clocks.wall,
                          monotonic=lambda: clocks.steady)


def revoke_behind_its_back(engine, session_id: str) -> None:
    with engine.begin() as connection:
        connection.execute(update(SessionRow).where(SessionRow.id == session_id).values(revoked_time_ms=1))


async def test_a_live_session_is_checked_from_memory_until_the_recheck(engine):
    clocks = Clocks()
    sessions = service(engine, clocks)
    user = new_user(engine)
    token, claims = await sessions.start(user, CHROME, "10.0.0.1")
    assert (await sessions.authenticate(token)).session_id == claims.session_id
    revoke_behind_its_back(engine, claims.session_id)  # not through the service: no news is pushed
    assert await sessions.is_live(user, claims.session_id)  # remembered: no database round trip
    clocks.advance(RECHECK_SECONDS + 1)
    assert not await sessions.is_live(user, claims.session_id)  # asked again: the database says it ended
    assert not await sessions.is_live(user, claims.session_id)


async def test_ending_a_session_is_seen_at_once_and_only_that_one(engine):
    clocks = Clocks()
    sessions = service(engine, clocks)
    user = new_user(engine)
    (first, one), (_, two) = await sessions.start(user), await sessions.start(user)
    assert await sessions.is_live(user, one.session_id) and await sessions.is_live(user, two.session_id)
    await sessions.end_token(first)
    assert not await sessions.is_live(user, one.session_id)
    assert await sessions.is_live(user, two.session_id)
    with pytest.raises(AuthenticationRequired):
        await sessions.authenticate(first)


async def test_everywhere_ends_every_session_but_the_one_kept(engine):
    clocks = Clocks()
    sessions = service(engine, clocks)
    user, other_user = new_user(engine), new_user(engine)
    ids = [(await sessions.start(user))[1].session_id for _ in range(3)]
    stranger = (await sessions.start(other_user))[1].session_id
    for session_id in ids:
        assert await sessions.is_live(user, session_id)
    await sessions.end_all(user, keep_session_id=ids[0])
    assert [await sessions.is_live(user, s) for s in ids] == [True, False, False]
    await sessions.end_all(user)
    assert not await sessions.is_live(user, ids[0])
    assert await sessions.is_live(other_user, stranger)


async def test_a_session_is_checked_against_its_own_user(engine):
    clocks = Clocks()
    sessions = service(engine, clocks)
    alice, bob = new_user(engine), new_user(engine)
    alices = (await sessions.start(alice))[1].session_id
    assert not await sessions.is_live(bob, alices)
    assert await sessions.is_live(alice, alices)
    assert not await sessions.is_live(bob, alices)  # remembered as Alice's, still not Bob's
    with pytest.raises(NotFound):
        await sessions.end(bob, alices)  # Bob cannot end Alice's session from his list
    assert await sessions.is_live(alice, alices)


async def test_expiry_ends_a_remembered_session(engine):
    clocks = Clocks()
    sessions = service(engine, clocks)
    user = new_user(engine)
    session_id = (await sessions.start(user))[1].session_id
    assert await sessions.is_live(user, session_id)
    clocks.wall += 3601  # the wall clock only: the memory is still fresh, the session is not
    assert not await sessions.is_live(user, session_id)


async def test_the_list_names_devices_and_last_use_and_leaves_out_ended_sessions(engine):
    clocks = Clocks()
    sessions = service(engine, clocks)
    user = new_user(engine)
    laptop = (await sessions.start(user, CHROME, "10.0.0.1"))[1].session_id
    clocks.advance(5)
    script = (await sessions.start(user, "python-httpx/0.28.1", "10.0.0.2"))[1].session_id
    ended = (await sessions.start(user, CHROME))[1].session_id
    await sessions.end(user, ended)
    clocks.advance(RECHECK_SECONDS + 1)
    await sessions.check(user, laptop)  # used again: last seen moves
    listed = await sessions.list_live(user)
    assert [(view.id, view.device, view.address) for view in listed] == [
        (laptop, "Chrome on Linux", "10.0.0.1"), (script, "Python script", "10.0.0.2")]
    assert listed[0].last_seen_ms == int(clocks.wall * 1000) > listed[0].created_ms


async def test_a_lost_message_makes_the_worker_ask_the_database_again(engine):
    clocks = Clocks()
    bus = EventBus()
    sessions = service(engine, clocks, bus)
    user = new_user(engine)
    session_id = (await sessions.start(user))[1].session_id
    assert await sessions.is_live(user, session_id)
    revoke_behind_its_back(engine, session_id)  # as if another worker ended it and the message was lost

    sessions.follow_revocations()
    bus.resync_all()  # what the Redis bus does after it lost Redis
    for _ in range(100):
        if not await sessions.is_live(user, session_id):
            break
        await asyncio.sleep(0.01)
    await sessions.stop()
    assert not await sessions.is_live(user, session_id)


def test_the_news_of_an_ended_session_travels_as_json():
    ended = SessionsEnded(7, None, "keep-this-one", 1_800_000_000_000)
    assert decode(encode(ended)) == ended
    assert ended.covers("another") and not ended.covers("keep-this-one")
    assert SessionsEnded(7, "just-this", None, 1).covers("just-this")
    assert not SessionsEnded(7, "just-this", None, 1).covers("another")


@needs_redis
async def test_a_session_ended_in_one_worker_is_refused_by_another_at_once(database_url):
    """Worker B has seen the session live (and remembers it); worker A ends it. B must
    refuse it as soon as the news arrives, long before its memory would have expired, and
    B's readers of the user's topic (open pages, event sockets) hear of it too."""
    prefix = f"numatix-test-{uuid.uuid4().hex}:"
    engine = make_engine(database_url)
    bus_a, bus_b = RedisEventBus(REDIS_URL, prefix), RedisEventBus(REDIS_URL, prefix)
    await bus_a.start()
    await bus_b.start()
    clocks = Clocks()
    worker_a, worker_b = service(engine, clocks, bus_a), service(engine, clocks, bus_b)
    worker_a.follow_revocations()
    worker_b.follow_revocations()
    try:
        user = new_user(engine)
        token, claims = await worker_a.start(user, CHROME)
        assert (await worker_b.authenticate(token)).session_id == claims.session_id
        page_in_b = bus_b.subscribe(user)
        await worker_a.end_all(user)
        async with asyncio.timeout(5):
            news = await page_in_b.next_batch()
            while await worker_b.is_live(user, claims.session_id):
                await asyncio.sleep(0.01)
        assert any(isinstance(event, SessionsEnded) and event.covers(claims.session_id) for event in news)
        assert clocks.steady == 1000.0  # the memory never went stale: the news did it
        with pytest.raises(AuthenticationRequired):
            await worker_b.authenticate(token)
        assert bus_b.reader_count(SESSIONS_TOPIC) == 1
    finally:
        await worker_a.stop()
        await worker_b.stop()
        await bus_a.stop()
        await bus_b.stop()
        engine.dispose()
