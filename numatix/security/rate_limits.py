"""Rate limits with the ``limits`` library: in memory for one process, in Redis when the
app runs several workers, so a limit holds however many workers answer."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, RedisStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter


@dataclass(frozen=True)
class Rule:
    name: str
    limit: str


ORDERS = Rule("orders", "20/minute")
LOGIN_BY_EMAIL = Rule("login-email", "5 per 15 minutes")
LOGIN_BY_ADDRESS = Rule("login-address", "30 per 15 minutes")  # across emails: people share addresses
LOGIN_BY_DEVICE = Rule("login-device", "5 per 15 minutes")  # a device that logged in to the account before
API_REQUESTS = Rule("api", "100/minute")
# A Redis that stops answering without closing (a network partition) must fail a request in
# seconds, not hold its thread or the event loop until TCP gives up (minutes): every request
# counts against a limit. Far above a healthy Redis's sub-millisecond answer.
REDIS_TIMEOUT_SECONDS = 2.0

LABELS = {"orders": "order requests", "login-email": "log-in attempts", "login-address": "log-in attempts",
          "login-device": "log-in attempts",
          "api": "API requests"}


class RateLimitExceeded(Exception):
    """Refused; ``retry_after_seconds`` feeds the Retry-After header and the user's message."""

    def __init__(self, rule: str, retry_after_seconds: int) -> None:
        self.rule = rule
        self.retry_after_seconds = retry_after_seconds
        super().__init__(f"Too many {LABELS.get(rule, rule)}; try again in {retry_after_seconds} s.")


class RateLimiter:
    """One bucket per (rule, identifiers), in a moving window so bursts at a boundary don't double up."""

    def __init__(self, storage_uri: str = "memory://", overrides: dict[str, str] | None = None) -> None:
        """``overrides``: rule name -> limit text, for an operator who tunes a limit."""
        timeouts = {"socket_timeout": REDIS_TIMEOUT_SECONDS, "socket_connect_timeout": REDIS_TIMEOUT_SECONDS}
        options = timeouts if storage_uri.startswith("redis") else {}
        self._storage = storage_from_string(storage_uri, **options)
        self._remote = isinstance(self._storage, RedisStorage)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._overrides = dict(overrides or {})
        self._parsed: dict[Rule, RateLimitItem] = {}

    def _limit(self, rule: Rule) -> RateLimitItem:
        parsed = self._parsed.get(rule)
        if parsed is None:
            parsed = self._parsed[rule] = parse(self._overrides.get(rule.name, rule.limit))
        return parsed

    def hit(self, rule: Rule, *identifiers: str) -> None:
        """Consume one unit; a refused attempt does not count (the window is not extended)."""
        limit = self._limit(rule)
        if not self._limiter.hit(limit, rule.name, *identifiers):
            raise self._exceeded(rule, identifiers)

    def give_back(self, rule: Rule, *identifiers: str) -> None:
        """Return the newest unit taken by ``hit``: an attempt is taken before it is judged (so
        parallel attempts cannot all pass a check first) and handed back when it did no harm."""
        key = self._limit(rule).key_for(rule.name, *identifiers)
        storage = self._storage
        if isinstance(storage, RedisStorage):  # the window is a list, newest first (limits' Lua)
            connection: Any = storage.get_connection()  # a redis.Redis; limits types it as a protocol
            connection.lpop(storage.prefixed_key(key))
        elif isinstance(storage, MemoryStorage):
            with storage.locks[key]:
                events = storage.events.get(key)
                if events:
                    del events[0]
        else:
            raise TypeError(f"cannot give a unit back to {type(storage).__name__}")

    async def take(self, rule: Rule, *identifiers: str) -> None:
        """``hit`` for a caller on the event loop."""
        await self._off_the_loop(self.hit, rule, *identifiers)

    async def hand_back(self, rule: Rule, *identifiers: str) -> None:
        """``give_back`` for a caller on the event loop."""
        await self._off_the_loop(self.give_back, rule, *identifiers)

    async def _off_the_loop(self, call: Callable[..., None], *arguments: object) -> None:
        """A count kept in Redis is a network call: made in a worker thread, so a Redis that
        stops answering holds that thread until its timeout, never the event loop. A count
        kept in memory takes microseconds and is made at once."""
        if self._remote:
            await asyncio.to_thread(call, *arguments)
        else:
            call(*arguments)

    def check(self, rule: Rule, *identifiers: str) -> None:
        if not self._limiter.test(self._limit(rule), rule.name, *identifiers):
            raise self._exceeded(rule, identifiers)

    def reset(self, rule: Rule, *identifiers: str) -> None:
        self._limiter.clear(self._limit(rule), rule.name, *identifiers)

    def _exceeded(self, rule: Rule, identifiers: tuple[str, ...]) -> RateLimitExceeded:
        reset_at = self._limiter.get_window_stats(self._limit(rule), rule.name, *identifiers).reset_time
        return RateLimitExceeded(rule.name, max(1, math.ceil(reset_at - time.time())))
