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
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import TypeVar, cast

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
from numatix.exchange.paper import EngineDeposed

Listener = Callable[[VenueEvent], None]
T = TypeVar("T")


class ClusterSubscription(EventSubscription):
    def __init__(self, venue: ClusterVenue, account: Hashable) -> None:
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
        self._info = ExchangeInfo({name: SymbolInfo(SymbolFilters.from_spec(spec))
                                   for name, spec in symbols.items()})
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

    async def _run(self, local: Callable[[Venue], Awaitable[T]], command: protocol.Command,
                   arguments: dict[str, object]) -> T:
        """On the local engine while this worker may run it, else on the leader over Redis. A
        local engine that turns out to be deposed did nothing: the leader gets the call."""
        engine = self._engine
        if engine is not None:
            try:
                return await local(engine)
            except EngineDeposed:
                pass
        return cast(T, await self._client.call(command, arguments))

    # -------------------------------------------------------------- Venue API
    async def submit(self, account: Hashable, request: OrderRequest) -> ExecutionReport:
        return await self._run(lambda engine: engine.submit(account, request),
                               protocol.SUBMIT, {"account": account, "request": request})

    async def submit_oco(self, account: Hashable,
                         request: OcoRequest) -> tuple[ExecutionReport, ExecutionReport]:
        return await self._run(lambda engine: engine.submit_oco(account, request),
                               protocol.SUBMIT_OCO, {"account": account, "request": request})

    async def cancel(self, account: Hashable, symbol: str, *, client_order_id: str | None = None,
                     venue_order_id: int | None = None) -> ExecutionReport:
        return await self._run(
            lambda engine: engine.cancel(account, symbol, client_order_id=client_order_id,
                                         venue_order_id=venue_order_id),
            protocol.CANCEL, {"account": account, "symbol": symbol, "client_order_id": client_order_id,
                              "venue_order_id": venue_order_id})

    async def cancel_all(self, account: Hashable, symbol: str) -> list[ExecutionReport]:
        return await self._run(lambda engine: engine.cancel_all(account, symbol),
                               protocol.CANCEL_ALL, {"account": account, "symbol": symbol})

    async def query_order(self, account: Hashable, symbol: str, client_order_id: str) -> Order:
        return await self._run(lambda engine: engine.query_order(account, symbol, client_order_id),
                               protocol.QUERY_ORDER, {"account": account, "symbol": symbol,
                                                      "client_order_id": client_order_id})

    async def open_orders(self, account: Hashable, symbol: str | None = None) -> list[Order]:
        return await self._run(lambda engine: engine.open_orders(account, symbol),
                               protocol.OPEN_ORDERS, {"account": account, "symbol": symbol})

    async def all_orders(self, account: Hashable, symbol: str | None = None, limit: int = 500,
                         before_order_id: int | None = None, is_open: bool | None = None) -> list[Order]:
        return await self._run(lambda engine: engine.all_orders(account, symbol, limit, before_order_id,
                                                                is_open),
                               protocol.ALL_ORDERS, {"account": account, "symbol": symbol, "limit": limit,
                                                     "before_order_id": before_order_id, "is_open": is_open})

    async def order_by_id(self, account: Hashable, venue_order_id: int) -> Order:
        return await self._run(lambda engine: engine.order_by_id(account, venue_order_id),
                               protocol.ORDER_BY_ID, {"account": account, "venue_order_id": venue_order_id})

    async def my_trades(self, account: Hashable, symbol: str | None = None) -> list[Fill]:
        return await self._run(lambda engine: engine.my_trades(account, symbol),
                               protocol.MY_TRADES, {"account": account, "symbol": symbol})

    async def balances(self, account: Hashable) -> dict[str, Balance]:
        return await self._run(lambda engine: engine.balances(account),
                               protocol.BALANCES, {"account": account})

    async def reset_wallet(self, account: Hashable) -> None:
        await self._run(lambda engine: engine.reset_wallet(account),
                        protocol.RESET_WALLET, {"account": account})

    async def wallet_ledger(self, account: Hashable) -> list[LedgerEntry]:
        return await self._run(lambda engine: engine.wallet_ledger(account),
                               protocol.WALLET_LEDGER, {"account": account})

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
