"""Time and latency, injected so that tests are deterministic.

Latency is not money, so the samples use floats internally and are returned as whole
milliseconds.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
import time
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...

    async def sleep(self, milliseconds: int) -> None: ...


class SystemClock:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    async def sleep(self, milliseconds: int) -> None:
        await asyncio.sleep(milliseconds / 1000)


class FakeClock:
    """A clock that moves only when a test calls ``advance``; sleepers wake in deadline order."""

    def __init__(self, start_ms: int = 1_700_000_000_000) -> None:
        self._now = start_ms
        self._sleepers: list[tuple[int, int, asyncio.Future[None]]] = []
        self._sequence = itertools.count()

    def now_ms(self) -> int:
        return self._now

    async def sleep(self, milliseconds: int) -> None:
        if milliseconds <= 0:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + milliseconds, next(self._sequence), future))
        await future

    def set(self, now_ms: int) -> None:
        """Move forward without waking anyone (for purely synchronous tests)."""
        self._now = max(self._now, now_ms)

    async def advance(self, milliseconds: int) -> None:
        target = self._now + milliseconds
        await self._let_tasks_run()  # tasks just created get to register their sleeps
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, future = heapq.heappop(self._sleepers)
            self._now = deadline
            if not future.done():
                future.set_result(None)
            await self._let_tasks_run()
        self._now = target

    @staticmethod
    async def _let_tasks_run() -> None:
        for _ in range(10):
            await asyncio.sleep(0)


class LatencyModel(Protocol):
    def entry_delay_ms(self) -> int: ...

    def cancel_delay_ms(self) -> int: ...


class ZeroLatency:
    """Unit tests: an order reaches the matching engine the instant it is sent."""

    def entry_delay_ms(self) -> int:
        return 0

    def cancel_delay_ms(self) -> int:
        return 0


class LogNormalLatency:
    """Network plus gateway delay: right-skewed, median ``median_ms``, seeded."""

    def __init__(self, median_ms: float = 120.0, sigma: float = 0.35, seed: int = 0,
                 cancel_median_ms: float | None = None) -> None:
        self._random = random.Random(seed)
        self._entry_mu = math.log(median_ms)
        self._cancel_mu = math.log(cancel_median_ms or median_ms)
        self._sigma = sigma

    def entry_delay_ms(self) -> int:
        return round(self._random.lognormvariate(self._entry_mu, self._sigma))

    def cancel_delay_ms(self) -> int:
        return round(self._random.lognormvariate(self._cancel_mu, self._sigma))


class FixedLatency:
    def __init__(self, entry_ms: int, cancel_ms: int) -> None:
        self._entry_ms = entry_ms
        self._cancel_ms = cancel_ms

    def entry_delay_ms(self) -> int:
        return self._entry_ms

    def cancel_delay_ms(self) -> int:
        return self._cancel_ms
