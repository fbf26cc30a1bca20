"""Paper engine alone: orders per second for a mix of limit and market orders.

Target: >= 20,000 orders/s for the engine alone: zero latency, and a store that discards
writes (persistence is measured through the service by bench_service.py). The same run
with the tests' in-memory store, which snapshots every order it is given, is printed
too. One account keeps at most 150 open orders so the MAX_NUM_ORDERS filter never trips.
Run: ``.venv/bin/python bench/bench_engine.py``.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from decimal import Decimal

from numatix.domain.market import TradePrint
from numatix.domain.errors import OrderNotFound
from numatix.domain.requests import OrderRequest
from bench.market_fixtures import SYMBOL, make_book
from numatix.exchange.paper import FakeClock, InMemoryPaperStore, PaperExchange

ORDERS = 30_000
TARGET = 20_000


def order_mix(rng: random.Random, mid: Decimal) -> tuple[str, OrderRequest]:
    draw = rng.random()
    side = "BUY" if rng.random() < 0.5 else "SELL"
    quantity = str(Decimal(rng.randint(2, 50)) / 10_000)  # >= 5 USDT notional
    sign = -1 if side == "BUY" else 1
    if draw < 0.5:
        price = str(mid + sign * Decimal(rng.randint(2, 30)))
        return "limit rest", OrderRequest(SYMBOL, side, "LIMIT", quantity=quantity, price=price, time_in_force="GTC")
    if draw < 0.8:
        return "market", OrderRequest(SYMBOL, side, "MARKET", quantity=quantity)
    price = str(mid - sign * Decimal(3))
    return "limit IOC", OrderRequest(SYMBOL, side, "LIMIT", quantity=quantity, price=price, time_in_force="IOC")


class DiscardingStore(InMemoryPaperStore):
    """Keeps nothing the engine writes: what is left is the engine's own cost."""

    def insert_order(self, record) -> None:
        pass

    def update_order(self, record) -> None:
        pass

    def insert_fill(self, account, fill) -> None:
        pass

    def save_balances(self, account, balances) -> None:
        pass


async def run(store: InMemoryPaperStore) -> dict[str, tuple[int, float]]:
    clock = FakeClock()
    exchange = PaperExchange(store, clock=clock,
                             starting_balances={"USDT": Decimal(10) ** 12, "BTC": Decimal(10) ** 6})
    rng = random.Random(1)
    mid = Decimal(50000)
    exchange.on_book(make_book(0, mid))
    exchange.on_trade(TradePrint(SYMBOL, 0, mid, Decimal("0.01"), 0, False))
    resting: deque[str] = deque()
    timings: dict[str, list[float]] = {"limit rest": [], "market": [], "limit IOC": [], "cancel": []}
    for index in range(ORDERS):
        if index % 50 == 0:
            clock.set(clock.now_ms() + 1_000)
            exchange.on_book(make_book(index, mid))
        kind, request = order_mix(rng, mid)
        started = time.perf_counter()
        report = await exchange.submit(1, request)
        timings[kind].append(time.perf_counter() - started)
        if report.status.is_open:
            resting.append(report.client_order_id)
        if len(resting) > 150:
            started = time.perf_counter()
            try:
                await exchange.cancel(1, SYMBOL, client_order_id=resting.popleft())
            except OrderNotFound:
                pass  # it filled since: exactly what a cancel can lose to
            timings["cancel"].append(time.perf_counter() - started)
    return {kind: (len(samples), sum(samples)) for kind, samples in timings.items()}


def order_rate(results: dict[str, tuple[int, float]]) -> tuple[int, float]:
    orders = sum(results[k][0] for k in ("limit rest", "market", "limit IOC"))
    return orders, orders / sum(results[k][1] for k in ("limit rest", "market", "limit IOC"))


def main() -> int:
    started = time.perf_counter()
    results = asyncio.run(run(DiscardingStore()))
    wall = time.perf_counter() - started
    print(f"{'operation':<12}{'count':>8}{'per second':>14}{'mean µs':>10}")
    for kind, (count, seconds) in results.items():
        if count:
            print(f"{kind:<12}{count:>8}{count / seconds:>14,.0f}{seconds / count * 1e6:>10.1f}")
    orders, rate = order_rate(results)
    print(f"{'all orders':<12}{orders:>8}{rate:>14,.0f}   (target >= {TARGET:,}; wall {wall:.1f} s incl. cancels)")
    _, with_store = order_rate(asyncio.run(run(InMemoryPaperStore())))
    print(f"{'+ in-memory store':<20}{with_store:>14,.0f}   (for reference: the tests' store copies each order)")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
