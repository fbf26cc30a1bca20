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
import io
import json
import time
from decimal import Decimal

import reflex as rx

from numatix.domain.enums import OrderStatus, Side
from numatix.domain.errors import VenueError
from numatix.domain.events import ExecutionReport
from numatix.domain.market import Interval
from numatix.domain.order_types import order_label, type_label
from numatix.domain.orders import Order
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.services import metrics, runtime
from numatix.services.alerts import AlertTriggered
from numatix.services.errors import ServiceError
from numatix.services.sessions import SessionsEnded
from numatix.ui.format import amount, available, fixed
from numatix.ui.states.alerts import AlertsState
from numatix.ui.states.handover import HANDOVER
from numatix.ui.states.market import MarketState
from numatix.ui.states.session import SessionState, live_user_id

REFRESH_SECONDS = 0.25
VALUATION_SECONDS = 2.0
SHOWN_KEPT = 300  # toasted news remembered per tab, to show each once across a reload
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


def order_row(order, pair_first: bool = True) -> dict[str, str | int]:
    """An open order; the two legs of a one-cancels-the-other pair read as one (one cancel)."""
    price_digits, quantity_digits = _decimals(order.symbol)
    in_pair = order.order_list_id >= 0
    return {
        "id": str(order.venue_order_id), "symbol": order.symbol, "side": order.side.value,
        "type": ("OCO · " if in_pair else "") + type_label(order.order_type.value),
        "price": fixed(order.price, price_digits) if order.price is not None else "Market",
        "stop": fixed(order.stop_price, price_digits) if order.stop_price else "",
        "quantity": fixed(order.quantity, quantity_digits),
        "filled": fixed(order.executed_quantity, quantity_digits),
        "status": order.status.value, "time_ms": order.created_time_ms,
        "pair": str(order.order_list_id) if in_pair else "", "pair_first": "yes" if pair_first else "no",
    }


def open_rows(orders) -> list[dict[str, str | int]]:
    rows, lists_seen = [], set()
    for order in orders:
        rows.append(order_row(order, order.order_list_id not in lists_seen))
        if order.order_list_id >= 0:
            lists_seen.add(order.order_list_id)
    return rows


def history_row(record) -> dict[str, str | int]:
    """A closed order: what it executed at (its fills' average), what it asked (limit, stop),
    what it filled for, and what that cost in fees, each in its own column."""
    order = record.order
    price_digits, quantity_digits = _decimals(order.symbol)
    fee_asset = record.fees.asset
    return {
        "id": str(order.venue_order_id), "symbol": order.symbol, "side": order.side.value,
        "type": type_label(order.order_type.value), "average": fixed(record.average_price, price_digits),
        "price": fixed(order.price, price_digits) if order.price is not None else "Market",
        "stop": fixed(order.stop_price, price_digits) if order.stop_price else "—",
        "quantity": fixed(order.quantity, quantity_digits) if order.quantity is not None else "—",
        "filled": fixed(record.filled_quantity, quantity_digits),
        "total": fixed(record.filled_total, 2) if record.filled_quantity else "—",
        "fee": f"{amount(record.fees.amount, fee_asset)} {fee_asset}" if fee_asset else "—",
        "status": order.status.value, "time_ms": order.created_time_ms,
    }


def fill_row(fill) -> dict[str, str | int]:
    price_digits, quantity_digits = _decimals(fill.symbol)
    return {
        "id": str(fill.trade_id), "order": str(fill.venue_order_id), "symbol": fill.symbol,
        "side": fill.side.value,
        "price": fixed(fill.price, price_digits), "quantity": fixed(fill.quantity, quantity_digits),
        "fee": amount(fill.commission, fill.commission_asset), "fee_asset": fill.commission_asset,
        "role": "maker" if fill.is_maker else "taker", "time_ms": fill.time_ms,
    }


