"""Each user trades where they chose: the paper venue, or the Binance Spot Testnet with their key.

The router is itself a ``Venue`` keyed by user id, so the trading and portfolio services
stay venue-blind. It turns a user into the chosen venue's account (the user id for paper,
the decrypted ``ExchangeCredentials`` for Binance) and turns every event's account back
into the user id, so everything above sees user ids only. Which venue a user is on is
``UserVenues``' answer, the same one their pages, the API and the socket get.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar, cast

from numatix.domain.balances import Balance, LedgerEntry
from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.errors import OutcomeUnknown, TransientVenueError, VenueError
from numatix.domain.events import ExecutionReport, VenueEvent
from numatix.domain.orders import Fill, Order
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.exchange.base import EventSubscription, ExchangeInfo, Venue
from numatix.services.errors import WalletResetUnavailable
from numatix.services.kept_reads import OpenOrders, OrderHistory, Trades
from numatix.services.read_cache import BALANCES, ReadCache
from numatix.services.user_venues import UserVenues

logger = logging.getLogger(__name__)
STREAM_WAIT_SECONDS = 3.0  # how long reads wait for a user's first stream start


class AccountVenue(Protocol):
    """A venue that keeps a live connection per account (Binance's user data stream)."""

    async def start_account(self, credentials: ExchangeCredentials) -> None: ...

    async def stop_account(self, credentials: ExchangeCredentials) -> None: ...

    def listening(self, credentials: ExchangeCredentials) -> int | None:
        """The number of the account's stream connection while it is up; None while it is not."""


@dataclass(frozen=True, slots=True)
class Route:
    venue: Venue
    account: Hashable


def user_of(account: Hashable) -> Hashable:
    return account.user_id if isinstance(account, ExchangeCredentials) else account


Event = TypeVar("Event", bound=VenueEvent)


def for_user(event: Event) -> Event:
    if isinstance(event.account, ExchangeCredentials):
        return dataclasses.replace(event, account=event.account.user_id)
    return event


class VenueRouter(Venue[int]):
    can_reset_wallet = True  # per user: a Binance user's reset raises WalletResetUnavailable

    def __init__(
        self,
        paper: Venue,
        binance: Venue | None,
        venues: UserVenues,
        *,
        clock: Callable[[], float] = time.monotonic,
        stream_wait_seconds: float = STREAM_WAIT_SECONDS,
    ) -> None:
        self.paper = paper
        self.binance = binance
        self.venues = venues
        self._streams: dict[int, ExchangeCredentials] = {}
        self._stream_locks: dict[int, asyncio.Lock] = {}  # per user: one slow start holds up nobody else
        self._starting: dict[int, asyncio.Task[None]] = {}  # started by a read
        self._stream_wait = stream_wait_seconds
        self._first_starts: dict[int, tuple[ExchangeCredentials, float]] = {}  # reads wait for it till then
        self._reads = ReadCache(clock=clock)  # Binance reads cost request weight
        if binance is not None:  # the stream's events are applied to the kept reads
            binance.add_listener(lambda event: self._reads.apply(user_of(event.account), event))

    # ------------------------------------------------------------ routing
    @property
    def streaming_accounts(self) -> int:
        """Binance user data streams this worker keeps open."""
        return len(self._streams)

    def forget(self, user_id: int) -> None:
        """The user changed venue or key in this worker: look again on the next request."""
        self.venues.forget(user_id)
        self._reads.invalidate(user_id)

    async def route(self, user_id: int, *, listening: bool = True) -> Route:
        """Orders and cancels wait for the user's data stream (``listening``), so their fills and
        cancels are heard; reads and a wallet reset's refusal need no events and wait for a
        stream that is still connecting only briefly (``_read``)."""
        await self.venues.refresh(user_id)
        credentials = self.venues.binance_credentials(user_id)
        if credentials is not None and self.binance is not None:
            if listening:
                await self._ensure_stream(user_id, credentials)
            return Route(self.binance, credentials)
        return Route(self.paper, user_id)

    async def _ensure_stream(self, user_id: int, credentials: ExchangeCredentials) -> None:
        """One user data stream per user, restarted when the key changes, so fills arrive
        while the user is looking elsewhere."""
        if self._streams.get(user_id) == credentials:
            return
        async with self._stream_locks.setdefault(user_id, asyncio.Lock()):
            current = self._streams.get(user_id)
            if current == credentials:
                return
            binance = cast(AccountVenue, self.binance)
            if current is not None:
                await binance.stop_account(current)
            await binance.start_account(credentials)
            self._streams[user_id] = credentials

    async def close(self) -> None:
        for task in self._starting.values():
            task.cancel()
        await asyncio.gather(*self._starting.values(), return_exceptions=True)
        if self.binance is not None and hasattr(self.binance, "close"):
            await self.binance.close()

    # ------------------------------------------------------------ Venue API
    # Orders and cancels leave the kept reads alone: they wait for the user's stream (``route``),
    # whose reports of what they did are applied to the kept reads like anybody else's; only
    # one the exchange did not answer drops them (``_answered``).
    async def submit(self, account: int, request: OrderRequest) -> ExecutionReport:
        route = await self.route(account)
        with self._answered(account):
            return for_user(await route.venue.submit(route.account, request))

    async def submit_oco(self, account: int, request: OcoRequest) -> tuple[ExecutionReport, ExecutionReport]:
        route = await self.route(account)
        with self._answered(account):
            limit_leg, stop_leg = await route.venue.submit_oco(route.account, request)
        return for_user(limit_leg), for_user(stop_leg)

    async def cancel(self, account: int, symbol: str, *, client_order_id: str | None = None,
                     venue_order_id: int | None = None) -> ExecutionReport:
        route = await self.route(account)
        with self._answered(account):
            return for_user(await route.venue.cancel(
                route.account, symbol, client_order_id=client_order_id, venue_order_id=venue_order_id))

    async def cancel_all(self, account: int, symbol: str) -> list[ExecutionReport]:
        route = await self.route(account)
        with self._answered(account):
            return [for_user(report) for report in await route.venue.cancel_all(route.account, symbol)]

    @contextmanager
    def _answered(self, user_id: int) -> Iterator[None]:
        """An order or cancel the exchange did not answer drops the user's kept reads: the page's
        next read asks, and says the exchange is not answering if it still is not. A throttled
        one is left alone: it says when to come back, and reading everything again would only
        spend more weight."""
        try:
            yield
        except (OutcomeUnknown, TransientVenueError) as error:
            if getattr(error, "retry_after", None) is None:
                self._reads.invalidate(user_id)
            raise

    async def query_order(self, account: int, symbol: str, client_order_id: str) -> Order:
        route = await self.route(account, listening=False)
        return await route.venue.query_order(route.account, symbol, client_order_id)

    async def open_orders(self, account: int, symbol: str | None = None) -> list[Order]:
        route = await self.route(account, listening=False)
        return list(await self._read(account, route, OpenOrders(symbol),
                                     lambda: route.venue.open_orders(route.account, symbol)))

    async def all_orders(self, account: int, symbol: str | None = None, limit: int = 500,
                         before_order_id: int | None = None, is_open: bool | None = None) -> list[Order]:
        route = await self.route(account, listening=False)
        return list(await self._read(
            account, route, OrderHistory(symbol, limit, before_order_id, is_open),
            lambda: route.venue.all_orders(route.account, symbol, limit, before_order_id, is_open)))

    async def order_by_id(self, account: int, venue_order_id: int) -> Order:
        route = await self.route(account, listening=False)
        return await route.venue.order_by_id(route.account, venue_order_id)

    async def my_trades(self, account: int, symbol: str | None = None) -> list[Fill]:
        route = await self.route(account, listening=False)
        return list(await self._read(account, route, Trades(symbol),
                                     lambda: route.venue.my_trades(route.account, symbol)))

    async def balances(self, account: int) -> dict[str, Balance]:
        route = await self.route(account, listening=False)
        return dict(await self._read(account, route, BALANCES,
                                     lambda: route.venue.balances(route.account)))

    async def _read(self, user_id: int, route: Route, key: Hashable, load):
        if route.venue is self.paper:  # local and cheap: always fresh
            return await load()
        credentials = cast(ExchangeCredentials, route.account)
        binance = cast(AccountVenue, self.binance)
        await self._stream_started(user_id, credentials)

        def listening() -> Hashable | None:  # kept only while the stream says what changes
            connection = binance.listening(credentials)
            return None if connection is None else (credentials, connection)

        return await self._reads.read(user_id, key, load, listening)

    async def _stream_started(self, user_id: int, credentials: ExchangeCredentials) -> None:
        """Start the user's stream if nobody has. Reads in the first moments of its first start
        wait for it (so they are kept, and a first page load is not paid twice); later ones do
        not (a busy exchange can take many seconds to connect, and a read holds its tab meanwhile)."""
        if self._streams.get(user_id) == credentials:
            return
        starting = self._listen_soon(user_id, credentials)
        loop = asyncio.get_running_loop()
        first = self._first_starts.get(user_id)
        if first is None or first[0] != credentials:
            first = self._first_starts[user_id] = (credentials, loop.time() + self._stream_wait)
        if (left := first[1] - loop.time()) > 0:
            await asyncio.wait([starting], timeout=left)

    def _listen_soon(self, user_id: int, credentials: ExchangeCredentials) -> asyncio.Task[None]:
        """Start the user's stream without making the caller wait for it."""
        starting = self._starting.get(user_id)
        if starting is None or starting.done():
            starting = self._starting[user_id] = asyncio.get_running_loop().create_task(
                self._start_quietly(user_id, credentials), name=f"binance-stream-start-{user_id}")
        return starting

    async def _start_quietly(self, user_id: int, credentials: ExchangeCredentials) -> None:
        try:
            await self._ensure_stream(user_id, credentials)
        except VenueError as error:  # the next read or order tries again, and says so if it must
            logger.info("user data stream of user %s not started yet: %s", user_id, error.message)

    async def reset_wallet(self, account: int) -> None:
        route = await self.route(account, listening=False)
        if not route.venue.can_reset_wallet:
            raise WalletResetUnavailable("This venue keeps real balances; only a paper wallet can be reset.")
        await route.venue.reset_wallet(route.account)

    async def wallet_ledger(self, account: int) -> list[LedgerEntry]:
        route = await self.route(account, listening=False)
        return await route.venue.wallet_ledger(route.account)

    async def exchange_info(self) -> ExchangeInfo:
        """The symbols the app offers, with the paper venue's filters; the Binance venue
        checks an order against the exchange's own filters again before sending it."""
        return await self.paper.exchange_info()

    def reports(self, account: int) -> EventSubscription:
        credentials = self.venues.binance_credentials(account)
        if credentials is not None and self.binance is not None:
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
