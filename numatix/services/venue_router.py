"""Each user trades where they chose: the paper venue, or the Binance Spot Testnet with their key.

The router is itself a ``Venue`` keyed by user id, so the trading and portfolio services
stay venue-blind. It turns a user into the chosen venue's account (the user id for paper,
the decrypted ``ExchangeCredentials`` for Binance) and turns every event's account back
into the user id, so everything above sees user ids only.

A user's choice is looked up from the accounts store and kept for ``ttl_seconds``: other
workers see a change within that time; this worker sees it at once (``forget``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Protocol

from numatix.domain.balances import Balance, LedgerEntry
from numatix.domain.credentials import ExchangeCredentials, VenueChoice
from numatix.domain.events import ExecutionReport, VenueEvent
from numatix.domain.orders import Fill, Order
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.exchange.base import EventSubscription, ExchangeInfo, Venue
from numatix.services.errors import WalletResetUnavailable
from numatix.services.read_cache import ReadCache

UserChoice = tuple[VenueChoice, ExchangeCredentials | None]


class AccountVenue(Protocol):
    """A venue that keeps a live connection per account (Binance's user data stream)."""

    async def start_account(self, credentials: ExchangeCredentials) -> None: ...

    async def stop_account(self, credentials: ExchangeCredentials) -> None: ...


@dataclass(frozen=True, slots=True)
class Route:
    venue: Venue
    account: Hashable


def user_of(account: Hashable) -> Hashable:
    return account.user_id if isinstance(account, ExchangeCredentials) else account


def for_user(event: VenueEvent) -> VenueEvent:
    if isinstance(event.account, ExchangeCredentials):
        return dataclasses.replace(event, account=event.account.user_id)
    return event


class VenueRouter(Venue[int]):
    can_reset_wallet = True  # per user: a Binance user's reset raises WalletResetUnavailable

    def __init__(
        self,
        paper: Venue,
        binance: Venue | None,
        choice_of: Callable[[int], UserChoice],
        *,
        ttl_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.paper = paper
        self.binance = binance
        self._choice_of = choice_of
        self._ttl = ttl_seconds
        self._clock = clock
        self._choices: dict[int, tuple[float, UserChoice]] = {}
        self._streams: dict[int, ExchangeCredentials] = {}
        self._stream_lock = asyncio.Lock()
        self._reads = ReadCache(clock=clock)  # Binance reads cost request weight
        if binance is not None:
            binance.add_listener(lambda event: self._reads.invalidate(user_of(event.account)))

    # ------------------------------------------------------------ routing
    def choice(self, user_id: int) -> UserChoice:
        cached = self._choices.get(user_id)
        now = self._clock()
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        choice = self._choice_of(user_id)
        self._choices[user_id] = (now, choice)
        return choice

    def name_for(self, user_id: int) -> str:
        """The metrics label of the venue this user's orders go to."""
        venue_choice, credentials = self.choice(user_id)
        on_binance = venue_choice is VenueChoice.BINANCE_TESTNET and credentials is not None and self.binance is not None
        return "binance" if on_binance else "paper"

    @property
    def streaming_accounts(self) -> int:
        """Binance user data streams this worker keeps open."""
        return len(self._streams)

    def forget(self, user_id: int) -> None:
        """The user changed venue or key in this worker: look again on the next request."""
        self._choices.pop(user_id, None)
        self._reads.invalidate(user_id)

    async def route(self, user_id: int) -> Route:
        venue_choice, credentials = self.choice(user_id)
        if venue_choice is VenueChoice.BINANCE_TESTNET and credentials is not None and self.binance is not None:
            await self._ensure_stream(user_id, credentials)
            return Route(self.binance, credentials)
        return Route(self.paper, user_id)

    async def _ensure_stream(self, user_id: int, credentials: ExchangeCredentials) -> None:
        """One user data stream per user, restarted when the key changes, so fills arrive
        while the user is looking elsewhere."""
        if self._streams.get(user_id) == credentials:
            return
        async with self._stream_lock:
            current = self._streams.get(user_id)
            if current == credentials:
                return
            if current is not None:
                await self.binance.stop_account(current)
            await self.binance.start_account(credentials)
            self._streams[user_id] = credentials

    async def close(self) -> None:
        if self.binance is not None and hasattr(self.binance, "close"):
            await self.binance.close()

    # ------------------------------------------------------------ Venue API
    async def submit(self, account: int, request: OrderRequest) -> ExecutionReport:
        route = await self.route(account)
        try:
            return for_user(await route.venue.submit(route.account, request))
        finally:
            self._reads.invalidate(account)

    async def submit_oco(self, account: int, request: OcoRequest) -> tuple[ExecutionReport, ExecutionReport]:
        route = await self.route(account)
        try:
            limit_leg, stop_leg = await route.venue.submit_oco(route.account, request)
        finally:
            self._reads.invalidate(account)
        return for_user(limit_leg), for_user(stop_leg)

    async def cancel(self, account: int, symbol: str, *, client_order_id: str | None = None,
                     venue_order_id: int | None = None) -> ExecutionReport:
        route = await self.route(account)
        try:
            return for_user(await route.venue.cancel(
                route.account, symbol, client_order_id=client_order_id, venue_order_id=venue_order_id))
        finally:
            self._reads.invalidate(account)

    async def cancel_all(self, account: int, symbol: str) -> list[ExecutionReport]:
        route = await self.route(account)
        try:
            return [for_user(report) for report in await route.venue.cancel_all(route.account, symbol)]
        finally:
            self._reads.invalidate(account)

    async def query_order(self, account: int, symbol: str, client_order_id: str) -> Order:
        route = await self.route(account)
        return await route.venue.query_order(route.account, symbol, client_order_id)

    async def open_orders(self, account: int, symbol: str | None = None) -> list[Order]:
        route = await self.route(account)
        return list(await self._read(account, route, ("open_orders", symbol),
                                     lambda: route.venue.open_orders(route.account, symbol)))

    async def all_orders(self, account: int, symbol: str | None = None, limit: int = 500,
                         before_order_id: int | None = None, is_open: bool | None = None) -> list[Order]:
        route = await self.route(account)
        return list(await self._read(
            account, route, ("all_orders", symbol, limit, before_order_id, is_open),
            lambda: route.venue.all_orders(route.account, symbol, limit, before_order_id, is_open)))

    async def order_by_id(self, account: int, venue_order_id: int) -> Order:
        route = await self.route(account)
        return await route.venue.order_by_id(route.account, venue_order_id)

    async def my_trades(self, account: int, symbol: str | None = None) -> list[Fill]:
        route = await self.route(account)
        return list(await self._read(account, route, ("my_trades", symbol),
                                     lambda: route.venue.my_trades(route.account, symbol)))

    async def balances(self, account: int) -> dict[str, Balance]:
        route = await self.route(account)
        return dict(await self._read(account, route, ("balances",), lambda: route.venue.balances(route.account)))

    async def _read(self, user_id: int, route: Route, key: tuple, load):
        if route.venue is self.paper:  # local and cheap: always fresh
            return await load()
        return await self._reads.read(user_id, key, load)

    async def reset_wallet(self, account: int) -> None:
        route = await self.route(account)
        if not route.venue.can_reset_wallet:
            raise WalletResetUnavailable("This venue keeps real balances; only a paper wallet can be reset.")
        await route.venue.reset_wallet(route.account)

    async def wallet_ledger(self, account: int) -> list[LedgerEntry]:
        route = await self.route(account)
        return await route.venue.wallet_ledger(route.account)

    async def exchange_info(self) -> ExchangeInfo:
        """The symbols the app offers, with the paper venue's filters; the Binance venue
        checks an order against the exchange's own filters again before sending it."""
        return await self.paper.exchange_info()

    def reports(self, account: int) -> EventSubscription:
        venue_choice, credentials = self.choice(account)
        if venue_choice is VenueChoice.BINANCE_TESTNET and credentials is not None and self.binance is not None:
            return _UserSubscription(self.binance.reports(credentials))
        return self.paper.reports(account)

    async def check_credentials(self, credentials: ExchangeCredentials) -> None:
        """Keys are Binance keys: the Binance venue checks them (the paper venue only their form)."""
        await (self.binance or self.paper).check_credentials(credentials)

    def add_listener(self, listener: Callable[[VenueEvent], None]) -> None:
        for venue in (self.paper, self.binance):
            if venue is not None:
                venue.add_listener(lambda event: listener(for_user(event)))


class _UserSubscription(EventSubscription):
    """A Binance account's events, with the user id as their account."""

    def __init__(self, inner: EventSubscription) -> None:
        self._inner = inner

    async def __anext__(self) -> VenueEvent:
        return for_user(await self._inner.__anext__())

    def close(self) -> None:
        self._inner.close()
