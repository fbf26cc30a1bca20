"""``PaperExchange``: the paper venue. It owns time and I/O around the matching core.

Latency is simulated by sleeping on the injected clock before an order or a cancel
reaches the core; the core then matches against the book as it is *at arrival*, so a
cancel can lose the race with a fill exactly as on a real venue.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Mapping
from decimal import Decimal

from numatix.domain import errors
from numatix.domain.balances import PAPER_STARTING_BALANCES, Balance, LedgerEntry
from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.errors import OrderNotFound
from numatix.domain.events import ExecutionReport, VenueEvent
from numatix.domain.filters import SymbolFilters
from numatix.domain.market import BookSnapshot, Ticker24h, TradePrint
from numatix.domain.orders import Fill, FillQuality, Order
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.domain.symbols import DEFAULT_SYMBOLS, SymbolSpec
from numatix.exchange.base import EventSubscription, ExchangeInfo, SymbolInfo, Venue
from numatix.exchange.paper.core import PaperCore
from numatix.exchange.paper.fees import FeeSchedule
from numatix.exchange.paper.store import InMemoryPaperStore, PaperStore
from numatix.exchange.paper.timing import Clock, LatencyModel, SystemClock, ZeroLatency

PaperAccount = Hashable  # the user's id (int) in the app
EventListener = Callable[[VenueEvent], None]


class PaperSubscription(EventSubscription):
    def __init__(self, exchange: "PaperExchange", account: PaperAccount) -> None:
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
        self._core = PaperCore(
            self._filters, self.store, self.clock, fees, starting_balances, consumption_half_life_ms
        )
        self._subscriptions: dict[PaperAccount, list[PaperSubscription]] = {}
        self._listeners: list[EventListener] = []

    # ------------------------------------------------------------ Venue API
    async def submit(self, account: PaperAccount, request: OrderRequest) -> ExecutionReport:
        await self.clock.sleep(self.latency.entry_delay_ms())
        try:
            venue_order_id = self._core.place(account, request)
        finally:
            events = self._publish()
        return _last_report(events, venue_order_id)

    async def submit_oco(
        self, account: PaperAccount, request: OcoRequest
    ) -> tuple[ExecutionReport, ExecutionReport]:
        await self.clock.sleep(self.latency.entry_delay_ms())
        try:
            limit_id, stop_id = self._core.place_oco(account, request)
        finally:
            events = self._publish()
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
        try:
            canceled_id = self._core.cancel(account, symbol, client_order_id, venue_order_id)
        finally:
            events = self._publish()
        return _last_report(events, canceled_id)

    async def cancel_all(self, account: PaperAccount, symbol: str) -> list[ExecutionReport]:
        await self.clock.sleep(self.latency.cancel_delay_ms())
        try:
            canceled_ids = self._core.cancel_all(account, symbol)
        finally:
            events = self._publish()
        return [_last_report(events, canceled_id) for canceled_id in canceled_ids]

    async def query_order(self, account: PaperAccount, symbol: str, client_order_id: str) -> Order:
        return self._core.find_order(account, symbol, client_order_id)

    async def open_orders(self, account: PaperAccount, symbol: str | None = None) -> list[Order]:
        return self._core.open_orders(account, symbol)

    async def all_orders(self, account: PaperAccount, symbol: str | None = None, limit: int = 500,
                         before_order_id: int | None = None, is_open: bool | None = None) -> list[Order]:
        return self.store.load_orders(account, symbol, limit, before_order_id, is_open)

    async def order_by_id(self, account: PaperAccount, venue_order_id: int) -> Order:
        order = self._core.open_order(account, venue_order_id) or self.store.load_order_by_id(account, venue_order_id)
        if order is None:
            raise OrderNotFound(errors.NO_SUCH_ORDER, errors.MSG_ORDER_DOES_NOT_EXIST)
        return order

    async def my_trades(self, account: PaperAccount, symbol: str | None = None) -> list[Fill]:
        return self.store.load_fills(account, symbol)

    async def balances(self, account: PaperAccount) -> dict[str, Balance]:
        return self.balances_now(account)

    can_reset_wallet = True

    async def reset_wallet(self, account: PaperAccount) -> None:
        """Cancel the account's open orders and give it the starting balances again."""
        try:
            self._core.reset_wallet(account)
        finally:
            self._publish()

    async def wallet_ledger(self, account: PaperAccount) -> list[LedgerEntry]:
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
        """Synchronous balances, for tests and the simulator."""
        balances = self._core.wallet(account).balances()
        self._publish()  # a first look may create the starting wallet
        return balances

    def fill_quality(self, account: PaperAccount, symbol: str, client_order_id: str) -> FillQuality:
        return self._core.find_order(account, symbol, client_order_id).fill_quality()

    def fills(self, account: PaperAccount, symbol: str | None = None) -> list[Fill]:
        return self.store.load_fills(account, symbol)

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
        try:
            self._core.on_trade(trade)
        finally:
            self._publish()

    def on_book(self, book: BookSnapshot) -> None:
        self._core.on_book(book)

    # -------------------------------------------------------------- plumbing
    def _publish(self) -> list[VenueEvent]:
        events = self._core.take_events()
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
