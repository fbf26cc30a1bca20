"""Chaos with two real API workers on PostgreSQL + Redis, while traders place and cancel
orders through both and event sockets on both listen: the engine leader paused (SIGSTOP)
past its lease, the leader cut off from Redis, Redis restarted, the database unreachable.

After each, the same checks as the load benchmark (``tests/support/cluster_checks.py``):
no order lost or stored twice, no order answered 503 stored, every fill counted once,
every balance = start + fills with nothing left locked, every socket got every final
update once (or was told to reload, and its reload showed it); and no request answered
500, no order answered 503 without Retry-After.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from numatix.store.db import make_engine
from tests.support.chaos import RedisServer, TcpProxy, redis_server_installed
from tests.support.cluster_checks import (
    Listener,
    Stats,
    Trader,
    Workers,
    checked_outcome,
    listen,
    sign_up,
    trade,
)
from tests.support.cluster_processes import Cluster, Worker
from tests.support.database import POSTGRES_URL, migrated_database_url
from tests.support.redis_server import REDIS_URL, needs_redis

pytestmark = [
    needs_redis,
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="NUMATIX_TEST_POSTGRES_URL is not set"),
]
HANG_GUARD = 60.0  # only so a cluster that never recovers fails the test instead of hanging it
LEASE_SECONDS = "2"
TRADERS = 4
PROGRESS = 6  # orders acknowledged: enough rounds that every trader went through both workers
SETTLE_SECONDS = 20.0  # after the load: the most the last updates may take to reach the sockets


@pytest.fixture
def postgres_url(tmp_path):
    yield from migrated_database_url("postgres", tmp_path)


async def until(condition: Callable[[], Awaitable[bool]], what: str, timeout: float = HANG_GUARD) -> None:
    """Polled: the conditions are other processes' states."""
    started = asyncio.get_running_loop().time()
    try:
        async with asyncio.timeout(timeout):
            while not await condition():
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"not within {timeout} s: {what}") from None
    print(f"{asyncio.get_running_loop().time() - started:6.1f} s until {what}")


async def engine_of(worker: Worker) -> dict:
    """What the worker says of itself: whether it runs the engine, and its fencing term."""
    async with httpx.AsyncClient(timeout=5) as http:
        try:
            return (await http.get(f"{worker.base_url}/api/health")).json().get("cluster", {})
        except (httpx.HTTPError, ValueError):
            return {}


async def term_of(worker: Worker) -> int:
    """The leader's term, asked until it answers: on a busy machine one health check may time out."""
    term: int | None = None

    async def answered() -> bool:
        nonlocal term
        term = (await engine_of(worker)).get("term")
        return term is not None
    await until(answered, "the leader tells its term")
    assert term is not None
    return term


@asynccontextmanager
async def cluster_of_two(database_url: str, redis_url: str, directory: Path,
                         own: Callable[[int], dict[str, str]] = lambda index: {}):
    """Two workers (lease 2 s), each with ``own(index)`` settings, ready."""
    cluster = Cluster(database_url, redis_url, directory, NUMATIX_ENGINE_LEASE_SECONDS=LEASE_SECONDS)
    try:
        for index in range(2):
            await cluster.add(f"worker-{index}", **own(index)).start()
        await asyncio.gather(*(worker.ready() for worker in cluster.workers))
        yield cluster
    finally:
        await cluster.stop()


