"""The account-value curve: a point after every fill and at least every sampling interval.

Fill points: the venue's listener sees each fill once per cluster (the engine's worker, or the
worker holding a Binance user's stream); a moment later (``settle_seconds``, so a Binance balance
update that trails its fill is in) the wallet is valued once for all the fills that came
meanwhile. Samples: every worker runs the sampler, and the database claim of each interval's
bucket lets exactly one of them value every user for it; if that worker dies half-way, its
claim runs out and another finishes the bucket. A point is unique per user by its key, so
nothing is ever stored twice. A wallet that cannot be valued fully (a held asset has no price
yet) gets no point rather than a wrong one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import Protocol

from numatix.domain.account_value import (
    DAY_MS,
    DailyPnl,
    KeyedPoint,
    PointKind,
    ValuePoint,
    daily_pnl,
    day_start,
)
from numatix.domain.enums import ExecutionType
from numatix.domain.errors import VenueError
from numatix.domain.events import ExecutionReport, VenueEvent
from numatix.services.errors import ServiceError
from numatix.services.trading import UserId

logger = logging.getLogger(__name__)

CENT_FRACTION = Decimal("0.00000001")  # values are kept to 8 decimals
MAX_POINTS = 5_000
Valuer = Callable[[UserId], Awaitable[Decimal | None]]  # None: some held asset has no price


class ValueStore(Protocol):
    def add(self, points: Sequence[KeyedPoint]) -> int: ...

    def points(self, user_id: int, since_ms: int, until_ms: int, limit: int) -> list[ValuePoint]: ...

    def point_before(self, user_id: int, time_ms: int) -> ValuePoint | None: ...

    def user_ids(self) -> list[int]: ...

    def claim(self, bucket_ms: int, worker: str, now_ms: int, lease_ms: int) -> bool: ...

    def finish(self, bucket_ms: int, worker: str) -> None: ...


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class AccountValueService:
    def __init__(self, store: ValueStore, value_of: Valuer, *, worker: str, sample_seconds: float = 3600,
                 settle_seconds: float = 0.5, clock_ms: Callable[[], int] = wall_clock_ms) -> None:
        self._store = store
        self._value_of = value_of
        self._worker = worker
        self.sample_ms = int(sample_seconds * 1000)
        self._settle = settle_seconds
        self._now = clock_ms
        self._pending: dict[UserId, list[tuple[str, int]]] = {}  # user -> [(point key, fill time)]
        self._tasks: set[asyncio.Task] = set()
        self._finished_bucket = -1

    # ------------------------------------------------------------------ fills
    def on_venue_event(self, event: VenueEvent) -> None:
        """The venue's listener (synchronous): note the fill, value the wallet a moment later."""
        if not isinstance(event, ExecutionReport) or event.execution_type is not ExecutionType.TRADE:
            return
        user_id = event.account
        if not isinstance(user_id, int):
            return
        key = f"fill:{event.symbol}:{event.trade_id}"
        first = user_id not in self._pending
        self._pending.setdefault(user_id, []).append((key, event.transaction_time_ms))
        if first:
            self._spawn(self._record_fills(user_id))

    async def _record_fills(self, user_id: UserId) -> None:
        await asyncio.sleep(self._settle)
        fills = self._pending.pop(user_id, [])
        value = await self._valuation(user_id)
        if value is None:
            return
        points = [KeyedPoint(user_id, ValuePoint(time_ms, value, PointKind.FILL), key)
                  for key, time_ms in fills]
        await asyncio.to_thread(self._store.add, points)

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settled(self) -> None:
        """Every fill seen so far has its point stored (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ----------------------------------------------------------------- resets
    async def record_reset(self, user_id: UserId) -> None:
        """Right after a paper wallet reset: the curve starts again from here."""
        now = self._now()
        value = await self._valuation(user_id)
        if value is not None:
            point = ValuePoint(now, value, PointKind.RESET)
            await asyncio.to_thread(self._store.add, [KeyedPoint(user_id, point, f"reset:{now}")])

    # ---------------------------------------------------------------- samples
    async def sample_due(self) -> int:
        """Sample every user for the current interval unless it is done or being done
        elsewhere; how many points this worker stored."""
        now = self._now()
        bucket = now - now % self.sample_ms
        if bucket == self._finished_bucket:
            return 0
        lease_ms = max(60_000, self.sample_ms // 2)
        if not await asyncio.to_thread(self._store.claim, bucket, self._worker, now, lease_ms):
            return 0
        stored = 0
        for user_id in await asyncio.to_thread(self._store.user_ids):
            value = await self._valuation(user_id)
            if value is not None:
                sample = ValuePoint(self._now(), value, PointKind.SAMPLE)
                point = KeyedPoint(user_id, sample, f"sample:{bucket}")
                stored += await asyncio.to_thread(self._store.add, [point])
        await asyncio.to_thread(self._store.finish, bucket, self._worker)
        self._finished_bucket = bucket
        return stored

    async def run_sampler(self) -> None:
        """The background loop (every worker runs one): look a few times per interval, the first
        time once the market has had a moment to print prices."""
        check_seconds = min(60.0, self.sample_ms / 4000)
        while True:
            await asyncio.sleep(check_seconds)
            try:
                await self.sample_due()
            except Exception:
                logger.exception("sampling account values failed; trying again in %.0f s", check_seconds)

    # ------------------------------------------------------------------ reads
    async def series(self, user_id: UserId, since_ms: int, until_ms: int | None = None) -> list[ValuePoint]:
        """Stored points oldest first, and the value now as a last ``live`` point when the range
        reaches now (and the wallet can be valued)."""
        now = self._now()
        end = now if until_ms is None else min(until_ms, now)
        points = await asyncio.to_thread(self._store.points, user_id, since_ms, end, MAX_POINTS)
        if until_ms is None or until_ms >= now:
            value = await self._valuation(user_id)
            if value is not None:
                points.append(ValuePoint(now, value, PointKind.LIVE))
        return points

    async def daily(self, user_id: UserId, days: int = 30) -> list[DailyPnl]:
        """The last ``days`` UTC days' P&L bars (today's so far included)."""
        since = day_start(self._now()) - (days - 1) * DAY_MS
        before = await asyncio.to_thread(self._store.point_before, user_id, since)
        points = ([before] if before else []) + await self.series(user_id, since)
        return [bar for bar in daily_pnl(points) if bar.day_start_ms >= since]

    async def _valuation(self, user_id: UserId) -> Decimal | None:
        try:
            value = await self._value_of(user_id)
        except (VenueError, ServiceError) as error:
            logger.warning("could not value user %s's wallet: %s", user_id, error)
            return None
        return None if value is None else value.quantize(CENT_FRACTION)
