"""Per-account plumbing: the ledger, the subscribers, the stream task.

Delivery is synchronous and in one place, so every listener and every subscription sees an
account's events in the same order, each event once.

The session also remembers the orders placed here that the stream has not told of yet (a
reconnect looks them up), and hands the reconciliation's snapshot to the first read of open
orders and of balances after it, if nothing was delivered since and it is recent: that read
is then free.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Literal

from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.events import VenueEvent
from numatix.exchange.base import EventSubscription
from numatix.exchange.binance.ledger import AccountLedger
from numatix.exchange.binance.reconcile import Snapshot
from numatix.exchange.binance.user_stream import UserDataStream

HandedOver = Literal["open_orders", "balances"]
HANDED_OVER_SECONDS = 30.0  # for the reads right after the stream came up, not an answer kept for long

logger = logging.getLogger(__name__)


class BinanceSubscription(EventSubscription):
    def __init__(self, session: AccountSession) -> None:
        self._session = session
        self.queue: asyncio.Queue[VenueEvent] = asyncio.Queue()

    async def __anext__(self) -> VenueEvent:
        return await self.queue.get()

    def close(self) -> None:
        self._session.unsubscribe(self)


class AccountSession:
    def __init__(self, account: ExchangeCredentials, listeners: list[Callable[[VenueEvent], None]],
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.account = account
        self._monotonic = monotonic
        self.ledger = AccountLedger()
        self.stream: UserDataStream | None = None
        self.task: asyncio.Task[None] | None = None
        self._listeners = listeners  # the venue's list, shared by every account
        self._subscriptions: list[BinanceSubscription] = []
        self.delivered = 0  # events told so far
        self.placed: set[tuple[str, int]] = set()  # (symbol, order id) placed here, not told of yet
        self._handed: tuple[Snapshot, int, int, float, set[HandedOver]] | None = None

    @property
    def listening(self) -> int | None:
        """The number of the stream's connection while it is up (subscribed and reconciled)."""
        stream = self.stream
        if stream is None or self.task is None or not stream.ready.is_set() or stream.failure is not None:
            return None
        return stream.connections

    def note_placed(self, symbol: str, order_id: int) -> None:
        self.placed = {key for key in self.placed if self.ledger.progress(*key) is None}
        self.placed.add((symbol, order_id))

    def hand_over(self, snapshot: Snapshot, delivered: int) -> None:
        """Keep the reconciliation's snapshot, taken when ``delivered`` events had been told."""
        if self.stream is not None:
            self._handed = (snapshot, self.stream.connections, delivered, self._monotonic(),
                            {"open_orders", "balances"})

    def take(self, what: HandedOver) -> Snapshot | None:
        """The snapshot for the first read of ``what`` since the stream came up, while it still
        tells the truth: same connection, nothing delivered since it was taken, taken lately."""
        if self._handed is None:
            return None
        snapshot, connection, delivered, taken_at, left = self._handed
        if (what not in left or self.listening != connection or self.delivered != delivered
                or self._monotonic() - taken_at > HANDED_OVER_SECONDS):
            return None
        left.discard(what)
        return snapshot

    def deliver(self, event: VenueEvent) -> None:
        if not self.ledger.admit(event):
            return
        self.delivered += 1
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # one broken listener must not starve the others or kill the stream
                logger.exception("Binance event listener failed")
        for subscription in self._subscriptions:
            subscription.queue.put_nowait(event)

    def subscribe(self) -> BinanceSubscription:
        subscription = BinanceSubscription(self)
        self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: BinanceSubscription) -> None:
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)

    async def stop(self) -> None:
        task, self.task = self.task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
