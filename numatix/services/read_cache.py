"""A Binance user's reads, kept until something changes for that user.

Every page session revalues every two seconds, and on Binance each read costs request
weight (myTrades is 20 per symbol): a few open tabs would hit the IP's limit. What a user
sees only changes when their user data stream says so (a fill, a cancel, a balance move)
or when they act, so reads are kept until then, and for ``ttl_seconds`` at most in case a
change was missed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class ReadCache:
    def __init__(self, ttl_seconds: float = 15.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[Hashable, dict[Hashable, tuple[float, Any]]] = {}
        self._generations: dict[Hashable, int] = {}

    async def read(self, user: Hashable, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        now = self._clock()
        entry = self._entries.get(user, {}).get(key)
        if entry is not None and now - entry[0] < self._ttl:
            return entry[1]
        generation = self._generations.get(user, 0)
        value = await load()
        if self._generations.get(user, 0) == generation:  # nothing changed while it loaded
            self._entries.setdefault(user, {})[key] = (now, value)
        return value

    def invalidate(self, user: Hashable) -> None:
        self._generations[user] = self._generations.get(user, 0) + 1
        self._entries.pop(user, None)
