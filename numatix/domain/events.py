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
