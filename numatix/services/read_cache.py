"""A Binance user's reads, kept until something changes for that user.

Every page session revalues every two seconds, and on Binance each read costs request
weight (myTrades is 20 per symbol): a few open tabs would hit the IP's limit. What a user
sees only changes when their user data stream says so (a fill, a cancel, a balance move)
or when they act, so reads are kept until then, and for ``ttl_seconds`` at most in case a
change was missed.

An event from the stream is applied, not answered by forgetting everything: a balance update
rewrites the kept balances (no request at all), and an order event drops only the reads of
its own symbol (and the all-symbol ones), so the other symbols' orders and trades stay kept.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from numatix.domain.events import BalanceUpdate, ExecutionReport, VenueEvent

BALANCES = ("balances",)  # the key of a user's balances; order and trade keys are (name, symbol, ...)

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

    def apply(self, user: Hashable, event: VenueEvent) -> None:
        """What the user data stream says changed, applied to what is kept."""
        self._generations[user] = self._generations.get(user, 0) + 1  # a read in flight is stale
        entries = self._entries.get(user, {})
        if isinstance(event, BalanceUpdate):
            kept = entries.get(BALANCES)
            if kept is not None:
                balances = dict(kept[1])
                balances.update({balance.asset: balance for balance in event.balances})
                entries[BALANCES] = (kept[0], balances)
        elif isinstance(event, ExecutionReport):
            for key in [k for k in entries if _about_symbol(k, event.symbol)]:
                del entries[key]


def _about_symbol(key: Hashable, symbol: str) -> bool:
    """An order or trade read of this symbol, or of every symbol (None)."""
    return isinstance(key, tuple) and len(key) > 1 and key != BALANCES and key[1] in (symbol, None)
