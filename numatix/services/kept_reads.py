"""What each kept Binance read is, and how one execution report changes its answer.

A report changes a kept answer the way it changed the venue's, so the next page gets what a
new request would show without paying its weight (allOrders and myTrades cost 20 per
symbol). Only reads of the report's symbol, or of every symbol, are touched. Where a report
leaves an answer unknown (an order leaving a full page of history: whichever comes up next
was never read), ``after`` says so with None and that one read is dropped.

The orderings are the venue's: open orders and fills oldest first, history newest first.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass
from typing import Any

from numatix.domain.events import ExecutionReport
from numatix.domain.orders import Fill, Order, execution_key, placement_key


@dataclass(frozen=True, slots=True)
class Balances:
    """A user's balances: the stream's balance updates rewrite them (see ``ReadCache.apply``)."""


@dataclass(frozen=True, slots=True)
class SymbolRead:
    """A read of one symbol's orders or fills, or of every symbol's (``symbol`` None)."""

    symbol: str | None

    def covers(self, symbol: str) -> bool:
        return self.symbol is None or self.symbol == symbol

    def after(self, kept: Any, report: ExecutionReport) -> Any | None:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class OpenOrders(SymbolRead):
    def after(self, kept: list[Order], report: ExecutionReport) -> list[Order] | None:
        known = _find(kept, report)
        if known is not None and report.is_behind(known):
            return kept
        others = [order for order in kept if order is not known]
        order = report.order(known)
        if order.is_open:
            insort(others, order, key=placement_key)
        return others


@dataclass(frozen=True, slots=True)
class OrderHistory(SymbolRead):
    """allOrders: the newest ``limit`` orders that pass the filters, newest first."""

    limit: int
    before_order_id: int | None
    is_open: bool | None

    def shows(self, order: Order) -> bool:
        return ((self.before_order_id is None or order.venue_order_id < self.before_order_id)
                and (self.is_open is None or order.is_open == self.is_open))

    def after(self, kept: list[Order], report: ExecutionReport) -> list[Order] | None:
        known = _find(kept, report)
        if known is not None and report.is_behind(known):
            return kept
        others = [order for order in kept if order is not known]
        order = report.order(known)
        if self.shows(order):  # an order that newly passes can only push the oldest off the page
            insort(others, order, key=_newest_first)
            return others[:self.limit]
        if known is not None and len(kept) >= self.limit:
            return None  # it left a full page: which order comes up from below was never read
        return others


@dataclass(frozen=True, slots=True)
class Trades(SymbolRead):
    """myTrades: a TRADE report's fill is added, once (its trade id may already have been read)."""

    def after(self, kept: list[Fill], report: ExecutionReport) -> list[Fill] | None:
        fill = report.fill()
        if fill is None or any(f.trade_id == fill.trade_id and f.symbol == fill.symbol for f in kept):
            return kept
        fills = list(kept)
        insort(fills, fill, key=execution_key)
        return fills


def _find(kept: list[Order], report: ExecutionReport) -> Order | None:
    return next((order for order in kept if order.venue_order_id == report.venue_order_id
                 and order.symbol == report.symbol), None)


def _newest_first(order: Order) -> tuple[int, int]:
    created, order_id = placement_key(order)
    return -created, -order_id
