"""The signed-in user's orders, fills, balances, positions and alerts on the trade page.

Everything comes from the services; a background task per tab follows the user's event
topic, turns order status changes and fired alerts into toasts, and reloads the tables at
most ``REFRESH_SECONDS`` apart. After a reconnect (or a backend restart) ``load`` runs
again from ``on_load`` and the tables are rebuilt from the database, so nothing is missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import io
import time
from decimal import Decimal

import reflex as rx

from numatix.domain.enums import OrderStatus
from numatix.domain.errors import VenueError
from numatix.domain.events import ExecutionReport
from numatix.domain.market import Interval
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.services import metrics, runtime
from numatix.services.alerts import AlertTriggered
from numatix.services.errors import ServiceError
from numatix.ui.format import fixed
from numatix.ui.states.alerts import AlertsState
from numatix.ui.states.market import MarketState
from numatix.ui.states.session import SessionState

REFRESH_SECONDS = 0.25
VALUATION_SECONDS = 2.0
PERIODS = {"1d": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000}
PAGE_ROWS = 50
TOAST_STATUSES = {
    OrderStatus.NEW: "placed", OrderStatus.PARTIALLY_FILLED: "partially filled", OrderStatus.FILLED: "filled",
    OrderStatus.CANCELED: "canceled", OrderStatus.EXPIRED: "expired", OrderStatus.REJECTED: "rejected",
    OrderStatus.EXPIRED_IN_MATCH: "expired (self-trade prevention)",
}


def _decimals(symbol: str) -> tuple[int, int]:
    spec = DEFAULT_SYMBOLS.get(symbol)
    return (spec.price_decimals, spec.quantity_decimals) if spec else (8, 8)


def order_row(order) -> dict[str, str | int]:
    price_digits, quantity_digits = _decimals(order.symbol)
    shown_price = order.price if order.price is not None else order.average_price
    return {
        "id": str(order.venue_order_id), "symbol": order.symbol, "side": order.side.value,
        "type": order.order_type.value, "price": fixed(shown_price, price_digits),
        "stop": fixed(order.stop_price, price_digits) if order.stop_price else "",
        "quantity": fixed(order.quantity, quantity_digits), "filled": fixed(order.executed_quantity, quantity_digits),
        "status": order.status.value, "time_ms": order.created_time_ms,
        "raw_price": format(order.price or order.stop_price or 0, "f"),
    }


def fill_row(fill) -> dict[str, str | int]:
    price_digits, quantity_digits = _decimals(fill.symbol)
    return {
        "id": str(fill.trade_id), "order": str(fill.venue_order_id), "symbol": fill.symbol, "side": fill.side.value,
        "price": fixed(fill.price, price_digits), "quantity": fixed(fill.quantity, quantity_digits),
        "fee": format(fill.commission.normalize(), "f"), "fee_asset": fill.commission_asset,
        "role": "maker" if fill.is_maker else "taker", "time_ms": fill.time_ms,
    }


class AccountState(rx.State):
    tab: str = "open"
    open_orders: list[dict[str, str | int]] = []
    history: list[dict[str, str | int]] = []
    history_cursor: int = 0  # 0: the newest page
    history_more: bool = False
    fills: list[dict[str, str | int]] = []
    fills_total: int = 0
    fills_page: int = 0
    balances: list[dict[str, str]] = []
    positions: list[dict[str, str]] = []
    free: dict[str, str] = {}
    symbol_filter: str = "all"
    side_filter: str = "all"
    period_filter: str = "all"
    price_lines: list[dict[str, str]] = []
    markers: list[dict[str, str | int]] = []
    venue_problem: str = ""  # the venue did not answer: the tables show what it last said
    _history_cursors: list[int] = []
    _generation: int = 0

    async def _user_id(self) -> int:
        return (await self.get_state(SessionState))._user_id

    @rx.event
    async def load(self):
        """``on_load``: the full picture from the services, then follow the events."""
        if not await self._user_id():
            return
        self._generation += 1
        self._history_cursors, self.history_cursor = [], 0
        await self._reload()
        return [AccountState.follow_events, AccountState.show_missed_alerts]

    async def _reload(self) -> None:
        await self._from_venue(self._read_all)

    async def _from_venue(self, read) -> None:
        """A venue that does not answer (Binance down, throttled, a revoked key) leaves the
        last picture on screen with a line saying so; the next refresh tries again."""
        try:
            await read()
        except VenueError as error:
            self.venue_problem = f"The exchange did not answer ({error.message}); showing what it last said."
            return
        self.venue_problem = ""

    async def _read_all(self) -> None:
        user_id = await self._user_id()
        services = runtime.current()
        market = await self.get_state(MarketState)
        symbol = None if self.symbol_filter == "all" else market.active_symbol
        side = None if self.side_filter == "all" else self.side_filter
        since = time.time_ns() // 1_000_000 - PERIODS[self.period_filter] if self.period_filter in PERIODS else 0

        def shown(item, time_ms: int) -> bool:
            return (side is None or item.side.value == side) and time_ms >= since

        open_orders = await services.trading.open_orders(user_id, symbol)
        self.open_orders = [order_row(o) for o in open_orders if shown(o, o.created_time_ms)]
        page = await services.trading.order_history(user_id, symbol, PAGE_ROWS + 1, self.history_cursor or None,
                                                    is_open=False)
        self.history_more = len(page) > PAGE_ROWS
        self.history = [order_row(o) for o in page[:PAGE_ROWS] if shown(o, o.created_time_ms)]
        fills = [f for f in await services.trading.fills(user_id, symbol) if shown(f, f.time_ms)]
        self.fills_total = len(fills)
        newest_first = list(reversed(fills))
        self.fills = [fill_row(f) for f in newest_first[self.fills_page * PAGE_ROWS:(self.fills_page + 1) * PAGE_ROWS]]
        await self._read_values()
        self._chart_marks(market.active_symbol, market.interval, open_orders, fills)

    async def _revalue(self) -> None:
        await self._from_venue(self._read_values)

    async def _read_values(self) -> None:
        """Balances and positions at the latest prices."""
        user_id = await self._user_id()
        portfolio = runtime.current().portfolio
        balances = await portfolio.balances(user_id)
        self.free = {b.asset: format(b.free, "f") for b in balances}
        self.balances = [{
            "asset": b.asset, "free": fixed(b.free, 8), "locked": fixed(b.locked, 8), "total": fixed(b.total, 8),
            "value": fixed(b.value_usdt, 2) if b.value_usdt is not None else "—",
        } for b in balances]
        self.positions = [_position_row(p) for p in await portfolio.positions(user_id)]

    def _chart_marks(self, symbol: str, interval: str, open_orders, fills) -> None:
        """Open orders as price lines; fills as markers on the bar they happened in."""
        bar = Interval(interval)
        self.price_lines = [
            {"price": format(o.price or o.stop_price, "f"), "side": o.side.value,
             "title": f"{o.side.value} {o.order_type.value}"}
            for o in open_orders if o.symbol == symbol and (o.price or o.stop_price)
        ]
        self.markers = [
            {"time": bar.open_time(f.time_ms) // 1000, "side": f.side.value,
             "text": f"{f.side.value[0]} {f.quantity.normalize()}"}
            for f in fills[-200:] if f.symbol == symbol
        ]

    @rx.event(background=True)
    async def follow_events(self):
        async with self:
            generation, user_id = self._generation, (await self.get_state(SessionState))._user_id
        if not user_id:
            return
        with runtime.current().events.subscribe(user_id) as events, _counted(metrics.PAGE_SESSIONS):
            while True:
                try:
                    batch = await asyncio.wait_for(events.next_batch(), VALUATION_SECONDS)
                except asyncio.TimeoutError:  # no fills: still, prices move P&L and values
                    async with self:
                        if self._generation != generation:
                            return
                        await self._revalue()
                    continue
                toasts = [toast for event in batch for toast in _toasts_for(event)]
                for event in batch:
                    if isinstance(event, AlertTriggered):
                        runtime.current().alerts.mark_seen(user_id, event.alert.id)  # shown now, not again
                async with self:
                    if self._generation != generation:
                        return
                    await self._reload()
                for toast in toasts:
                    yield toast
                if any(isinstance(event, AlertTriggered) for event in batch):
                    yield AlertsState.load
                await asyncio.sleep(REFRESH_SECONDS)

    @rx.event
    async def show_missed_alerts(self):
        for alert in runtime.current().alerts.unseen(await self._user_id()):
            yield rx.toast.info(f"Alert (while you were away): {alert.symbol} traded {alert.direction} "
                                f"{alert.price.normalize()} at {alert.triggered_price.normalize()}", duration=10000)

    @rx.event
    async def refresh(self):
        await self._reload()

    @rx.event
    async def choose_tab(self, tab: str):
        self.tab = tab

    @rx.event
    async def filter_symbol(self, value: str):
        self.symbol_filter = value
        self._history_cursors, self.history_cursor, self.fills_page = [], 0, 0
        await self._reload()

    @rx.event
    async def filter_side(self, value: str):
        self.side_filter = value
        self._history_cursors, self.history_cursor, self.fills_page = [], 0, 0
        await self._reload()

    @rx.event
    async def filter_period(self, value: str):
        self.period_filter = value
        self._history_cursors, self.history_cursor, self.fills_page = [], 0, 0
        await self._reload()

    @rx.event
    async def older_history(self):
        if self.history_more and self.history:
            self._history_cursors.append(self.history_cursor)
            self.history_cursor = int(self.history[-1]["id"])
            await self._reload()

    @rx.event
    async def newer_history(self):
        if self._history_cursors:
            self.history_cursor = self._history_cursors.pop()
            await self._reload()

    @rx.event
    async def fills_page_step(self, step: int):
        last_page = max(0, (self.fills_total - 1) // PAGE_ROWS)
        self.fills_page = min(last_page, max(0, self.fills_page + int(step)))
        await self._reload()

    @rx.event
    async def cancel(self, order_id: str):
        try:
            await runtime.current().trading.cancel_order_by_id(await self._user_id(), int(order_id))
        except (ServiceError, VenueError) as error:
            return rx.toast.error(f"Could not cancel order {order_id}: {error.message}")
        await self._reload()

    @rx.event
    async def cancel_all(self):
        market = await self.get_state(MarketState)
        try:
            reports = await runtime.current().trading.cancel_all(await self._user_id(), market.active_symbol)
        except (ServiceError, VenueError) as error:
            return rx.toast.error(f"Could not cancel: {error.message}")
        await self._reload()
        return rx.toast.success(f"{len(reports)} {market.active_symbol} order(s) canceled")

    @rx.event
    async def export_trades(self):
        """Every fill (not only the page shown) as CSV."""
        fills = await runtime.current().trading.fills(await self._user_id())
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["trade_id", "order_id", "time_utc", "symbol", "side", "price", "quantity", "quote_quantity",
                         "fee", "fee_asset", "role"])
        for f in fills:
            writer.writerow([f.trade_id, f.venue_order_id, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(f.time_ms / 1000)),
                             f.symbol, f.side.value, format(f.price, "f"), format(f.quantity, "f"),
                             format(f.quote_quantity, "f"), format(f.commission, "f"), f.commission_asset,
                             "maker" if f.is_maker else "taker"])
        return rx.download(data=buffer.getvalue(), filename="numatix-trades.csv")


@contextlib.contextmanager
def _counted(gauge):
    gauge.inc()
    try:
        yield
    finally:
        gauge.dec()


def _position_row(position) -> dict[str, str]:
    price_digits, quantity_digits = _decimals(position.symbol)
    unrealized = position.unrealized_pnl
    percent = position.unrealized_pnl_percent
    return {
        "symbol": position.symbol, "quantity": fixed(position.quantity, quantity_digits),
        "entry": fixed(position.average_entry_price, price_digits), "last": fixed(position.last_price, price_digits),
        "unrealized": fixed(unrealized, 2), "unrealized_percent": fixed(percent, 2) + "%" if percent is not None else "—",
        "realized": fixed(position.realized_pnl, 2), "positive": "yes" if (unrealized or Decimal(0)) >= 0 else "no",
    }


def _toasts_for(event) -> list:
    if isinstance(event, ExecutionReport):
        words = TOAST_STATUSES.get(event.status)
        if words is None:
            return []
        text = f"{event.side.value} {event.order_type.value} {event.symbol} #{event.venue_order_id} {words}"
        if event.status is OrderStatus.REJECTED:
            return [rx.toast.error(f"{text}: {event.reject_reason.value}")]
        return [rx.toast.success(text) if event.status is OrderStatus.FILLED else rx.toast.info(text)]
    if isinstance(event, AlertTriggered):
        alert = event.alert
        message = (f"Alert: {alert.symbol} traded {alert.direction} {alert.price.normalize()} "
                   f"(at {alert.triggered_price.normalize()})")
        return [rx.toast.warning(message, duration=10000),
                rx.call_script(f"window.numatixNotify && window.numatixNotify({json.dumps(message)})")]
    return []
