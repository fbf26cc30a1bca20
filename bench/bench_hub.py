"""Hub fan-out latency: from ``on_trade`` to each subscriber holding the update.

For 1, 100 and 1,000 subscribers, prints arrive 20 times a second for a few seconds;
each subscriber task records ``monotonic() - received_at`` when it wakes. Target: p99 ≤ 100 ms.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from decimal import Decimal

from numatix.domain.market import FeedKind, TradePrint
from numatix.market.hub import MarketHub

PRINTS = 100
PRINT_GAP_SECONDS = 0.05


class SilentFeed:
    kind = FeedKind.SYNTHETIC
    symbols = ("BTCUSDT",)

    async def history(self, symbol, interval, end_time_ms, limit):
        return []

    async def run(self, sink):
        await asyncio.Event().wait()


async def subscriber(hub: MarketHub, samples: list[float], stop: asyncio.Event) -> None:
    subscription = hub.subscribe("BTCUSDT")
    try:
        while not stop.is_set():
            update = await subscription.next_update()
            if update.trades:
                samples.append(time.monotonic() - update.received_at)
    finally:
        subscription.close()


async def measure(subscribers: int) -> list[float]:
    hub = MarketHub(SilentFeed(), clock=lambda: 0)
    await hub.start()
    samples: list[float] = []
    stop = asyncio.Event()
    tasks = [asyncio.create_task(subscriber(hub, samples, stop)) for _ in range(subscribers)]
    await asyncio.sleep(0.1)
    now_ms = int(time.time() * 1000)
    for n in range(PRINTS):
        hub.on_trade(TradePrint("BTCUSDT", n, Decimal("97000.01"), Decimal("0.01"), now_ms + n, False))
        await asyncio.sleep(PRINT_GAP_SECONDS)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await hub.stop()
    return samples


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def main() -> None:
    print(f"{'subscribers':>11} {'deliveries':>10} {'p50 ms':>8} {'p99 ms':>8}  target p99 ≤ 100 ms")
    for count in (1, 100, 1000):
        samples = [s * 1000 for s in await measure(count)]
        p50, p99 = statistics.median(samples), percentile(samples, 0.99)
        print(f"{count:>11} {len(samples):>10} {p50:>8.2f} {p99:>8.2f}  {'ok' if p99 <= 100 else 'MISSED'}")


if __name__ == "__main__":
    asyncio.run(main())
