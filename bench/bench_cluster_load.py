"""Several workers under load: two API workers on PostgreSQL + Redis (one paper engine and
one market feed for both), 50 traders placing and cancelling orders over REST through
both workers while 200 event sockets (4 per trader, on both workers) listen.

Reports requests/s and p50/p99 per kind of request, then checks the outcome and exits 1
if any check fails: every acknowledged order is stored exactly once, every stored order
was asked for, every fill is counted once (its order's executed quantity, the trader's
balances: start + fills = total, nothing left locked), and every socket got each order's
final update exactly once (or was told to reconnect and reload); the checks are
``tests/support/cluster_checks.py``, which the chaos tests run too. With ``--kill-leader``
the engine leader is killed (SIGKILL) halfway: the traders go on through the other worker,
which must take the engine over; the same checks then hold (sockets on the killed worker
aside).

Loopback only; bounded in time (``--seconds``, default 120). Needs Redis on 127.0.0.1:6379
and PostgreSQL (``NUMATIX_TEST_POSTGRES_URL``, default postgresql://postgres@127.0.0.1:5432/test;
it works in a schema of its own and drops it).
Run: ``PYTHONPATH=. .venv/bin/python bench/bench_cluster_load.py --seconds 20``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from numatix.store.db import make_engine  # noqa: E402
from numatix.store.migrations import upgrade_to_head  # noqa: E402
from tests.support.cluster_checks import Listener, Stats, Workers, checked_outcome, listen, sign_up, trade  # noqa: E402
from tests.support.cluster_processes import running_cluster  # noqa: E402
from tests.support.redis_server import redis_up  # noqa: E402

POSTGRES_URL = os.environ.get("NUMATIX_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = "redis://127.0.0.1:6379/15"
TRADERS = 50
SOCKETS_PER_TRADER = 4
SETTLE_SECONDS = 15.0  # after the load: time for the last updates to reach every socket


class KillingWorkers(Workers):
    async def kill_leader(self, after: float) -> None:
        await asyncio.sleep(after)
        leader = await self.cluster.leader_worker()
        self.dead.add(self.cluster.workers.index(leader))
        leader.kill()
        print(f"killed the engine leader ({leader.name}) with SIGKILL after {after:.0f} s", flush=True)


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


async def run(seconds: float, kill_leader: bool) -> int:
    database_url, drop_schema = postgres_schema()
    try:
        with tempfile.TemporaryDirectory() as directory:
            async with running_cluster(database_url, REDIS_URL, Path(directory), count=2,
                                       NUMATIX_LOG_LEVEL="warning", NUMATIX_ENGINE_LEASE_SECONDS="5") as cluster:
                workers = KillingWorkers(cluster, connections=TRADERS * 2)
                try:
                    return await load(workers, seconds, kill_leader)
                finally:
                    await workers.close()
    finally:
        drop_schema()


async def load(workers: KillingWorkers, seconds: float, kill_leader: bool) -> int:
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
    def going_on() -> bool:
        return time.monotonic() < started + seconds
    await asyncio.gather(*(trade(t, workers, stats, going_on) for t in traders), *killing)
    elapsed = time.monotonic() - started
    print_stats(stats, elapsed, len(listeners))

    problems, orders_of = await checked_outcome(workers, traders, listeners, SETTLE_SECONDS)
    stop.set()
    await asyncio.gather(*tasks)
    listening = [listener for listener in listeners if listener.worker not in workers.dead]

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
