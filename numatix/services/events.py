"""The per-user event bus: order and balance events for every open view of that user.

In-process for one worker (a Redis-backed bus with the same interface comes with
scale-out). Publishing never blocks the matching engine: each reader has a bounded
buffer, and a reader that falls further behind than that is told how many events it
missed (``EventsMissed``) so it can reload its state from the services instead of
showing a silently wrong screen.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Protocol, Self

from numatix.domain.events import AccountUncertain, VenueEvent

UserId = Hashable
DEFAULT_CAPACITY = 1_000


@dataclass(frozen=True, slots=True)
class EventsMissed:
    """The reader was too slow and ``count`` events were dropped: resync from the services."""

    count: int


# What a user's views receive: the venue's order and balance events, service events such as
# a fired alert (defined by the service that publishes it), and EventsMissed.
Published = VenueEvent | object
UserEvent = Published | EventsMissed


class UserEventBus(Protocol):
    """Where services publish a user's events and views read them: in process (``EventBus``)
    or through Redis for several workers (``RedisEventBus``)."""

    def subscribe(self, user_id: UserId) -> UserEvents: ...

    def publish(self, user_id: UserId, event: Published) -> None: ...

    def resync_all(self) -> None: ...

    def reader_count(self, user_id: UserId | None = None) -> int: ...


class UserEvents:
    """One reader of one user's events, in publication order. Use as an async iterator."""

    def __init__(self, bus: EventBus, user_id: UserId, capacity: int) -> None:
        self._bus = bus
        self.user_id = user_id
        self._buffer: deque[Published] = deque()
        self._capacity = capacity
        self._missed = 0
        self._ready = asyncio.Event()
        self.closed = False

    def _put(self, event: Published) -> None:
        if len(self._buffer) >= self._capacity:
            self._buffer.popleft()
            self._missed += 1
        self._buffer.append(event)
        self._ready.set()

    def drain(self) -> list[UserEvent]:
        """Everything waiting, without blocking (an ``EventsMissed`` first if some were dropped)."""
        events: list[UserEvent] = []
        if self._missed:
            events.append(EventsMissed(self._missed))
            self._missed = 0
        events.extend(self._buffer)
        self._buffer.clear()
        self._ready.clear()
        return events

    async def next_batch(self) -> list[UserEvent]:
        while not (self._buffer or self._missed):
            self._ready.clear()
            await self._ready.wait()
        return self.drain()

    def __aiter__(self) -> UserEvents:
        return self

    async def __anext__(self) -> UserEvent:
        if self._missed:
            missed, self._missed = self._missed, 0
            return EventsMissed(missed)
        while not self._buffer:
            self._ready.clear()
            await self._ready.wait()
            if self._missed:
                missed, self._missed = self._missed, 0
                return EventsMissed(missed)
        return self._buffer.popleft()

    def close(self) -> None:
        self.closed = True
        self._bus._remove(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class EventBus:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._readers: dict[UserId, list[UserEvents]] = {}

    def subscribe(self, user_id: UserId) -> UserEvents:
        """Registered at once: nothing published after this call is missed."""
        reader = UserEvents(self, user_id, self._capacity)
        self._readers.setdefault(user_id, []).append(reader)
        return reader

    def publish(self, user_id: UserId, event: Published) -> None:
        """Order and balance events from the venue; alerts and other service events too. An
        account the venue is unsure of is news its readers get as missed events: they reload."""
        for reader in self._readers.get(user_id, ()):
            if isinstance(event, AccountUncertain):
                reader._missed += 1
                reader._ready.set()
            else:
                reader._put(event)

    def resync_all(self) -> None:
        """Every reader is told it missed events and reloads: the engine changed hands, and
        what the old leader had not sent yet is gone with it."""
        for readers in self._readers.values():
            for reader in readers:
                reader._missed += 1
                reader._ready.set()

    def reader_count(self, user_id: UserId | None = None) -> int:
        if user_id is not None:
            return len(self._readers.get(user_id, ()))
        return sum(len(readers) for readers in self._readers.values())

    def _remove(self, reader: UserEvents) -> None:
        readers = self._readers.get(reader.user_id, [])
        if reader in readers:
            readers.remove(reader)
        if not readers:
            self._readers.pop(reader.user_id, None)
