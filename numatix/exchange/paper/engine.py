"""``PaperExchange``: the paper venue. It owns time and I/O around the matching core.

Latency is simulated by sleeping on the injected clock before an order or a cancel
reaches the core; the core then matches against the book as it is *at arrival*, so a
cancel can lose the race with a fill exactly as on a real venue.

When a step fails in the store, the core's memory no longer matches the books: it is
dropped, and the next call restores a new one from the store (``StoreUnavailable`` makes
that a retryable error; a collision is also logged loudly). When a newer engine has
claimed the books (``FencedOut``), this exchange is *deposed*: it refuses everything from
then on with ``EngineDeposed`` (it did nothing) and tells ``on_deposed`` listeners.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Hashable, Iterator, Mapping
from decimal import Decimal
from typing import TypeVar

from numatix.domain import errors
from numatix.domain.balances import PAPER_STARTING_BALANCES, Balance, LedgerEntry
from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.errors import OrderNotFound, OutcomeUnknown, TransientVenueError, VenueError
from numatix.domain.events import ExecutionReport, VenueEvent
from numatix.domain.fees import FeeSchedule
from numatix.domain.filters import SymbolFilters
from numatix.domain.market import BookSnapshot, Ticker24h, TradePrint
from numatix.domain.orders import Fill, FillQuality, Order
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.domain.symbols import DEFAULT_SYMBOLS, SymbolSpec
from numatix.exchange.base import EventSubscription, ExchangeInfo, SymbolInfo, Venue
from numatix.exchange.paper.core import PaperCore
from numatix.exchange.paper.store import (
    FencedOut,
    InMemoryPaperStore,
    PaperStore,
    RecordCollision,
    StoreUnavailable,
)
from numatix.exchange.paper.timing import Clock, LatencyModel, SystemClock, ZeroLatency

logger = logging.getLogger(__name__)

PaperAccount = Hashable  # the user's id (int) in the app
EventListener = Callable[[VenueEvent], None]
T = TypeVar("T")
CHANGING_HANDS = "The paper exchange is changing hands; try again in a moment."
NO_DATABASE = "The paper exchange cannot reach its database; try again in a moment."
RELOADED = "The paper exchange had to reload its books; try again in a moment."
MAYBE_STORED = ("The paper exchange lost its database while storing the request; "
                "it may or may not have been carried out.")
RESTORE_PAUSE_SECONDS = 1.0  # after the store failed, before the next try to restore the books
RETRY_SECONDS = 1.0  # what a refused caller is told to wait


class EngineDeposed(TransientVenueError):
    """A newer engine owns the books: this one did nothing, and will do nothing more."""


class PaperSubscription(EventSubscription):
    def __init__(self, exchange: PaperExchange, account: PaperAccount) -> None:
        self._exchange = exchange
        self.account = account
        self.queue: asyncio.Queue[VenueEvent] = asyncio.Queue()

    async def __anext__(self) -> VenueEvent:
        return await self.queue.get()

    def close(self) -> None:
        self._exchange._unsubscribe(self)


class PaperExchange(Venue[PaperAccount]):
    def __init__(
        self,
        store: PaperStore | None = None,
        *,
        symbols: Mapping[str, SymbolSpec] = DEFAULT_SYMBOLS,
        clock: Clock | None = None,
        latency: LatencyModel | None = None,
        fees: FeeSchedule = FeeSchedule(),
        starting_balances: Mapping[str, Decimal] = PAPER_STARTING_BALANCES,
        consumption_half_life_ms: int = 2_000,
    ) -> None:
        self.store = store if store is not None else InMemoryPaperStore()
        self.clock = clock or SystemClock()
        self.latency = latency or ZeroLatency()
        self._filters = {name: SymbolFilters.from_spec(spec) for name, spec in symbols.items()}
        self._new_core = lambda: PaperCore(
            self._filters, self.store, self.clock, fees, starting_balances, consumption_half_life_ms
        )
        self._core: PaperCore | None = self._new_core()
        self._market_memory: PaperCore = self._core  # the market a replacement core carries on with
        self._deposed: FencedOut | None = None
        self._restore_after = 0.0  # monotonic
        self._deposed_listeners: list[Callable[[], None]] = []
        self._may_restore: Callable[[], bool] = lambda: True
        self._subscriptions: dict[PaperAccount, list[PaperSubscription]] = {}
        self._listeners: list[EventListener] = []

    # ------------------------------------------------------------ Venue API
    async def submit(self, account: PaperAccount, request: OrderRequest) -> ExecutionReport:
        await self.clock.sleep(self.latency.entry_delay_ms())
        venue_order_id, events = self._step(lambda core: core.place(account, request),
                                            request.client_order_id)
        return _last_report(events, venue_order_id)

    async def submit_oco(
        self, account: PaperAccount, request: OcoRequest
    ) -> tuple[ExecutionReport, ExecutionReport]:
        await self.clock.sleep(self.latency.entry_delay_ms())
        (limit_id, stop_id), events = self._step(lambda core: core.place_oco(account, request),
                                                 request.limit_client_order_id)
        return _last_report(events, limit_id), _last_report(events, stop_id)

    async def cancel(
        self,
        account: PaperAccount,
        symbol: str,
        *,
        client_order_id: str | None = None,
        venue_order_id: int | None = None,
    ) -> ExecutionReport:
        await self.clock.sleep(self.latency.cancel_delay_ms())
        canceled_id, events = self._step(
            lambda core: core.cancel(account, symbol, client_order_id, venue_order_id))
        return _last_report(events, canceled_id)

    async def cancel_all(self, account: PaperAccount, symbol: str) -> list[ExecutionReport]:
        await self.clock.sleep(self.latency.cancel_delay_ms())
        canceled_ids, events = self._step(lambda core: core.cancel_all(account, symbol))
        return [_last_report(events, canceled_id) for canceled_id in canceled_ids]

    async def query_order(self, account: PaperAccount, symbol: str, client_order_id: str) -> Order:
        with self._reading() as core:
            return core.find_order(account, symbol, client_order_id)

    async def open_orders(self, account: PaperAccount, symbol: str | None = None) -> list[Order]:
        with self._reading() as core:
            return core.open_orders(account, symbol)

    async def all_orders(self, account: PaperAccount, symbol: str | None = None, limit: int = 500,
                         before_order_id: int | None = None, is_open: bool | None = None) -> list[Order]:
        with self._reading():
            return self.store.load_orders(account, symbol, limit, before_order_id, is_open)

    async def order_by_id(self, account: PaperAccount, venue_order_id: int) -> Order:
        with self._reading() as core:
            order = core.open_order(account, venue_order_id) or self.store.load_order_by_id(account,
                                                                                            venue_order_id)
        if order is None:
            raise OrderNotFound(errors.NO_SUCH_ORDER, errors.MSG_ORDER_DOES_NOT_EXIST)
        return order

    async def my_trades(self, account: PaperAccount, symbol: str | None = None) -> list[Fill]:
        return self.fills(account, symbol)

    async def balances(self, account: PaperAccount) -> dict[str, Balance]:
        return self.balances_now(account)

    can_reset_wallet = True

    async def reset_wallet(self, account: PaperAccount) -> None:
        """Cancel the account's open orders and give it the starting balances again."""
        self._step(lambda core: core.reset_wallet(account))

    async def wallet_ledger(self, account: PaperAccount) -> list[LedgerEntry]:
        with self._reading():
            return self.store.load_ledger(account)

    async def exchange_info(self) -> ExchangeInfo:
        return ExchangeInfo({name: SymbolInfo(filters) for name, filters in self._filters.items()})

    async def check_credentials(self, credentials: ExchangeCredentials) -> None:
        """The paper venue has no keys of its own: a well-formed key is all it can check."""

    def reports(self, account: PaperAccount) -> PaperSubscription:
        subscription = PaperSubscription(self, account)
        self._subscriptions.setdefault(account, []).append(subscription)
        return subscription

    # ------------------------------------------------------- paper extras
    def balances_now(self, account: PaperAccount) -> dict[str, Balance]:
        """Synchronous balances, for tests and the simulator (a first look may store the
        starting wallet: a write, fenced like a step)."""
        balances, _events = self._step(lambda core: core.wallet(account).balances())
        return balances

    def reference_price(self, symbol: str) -> tuple[Decimal | None, int | None]:
        """(what the filters compare with now: the average price over avgPriceMins, else the last
        price; the time of the last trade), as Binance's ``avgPrice`` reports them."""
        market = (self._core or self._market_memory).markets[symbol]  # market data, not the books
        return market.reference_price(self.clock.now_ms()), market.average.last_trade_ms

    def fill_quality(self, account: PaperAccount, symbol: str, client_order_id: str) -> FillQuality:
        with self._reading() as core:
            return core.find_order(account, symbol, client_order_id).fill_quality()

    def fills(self, account: PaperAccount, symbol: str | None = None) -> list[Fill]:
        with self._reading():
            return self.store.load_fills(account, symbol)

    @property
    def term(self) -> int | None:
        """The fencing term this exchange's books were claimed with (None while it has none)."""
        return None if self._core is None else self._core.term

    @property
    def deposed(self) -> bool:
        return self._deposed is not None

    def on_deposed(self, callback: Callable[[], None]) -> None:
        """``callback()`` once, when a newer engine turns out to own the books."""
        self._deposed_listeners.append(callback)

    def restore_only_while(self, allowed: Callable[[], bool]) -> None:
        """Restoring the books claims them, fencing out whoever has them: a cluster worker
        may do that only while it holds the engine lease."""
        self._may_restore = allowed

    def add_listener(self, listener: EventListener) -> None:
        """Synchronous consumers (the services layer) see every event, for every account."""
        self._listeners.append(listener)

    # --------------------------------------------------------- market data
    def on_market_event(self, event: TradePrint | BookSnapshot | Ticker24h) -> None:
        """The market hub's listener entry point."""
        if isinstance(event, TradePrint):
            self.on_trade(event)
        elif isinstance(event, BookSnapshot):
            self.on_book(event)

    def on_trade(self, trade: TradePrint) -> None:
        self._market_step(lambda core: core.on_trade(trade))

    def on_book(self, book: BookSnapshot) -> None:
        self._market_step(lambda core: core.on_book(book))

    def _market_step(self, action: Callable[[PaperCore], None]) -> None:
        """A print or a book is a step too (it may fill resting orders): a failure is logged by
        ``_step``, never raised into the market hub. Without a working core the event is
        skipped; a restored core starts from its predecessor's market and the next events."""
        if self._deposed is not None or (self._core is None and time.monotonic() < self._restore_after):
            return
        with contextlib.suppress(VenueError):
            self._step(action)

    # -------------------------------------------------------------- the core
    def _working_core(self) -> PaperCore:
        """The core, restored from the store first if the last one was dropped."""
        if self._deposed is not None:
            raise EngineDeposed(CHANGING_HANDS, retry_after=RETRY_SECONDS)
        if self._core is None:
            if not self._may_restore():
                raise EngineDeposed(CHANGING_HANDS, retry_after=RETRY_SECONDS)
            if time.monotonic() < self._restore_after:
                raise TransientVenueError(NO_DATABASE, retry_after=RETRY_SECONDS)
            core = self._new_core()  # claims the books anew, then restores them
            core.adopt_market(self._market_memory)
            self._core = self._market_memory = core
            logger.info("paper engine restored from the database (term %s)", core.term)
        return self._core

    def _step(self, action: Callable[[PaperCore], T], client_order_id: str | None = None
              ) -> tuple[T, list[VenueEvent]]:
        """Run one or more core steps; publish what they committed, even if a later one failed."""
        core: PaperCore | None = None
        try:
            with self._failures(client_order_id):
                core = self._working_core()
                result = action(core)
        finally:
            events = self._publish(core) if core is not None else []
        return result, events

    @contextlib.contextmanager
    def _failures(self, client_order_id: str | None) -> Iterator[None]:
        """What a step's failure means for the caller, and for the core."""
        try:
            yield
        except VenueError:
            raise  # a rejection: checked before anything changed
        except FencedOut as fenced:
            self._depose(fenced)
            raise EngineDeposed(CHANGING_HANDS, retry_after=RETRY_SECONDS) from fenced
        except StoreUnavailable as unavailable:
            logger.warning("paper engine: %s; its books are restored once the database answers", unavailable)
            self._drop_core(pause=True)
            if unavailable.maybe_committed:
                raise OutcomeUnknown(MAYBE_STORED, client_order_id=client_order_id) from unavailable
            raise TransientVenueError(NO_DATABASE, retry_after=RETRY_SECONDS) from unavailable
        except RecordCollision as collision:
            logger.error("paper engine step refused by the database, nothing of it stored: %s", collision)
            self._drop_core()
            raise TransientVenueError(RELOADED, retry_after=RETRY_SECONDS) from collision
        except Exception:
            logger.exception("paper engine step failed, nothing of it stored; the books are restored")
            self._drop_core()
            raise

    @contextlib.contextmanager
    def _reading(self) -> Iterator[PaperCore]:
        """Reads change nothing: a failure only tells the caller to come back."""
        try:
            yield self._working_core()
        except StoreUnavailable as unavailable:
            if self._core is None:
                self._restore_after = time.monotonic() + RESTORE_PAUSE_SECONDS
            raise TransientVenueError(NO_DATABASE, retry_after=RETRY_SECONDS) from unavailable

    def _drop_core(self, pause: bool = False) -> None:
        self._core = None
        if pause:
            self._restore_after = time.monotonic() + RESTORE_PAUSE_SECONDS

    def _depose(self, fenced: FencedOut) -> None:
        self._core = None
        if self._deposed is not None:
            return
        self._deposed = fenced
        logger.error("paper engine deposed: %s", fenced)
        for callback in self._deposed_listeners:
            try:
                callback()
            except Exception:
                logger.exception("a deposed-engine listener failed")

    # -------------------------------------------------------------- plumbing
    def _publish(self, core: PaperCore) -> list[VenueEvent]:
        events = core.take_events()
        for event in events:
            for listener in self._listeners:
                listener(event)
            for subscription in self._subscriptions.get(event.account, ()):
                subscription.queue.put_nowait(event)
        return events

    def _unsubscribe(self, subscription: PaperSubscription) -> None:
        subscriptions = self._subscriptions.get(subscription.account, [])
        if subscription in subscriptions:
            subscriptions.remove(subscription)


def _last_report(events: list[VenueEvent], venue_order_id: int) -> ExecutionReport:
    for event in reversed(events):
        if isinstance(event, ExecutionReport) and event.venue_order_id == venue_order_id:
            return event
    raise LookupError(f"no report for order {venue_order_id}")
