"""What a venue tells us about an account: Binance's executionReport and
outboundAccountPosition, as domain types (field comments give the wire letter)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal

from numatix.domain.balances import Balance
from numatix.domain.enums import (
    ExecutionType,
    ExpiryReason,
    OrderStatus,
    OrderType,
    RejectReason,
    SelfTradePreventionMode,
    Side,
    TimeInForce,
)
from numatix.domain.orders import Fill, Order

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class PreventedMatch:
    """One self-trade prevented (Binance's ``v B U pl pL pY`` of an execution report)."""

    match_id: int  # v
    quantity: Decimal  # B: what this prevention took off the reported order
    counter_order_id: int  # U: the other order of the pair
    price: Decimal  # pL: where they would have traded...
    match_quantity: Decimal  # pl: ...and how much


@dataclass(frozen=True, slots=True)
class ExecutionReport:
    account: Hashable
    event_time_ms: int  # E
    symbol: str  # s
    venue_order_id: int  # i
    client_order_id: str  # c (on a cancel: the cancel's id)
    original_client_order_id: str  # C ("" unless cancelling)
    order_list_id: int  # g (-1 if none)
    side: Side  # S
    order_type: OrderType  # o
    time_in_force: TimeInForce  # f
    quantity: Decimal  # q
    price: Decimal  # p
    stop_price: Decimal  # P
    quote_order_qty: Decimal  # Q
    execution_type: ExecutionType  # x
    status: OrderStatus  # X
    reject_reason: RejectReason  # r
    last_quantity: Decimal  # l
    last_price: Decimal  # L
    last_quote: Decimal  # Y
    commission: Decimal  # n
    commission_asset: str | None  # N
    trade_id: int  # t (-1 unless TRADE)
    is_maker: bool  # m
    is_working: bool  # w
    cumulative_quantity: Decimal  # z
    cumulative_quote: Decimal  # Z
    transaction_time_ms: int  # T
    created_time_ms: int  # O
    working_time_ms: int  # W
    expiry_reason: ExpiryReason | None = None  # eR
    prevented_quantity: Decimal = ZERO  # A: all self-trade prevention took off this order
    prevention: PreventedMatch | None = None  # v B U pl pL: the prevention this report is about
    self_trade_prevention: SelfTradePreventionMode = SelfTradePreventionMode.EXPIRE_MAKER  # V

    @property
    def average_price(self) -> Decimal | None:
        return self.cumulative_quote / self.cumulative_quantity if self.cumulative_quantity else None

    @property
    def order_client_id(self) -> str:
        """The order's own client id: a cancel's report names it in ``C`` (its ``c`` is the cancel's)."""
        return self.original_client_order_id or self.client_order_id

    def order(self, known: Order | None = None) -> Order:
        """The order as this report leaves it, as a query of the order would show it (zero
        prices are absent ones). ``known``, the order as last seen, gives what a report only
        carries when it is about it: the last self-trade prevention match."""
        if self.prevention is not None:
            match_id = self.prevention.match_id
        else:
            match_id = known.prevented_match_id if known is not None else -1
        return Order(
            venue_order_id=self.venue_order_id, client_order_id=self.order_client_id, symbol=self.symbol,
            side=self.side, order_type=self.order_type, time_in_force=self.time_in_force,
            quantity=self.quantity, price=self.price or None, stop_price=self.stop_price or None,
            quote_order_qty=self.quote_order_qty or None, status=self.status,
            executed_quantity=self.cumulative_quantity, cumulative_quote=self.cumulative_quote,
            created_time_ms=self.created_time_ms, update_time_ms=self.transaction_time_ms,
            working_time_ms=self.working_time_ms, is_working=self.is_working,
            order_list_id=self.order_list_id, expiry_reason=self.expiry_reason,
            self_trade_prevention=self.self_trade_prevention, prevented_quantity=self.prevented_quantity,
            prevented_match_id=match_id,
        )

    def fill(self) -> Fill | None:
        """The execution a TRADE report is about (None for any other report)."""
        if self.execution_type is not ExecutionType.TRADE or self.trade_id < 0:
            return None
        return Fill(
            trade_id=self.trade_id, venue_order_id=self.venue_order_id, client_order_id=self.order_client_id,
            symbol=self.symbol, side=self.side, price=self.last_price, quantity=self.last_quantity,
            quote_quantity=self.last_quote, commission=self.commission,
            commission_asset=self.commission_asset or "", is_maker=self.is_maker,
            time_ms=self.transaction_time_ms,
        )

    def is_behind(self, order: Order) -> bool:
        """Whether ``order`` (as last read) has already moved past this report: a read can see an
        order's later state before the stream has delivered the reports that led there."""
        return not order.is_open or self.cumulative_quantity < order.executed_quantity

    @classmethod
    def from_order(
        cls,
        account: Hashable,
        order: Order,
        execution_type: ExecutionType,
        time_ms: int,
        fill: Fill | None = None,
        original_client_order_id: str = "",
        client_order_id: str | None = None,
        prevention: PreventedMatch | None = None,
    ) -> ExecutionReport:
        """``client_order_id`` overrides the order's (a cancel reports the cancel's own id)."""
        return cls(
            account=account,
            event_time_ms=time_ms,
            symbol=order.symbol,
            venue_order_id=order.venue_order_id,
            client_order_id=client_order_id or order.client_order_id,
            original_client_order_id=original_client_order_id,
            order_list_id=order.order_list_id,
            side=order.side,
            order_type=order.order_type,
            time_in_force=order.time_in_force,
            quantity=order.quantity if order.quantity is not None else ZERO,
            price=order.price or ZERO,
            stop_price=order.stop_price or ZERO,
            quote_order_qty=order.quote_order_qty or ZERO,
            execution_type=execution_type,
            status=order.status,
            reject_reason=RejectReason.NONE,
            last_quantity=fill.quantity if fill else ZERO,
            last_price=fill.price if fill else ZERO,
            last_quote=fill.quote_quantity if fill else ZERO,
            commission=fill.commission if fill else ZERO,
            commission_asset=fill.commission_asset if fill else None,
            trade_id=fill.trade_id if fill else -1,
            is_maker=fill.is_maker if fill else False,
            is_working=order.is_working,
            cumulative_quantity=order.executed_quantity,
            cumulative_quote=order.cumulative_quote,
            transaction_time_ms=time_ms,
            created_time_ms=order.created_time_ms,
            working_time_ms=order.working_time_ms,
            expiry_reason=order.expiry_reason,
            prevented_quantity=order.prevented_quantity,
            prevention=prevention,
            self_trade_prevention=order.self_trade_prevention,
        )


@dataclass(frozen=True, slots=True)
class BalanceUpdate:
    """outboundAccountPosition: the balances that changed, after the change."""

    account: Hashable
    event_time_ms: int  # E
    last_update_ms: int  # u
    balances: tuple[Balance, ...]  # B: [{a, f, l}]


@dataclass(frozen=True, slots=True)
class AccountUncertain:
    """The venue may have changed this account without reporting how: its database stopped
    answering while a change was being committed, and the change may or may not have been
    kept. Whoever shows the account reloads it rather than wait for reports that never come."""

    account: Hashable
    event_time_ms: int


VenueEvent = ExecutionReport | BalanceUpdate | AccountUncertain
