"""``ClusterVenue``: the paper venue as every worker of a cluster sees it.

One worker (the engine leader) runs the paper engine; the others forward each call to it
over Redis. The leader's own calls go straight to its engine, without the round trip.
Which worker leads can change at any time (``attach``/``detach``); nothing above
``exchange/`` sees the difference. The listeners given to ``add_listener`` (the services'
bus feed) are attached to the engine only where it runs, so each event is fed to the
services once per cluster, not once per worker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Mapping

from numatix.domain.balances import Balance, LedgerEntry
from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.events import ExecutionReport, VenueEvent
from numatix.domain.filters import SymbolFilters
from numatix.domain.orders import Fill, Order
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.domain.symbols import SymbolSpec
from numatix.exchange.base import EventSubscription, ExchangeInfo, SymbolInfo, Venue
from numatix.exchange.cluster import protocol
from numatix.exchange.cluster.client import CommandClient

Listener = Callable[[VenueEvent], None]


class ClusterSubscription(EventSubscription):
    def __init__(self, venue: "ClusterVenue", account: Hashable) -> None:
        self._venue = venue
        self.account = account
        self.queue: asyncio.Queue[VenueEvent] = asyncio.Queue()

    async def __anext__(self) -> VenueEvent:
        return await self.queue.get()

    def close(self) -> None:
        self._venue._unsubscribe(self)


class ClusterVenue(Venue[Hashable]):
    can_reset_wallet = True

    def __init__(self, client: CommandClient, symbols: Mapping[str, SymbolSpec]) -> None:
        self._client = client
        self._info = ExchangeInfo({name: SymbolInfo(SymbolFilters.from_spec(spec)) for name, spec in symbols.items()})
        self._attached: Venue | None = None  # the engine calls go to (this worker leads)
        self._listening: Venue | None = None  # the engine whose events the listeners get
        self._may_act: Callable[[], bool] = lambda: False
        self._listeners: list[Listener] = []
        self._subscriptions: dict[Hashable, list[ClusterSubscription]] = {}
        client.report_sink = self._on_report

    # ------------------------------------------------------------ leadership
    @property
    def leads(self) -> bool:
        return self._attached is not None

    def listen(self, engine: Venue) -> None:
        """This worker's new engine: its events go to the listeners from now on, even
        before it takes calls (a restored order may fill as soon as the market runs)."""
        for listener in self._listeners:
            engine.add_listener(listener)
        self._listening = engine

    def attach(self, engine: Venue, may_act: Callable[[], bool] = lambda: True) -> None:
        """This worker now runs the engine: calls go to it while ``may_act()`` (the lease is
        surely held)."""
        if engine is not self._listening:
            self.listen(engine)
        self._may_act = may_act
        self._attached = engine

    def detach(self) -> None:
        """This worker no longer leads: calls go over Redis from now on."""
        self._attached = None
        self._listening = None

    @property
    def _engine(self) -> Venue | None:
        """The local engine, while it may act; otherwise None and the call goes over Redis."""
        engine = self._attached
        return engine if engine is not None and self._may_act() else None

    # -------------------------------------------------------------- Venue API
    async def submit(self, account: Hashable, request: OrderRequest) -> ExecutionReport:
        if self._engine is not None:
            return await self._engine.submit(account, request)
        return await self._client.call(protocol.SUBMIT, dict(account=account, request=request))

    async def submit_oco(self, account: Hashable, request: OcoRequest) -> tuple[ExecutionReport, ExecutionReport]:
        if self._engine is not None:
            return await self._engine.submit_oco(account, request)
        return await self._client.call(protocol.SUBMIT_OCO, dict(account=account, request=request))

    async def cancel(self, account: Hashable, symbol: str, *, client_order_id: str | None = None,
                     venue_order_id: int | None = None) -> ExecutionReport:
        if self._engine is not None:
            return await self._engine.cancel(account, symbol, client_order_id=client_order_id,
                                             venue_order_id=venue_order_id)
        return await self._client.call(protocol.CANCEL, dict(account=account, symbol=symbol,
                                       client_order_id=client_order_id, venue_order_id=venue_order_id))

    async def cancel_all(self, account: Hashable, symbol: str) -> list[ExecutionReport]:
        if self._engine is not None:
            return await self._engine.cancel_all(account, symbol)
        return await self._client.call(protocol.CANCEL_ALL, dict(account=account, symbol=symbol))

    async def query_order(self, account: Hashable, symbol: str, client_order_id: str) -> Order:
        if self._engine is not None:
            return await self._engine.query_order(account, symbol, client_order_id)
        return await self._client.call(protocol.QUERY_ORDER, dict(account=account, symbol=symbol,
                                       client_order_id=client_order_id))

    async def open_orders(self, account: Hashable, symbol: str | None = None) -> list[Order]:
        if self._engine is not None:
            return await self._engine.open_orders(account, symbol)
        return await self._client.call(protocol.OPEN_ORDERS, dict(account=account, symbol=symbol))

    async def all_orders(self, account: Hashable, symbol: str | None = None, limit: int = 500,
                         before_order_id: int | None = None, is_open: bool | None = None) -> list[Order]:
        if self._engine is not None:
            return await self._engine.all_orders(account, symbol, limit, before_order_id, is_open)
        return await self._client.call(protocol.ALL_ORDERS, dict(account=account, symbol=symbol, limit=limit,
                                       before_order_id=before_order_id, is_open=is_open))

    async def order_by_id(self, account: Hashable, venue_order_id: int) -> Order:
        if self._engine is not None:
            return await self._engine.order_by_id(account, venue_order_id)
        return await self._client.call(protocol.ORDER_BY_ID, dict(account=account, venue_order_id=venue_order_id))

    async def my_trades(self, account: Hashable, symbol: str | None = None) -> list[Fill]:
        if self._engine is not None:
            return await self._engine.my_trades(account, symbol)
        return await self._client.call(protocol.MY_TRADES, dict(account=account, symbol=symbol))

    async def balances(self, account: Hashable) -> dict[str, Balance]:
        if self._engine is not None:
            return await self._engine.balances(account)
        return await self._client.call(protocol.BALANCES, dict(account=account))

    async def reset_wallet(self, account: Hashable) -> None:
        if self._engine is not None:
            return await self._engine.reset_wallet(account)
        await self._client.call(protocol.RESET_WALLET, dict(account=account))

    async def wallet_ledger(self, account: Hashable) -> list[LedgerEntry]:
        if self._engine is not None:
            return await self._engine.wallet_ledger(account)
        return await self._client.call(protocol.WALLET_LEDGER, dict(account=account))

    async def exchange_info(self) -> ExchangeInfo:
        """Every worker has the same symbol list: no need to ask the engine."""
        return self._info

    async def check_credentials(self, credentials: ExchangeCredentials) -> None:
        """The paper venue has no keys of its own: a well-formed key is all it can check."""

    def reports(self, account: Hashable) -> ClusterSubscription:
        """Fed from the engine's per-account channel, on whichever worker it runs."""
        subscription = ClusterSubscription(self, account)
        self._subscriptions.setdefault(account, []).append(subscription)
        return subscription

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)
        if self._listening is not None:
            self._listening.add_listener(listener)

    # -------------------------------------------------------------- plumbing
    def _on_report(self, account: Hashable, data: bytes) -> None:
        readers = self._subscriptions.get(account)
        if not readers:
            return
        event = protocol.decode_venue_event(data)
        for reader in readers:
            reader.queue.put_nowait(event)

    def _unsubscribe(self, subscription: ClusterSubscription) -> None:
        readers = self._subscriptions.get(subscription.account, [])
        if subscription in readers:
            readers.remove(subscription)
        if not readers:
            self._subscriptions.pop(subscription.account, None)
