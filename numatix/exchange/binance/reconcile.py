"""After every (re)connect: what happened while we were not listening, asked over REST.

For each configured symbol we read the open orders and every trade after the last trade
id we saw (myTrades ``fromId``), look up the orders those trades belong to and the ones we
knew as open that are open no more, and replay the missed reports in order: NEW for an
order we never heard of, one TRADE per fill with the running totals, then CANCELED or
EXPIRED if it ended that way. The account ledger drops anything already told, so a fill
that also arrives on the stream is applied once.

The first connect of an account has no "last seen": unless the caller passes the trade
ids it has already applied, it takes a baseline (the newest trade id per symbol, the open
orders as known) and reports nothing from before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.enums import ExecutionType, OrderStatus
from numatix.domain.errors import OrderNotFound
from numatix.domain.events import BalanceUpdate, ExecutionReport, VenueEvent
from numatix.domain.orders import Order
from numatix.exchange.binance import wire
from numatix.exchange.binance.endpoints import BinanceEndpoints
from numatix.exchange.binance.ledger import AccountLedger

ZERO = Decimal(0)
Json = dict[str, Any]


class Reconciler:
    def __init__(self, endpoints: BinanceEndpoints, symbols: Sequence[str]) -> None:
        self._endpoints = endpoints
        self._symbols = tuple(symbols)

    async def baseline(self, account: ExchangeCredentials, ledger: AccountLedger) -> None:
        """First connect: remember where we start, report nothing older."""
        for symbol in self._symbols:
            newest = await self._endpoints.trade_rows(account, symbol, limit=1)
            ledger.last_trade_ids.setdefault(symbol, int(newest[-1]["id"]) if newest else 0)
            for order in await self._endpoints.open_orders(account, symbol):
                if ledger.progress(symbol, order.venue_order_id) is None:
                    ledger.note_order(order)

    async def catch_up(
        self, account: ExchangeCredentials, ledger: AccountLedger, since: Mapping[str, int] | None = None
    ) -> list[VenueEvent]:
        """The reports missed since the ledger's last trade ids, oldest first per order."""
        events: list[VenueEvent] = []
        for symbol in self._symbols:
            last_seen = (since or {}).get(symbol, ledger.last_trade_ids.get(symbol, 0))
            events += await self._catch_up_symbol(account, ledger, symbol, last_seen)
        if events:
            account_data = await self._endpoints.account(account)
            balances = tuple(wire.parse_balances(account_data).values())
            time_ms = int(account_data.get("updateTime", 0))
            events.append(BalanceUpdate(account, time_ms, time_ms, balances))
        return events

    async def _catch_up_symbol(
        self, account: ExchangeCredentials, ledger: AccountLedger, symbol: str, last_seen: int
    ) -> list[VenueEvent]:
        open_orders = await self._endpoints.open_orders(account, symbol)
        rows = [row for row in await self._endpoints.trade_rows_since(account, symbol, last_seen)
                if not ledger.has_trade(symbol, int(row["id"]))]
        orders = {order.venue_order_id: order for order in open_orders}
        wanted = {int(row["orderId"]) for row in rows} | set(ledger.open_order_ids(symbol))
        for order_id in sorted(wanted - orders.keys()):
            try:
                orders[order_id] = await self._endpoints.get_order(account, symbol, order_id=order_id)
            except OrderNotFound:
                continue
        trades_by_order: dict[int, list[Json]] = defaultdict(list)
        for row in sorted(rows, key=lambda item: int(item["id"])):
            trades_by_order[int(row["orderId"])].append(row)
        events: list[VenueEvent] = []
        for order in sorted(orders.values(), key=lambda item: (item.created_time_ms, item.venue_order_id)):
            events += replay_order(account, ledger, order, trades_by_order.get(order.venue_order_id, []))
        return events


def replay_order(
    account: ExchangeCredentials, ledger: AccountLedger, order: Order, rows: list[Json]
) -> list[ExecutionReport]:
    """The reports one order would have produced since the ledger last heard of it."""
    progress = ledger.progress(order.symbol, order.venue_order_id)
    reports: list[ExecutionReport] = []
    if progress is None:
        start = wire.order_at(order, OrderStatus.NEW, ZERO, ZERO)
        reports.append(wire.report_for_order(account, start, order.created_time_ms,
                                             execution_type=ExecutionType.NEW))
    fills = [wire.parse_fill(row, order.client_order_id) for row in rows]
    executed = max(ZERO, order.executed_quantity - sum((fill.quantity for fill in fills), ZERO))
    quote = max(ZERO, order.cumulative_quote - sum((fill.quote_quantity for fill in fills), ZERO))
    for position, fill in enumerate(fills):
        executed += fill.quantity
        quote += fill.quote_quantity
        is_last = position == len(fills) - 1
        filled = is_last and order.status is OrderStatus.FILLED
        status = OrderStatus.FILLED if filled else OrderStatus.PARTIALLY_FILLED
        snapshot = wire.order_at(order, status, executed, quote)
        reports.append(wire.report_for_order(account, snapshot, fill.time_ms, fill, ExecutionType.TRADE))
    ended = not order.status.is_open and order.status is not OrderStatus.FILLED
    if ended and not (progress is not None and progress.is_final):
        reports.append(wire.report_for_order(account, order, order.update_time_ms))
    elif progress is not None and order.is_open and order.is_working and not progress.is_working:
        reports.append(wire.report_for_order(account, order, order.update_time_ms,
                                             execution_type=ExecutionType.NEW))
    return reports
