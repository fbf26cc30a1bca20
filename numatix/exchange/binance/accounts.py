"""Per-account plumbing: the ledger, the subscribers, the stream task.

Delivery is synchronous and in one place, so every listener and every subscription sees an
account's events in the same order, each event once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.events import VenueEvent
from numatix.exchange.base import EventSubscription
from numatix.exchange.binance.ledger import AccountLedger
from numatix.exchange.binance.user_stream import UserDataStream

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
    def __init__(self, account: ExchangeCredentials, listeners: list[Callable[[VenueEvent], None]]) -> None:
        self.account = account
        self.ledger = AccountLedger()
        self.stream: UserDataStream | None = None
        self.task: asyncio.Task[None] | None = None
        self._listeners = listeners  # the venue's list, shared by every account
        self._subscriptions: list[BinanceSubscription] = []

    def deliver(self, event: VenueEvent) -> None:
        if not self.ledger.admit(event):
            return
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
