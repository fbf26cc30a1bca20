"""A Binance user's reads, kept and kept current by the user data stream.

Every page session revalues every two seconds, and on Binance each read costs request
weight (for every configured symbol: allOrders and myTrades 20, openOrders 6), so a few open
tabs would use up the IP's limit. What a user sees only changes as their user data stream
says, so the stream's events are applied to the kept answers instead of sending the reads
again: a balance update rewrites the kept balances, an execution report moves its order in
the kept open orders and order history and adds its fill to the kept trades (kept_reads.py).
Nothing is kept longer than ``ttl_seconds`` (minutes: a page re-reading everything costs
about 940 weight with 20 symbols, of the IP's 6000 a minute), in case a change was never
reported.

Answers are kept for one connection of the user's stream (``listening``): a reconnect may
have missed events, so what was kept before it is dropped, and nothing is kept while the
stream is down. A read is kept only if the same connection was up from before it was sent
until its answer came, and no event arrived meanwhile (it may predate the event: its answer
is returned but not kept). An account the venue is unsure of (``AccountUncertain``) keeps
nothing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from numatix.domain.events import AccountUncertain, BalanceUpdate, ExecutionReport, VenueEvent
from numatix.services.kept_reads import Balances, SymbolRead

BALANCES = Balances()
KEPT_SECONDS = 300.0

T = TypeVar("T")


class ReadCache:
    def __init__(self, ttl_seconds: float = KEPT_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[Hashable, dict[Hashable, tuple[float, Any]]] = {}
        self._generations: dict[Hashable, int] = {}
        self._connections: dict[Hashable, Hashable] = {}  # the stream connection the entries belong to

    async def read(self, user: Hashable, key: Hashable, load: Callable[[], Awaitable[T]],
                   listening: Callable[[], Hashable | None] = lambda: True) -> T:
        """``listening()`` names the user's stream connection that is up (None: none is)."""
        connection = listening()
        if connection is None:
            return await load()
        if self._connections.get(user) != connection:  # reconnected: events may have been missed
            self.invalidate(user)
            self._connections[user] = connection
        now = self._clock()
        entry = self._entries.get(user, {}).get(key)
        if entry is not None and now - entry[0] < self._ttl:
            return entry[1]
        generation = self._generations.get(user, 0)
        value = await load()
        if self._generations.get(user, 0) == generation and listening() == connection:  # nothing missed
            entries = self._entries.setdefault(user, {})
            for stale in [k for k, (read_at, _) in entries.items() if now - read_at >= self._ttl]:
                del entries[stale]  # old history pages are not kept forever
            entries[key] = (now, value)
        return value

    def kept(self, user: Hashable, key: Hashable) -> Any | None:
        """What is kept for this read, however old (for tests and diagnostics)."""
        entry = self._entries.get(user, {}).get(key)
        return entry[1] if entry is not None else None

    def invalidate(self, user: Hashable) -> None:
        self._generations[user] = self._generations.get(user, 0) + 1
        self._entries.pop(user, None)

    def apply(self, user: Hashable, event: VenueEvent) -> None:
        """What the user data stream says changed, applied to what is kept; each answer keeps
        the time it was read, so the ttl still bounds it."""
        if isinstance(event, AccountUncertain):
            self.invalidate(user)
            return
        self._generations[user] = self._generations.get(user, 0) + 1  # a read in flight is stale
        entries = self._entries.get(user, {})
        if isinstance(event, BalanceUpdate):
            kept = entries.get(BALANCES)
            if kept is not None:
                balances = dict(kept[1])
                balances.update({balance.asset: balance for balance in event.balances})
                entries[BALANCES] = (kept[0], balances)
        elif isinstance(event, ExecutionReport):
            for key, (read_at, value) in list(entries.items()):
                if isinstance(key, SymbolRead) and key.covers(event.symbol):
                    changed = key.after(value, event)
                    if changed is None:
                        del entries[key]
                    else:
                        entries[key] = (read_at, changed)
