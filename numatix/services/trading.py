"""Trading use cases: the one entry point the UI and the API both call.

The service never knows which venue it talks to. A venue identifies accounts its own
way (the paper venue by user id; the Binance venue by the user's credentials), so the
service is given how to turn a user into a venue account and back. Venue errors
(``OrderRejected`` with Binance's code and message, ``TransientVenueError``...) pass
through unchanged: the edge turns them into words for a person or JSON for a script.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable, Hashable
from typing import cast

from numatix.domain.enums import ExecutionType
from numatix.domain.errors import (
    CANCEL_REJECTED,
    MSG_DUPLICATE_ORDER,
    MSG_UNKNOWN_ORDER,
    NEW_ORDER_REJECTED,
    OrderNotFound,
    OrderRejected,
    OutcomeUnknown,
    VenueError,
)
from numatix.domain.events import ExecutionReport, VenueEvent
from numatix.domain.orders import Fill, Order
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.exchange.base import ExchangeInfo, Venue
from numatix.faults import (
    CANCEL_ACKNOWLEDGED,
    FILL_APPLIED,
    PLACE_ACKNOWLEDGED,
    PLACE_RECEIVED,
    PLACE_SENDING,
    crash_point,
)
from numatix.security.rate_limits import ORDERS, RateLimiter
from numatix.services import metrics
from numatix.services.errors import ServiceUnavailable, limited
from numatix.services.events import UserEventBus

UserId = int
CLIENT_ORDER_ID_PREFIX = "nx"
PLACED_UNREAD = "The order was placed, but reading it back failed; look it up by its client order id."


def new_client_order_id() -> str:
    """Unique, and within Binance's ``^[.A-Z:/a-z0-9_-]{1,36}$``."""
    return f"{CLIENT_ORDER_ID_PREFIX}-{secrets.token_hex(12)}"


def identity(value: Hashable) -> Hashable:
    return value


def same_user(account: Hashable) -> UserId:
    """Over the venue router an event's account is already the user id."""
    return cast(UserId, account)


