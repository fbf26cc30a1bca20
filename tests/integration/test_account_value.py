"""The account-value curve on a real database: a point per fill and per sample, never twice,
one sampler per interval however many workers run it, and a takeover when the claimer dies."""

from __future__ import annotations

import asyncio
from decimal import Decimal as D

import pytest

from numatix.domain.account_value import DAY_MS, KeyedPoint, PointKind, ValuePoint
from numatix.domain.requests import OrderRequest
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.services.account_value import AccountValueService
from numatix.services.events import EventBus
from numatix.services.portfolio import PortfolioService
from numatix.services.trading import TradingService
from numatix.store.db import make_engine, session_scope
from numatix.store.tables.accounts import UserRow
from numatix.store.value_repository import SqlValueStore
from tests.unit.exchange.helpers import make_exchange

HOUR = 3_600_000
START = 20_000 * DAY_MS + 10 * HOUR  # 10:00 UTC on some day
USERS = (1, 2, 3)


class Clock:
    def __init__(self, now: int = START) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        for n in USERS:
            session.add(UserRow(id=n, email=f"u{n}@example.com", password_hash="x", created_time_ms=0,
                                password_changed_ms=0))
    yield engine
    engine.dispose()


def fixed_values(values: dict[int, D | None]):
    async def value_of(user_id: int) -> D | None:
        return values.get(user_id, D(1000))
    return value_of


def test_a_point_is_stored_once_whoever_writes_it_again(engine):
    store = SqlValueStore(engine)
    point = KeyedPoint(1, ValuePoint(START, D("10000.5"), PointKind.FILL), "fill:BTCUSDT:7")
    assert store.add([point]) == 1
    assert store.add([point, KeyedPoint(1, ValuePoint(START + 5, D(1), PointKind.FILL), "fill:BTCUSDT:7")]) == 0
    assert store.add([KeyedPoint(2, point.point, "fill:BTCUSDT:7")]) == 1  # another user's own point
    assert store.points(1, 0, START + HOUR, 100) == [point.point]


def test_points_come_oldest_first_the_newest_when_limited_and_the_one_before_a_time(engine):
    store = SqlValueStore(engine)
    store.add([KeyedPoint(1, ValuePoint(START + n * HOUR, D(n), PointKind.SAMPLE), f"sample:{n}") for n in range(5)])
    assert [p.value for p in store.points(1, START + HOUR, START + 3 * HOUR, 100)] == [1, 2, 3]
    assert [p.value for p in store.points(1, 0, START + 9 * HOUR, 2)] == [3, 4]
    assert store.point_before(1, START + 2 * HOUR).value == 1
    assert store.point_before(1, START) is None


def test_a_bucket_is_claimed_by_one_worker_until_done_or_its_claim_runs_out(engine):
    store = SqlValueStore(engine)
    assert store.claim(START, "a", START, 60_000)
    assert not store.claim(START, "b", START + 1_000, 60_000)  # a's claim is live
    assert store.claim(START, "a", START + 2_000, 60_000)  # a may renew its own
    assert store.claim(START, "b", START + 70_000, 60_000)  # a went quiet: b takes over
    store.finish(START, "a")  # a's late finish does not close b's bucket
    assert store.claim(START, "b", START + 80_000, 60_000)
    store.finish(START, "b")
    assert not store.claim(START, "a", START + 10 * HOUR, 60_000)  # done is done


async def test_several_workers_sampling_at_once_store_one_point_per_user_per_interval(engine):
    clock = Clock()
    workers = [AccountValueService(SqlValueStore(engine), fixed_values({}), worker=f"w{n}", clock_ms=clock)
               for n in range(3)]
    stored = await asyncio.gather(*(w.sample_due() for w in workers))
    assert sum(stored) == len(USERS) and sorted(stored)[:2] == [0, 0]
    assert sum(await asyncio.gather(*(w.sample_due() for w in workers))) == 0  # same hour: nothing more
    clock.now += HOUR
    assert sum(await asyncio.gather(*(w.sample_due() for w in workers))) == len(USERS)
    points = SqlValueStore(engine).points(1, 0, clock.now, 100)
    assert [(p.time_ms, p.kind) for p in points] == [(START, PointKind.SAMPLE), (START + HOUR, PointKind.SAMPLE)]