class Load:
    """Traders trading through both workers, a reconnecting event socket per trader on each."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.workers = Workers(cluster, connections=TRADERS * 2)
        self.stats = Stats()
        self.traders: list[Trader] = []
        self.listeners: list[Listener] = []
        self._stop_trading = asyncio.Event()
        self._stop_listening = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._trading: list[asyncio.Task] = []

    async def start(self) -> None:
        self.traders = list(await asyncio.gather(*(sign_up(self.workers.pick(i), i) for i in range(TRADERS))))
        connections = []
        for trader in self.traders:
            for index, worker in enumerate(self.cluster.workers):
                listener, connected = Listener(trader, worker=index), asyncio.Event()
                self.listeners.append(listener)
                connections.append(connected.wait())
                self._tasks.append(asyncio.create_task(
                    listen(worker.base_url, listener, connected, self._stop_listening, reconnect=True)))
        await asyncio.gather(*connections)
        self._trading = [asyncio.create_task(trade(t, self.workers, self.stats, self.going_on))
                         for t in self.traders]

    async def avoid(self, worker: Worker) -> None:
        """Trade through the other worker only: what is waiting on this one is given up (its
        orders count as outcome unknown) and every trader starts a new round."""
        self.workers.dead.add(self.cluster.workers.index(worker))
        for task in self._trading:
            task.cancel()
        await asyncio.gather(*self._trading, return_exceptions=True)
        self._trading = [asyncio.create_task(trade(t, self.workers, self.stats, self.going_on))
                         for t in self.traders]

    def rejoin(self) -> None:
        self.workers.dead.clear()

    def going_on(self) -> bool:
        return not self._stop_trading.is_set()

    def acknowledged(self) -> int:
        return sum(len(trader.acknowledged) for trader in self.traders)

    async def progress(self, orders: int = PROGRESS) -> None:
        """Until ``orders`` more orders were acknowledged."""
        target = self.acknowledged() + orders

        async def made() -> bool:
            for task in self._trading:  # a trader that crashed would only make this wait
                if task.done():
                    task.result()
            return self.acknowledged() >= target
        await until(made, f"{orders} more orders acknowledged")

    async def finish(self) -> list[str]:
        """Stop trading, then every check; the problems found (none, when all is well)."""
        self._stop_trading.set()
        await asyncio.gather(*self._trading)
        try:
            problems, _ = await checked_outcome(self.workers, self.traders, self.listeners, SETTLE_SECONDS)
            problems += self.wrong_refusals()
        finally:
            self._stop_listening.set()
            await asyncio.gather(*self._tasks)
            await self.workers.close()
        print(self.summary(), self.stats.examples)  # what the README reports (pytest -s shows it)
        return problems

    def wrong_refusals(self) -> list[str]:
        """A 500, or a 503 that does not say when to come back."""
        stats = self.stats
        wrong = [f"{kind} x{n}: {stats.examples[kind]}" for kind, n in stats.errors.items()
                 if kind.endswith(": 500")]
        if stats.retry_after["without"]:
            wrong.append(f"{stats.retry_after['without']} orders answered 503 with no Retry-After")
        return wrong

    def summary(self) -> str:
        orders = sum(len(t.acknowledged) + len(t.ambiguous) + len(t.refused) for t in self.traders)
        reloads = [sum(listener.reloads for listener in self.listeners if listener.worker == index)
                   for index in range(len(self.cluster.workers))]
        logs = {worker.name: {words: len(log_lines(worker, words)) for words in (
            "paper engine deposed", "engine lease lost", "engine lease taken", "refused by the database")}
            for worker in self.cluster.workers}
        return (f"{orders} orders asked for, {self.acknowledged()} acknowledged; refusals "
                f"{dict(self.stats.errors)}; socket reloads per worker {reloads}; logs {logs}")

    async def close(self) -> None:
        """After a failure: stop whatever still runs."""
        self._stop_trading.set()
        self._stop_listening.set()
        for task in [*self._trading, *self._tasks]:
            task.cancel()
        await asyncio.gather(*self._trading, *self._tasks, return_exceptions=True)
        await self.workers.close()


@asynccontextmanager
async def under_load(cluster: Cluster):
    load = Load(cluster)
    try:
        await load.start()
        yield load
    finally:
        await load.close()


def log_lines(worker: Worker, words: str) -> list[str]:
    return [line for line in worker.log_path.read_text(errors="replace").splitlines() if words in line]


def no_collision(cluster: Cluster) -> None:
    """The fence, not the unique keys, kept the old engine out: no step stopped on a taken id."""
    for worker in cluster.workers:
        assert not log_lines(worker, "refused by the database"), worker.log_tail()


class MidStep:
    """Catches the engine inside a transaction: the fills table is locked here until the
    engine's next fill waits on it. By then that transaction has passed its fence check
    (its first statement) and holds the fence row; it has not committed."""

    WAITING = text("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                   "WHERE NOT l.granted AND c.relname = 'paper_fill' "
                   "AND c.relnamespace = to_regnamespace(current_schema())")

    def __init__(self, database_url: str) -> None:
        self._database = make_engine(database_url)
        self._connection = self._database.connect()
        self._transaction = self._connection.begin()

    def hold(self) -> None:
        self._connection.execute(text("LOCK TABLE paper_fill IN EXCLUSIVE MODE"))  # reads go on

    def engine_waiting(self) -> bool:
        with self._database.connect() as connection:
            return bool(connection.execute(self.WAITING).scalar())

    def let_go(self) -> None:
        if self._transaction.is_active:
            self._transaction.rollback()

    def close(self) -> None:
        self.let_go()
        self._connection.close()
        self._database.dispose()


async def test_a_leader_paused_mid_step_past_its_lease_writes_nothing_on_waking(postgres_url, tmp_path):
    async with cluster_of_two(postgres_url, REDIS_URL, tmp_path) as cluster, under_load(cluster) as load:
        await load.progress()
        leader = await cluster.leader_worker()
        other = next(worker for worker in cluster.workers if worker is not leader)
        old_term = await term_of(leader)
        mid_step = MidStep(postgres_url)
        try:
            # Paused between its fence check and its commit: what no lease can prevent.
            await asyncio.to_thread(mid_step.hold)

            async def caught() -> bool:
                return await asyncio.to_thread(mid_step.engine_waiting)
            await until(caught, "the engine is inside a transaction, writing a fill")
            leader.process.send_signal(signal.SIGSTOP)
            await asyncio.to_thread(mid_step.let_go)  # its insert goes through; its commit waits for it
        finally:
            await asyncio.to_thread(mid_step.close)
        try:
            await load.avoid(leader)

            async def taken_over() -> bool:
                state = await engine_of(other)
                return bool(state.get("engine")) and state.get("term", 0) > old_term
            await until(taken_over, "the other worker runs the engine with a newer term")
            await load.progress()  # trading goes on while the old leader is still paused
            log_before_waking = len(leader.log_path.read_text(errors="replace"))
        finally:
            leader.process.send_signal(signal.SIGCONT)
        load.rejoin()

        async def stepped_down() -> bool:
            return (await engine_of(leader)).get("engine") is False
        await until(stepped_down, "the old leader no longer runs the engine")
        await load.progress()  # through both workers again
        problems = await load.finish()
        assert problems == [], "\n".join(problems[:20])
        assert (await engine_of(other))["engine"] is True
        # The step it was in when paused was refused when it woke: by the fence, or because
        # the database had ended its transaction (left idle, so the new claim could proceed).
        woken = leader.log_path.read_text(errors="replace")[log_before_waking:]
        refused = ("paper engine deposed", "its books are restored once the database answers")
        assert any(words in woken for words in refused), woken[-3000:]
        no_collision(cluster)


@pytest.mark.parametrize("cut", ["reset", "silent"])
async def test_a_leader_cut_off_from_redis_stops_and_the_other_worker_takes_over(cut, postgres_url, tmp_path):
    proxies = [TcpProxy("127.0.0.1", 6379).start() for _ in range(2)]
    try:
        async with cluster_of_two(postgres_url, REDIS_URL, tmp_path,
                                  own=lambda index: {"NUMATIX_REDIS_URL": proxies[index].url_for(REDIS_URL)}
                                  ) as cluster, under_load(cluster) as load:
            await load.progress()
            leader = await cluster.leader_worker()
            index = cluster.workers.index(leader)
            other = cluster.workers[1 - index]
            old_term = await term_of(leader)

            proxies[index].cut() if cut == "reset" else proxies[index].silence()

            async def stopped() -> bool:
                return (await engine_of(leader)).get("engine") is False
            await until(stopped, "the leader cut off from Redis stops running the engine")

            async def taken_over() -> bool:
                state = await engine_of(other)
                return bool(state.get("engine")) and state.get("term", 0) > old_term
            await until(taken_over, "the other worker runs the engine with a newer term")
            await load.progress()  # through both workers: the cut one answers 503, the other trades
            assert log_lines(leader, "engine lease lost"), leader.log_tail()

            proxies[index].restore()
            await load.progress()
            problems = await load.finish()
            assert problems == [], "\n".join(problems[:20])
            assert (await engine_of(other))["engine"] is True and (await engine_of(leader))["engine"] is False
            no_collision(cluster)
    finally:
        for proxy in proxies:
            proxy.close()


needs_redis_server = pytest.mark.skipif(not redis_server_installed(), reason="no redis-server to start")


@needs_redis_server
async def test_a_redis_restart_is_survived_by_both_workers_with_no_fill_missed(postgres_url, tmp_path):
    redis = RedisServer(tmp_path).start()
    try:
        async with cluster_of_two(postgres_url, redis.url, tmp_path) as cluster, under_load(cluster) as load:
            await load.progress()
            leader = await cluster.leader_worker()
            old_term = await term_of(leader)

            redis.stop()

            async def stopped() -> bool:
                return (await engine_of(leader)).get("engine") is False
            await until(stopped, "the leader stops running the engine without Redis")
            redis.start()  # same port, no keys, no subscriptions

            async def someone_leads() -> bool:
                states = [await engine_of(worker) for worker in cluster.workers]
                return any(state.get("engine") and state.get("term", 0) > old_term for state in states)
            await until(someone_leads, "a worker runs the engine again, with a newer term")
            await load.progress()
            problems = await load.finish()
            assert problems == [], "\n".join(problems[:20])
            # every socket was told to reload (what Redis carried meanwhile is gone) and did
            never_reloaded = [(each.trader.index, each.worker) for each in load.listeners if not each.reloads]
            assert never_reloaded == []
            no_collision(cluster)
    finally:
        redis.stop()


DATABASE_DOWN_SECONDS = 5.0


async def test_orders_get_503_with_retry_after_while_the_database_is_unreachable(postgres_url, tmp_path):
    host_port = POSTGRES_URL.split("@", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    proxy = TcpProxy(host, int(port or 5432)).start()
    try:
        through_proxy = postgres_url.replace(f"@{host_port}", f"@127.0.0.1:{proxy.port}", 1)
        async with cluster_of_two(through_proxy, REDIS_URL, tmp_path) as cluster, under_load(cluster) as load:
            await load.progress()
            proxy.cut()
            loop = asyncio.get_running_loop()
            back_at = loop.time() + DATABASE_DOWN_SECONDS

            async def refused_and_down_long_enough() -> bool:
                return load.stats.retry_after["with"] >= 2 and loop.time() >= back_at
            await until(refused_and_down_long_enough, "orders answered 503 while the database is away")
            proxy.restore()
            await load.progress()
            problems = await load.finish()
            assert problems == [], "\n".join(problems[:20])
            no_collision(cluster)
    finally:
        proxy.close()