class TradingService:
    def __init__(
        self,
        venue: Venue,
        bus: UserEventBus,
        *,
        account_for: Callable[[UserId], Hashable] = identity,
        user_of: Callable[[Hashable], UserId] = same_user,
        client_order_ids: Callable[[], str] = new_client_order_id,
        limiter: RateLimiter | None = None,
        venue_name: Callable[[UserId], str] | None = None,
    ) -> None:
        self.venue = venue
        self.bus = bus
        self._account_for = account_for
        self._user_of = user_of
        self._client_order_ids = client_order_ids
        self._limiter = limiter
        self._in_flight: dict[tuple, asyncio.Future[Order]] = {}
        # metrics label: which venue this user's orders went to
        self._venue_name = venue_name or (lambda _user: type(venue).__name__)
        self._busy = 0
        self._closing = False
        self._idle = asyncio.Event()

    def on_venue_event(self, event: VenueEvent) -> None:
        """The venue's listener: every order and balance event goes to its user's topic."""
        if isinstance(event, ExecutionReport) and event.execution_type is ExecutionType.TRADE:
            crash_point(FILL_APPLIED)  # the fill is committed; nobody has heard of it yet
            metrics.FILLS.labels(event.symbol, event.side.value).inc()
        self.bus.publish(self._user_of(event.account), event)

    async def place_order(self, user_id: UserId, request: OrderRequest) -> ExecutionReport:
        """Every order gets a client order id before it leaves, so a lost reply can be
        looked up instead of sent twice."""
        await self._count_order(user_id)
        if request.client_order_id is None:
            request = request.with_client_order_id(self._client_order_ids())
        timer = metrics.Timer()
        try:
            with self._in_progress():
                crash_point(PLACE_SENDING)
                report = await self.venue.submit(self._account_for(user_id), request)
                crash_point(PLACE_ACKNOWLEDGED)  # the venue has it; the caller does not know yet
        except OrderRejected as rejected:
            metrics.REJECTIONS.labels(str(rejected.code)).inc()
            raise
        except VenueError as failed:
            metrics.VENUE_ERRORS.labels(type(failed).__name__).inc()
            raise
        venue_name = self._venue_name(user_id)
        metrics.ORDER_LATENCY.labels(venue_name).observe(timer.seconds)
        metrics.ORDERS.labels(venue_name, request.order_type.value).inc()
        return report

    async def place_order_once(self, user_id: UserId, request: OrderRequest) -> tuple[Order, bool]:
        """Place an order unless one with this client order id already exists: a script that
        retries after a lost reply gets the same order back, never a second one.
        Returns (the order, whether it was created now)."""
        crash_point(PLACE_RECEIVED)
        if request.client_order_id is None:
            report = await self.place_order(user_id, request)
            return await self._read_back(user_id, report), True
        key = (user_id, request.symbol, request.client_order_id)
        if key not in self._in_flight:
            existing = await self._existing(user_id, request.symbol, request.client_order_id)
            if existing is not None:
                return existing, False
        # Looked at again after that await, with none between the look and taking the key:
        # the same retry racing the first attempt shares its outcome.
        in_flight = self._in_flight.get(key)
        if in_flight is not None:
            return await asyncio.shield(in_flight), False
        attempt = asyncio.get_running_loop().create_future()
        self._in_flight[key] = attempt
        try:
            report = await self.place_order(user_id, request)
            order = await self._read_back(user_id, report)
            attempt.set_result(order)
            return order, True
        except BaseException as error:
            attempt.set_exception(error)
            attempt.exception()  # retrieved here, so a lone attempt does not warn
            raise
        finally:
            del self._in_flight[key]

    async def _read_back(self, user_id: UserId, report: ExecutionReport) -> Order:
        """The order just placed. Whatever stops reading it (the engine changing hands, the
        database or Redis gone), it is placed: the answer must not be a 503, which says
        nothing ran, but "look it up" (OutcomeUnknown, 504), which a retry with the same
        client order id answers."""
        try:
            return await self.order_by_id(user_id, report.venue_order_id)
        except Exception as unread:  # whatever failed, it is raised again as what it means here
            raise OutcomeUnknown(PLACED_UNREAD, client_order_id=report.client_order_id) from unread

    async def _existing(self, user_id: UserId, symbol: str, client_order_id: str) -> Order | None:
        try:
            return await self.venue.query_order(self._account_for(user_id), symbol, client_order_id)
        except OrderNotFound:
            return None

    async def order_by_id(self, user_id: UserId, venue_order_id: int) -> Order:
        """This user's order; another user's id is as unknown as one that never existed."""
        return await self.venue.order_by_id(self._account_for(user_id), venue_order_id)

    async def place_oco(self, user_id: UserId,
                        request: OcoRequest) -> tuple[ExecutionReport, ExecutionReport]:
        await self._count_order(user_id)
        with self._in_progress():
            return await self.venue.submit_oco(self._account_for(user_id), request)

    async def place_oco_once(self, user_id: UserId, request: OcoRequest) -> tuple[tuple[Order, Order], bool]:
        """Place a one-cancels-the-other pair unless its limit leg's client order id is already
        taken: a retry after a lost reply gets the same pair back, never a second pair.
        Returns ((limit leg, stop leg), whether they were created now)."""
        crash_point(PLACE_RECEIVED)
        leg = request.limit_client_order_id
        existing = await self._existing(user_id, request.symbol, leg) if leg else None
        if existing is not None:
            return await self._oco_legs(user_id, existing), False
        limit_report, stop_report = await self.place_oco(user_id, request)
        limit_leg, stop_leg = await asyncio.gather(self._read_back(user_id, limit_report),
                                                   self._read_back(user_id, stop_report))
        return (limit_leg, stop_leg), True

    async def _oco_legs(self, user_id: UserId, limit_leg: Order) -> tuple[Order, Order]:
        """A retried pair: its stop leg is the other order of the limit leg's list."""
        orders = await self.venue.all_orders(self._account_for(user_id), limit_leg.symbol)
        pair = limit_leg.order_list_id
        siblings = [o for o in orders if pair >= 0 and o.order_list_id == pair
                    and o.venue_order_id != limit_leg.venue_order_id]
        if not siblings:  # the id belongs to a plain order: this is not a retry of a pair
            raise OrderRejected(NEW_ORDER_REJECTED, MSG_DUPLICATE_ORDER)
        # Read the way the first placement read it (the venue's live order while it rests), so
        # the retry's answer is the first answer, digit for digit.
        return limit_leg, await self.order_by_id(user_id, siblings[0].venue_order_id)

    @contextlib.contextmanager
    def _in_progress(self):
        if self._closing:
            raise ServiceUnavailable("The server is shutting down; try again in a moment.")
        self._busy += 1
        metrics.IN_FLIGHT.inc()
        try:
            yield
        finally:
            self._busy -= 1
            metrics.IN_FLIGHT.dec()
            if not self._busy:
                self._idle.set()

    async def drain(self, timeout: float = 10.0) -> bool:
        """Graceful shutdown: refuse new orders, let those already sent finish. True if all did."""
        self._closing = True
        while self._busy:
            self._idle.clear()
            try:
                await asyncio.wait_for(self._idle.wait(), timeout)
            except TimeoutError:
                return False
        return True

    async def _count_order(self, user_id: UserId) -> None:
        """20 orders a minute per user, whether from a page or a script."""
        if self._limiter is None:
            return
        with limited("Too many orders this minute"):
            await self._limiter.take(ORDERS, str(user_id))

    async def cancel_order(
        self, user_id: UserId, symbol: str, *, client_order_id: str | None = None,
        venue_order_id: int | None = None
    ) -> ExecutionReport:
        report = await self.venue.cancel(
            self._account_for(user_id), symbol, client_order_id=client_order_id, venue_order_id=venue_order_id
        )
        crash_point(CANCEL_ACKNOWLEDGED)
        return report

    async def cancel_order_by_id(self, user_id: UserId, venue_order_id: int) -> ExecutionReport:
        """Cancel knowing only the order id (the REST contract's ``DELETE /orders/{orderId}``)."""
        try:
            order = await self.order_by_id(user_id, venue_order_id)
        except OrderNotFound:
            raise OrderNotFound(CANCEL_REJECTED, MSG_UNKNOWN_ORDER) from None
        return await self.cancel_order(user_id, order.symbol, venue_order_id=venue_order_id)

    async def cancel_all(self, user_id: UserId, symbol: str) -> list[ExecutionReport]:
        return await self.venue.cancel_all(self._account_for(user_id), symbol)

    async def open_orders(self, user_id: UserId, symbol: str | None = None) -> list[Order]:
        orders = await self.venue.open_orders(self._account_for(user_id), symbol)
        return sorted(orders, key=lambda order: order.venue_order_id, reverse=True)

    async def order_history(
        self, user_id: UserId, symbol: str | None = None, limit: int = 500,
        before_order_id: int | None = None, is_open: bool | None = None,
    ) -> list[Order]:
        """Newest first; pass the last order id seen as ``before_order_id`` for the next page."""
        return await self.venue.all_orders(self._account_for(user_id), symbol, limit, before_order_id,
                                           is_open)

    async def fills(self, user_id: UserId, symbol: str | None = None) -> list[Fill]:
        """Oldest first."""
        return await self.venue.my_trades(self._account_for(user_id), symbol)

    async def exchange_info(self) -> ExchangeInfo:
        return await self.venue.exchange_info()
