"""A tab's event subscription, opened by its page load and handed to the task that follows it.

A tab must hear every event after the picture its load drew. Subscribing in the background
task leaves a gap: the task starts only when the tab's state is free, and the events queued
before it run first. A click on Place holds the state for the whole order, so a market order's
fill came and went before the task listened, and its toast never came. ``load`` opens the
subscription before it reads, under the tab's lock; the task takes it by the key ``load`` kept.

One process holds both ends (a tab's events run in the worker its socket is on). A subscription
no task took (the tab went away in between) is closed after ``UNCLAIMED_SECONDS``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from numatix.services.events import UserEvents

UNCLAIMED_SECONDS = 120.0


class Handover:
    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 unclaimed_seconds: float = UNCLAIMED_SECONDS) -> None:
        self._clock = clock
        self._unclaimed_seconds = unclaimed_seconds
        self._waiting: dict[str, tuple[float, UserEvents]] = {}

    def keep(self, events: UserEvents) -> str:
        """Keep a subscription for the task to come; returns the key it takes it by."""
        self._close_unclaimed()
        key = uuid.uuid4().hex
        self._waiting[key] = (self._clock(), events)
        return key

    def take(self, key: str) -> UserEvents | None:
        """The subscription kept under ``key``, once; None if there is none (any more)."""
        kept = self._waiting.pop(key, None)
        return kept[1] if kept is not None else None

    def _close_unclaimed(self) -> None:
        now = self._clock()
        for key, (kept_at, events) in list(self._waiting.items()):
            if now - kept_at >= self._unclaimed_seconds:
                del self._waiting[key]
                events.close()

    def __len__(self) -> int:
        return len(self._waiting)


HANDOVER = Handover()
