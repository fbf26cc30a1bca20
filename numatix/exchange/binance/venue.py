"""``BinanceVenue``: the Spot (Testnet) venue behind our one venue interface.

The account is the user's ``ExchangeCredentials``. Events flow only for started accounts:
``await venue.start_account(credentials)`` opens the account's user data stream and
reconciles; ``stop_account`` and ``close`` end it. Per-account order events reach
``reports(account)`` subscriptions and ``add_listener`` listeners in order, each once.

Binance needs a symbol for most order queries; the methods that take none
(``all_orders(None)``, ``my_trades(None)``, ``order_by_id``) ask once per configured symbol
and merge; ``open_orders(None)`` asks once for every symbol when that costs less weight.
Binance numbers orders per symbol, so ``order_by_id`` returns the first configured symbol
that has an order with that id for this key.

``listening(account)`` numbers the account's stream connection while it is up: a caller
keeping reads knows a reconnect (which may have missed events) by a new number. The first
open orders and balances read after the stream comes up are answered from its
reconciliation's snapshot when nothing happened since.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence

import httpx

from numatix.config import Settings
from numatix.domain.backoff import Backoff
from numatix.domain.balances import Balance
from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.enums import OrderStatus
from numatix.domain.errors import (
    CANCEL_REJECTED,
    MSG_ORDER_DOES_NOT_EXIST,
    NO_SUCH_ORDER,
    AuthenticationFailed,
    OrderNotFound,
    TransientVenueError,
)
from numatix.domain.events import ExecutionReport, VenueEvent
from numatix.domain.orders import Fill, Order, execution_key, placement_key
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.exchange.base import EventSubscription, ExchangeInfo, Venue
from numatix.exchange.binance import wire
from numatix.exchange.binance.accounts import AccountSession, HandedOver
from numatix.exchange.binance.client import Attempts, BinanceRestClient
from numatix.exchange.binance.endpoints import BinanceEndpoints
from numatix.exchange.binance.limits import ServerClock
from numatix.exchange.binance.options import BinanceOptions, refuse_mainnet
from numatix.exchange.binance.placement import OrderPlacer
from numatix.exchange.binance.reconcile import Reconciler, Snapshot
from numatix.exchange.binance.rules import parse_exchange_info, weight_limit
from numatix.exchange.binance.user_stream import UserDataStream

logger = logging.getLogger(__name__)
EventListener = Callable[[VenueEvent], None]

_KEY_REFUSED = {
    -2014: "the API key is not in a valid format",
    -2015: "the API key is unknown, or this server's IP is not allowed, or the key lacks permission",
    -1022: "the signature does not match: the secret (or private key) does not belong to this API key",
}


class BinanceVenue(Venue[ExchangeCredentials]):
    def __init__(
        self,
        rest_url: str,
        ws_api_url: str,
        symbols: Sequence[str],
        *,
        allow_mainnet: bool = False,
        options: BinanceOptions = BinanceOptions(),
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
        clock: ServerClock | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``transport``, ``rng``, ``clock``, ``sleep`` and ``monotonic`` are for tests."""
        refuse_mainnet((rest_url, ws_api_url), allow_mainnet)
        self.options = options
        self.symbols = tuple(symbols)
        self.client = BinanceRestClient(
            rest_url, options, transport=transport, clock=clock, sleep=sleep, rng=rng, monotonic=monotonic
        )
        self._monotonic = monotonic
        self._endpoints = BinanceEndpoints(self.client)
        self._placer = OrderPlacer(self._endpoints)
        self._reconciler = Reconciler(self._endpoints, self.symbols)
        self._ws_api_url = ws_api_url
        self._rng = rng or random.Random()
        self._sessions: dict[ExchangeCredentials, AccountSession] = {}
        self._listeners: list[EventListener] = []
        self._info: ExchangeInfo | None = None
        self._info_loaded_at = 0.0
        self._info_lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: object) -> BinanceVenue:
        return cls(settings.binance_rest_url, settings.binance_ws_api_url, settings.symbols,
                   allow_mainnet=settings.allow_mainnet, **kwargs)  # type: ignore[arg-type]

    # ------------------------------------------------------------ lifecycle
    async def start_account(
        self, account: ExchangeCredentials, since_trade_ids: Mapping[str, int] | None = None
    ) -> None:
        """Open the account's stream and reconcile. ``since_trade_ids`` (symbol -> last trade id
        already applied) replays the fills after them; without it, older fills are not reported.

        Raises AuthenticationFailed if Binance refuses the key, TransientVenueError if the stream
        is not up within ``start_timeout_seconds`` (it keeps trying in the background)."""
        session = self._session(account)
        if session.task is None or session.task.done():
            session.stream = self._new_stream(account, session, since_trade_ids)
            session.task = asyncio.create_task(session.stream.run(), name=f"binance-user-{account.hint}")
        stream = session.stream
        assert stream is not None
        try:
            await asyncio.wait_for(stream.ready.wait(), self.options.start_timeout_seconds)
        except TimeoutError:
            raise TransientVenueError("Binance user data stream is not connected yet; still trying") from None
        if stream.failure is not None:
            raise stream.failure

    async def stop_account(self, account: ExchangeCredentials) -> None:
        session = self._sessions.get(account)
        if session is not None:
            await session.stop()

    async def close(self) -> None:
        for session in list(self._sessions.values()):
            await session.stop()
        await self.client.aclose()

    def _new_stream(
        self, account: ExchangeCredentials, session: AccountSession, since: Mapping[str, int] | None
    ) -> UserDataStream:
        first = [True]

        async def reconcile(heard_until_ms: int | None) -> None:
            await self.client.ensure_clock()
            snapshot = await self._reconciler.snapshot(account)
            delivered = session.delivered
            if first[0] and since is None:
                self._reconciler.baseline(session.ledger, snapshot)
            else:
                events = await self._reconciler.catch_up(
                    account, session.ledger, snapshot, base_assets=await self._base_assets(),
                    heard_until_ms=heard_until_ms, placed=set(session.placed),
                    since=since if first[0] else None)
                for event in events:
                    session.deliver(event)
            session.hand_over(snapshot, delivered)
            first[0] = False

        return UserDataStream(
            self._ws_api_url, account, self.client.clock, resync_clock=self.client.sync_time,
            on_connected=reconcile, on_event=session.deliver,
            backoff=Backoff(self.options.stream_backoff_base_seconds, self.options.stream_backoff_cap_seconds,
                            rng=self._rng),
            recv_window_ms=self.options.recv_window_ms, open_timeout=self.options.stream_open_timeout_seconds,
        )

    # --------------------------------------------------------------- orders
    async def submit(self, account: ExchangeCredentials, request: OrderRequest) -> ExecutionReport:
        report = await self._placer.place(account, request, await self.exchange_info())
        self._session(account).note_placed(report.symbol, report.venue_order_id)
        return report

    async def submit_oco(
        self, account: ExchangeCredentials, request: OcoRequest
    ) -> tuple[ExecutionReport, ExecutionReport]:
        legs = await self._placer.place_oco(account, request, await self.exchange_info())
        for leg in legs:
            self._session(account).note_placed(leg.symbol, leg.venue_order_id)
        return legs

    async def cancel(
        self, account: ExchangeCredentials, symbol: str, *, client_order_id: str | None = None,
        venue_order_id: int | None = None,
    ) -> ExecutionReport:
        """Retried on transient failures; if a retry finds the order gone after an attempt whose
        reply was lost, the order is looked up and a CANCELED one counts as cancelled by us."""
        attempts = Attempts()
        try:
            reports = await self._endpoints.cancel_order(account, symbol, client_order_id, venue_order_id,
                                                         attempts)
        except OrderNotFound:
            if not attempts.unknown_outcomes:
                raise
            return await self._cancel_outcome(account, symbol, client_order_id, venue_order_id)
        return _pick(reports, client_order_id, venue_order_id)

    async def _cancel_outcome(
        self, account: ExchangeCredentials, symbol: str, client_order_id: str | None,
        venue_order_id: int | None
    ) -> ExecutionReport:
        order = await self._endpoints.get_order(account, symbol, client_order_id=client_order_id,
                                                order_id=venue_order_id)
        if order.status is not OrderStatus.CANCELED:
            raise OrderNotFound(CANCEL_REJECTED, "Unknown order sent.")
        return wire.report_for_order(account, order, order.update_time_ms)

    async def cancel_all(self, account: ExchangeCredentials, symbol: str) -> list[ExecutionReport]:
        """Not repeated automatically (a second call would answer for a different set)."""
        try:
            return await self._endpoints.cancel_all(account, symbol)
        except OrderNotFound:  # Binance answers -2011 when there is nothing to cancel
            return []

    async def query_order(self, account: ExchangeCredentials, symbol: str, client_order_id: str) -> Order:
        return await self._endpoints.get_order(account, symbol, client_order_id=client_order_id)

    async def open_orders(self, account: ExchangeCredentials, symbol: str | None = None) -> list[Order]:
        if symbol is not None:
            return sorted(await self._endpoints.open_orders(account, symbol), key=placement_key)
        snapshot = self._handed_over(account, "open_orders")
        if snapshot is not None:
            return list(snapshot.open_orders)
        return await self._reconciler.open_orders(account)

    async def all_orders(
        self, account: ExchangeCredentials, symbol: str | None = None, limit: int = 500,
        before_order_id: int | None = None, is_open: bool | None = None,
    ) -> list[Order]:
        """Newest first, from the newest 1000 orders per symbol (Binance's allOrders cannot page
        backwards by order id; older history is not reached)."""
        orders = [order for name in self._symbols_for(symbol) for order in
                  await self._endpoints.all_orders(account, name)]
        if before_order_id is not None:
            orders = [order for order in orders if order.venue_order_id < before_order_id]
        if is_open is not None:
            orders = [order for order in orders if order.is_open == is_open]
        orders.sort(key=placement_key, reverse=True)
        return orders[:limit]

    async def order_by_id(self, account: ExchangeCredentials, venue_order_id: int) -> Order:
        for name in self.symbols:
            try:
                return await self._endpoints.get_order(account, name, order_id=venue_order_id)
            except OrderNotFound:
                continue
        raise OrderNotFound(NO_SUCH_ORDER, MSG_ORDER_DOES_NOT_EXIST)

    async def my_trades(self, account: ExchangeCredentials, symbol: str | None = None) -> list[Fill]:
        """The newest 1000 fills per symbol, oldest first."""
        rows = [row for name in self._symbols_for(symbol) for row in
                await self._endpoints.trade_rows(account, name)]
        fills = await self._endpoints.fills(account, rows)
        return sorted(fills, key=execution_key)

    async def balances(self, account: ExchangeCredentials) -> dict[str, Balance]:
        snapshot = self._handed_over(account, "balances")
        if snapshot is not None:
            return snapshot.balances
        return await self._endpoints.balances(account)

    def _handed_over(self, account: ExchangeCredentials, what: HandedOver) -> Snapshot | None:
        session = self._sessions.get(account)
        return session.take(what) if session is not None else None

    # ---------------------------------------------------------------- market
    async def exchange_info(self) -> ExchangeInfo:
        """Cached for ``exchange_info_ttl_seconds``; only the configured symbols."""
        if self._info is not None and not self._info_stale():
            return self._info
        async with self._info_lock:
            if self._info is None or self._info_stale():
                data = await self.client.public("exchangeInfo", [("symbols", _json_list(self.symbols))])
                self._info = parse_exchange_info(data)
                self.client.usage.weight_limit = weight_limit(data)
                self._info_loaded_at = self._monotonic()
        return self._info

    async def _base_assets(self) -> dict[str, str]:
        return {name: info.filters.base_asset for name, info in (await self.exchange_info()).symbols.items()}

    def _info_stale(self) -> bool:
        return self._monotonic() - self._info_loaded_at >= self.options.exchange_info_ttl_seconds

    async def check_credentials(self, credentials: ExchangeCredentials) -> None:
        """GET /api/v3/account with the key: AuthenticationFailed, in words, if Binance refuses it."""
        try:
            data = await self._endpoints.account(credentials)
        except AuthenticationFailed as refused:
            reason = _KEY_REFUSED.get(refused.code or 0, refused.message)
            raise AuthenticationFailed(
                f"Binance refused this key: {reason} (Binance {refused.code}: {refused.message}). "
                "Use a Spot Testnet key (testnet.binance.vision) with trading enabled.", refused.code,
            ) from refused
        if data.get("canTrade") is False:
            raise AuthenticationFailed("This Binance key cannot trade: enable Spot trading for it.")

    # ---------------------------------------------------------------- events
    def reports(self, account: ExchangeCredentials) -> EventSubscription:
        return self._session(account).subscribe()

    def add_listener(self, listener: EventListener) -> None:
        self._listeners.append(listener)

    def listening(self, account: ExchangeCredentials) -> int | None:
        """The number of the account's stream connection while it is up, None while it is not."""
        session = self._sessions.get(account)
        return session.listening if session is not None else None

    def stream_connections(self, account: ExchangeCredentials) -> int:
        """How often the account's user data stream has (re)connected: for health checks."""
        session = self._sessions.get(account)
        return session.stream.connections if session is not None and session.stream is not None else 0

    def _session(self, account: ExchangeCredentials) -> AccountSession:
        session = self._sessions.get(account)
        if session is None:
            session = self._sessions[account] = AccountSession(account, self._listeners, self._monotonic)
        return session

    def _symbols_for(self, symbol: str | None) -> tuple[str, ...]:
        return (symbol,) if symbol is not None else self.symbols


def _pick(reports: list[ExecutionReport], client_order_id: str | None,
          venue_order_id: int | None) -> ExecutionReport:
    for report in reports:
        if venue_order_id is not None and report.venue_order_id == venue_order_id:
            return report
        if client_order_id is not None and client_order_id in (report.original_client_order_id,
                                                                report.client_order_id):
            return report
    return reports[0]


def _json_list(symbols: Sequence[str]) -> str:
    return "[" + ",".join(f'"{symbol}"' for symbol in symbols) + "]"

