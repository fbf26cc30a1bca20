"""Server time, request weight and bans: what Binance tells us about how we may call it.

Binance rejects a signed request whose timestamp is off (-1021), so we keep an offset to
its clock rather than widening recvWindow. It counts weight per IP and orders per account
and reports both in ``X-MBX-*`` headers; after a 429/418 it wants no request at all until
``Retry-After`` has passed, and bans the IP for longer if we keep going.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from numatix.domain.errors import TransientVenueError

WEIGHT_HEADER = "x-mbx-used-weight-1m"
ORDER_COUNT_PREFIX = "x-mbx-order-count-"


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class ServerClock:
    """Binance's time as seen from here: our wall clock plus an offset measured with
    ``GET /api/v3/time``, taken at the midpoint of the round trip."""

    def __init__(
        self,
        resync_seconds: float = 300.0,
        wall_ms: Callable[[], int] = wall_clock_ms,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.offset_ms = 0
        self._resync_seconds = resync_seconds
        self._wall_ms = wall_ms
        self._monotonic = monotonic
        self._synced_at: float | None = None

    def local_ms(self) -> int:
        return self._wall_ms()

    def now_ms(self) -> int:
        return self._wall_ms() + self.offset_ms

    @property
    def needs_sync(self) -> bool:
        return self._synced_at is None or self._monotonic() - self._synced_at >= self._resync_seconds

    def record(self, server_ms: int, sent_local_ms: int, received_local_ms: int) -> None:
        self.offset_ms = server_ms - (sent_local_ms + received_local_ms) // 2
        self._synced_at = self._monotonic()


@dataclass
class RateUsage:
    """The latest counts Binance reported; ``weight_limit`` comes from exchangeInfo."""

    used_weight: int | None = None
    order_counts: dict[str, int] = field(default_factory=dict)  # interval ("10s", "1d") -> count
    weight_limit: int | None = None

    def update(self, headers: Mapping[str, str]) -> None:
        for name, value in headers.items():
            lowered = name.lower()
            if not value.strip().isdigit():
                continue
            if lowered == WEIGHT_HEADER:
                self.used_weight = int(value)
            elif lowered.startswith(ORDER_COUNT_PREFIX):
                self.order_counts[lowered.removeprefix(ORDER_COUNT_PREFIX)] = int(value)

    @property
    def weight_exhausted(self) -> bool:
        used, limit = self.used_weight, self.weight_limit
        return bool(limit) and used is not None and limit is not None and used >= limit


class RequestGate:
    """Closed while Binance has asked us to wait: requests fail here, never reach the venue."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._open_at = 0.0
        self._code: int | None = None
        self._reason = ""

    def close_for(self, seconds: float, code: int | None, reason: str) -> None:
        open_at = self._monotonic() + max(seconds, 0.0)
        if open_at > self._open_at:
            self._open_at, self._code, self._reason = open_at, code, reason

    @property
    def wait_seconds(self) -> float:
        return max(0.0, self._open_at - self._monotonic())

    def check(self) -> None:
        remaining = self.wait_seconds
        if remaining > 0:
            raise TransientVenueError(
                f"Binance asked us to pause ({self._reason}); retry in {remaining:.1f} s", self._code,
                retry_after=remaining,
            )


def seconds_to_next_minute(server_ms: int) -> float:
    """Binance's weight window is fixed on the minute."""
    return (60_000 - server_ms % 60_000) / 1000
