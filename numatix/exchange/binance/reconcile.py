"""After every (re)connect: what happened while we were not listening, asked over REST, and
only where something may have happened (each configured symbol's reads would cost 26 weight).

Every connect starts with a snapshot taken just after subscribing: the open orders of every
configured symbol (one request without a symbol when that is cheaper: 80 weight against 6 a
symbol) and the account (20). The first connect of an account takes it as the baseline: the
open orders as known, the balances as told, nothing older reported (unless the caller passes
the trade ids it has already applied: then every symbol's later fills are replayed).

A reconnect replays what was missed, symbol by symbol, and reads a symbol's trades only when
it may have traded while nobody listened: an order known as open, open now, or placed here
and never heard of, executed more than was told (an order known as open and open no more is
looked up); or the symbol's base asset moved (a fill always moves it: this is how an order
placed elsewhere, and done while we were away, is found). Trades are read after the last
trade id heard on the symbol (myTrades ``fromId``), or, if none was ever heard there, from
shortly before events were last heard (by time). Each order is replayed as it happened: NEW
for an order never heard of, one TRADE per fill with the running totals, then CANCELED or
EXPIRED if it ended that way. The account ledger drops anything already told, so a fill that
also arrives on the stream is applied once.

Not found: fills that leave every balance as it was (a buy and a sell of the same amount, the
fees paid in another asset) by orders placed elsewhere, placed and ended while nobody listened.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from numatix.domain.balances import Balance
from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.enums import ExecutionType, OrderStatus
from numatix.domain.errors import OrderNotFound
from numatix.domain.events import BalanceUpdate, ExecutionReport, VenueEvent
from numatix.domain.orders import Order, placement_key
from numatix.exchange.binance import wire
from numatix.exchange.binance.endpoints import BinanceEndpoints
from numatix.exchange.binance.ledger import AccountLedger

ZERO = Decimal(0)
Json = dict[str, Any]
OPEN_ORDERS_WEIGHT, ALL_OPEN_ORDERS_WEIGHT = 6, 80  # one symbol's open orders; every symbol's
HEARD_MARGIN_MS = 5_000  # our estimate of the server's time may be off by this much


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The account just after subscribing: every later change comes on the stream."""

    open_orders: tuple[Order, ...]  # the configured symbols', oldest first
    account: Json

    @property
    def balances(self) -> dict[str, Balance]:
        return wire.parse_balances(self.account)


class Reconciler:
    def __init__(self, endpoints: BinanceEndpoints, symbols: Sequence[str]) -> None:
        self._endpoints = endpoints
        self._symbols = tuple(symbols)

    async def open_orders(self, account: ExchangeCredentials) -> list[Order]:
        """Every configured symbol's open orders, oldest first, for the least request weight."""
        if len(self._symbols) * OPEN_ORDERS_WEIGHT > ALL_OPEN_ORDERS_WEIGHT:
            configured = set(self._symbols)
            orders = [order for order in await self._endpoints.open_orders(account, None)
                      if order.symbol in configured]
        else:
            orders = [order for symbol in self._symbols for order in
                      await self._endpoints.open_orders(account, symbol)]
        return sorted(orders, key=placement_key)

    async def snapshot(self, account: ExchangeCredentials) -> Snapshot:
        return Snapshot(tuple(await self.open_orders(account)), await self._endpoints.account(account))

    @staticmethod
    def baseline(ledger: AccountLedger, snapshot: Snapshot) -> None:
        """First connect: remember where we start, report nothing older."""
        for order in snapshot.open_orders:
            if ledger.progress(order.symbol, order.venue_order_id) is None:
                ledger.note_order(order)
        ledger.note_balances(snapshot.balances.values())

    async def catch_up(
        self, account: ExchangeCredentials, ledger: AccountLedger, snapshot: Snapshot, *,
        base_assets: Mapping[str, str], heard_until_ms: int | None,
        placed: Collection[tuple[str, int]] = (), since: Mapping[str, int] | None = None,
    ) -> list[VenueEvent]:
        """The reports missed since events were last heard (``heard_until_ms``; with ``since``,
        every fill after those trade ids), oldest first per order, then the balances if they moved."""
        balances = snapshot.balances
        moved = ledger.moved_assets(balances)
        events: list[VenueEvent] = []
        for symbol in self._symbols:
            base = base_assets.get(symbol)
            may_have_traded = since is not None or (base in moved if base is not None else bool(moved))
            unheard = {order_id for name, order_id in placed
                       if name == symbol and ledger.progress(name, order_id) is None}
            events += await self._catch_up_symbol(
                account, ledger, symbol, [o for o in snapshot.open_orders if o.symbol == symbol], unheard,
                may_have_traded, heard_until_ms, since)
        if events or moved:
            gone = tuple(Balance(asset, ZERO) for asset in moved - balances.keys())  # omitted when 0
            time_ms = int(snapshot.account.get("updateTime", 0))
            events.append(BalanceUpdate(account, time_ms, time_ms, (*balances.values(), *gone)))
        return events

    async def _catch_up_symbol(
        self, account: ExchangeCredentials, ledger: AccountLedger, symbol: str, open_now: list[Order],
        unheard: set[int], may_have_traded: bool, heard_until_ms: int | None, since: Mapping[str, int] | None,
    ) -> list[VenueEvent]:
        orders = {order.venue_order_id: order for order in open_now}
        await self._look_up(account, symbol, orders, (set(ledger.open_order_ids(symbol)) | unheard))
        rows: list[Json] = []
        if may_have_traded or any(_executed_untold(ledger, order) for order in orders.values()):
            rows = await self._missed_rows(account, ledger, symbol, heard_until_ms, since)
            await self._look_up(account, symbol, orders, {int(row["orderId"]) for row in rows})
        trades_by_order: dict[int, list[Json]] = defaultdict(list)
        for row in sorted(rows, key=lambda item: int(item["id"])):
            trades_by_order[int(row["orderId"])].append(row)
        events: list[VenueEvent] = []
        for order in sorted(orders.values(), key=lambda item: (item.created_time_ms, item.venue_order_id)):
            events += replay_order(account, ledger, order, trades_by_order.get(order.venue_order_id, []))
        return events

    async def _look_up(self, account: ExchangeCredentials, symbol: str, orders: dict[int, Order],
                       wanted: set[int]) -> None:
        for order_id in sorted(wanted - orders.keys()):
            try:
                orders[order_id] = await self._endpoints.get_order(account, symbol, order_id=order_id)
            except OrderNotFound:
                continue

    async def _missed_rows(self, account: ExchangeCredentials, ledger: AccountLedger, symbol: str,
                           heard_until_ms: int | None, since: Mapping[str, int] | None) -> list[Json]:
        """The symbol's trades not told yet: after the last trade id heard there, else by time."""
        last_seen = ledger.last_trade_ids.get(symbol)
        if since is not None:
            last_seen = since.get(symbol, last_seen or 0)
        if last_seen is not None:
            rows = await self._endpoints.trade_rows_since(account, symbol, last_seen)
        elif heard_until_ms is not None:
            rows = await self._endpoints.trade_rows_from_time(
                account, symbol, heard_until_ms - HEARD_MARGIN_MS, self._endpoints.client.clock.now_ms())
        else:
            rows = []
        return [row for row in rows if not ledger.has_trade(symbol, int(row["id"]))]


def _executed_untold(ledger: AccountLedger, order: Order) -> bool:
    progress = ledger.progress(order.symbol, order.venue_order_id)
    return order.executed_quantity > (progress.cumulative_quantity if progress is not None else ZERO)


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