async def test_a_worker_that_dies_mid_interval_is_replaced_once_its_claim_runs_out(engine):
    clock = Clock()
    store = SqlValueStore(engine)
    assert store.claim(START, "dead", START, 60_000)  # claimed, then died before sampling anyone
    survivor = AccountValueService(store, fixed_values({}), worker="alive", clock_ms=clock)
    assert await survivor.sample_due() == 0
    clock.now += 61_000
    assert await survivor.sample_due() == len(USERS)


async def test_a_wallet_that_cannot_be_valued_gets_no_point_rather_than_a_wrong_one(engine):
    service = AccountValueService(SqlValueStore(engine), fixed_values({2: None}), worker="w", clock_ms=Clock())
    assert await service.sample_due() == len(USERS) - 1
    assert SqlValueStore(engine).points(2, 0, START + HOUR, 10) == []


async def test_every_fill_gets_a_point_valued_after_it_once_even_when_two_workers_see_it(engine):
    exchange = make_exchange()
    trading = TradingService(exchange, EventBus())
    portfolio = PortfolioService(exchange, {"BTCUSDT": D(50000), "ETHUSDT": D(3000), "BNBUSDT": D(600)}.get,
                                 DEFAULT_SYMBOLS)
    services = [AccountValueService(SqlValueStore(engine), portfolio.complete_value_usdt, worker=f"w{n}",
                                    settle_seconds=0) for n in range(2)]
    for service in services:
        exchange.add_listener(service.on_venue_event)
    report = await trading.place_order(1, OrderRequest("BTCUSDT", "BUY", "MARKET", quantity="0.03"))
    await asyncio.gather(*(service.settled() for service in services))
    fills = await trading.fills(1)
    assert len(fills) == 2  # the book's two best asks
    points = SqlValueStore(engine).points(1, 0, 2**62, 100)
    assert len(points) == 2 and all(p.kind is PointKind.FILL for p in points)
    assert {p.time_ms for p in points} == {report.transaction_time_ms}
    assert points[0].value == await portfolio.complete_value_usdt(1)
    assert SqlValueStore(engine).points(2, 0, 2**62, 100) == []  # nobody else's curve moved


async def test_a_reset_adds_a_reset_point_and_the_curve_ends_with_the_value_now(engine):
    exchange = make_exchange()
    portfolio = PortfolioService(exchange, {"BTCUSDT": D(50000), "ETHUSDT": D(3000), "BNBUSDT": D(600)}.get,
                                 DEFAULT_SYMBOLS)
    clock = Clock()
    service = AccountValueService(SqlValueStore(engine), portfolio.complete_value_usdt, worker="w", clock_ms=clock)
    portfolio.on_wallet_reset(service.record_reset)
    await service.sample_due()
    clock.now += 1_000
    await portfolio.reset_wallet(1)
    clock.now += 1_000
    series = await service.series(1, 0)
    assert [p.kind for p in series] == [PointKind.SAMPLE, PointKind.RESET, PointKind.LIVE]
    worth = D(10000) + D("0.1") * 50000 + 1 * 3000 + 10 * 600
    assert [p.value for p in series] == [worth] * 3
    assert [p.kind for p in await service.series(1, 0, START)] == [PointKind.SAMPLE]  # a past range: no live point


async def test_daily_pnl_counts_from_the_last_point_before_the_range(engine):
    store = SqlValueStore(engine)
    clock = Clock(START + 2 * DAY_MS)
    store.add([KeyedPoint(1, ValuePoint(START - 5 * DAY_MS, D(900), PointKind.SAMPLE), "a"),
               KeyedPoint(1, ValuePoint(START, D(1000), PointKind.SAMPLE), "b"),
               KeyedPoint(1, ValuePoint(START + DAY_MS, D(1100), PointKind.SAMPLE), "c")])
    service = AccountValueService(store, fixed_values({1: D(1050)}), worker="w", clock_ms=clock)
    bars = await service.daily(1, days=3)
    assert [(b.day_start_ms, b.pnl) for b in bars] == [
        (START - 10 * HOUR, D(100)), (START - 10 * HOUR + DAY_MS, D(100)), (START - 10 * HOUR + 2 * DAY_MS, D(-50))]
