"""How the trading went: per-symbol performance, execution quality, and one order in detail.

The same answers for the portfolio page, the order-details dialog and the API. Realized P&L
and fees per symbol are the positions' own (``PortfolioService``), so the portfolio page and
the positions table can never disagree; round trips and win rate come from the same fills.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from numatix.domain.execution_quality import (
    ExecutionSummary,
    OrderExecution,
    executions,
    order_execution,
    summarize,
)
from numatix.domain.orders import Fill, Order
from numatix.domain.performance import SymbolActivity, activity_by_symbol, totals
from numatix.domain.symbols import SymbolSpec
from numatix.domain.timeline import TimelineEntry, order_timeline
from numatix.services.portfolio import PortfolioService, PositionView
from numatix.services.trading import TradingService, UserId

ZERO = Decimal(0)
EXECUTION_ORDERS = 500  # the newest orders whose execution is measured


@dataclass(frozen=True, slots=True)
class SymbolPerformance:
    symbol: str
    activity: SymbolActivity
    realized_pnl: Decimal  # fees aside, as the positions table shows it
    unrealized_pnl: Decimal | None
    fees_in_quote: Decimal

    @property
    def net_pnl(self) -> Decimal:
        """Realized P&L after every fee paid on the symbol."""
        return self.realized_pnl - self.fees_in_quote


@dataclass(frozen=True, slots=True)
class Performance:
    symbols: list[SymbolPerformance]
    total: SymbolPerformance


@dataclass(frozen=True, slots=True)
class OrderDetails:
    order: Order
    fills: list[Fill]  # oldest first
    timeline: list[TimelineEntry]
    execution: OrderExecution

    @property
    def fees(self) -> tuple[tuple[str, Decimal], ...]:
        return self.execution.fees


class PerformanceService:
    def __init__(self, trading: TradingService, portfolio: PortfolioService,
                 symbols: dict[str, SymbolSpec]) -> None:
        self._trading = trading
        self._portfolio = portfolio
        self._symbols = symbols

    async def performance(self, user_id: UserId) -> Performance:
        activity = {row.symbol: row for row in activity_by_symbol(
            await self._portfolio.fills_since_opening(user_id), self._symbols)}
        positions = {p.symbol: p for p in await self._portfolio.positions(user_id)}
        rows = [_row(symbol, activity.get(symbol), positions.get(symbol))
                for symbol in sorted(set(activity) | set(positions))
                if symbol in activity or positions[symbol].realized_pnl]
        total_activity = totals(row.activity for row in rows)
        unrealized = [row.unrealized_pnl for row in rows if row.unrealized_pnl is not None]
        total = SymbolPerformance(
            "ALL", total_activity, sum((row.realized_pnl for row in rows), ZERO),
            sum(unrealized, ZERO) if unrealized else None, sum((row.fees_in_quote for row in rows), ZERO))
        return Performance(rows, total)

    async def executions(self, user_id: UserId,
                         limit: int = EXECUTION_ORDERS) -> tuple[list[OrderExecution], ExecutionSummary]:
        """The newest orders that traded, each measured, and all of them together."""
        orders = await self._trading.order_history(user_id, None, limit)
        rows = executions(orders, await self._trading.fills(user_id))
        return rows, summarize(rows)

    async def order_details(self, user_id: UserId, venue_order_id: int) -> OrderDetails:
        """Raises OrderNotFound for an order that is not this user's."""
        order = await self._trading.order_by_id(user_id, venue_order_id)
        fills = [f for f in await self._trading.fills(user_id, order.symbol)
                 if f.venue_order_id == venue_order_id]
        fills.sort(key=lambda f: (f.time_ms, f.trade_id))
        return OrderDetails(order, fills, order_timeline(order, fills), order_execution(order, fills))


def _row(symbol: str, activity: SymbolActivity | None, position: PositionView | None) -> SymbolPerformance:
    activity = activity or SymbolActivity(symbol)
    if position is None:
        return SymbolPerformance(symbol, activity, ZERO, None, activity.fees_in_quote)
    return SymbolPerformance(symbol, activity, position.realized_pnl, position.unrealized_pnl,
                             position.fees_in_quote)
