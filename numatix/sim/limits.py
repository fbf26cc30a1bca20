"""Binance's rate limits over fixed windows: request weight per IP per minute (on the
minute), raw requests per IP per 5 minutes, new orders per account per 10 seconds (on
:00, :10, ...) and per UTC day.

A request that goes over is refused with 429 and a Retry-After up to the window's end;
its weight still counts, as on Binance, so a client that keeps hammering stays refused.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from numatix.sim import errors

MINUTE_MS = 60_000
FIVE_MINUTES_MS = 5 * MINUTE_MS
TEN_SECONDS_MS = 10_000
DAY_MS = 86_400_000


class FixedWindowCounter:
    """Counts per key in the current window; a new window starts from zero."""

    def __init__(self, window_ms: int, now_ms: Callable[[], int]) -> None:
        self.window_ms = window_ms
        self._now_ms = now_ms
        self._counts: dict[Hashable, tuple[int, int]] = {}  # key -> (window start, count)

    def _window(self) -> int:
        now = self._now_ms()
        return now - now % self.window_ms

    def count(self, key: Hashable) -> int:
        start, count = self._counts.get(key, (0, 0))
        return count if start == self._window() else 0

    def add(self, key: Hashable, amount: int) -> int:
        total = self.count(key) + amount
        self._counts[key] = (self._window(), max(total, 0))
        return max(total, 0)

    def seconds_to_reset(self) -> int:
        left_ms = self._window() + self.window_ms - self._now_ms()
        return max(1, -(-left_ms // 1000))


@dataclass(frozen=True, slots=True)
class RateLimit:
    """One row of exchangeInfo's ``rateLimits`` (and of the WebSocket API's replies)."""

    kind: str
    interval: str
    interval_number: int
    limit: int

    def to_json(self, count: int | None = None) -> dict[str, object]:
        row: dict[str, object] = {"rateLimitType": self.kind, "interval": self.interval,
                                  "intervalNum": self.interval_number, "limit": self.limit}
        if count is not None:
            row["count"] = count
        return row


class RequestWeight:
    def __init__(self, limit: int, now_ms: Callable[[], int]) -> None:
        self.limit = limit
        self._counter = FixedWindowCounter(MINUTE_MS, now_ms)

    @property
    def rate_limit(self) -> RateLimit:
        return RateLimit("REQUEST_WEIGHT", "MINUTE", 1, self.limit)

    def used(self, ip: str) -> int:
        return self._counter.count(ip)

    def spend(self, ip: str, weight: int) -> int:
        """Count the request; 429 -1003 if the minute's limit is now exceeded."""
        used = self._counter.add(ip, weight)
        if used > self.limit:
            raise errors.too_much_weight(self.limit, self._counter.seconds_to_reset())
        return used

    def refund(self, ip: str, weight: int) -> None:
        self._counter.add(ip, -weight)


class RawRequests:
    """Every REST request counts one, whatever its weight (RAW_REQUESTS: 300,000 per 5 minutes)."""

    def __init__(self, limit: int, now_ms: Callable[[], int]) -> None:
        self.limit = limit
        self._counter = FixedWindowCounter(FIVE_MINUTES_MS, now_ms)

    @property
    def rate_limit(self) -> RateLimit:
        return RateLimit("RAW_REQUESTS", "MINUTE", 5, self.limit)

    def spend(self, ip: str) -> None:
        """429 -1003 once the window's requests pass the limit (a refused request still counts)."""
        if self._counter.add(ip, 1) > self.limit:
            raise errors.too_many_requests(self.limit, self._counter.seconds_to_reset())


class OrderCount:
    """New orders per account: the X-MBX-ORDER-COUNT-10S / -1D headers and -1015."""

    def __init__(self, per_ten_seconds: int, per_day: int, now_ms: Callable[[], int]) -> None:
        self.per_ten_seconds = per_ten_seconds
        self.per_day = per_day
        self._short = FixedWindowCounter(TEN_SECONDS_MS, now_ms)
        self._day = FixedWindowCounter(DAY_MS, now_ms)

    @property
    def rate_limits(self) -> tuple[RateLimit, RateLimit]:
        return (RateLimit("ORDERS", "SECOND", 10, self.per_ten_seconds),
                RateLimit("ORDERS", "DAY", 1, self.per_day))

    def counts(self, account: Hashable) -> tuple[int, int]:
        return self._short.count(account), self._day.count(account)

    def check(self, account: Hashable, orders: int = 1) -> None:
        """Refuse before placing if these orders would pass either limit."""
        if self._short.count(account) + orders > self.per_ten_seconds:
            raise errors.too_many_orders(self.per_ten_seconds, "10 SECOND", self._short.seconds_to_reset())
        if self._day.count(account) + orders > self.per_day:
            raise errors.too_many_orders(self.per_day, "1 DAY", self._day.seconds_to_reset())

    def add(self, account: Hashable, orders: int = 1) -> tuple[int, int]:
        return self._short.add(account, orders), self._day.add(account, orders)
