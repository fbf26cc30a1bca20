"""The one venue interface: paper and Binance both implement it, and nothing above
``exchange/`` knows which one it talks to.

``account`` is opaque to callers: the paper venue takes the user's id (an ``int``); the
Binance venue will take a value carrying that user's decrypted credentials. Both must be
hashable, as venues keep per-account state keyed by it.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, Self, TypeVar

from numatix.domain.balances import Balance, LedgerEntry
from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.enums import OrderType
from numatix.domain.events import ExecutionReport, VenueEvent
from numatix.domain.filters import SymbolFilters
from numatix.domain.orders import Fill, Order
from numatix.domain.requests import OcoRequest, OrderRequest

AccountT = TypeVar("AccountT", bound=Hashable)

ALL_ORDER_TYPES: tuple[OrderType, ...] = tuple(OrderType)


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    filters: SymbolFilters
    order_types: tuple[OrderType, ...] = ALL_ORDER_TYPES
    status: str = "TRADING"

    @property
    def symbol(self) -> str:
        return self.filters.symbol


@dataclass(frozen=True, slots=True)
class ExchangeInfo:
    symbols: dict[str, SymbolInfo] = field(default_factory=dict)


class EventSubscription(abc.ABC, AsyncIterator[VenueEvent]):
    """An account's stream of ExecutionReport and BalanceUpdate events, in order.

    Registered when created, so no event between subscribing and first reading is lost.
    ``close()`` (or ``async with``) stops it.
    """

    @abc.abstractmethod
    async def __anext__(self) -> VenueEvent: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()


class Venue(abc.ABC, Generic[AccountT]):
    @abc.abstractmethod
    async def submit(self, account: AccountT, request: OrderRequest) -> ExecutionReport:
        """Place an order. Returns the order's latest report once the venue has matched it
        (status FILLED, EXPIRED, NEW...). Raises OrderRejected (funds untouched),
        TransientVenueError or OutcomeUnknown."""

    @abc.abstractmethod
    async def submit_oco(
        self, account: AccountT, request: OcoRequest
    ) -> tuple[ExecutionReport, ExecutionReport]:
        """Place a one-cancels-the-other pair; returns (limit leg, stop leg) reports."""

    @abc.abstractmethod
    async def cancel(
        self,
        account: AccountT,
        symbol: str,
        *,
        client_order_id: str | None = None,
        venue_order_id: int | None = None,
    ) -> ExecutionReport:
        """Cancel one open order. Raises OrderNotFound (-2011 "Unknown order sent.") if the
        order is unknown or already closed, e.g. because a fill won the race."""

    @abc.abstractmethod
    async def cancel_all(self, account: AccountT, symbol: str) -> list[ExecutionReport]: ...

    @abc.abstractmethod
    async def query_order(self, account: AccountT, symbol: str, client_order_id: str) -> Order:
        """Raises OrderNotFound (-2013 "Order does not exist.")."""

    @abc.abstractmethod
    async def open_orders(self, account: AccountT, symbol: str | None = None) -> list[Order]: ...

    @abc.abstractmethod
    async def all_orders(self, account: AccountT, symbol: str | None = None, limit: int = 500,
                         before_order_id: int | None = None, is_open: bool | None = None) -> list[Order]:
        """Newest first (Binance's allOrders); ``before_order_id`` pages back."""

    @abc.abstractmethod
    async def order_by_id(self, account: AccountT, venue_order_id: int) -> Order:
        """This account's order; OrderNotFound (-2013) for another account's or none."""

    @abc.abstractmethod
    async def my_trades(self, account: AccountT, symbol: str | None = None) -> list[Fill]:
        """The account's fills, oldest first (Binance's myTrades)."""

    @abc.abstractmethod
    async def balances(self, account: AccountT) -> dict[str, Balance]: ...

    # A venue that can give an account its starting wallet back (paper) says so here;
    # the Binance testnet cannot, so callers ask before offering it.
    can_reset_wallet: bool = False

    async def reset_wallet(self, account: AccountT) -> None:
        raise NotImplementedError(f"{type(self).__name__} cannot reset a wallet")

    async def wallet_ledger(self, account: AccountT) -> list[LedgerEntry]:
        return []

    @abc.abstractmethod
    async def exchange_info(self) -> ExchangeInfo: ...

    @abc.abstractmethod
    def reports(self, account: AccountT) -> EventSubscription: ...

    @abc.abstractmethod
    async def check_credentials(self, credentials: ExchangeCredentials) -> None:
        """Before a user's key is saved: raises AuthenticationFailed with the venue's reason."""

    @abc.abstractmethod
    def add_listener(self, listener: Callable[[VenueEvent], None]) -> None:
        """Every event of every account, synchronously, in order (the services' bus feed)."""