class AccountState(rx.State):
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
    available: dict[str, str] = {}  # free, as the order form shows it
    symbol_filter: str = "all"
    side_filter: str = "all"
    period_filter: str = "all"
    price_lines: list[dict[str, str]] = []
    markers: list[dict[str, str | int]] = []
    venue_problem: str = ""  # the venue did not answer: the tables show what it last said
    _history_cursors: list[int] = []
    _generation: int = 0
    _shown: list[str] = []  # the news this tab has toasted, newest last (see _first_news)
    _events_key: str = ""  # the subscription load opened, for follow_events to take

    async def _user_id(self) -> int:
        return await live_user_id(self)

    @rx.event
    async def load(self):
        """``on_load``: the full picture from the services, then follow the events. The events
        are listened to before the picture is read, so none after it is missed (handover.py)."""
        user_id = await self._user_id()
        self._generation += 1
        self._history_cursors, self.history_cursor = [], 0
        self._events_key = HANDOVER.keep(runtime.current().events.subscribe(user_id))
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
        side = None if self.side_filter == "all" else Side(self.side_filter)
        period = PERIODS.get(self.period_filter)
        since = time.time_ns() // 1_000_000 - period if period is not None else 0
        open_orders = await services.history.open(user_id, symbol=symbol, side=side, since_ms=since)
        self.open_orders = open_rows(open_orders)
        page = await services.history.closed(user_id, symbol=symbol, side=side, since_ms=since,
                                             limit=PAGE_ROWS, before=self.history_cursor or None)
        self.history_more = page.more
        self.history = [history_row(r) for r in page.records]
        fills = [f for f in await services.trading.fills(user_id, symbol)
                 if (side is None or f.side is side) and f.time_ms >= since]
        self.fills_total = len(fills)
        newest_first = list(reversed(fills))
        start = self.fills_page * PAGE_ROWS
        self.fills = [fill_row(f) for f in newest_first[start:start + PAGE_ROWS]]
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
        self.available = {b.asset: available(b.free, b.asset) for b in balances}
        self.balances = [{
            "asset": b.asset, "free": amount(b.free, b.asset), "locked": amount(b.locked, b.asset),
            "total": amount(b.total, b.asset),
            "value": fixed(b.value_usdt, 2) if b.value_usdt is not None else "—",
        } for b in balances]
        self.positions = [_position_row(p) for p in await portfolio.positions(user_id)]

    def _chart_marks(self, symbol: str, interval: str, open_orders, fills) -> None:
        """Open orders as price lines; fills as markers on the bar they happened in."""
        bar = Interval(interval)
        self.price_lines = [
            {"price": format(price, "f"), "side": o.side.value,
             "title": order_label(o.side.value, o.order_type.value)}
            for o in open_orders if o.symbol == symbol and (price := line_price(o)) is not None
        ]
        self.markers = [
            {"time": bar.open_time(f.time_ms) // 1000, "side": f.side.value,
             "text": f"{f.side.value[0]} {f.quantity.normalize()}"}
            for f in fills[-200:] if f.symbol == symbol
        ]

    @rx.event(background=True)
    async def follow_events(self):
        async with self:
            generation, user_id, key = self._generation, await self._user_id(), self._events_key
        events = HANDOVER.take(key)
        if events is None:
            return  # another task follows this load
        if events.user_id != user_id:  # the tab's user changed since: the load that follows reads theirs
            events.close()
            return
        with events, _counted(metrics.PAGE_SESSIONS):
            while True:
                try:
                    batch = await asyncio.wait_for(events.next_batch(), VALUATION_SECONDS)
                except TimeoutError:  # no fills: still, prices move P&L and values
                    async with self:
                        if self._generation != generation:
                            return
                        # a reload the venue did not answer is tried again, not left stale till an event
                        await (self._reload() if self.venue_problem else self._revalue())
                    continue
                batch, session_ended = await self._until_session_end(batch)
                if session_ended:
                    return  # nothing that happened after it is shown; SessionState.watch sends the tab away
                for event in batch:
                    if isinstance(event, AlertTriggered):
                        # shown now, not again
                        await runtime.current().alerts.mark_seen(user_id, event.alert.id)
                async with self:
                    # A reload of the page (a reconnect) hands a new subscription to a new
                    # follower: this one still shows what it took before stopping, and what both
                    # heard is shown once.
                    superseded = self._generation != generation
                    news = [event for event in batch if self._first_news(event)]
                for toast in (toast for event in news for toast in _toasts_for(event)):
                    # what happened is known now; the tables take the venue's time
                    yield toast
                if superseded:
                    return
                if any(isinstance(event, AlertTriggered) for event in batch):
                    yield AlertsState.load
                async with self:
                    if self._generation != generation:
                        return
                    await self._reload()
                await asyncio.sleep(REFRESH_SECONDS)

    def _first_news(self, event) -> bool:
        """Whether this tab has not shown a toast for ``event`` yet (the last few hundred kept)."""
        key = _news_key(event)
        if key is None:
            return True
        if key in self._shown:
            return False
        self._shown = [*self._shown[-(SHOWN_KEPT - 1):], key]
        return True

    async def _until_session_end(self, batch: list) -> tuple[list, bool]:
        """The events before this tab's session ended (all of them if it did not)."""
        async with self:
            session_id = (await self.get_state(SessionState))._session_id
        for index, event in enumerate(batch):
            if isinstance(event, SessionsEnded) and event.covers(session_id):
                return batch[:index], True
        return batch, False

    @rx.event
    async def show_missed_alerts(self):
        for alert in await runtime.current().alerts.unseen(await self._user_id()):
            yield rx.toast.info(f"Alert (while you were away): {alert.symbol} traded {alert.direction} "
                                f"{alert.price.normalize()} at {alert.triggered_price.normalize()}",
                                duration=10000)

    @rx.event
    async def refresh(self):
        await self._reload()

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
        writer.writerow(["trade_id", "order_id", "time_utc", "symbol", "side", "price", "quantity",
                         "quote_quantity",
                         "fee", "fee_asset", "role"])
        for f in fills:
            writer.writerow([f.trade_id, f.venue_order_id,
                             time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(f.time_ms / 1000)),
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
        "entry": fixed(position.average_entry_price, price_digits),
        "last": fixed(position.last_price, price_digits),
        "unrealized": fixed(unrealized, 2),
        "unrealized_percent": fixed(percent, 2) + "%" if percent is not None else "—",
        "realized": fixed(position.realized_pnl, 2),
        "positive": "yes" if (unrealized or Decimal(0)) >= 0 else "no",
        "realized_positive": "yes" if position.realized_pnl >= 0 else "no",
        "fees": fixed(position.fees_in_quote, 2),
    }


