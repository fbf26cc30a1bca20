"""Orders through the trading service on SQLite, as the UI and the API place them.

Targets: >= 500 orders/s, and the latency from ``place_order`` to the order's execution
report arriving on the user's event bus (p50/p99). Each order is committed to the
database before it matches. Zero simulated venue latency: this measures our own cost.
Run: ``.venv/bin/python bench/bench_service.py``.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections import deque
from decimal import Decimal
from pathlib import Path

from numatix.domain.errors import OrderNotFound
from numatix.domain.events import ExecutionReport
from numatix.domain.market import TradePrint
from numatix.domain.requests import OrderRequest
from bench.market_fixtures import SYMBOL, make_book
from numatix.exchange.paper import PaperExchange
from numatix.services.events import EventBus
from numatix.services.trading import TradingService
from numatix.store.db import make_engine
from numatix.store.migrations import upgrade_to_head
from numatix.store.paper_repository import SqlPaperStore

ORDERS = 3_000
TARGET_RATE = 500
USERS = 20


def next_order(rng: random.Random, mid: Decimal) -> OrderRequest:
    side = "BUY" if rng.random() < 0.5 else "SELL"
    quantity = str(Decimal(rng.randint(2, 20)) / 10_000)
    if rng.random() < 0.5:
        offset = Decimal(rng.randint(2, 30)) * (-1 if side == "BUY" else 1)
        return OrderRequest(SYMBOL, side, "LIMIT", quantity=quantity, price=str(mid + offset), time_in_force="GTC")
    return OrderRequest(SYMBOL, side, "MARKET", quantity=quantity)


async def run(database_url: str) -> tuple[float, list[float]]:
    engine = make_engine(database_url)
    exchange = PaperExchange(SqlPaperStore(engine))
    bus = EventBus(capacity=100_000)
    trading = TradingService(exchange, bus)
    exchange.add_listener(trading.on_venue_event)
    mid = Decimal(50000)
    exchange.on_book(make_book(0, mid))
    exchange.on_trade(TradePrint(SYMBOL, 0, mid, Decimal("0.01"), 0, False))
    readers = {user: bus.subscribe(user) for user in range(1, USERS + 1)}
    rng = random.Random(2)
    resting: deque[tuple[int, int]] = deque()
    latencies: list[float] = []
    started = time.perf_counter()
    for index in range(ORDERS):
        user = index % USERS + 1
        if index % 50 == 0:
            exchange.on_book(make_book(index, mid))
            exchange.on_trade(TradePrint(SYMBOL, index, mid, Decimal("0.01"), 0, False))
        sent = time.perf_counter()
        report = await trading.place_order(user, next_order(rng, mid))
        for event in readers[user].drain():
            if isinstance(event, ExecutionReport) and event.venue_order_id == report.venue_order_id:
                latencies.append(time.perf_counter() - sent)
                break
        if report.status.is_open:
            resting.append((user, report.venue_order_id))
        if len(resting) > 200:
            owner, order_id = resting.popleft()
            try:
                await trading.cancel_order_by_id(owner, order_id)
            except OrderNotFound:
                pass  # filled since
    elapsed = time.perf_counter() - started
    engine.dispose()
    return ORDERS / elapsed, latencies


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade_to_head(url)
        rate, latencies = asyncio.run(run(url))
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"orders through the service on SQLite: {rate:,.0f}/s (target >= {TARGET_RATE}; "
          f"{ORDERS} orders, {USERS} users, cancels included)")
    print(f"submit -> execution report on the bus: p50 {p50:.2f} ms, p99 {p99:.2f} ms ({len(latencies)} reports)")
    return 0 if rate >= TARGET_RATE and len(latencies) == ORDERS else 1


if __name__ == "__main__":
    raise SystemExit(main())