def _filled_words(report: ExecutionReport) -> str:
    """': 0.00100 BTC at 95,988.42' (the average so far), and of how much when partial."""
    price_digits, quantity_digits = _decimals(report.symbol)
    spec = DEFAULT_SYMBOLS.get(report.symbol)
    unit = f" {spec.base_asset}" if spec else ""
    done = fixed(report.cumulative_quantity, quantity_digits)
    partial = report.status is OrderStatus.PARTIALLY_FILLED and report.quantity > 0
    of = f" of {fixed(report.quantity, quantity_digits)}" if partial else ""
    return f": {done}{of}{unit} at {fixed(report.average_price, price_digits)}"


def line_price(order: Order) -> Decimal | None:
    """Where an open order stands on the chart: a stop not yet triggered at its trigger (the
    price a trader watches; an OCO's stop leg too), anything else at its limit."""
    if order.stop_price and not order.is_working:
        return order.stop_price
    return order.price or order.stop_price


def _news_key(event) -> str | None:
    """What makes two copies of one piece of news the same (None: nothing to toast)."""
    if isinstance(event, ExecutionReport):
        return f"order:{event.venue_order_id}:{event.status.value}:{event.cumulative_quantity.normalize()}"
    if isinstance(event, AlertTriggered):
        return f"alert:{event.alert.id}"
    return None


def _toasts_for(event) -> list:
    if isinstance(event, ExecutionReport):
        words = TOAST_STATUSES.get(event.status)
        if words is None:
            return []
        name = order_label(event.side.value, event.order_type.value)
        text = f"{name} {event.symbol} #{event.venue_order_id} {words}"
        if event.status in (OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED) and event.average_price:
            text += _filled_words(event)
        if event.status is OrderStatus.REJECTED:
            return [rx.toast.error(f"{text}: {event.reject_reason.value}")]
        return [rx.toast.success(text) if event.status is OrderStatus.FILLED else rx.toast.info(text)]
    if isinstance(event, AlertTriggered):
        alert = event.alert
        traded_at = alert.triggered_price if alert.triggered_price is not None else alert.price
        message = (f"Alert: {alert.symbol} traded {alert.direction} {alert.price.normalize()} "
                   f"(at {traded_at.normalize()})")
        return [rx.toast.warning(message, duration=10000),
                rx.call_script(f"window.numatixNotify && window.numatixNotify({json.dumps(message)})")]
    return []
