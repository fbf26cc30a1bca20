"""One order in detail, in a dialog: its fills, average price, fees, timeline and fill quality.

Read once when the dialog opens (and on its Refresh button), from the same service as
``/api/trading/orders/{id}/details``: the trade page keeps no per-tick state for it.
"""

from __future__ import annotations

from decimal import Decimal

import reflex as rx

from numatix.domain.errors import VenueError
from numatix.domain.order_types import order_label
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.domain.timeline import Step
from numatix.services import runtime
from numatix.services.errors import ServiceError
from numatix.services.performance import OrderDetails
from numatix.ui.format import fixed
from numatix.ui.states.session import live_user_id

STEP_WORDS = {Step.PLACED: "Placed", Step.TRIGGERED: "Triggered", Step.FILL: "Fill", Step.FILLED: "Filled",
              Step.CANCELED: "Canceled", Step.EXPIRED: "Expired", Step.REJECTED: "Rejected"}


def _decimals(symbol: str) -> tuple[int, int]:
    spec = DEFAULT_SYMBOLS.get(symbol)
    return (spec.price_decimals, spec.quantity_decimals) if spec else (8, 8)


def duration(ms: int | None) -> str:
    """'850 ms', '12.4 s', '3 min 5 s', '2 h 10 min'."""
    if ms is None:
        return "—"
    if ms < 1000:
        return f"{ms} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(ms // 1000, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def fees_text(fees: tuple[tuple[str, Decimal], ...]) -> str:
    return ", ".join(f"{format(amount.normalize(), 'f')} {asset}" for asset, amount in fees) or "None"


def summary_rows(details: OrderDetails) -> list[dict[str, str]]:
    order, execution = details.order, details.execution
    price_digits, quantity_digits = _decimals(order.symbol)
    rows = [
        ("Status", order.status.value),
        ("Price", fixed(order.price, price_digits) if order.price is not None else "Market"),
        ("Stop", fixed(order.stop_price, price_digits) if order.stop_price else "—"),
        ("Amount", fixed(order.quantity, quantity_digits) if order.quantity is not None
         else f"{fixed(order.quote_order_qty, 2)} (quote)"),
        ("Filled", fixed(order.executed_quantity, quantity_digits)),
        ("Average price", fixed(execution.average_price, price_digits)),
        ("Total", fixed(execution.quote_volume, 2) if execution.quote_volume else "—"),
        ("Fees", fees_text(details.fees)),
    ]
    return [{"label": label, "value": value, "key": label.lower().replace(" ", "-")} for label, value in rows]


def quality_rows(details: OrderDetails) -> list[dict[str, str]]:
    execution = details.execution
    price_digits, _ = _decimals(execution.symbol)
    slippage = execution.slippage_bps_shown
    rows = [
        ("Arrival price", fixed(execution.arrival_price, price_digits)),
        ("Slippage", f"{slippage} bps" if slippage is not None else "—"),
        ("Time to first fill", duration(execution.time_to_first_fill_ms)),
        ("Time to fill", duration(execution.time_to_fill_ms)),
        ("Fill ratio", f"{(execution.fill_ratio * 100).quantize(Decimal('0.01'))}%"),
        ("Maker share", f"{execution.maker_share}%" if execution.maker_share is not None else "—"),
    ]
    return [{"label": label, "value": value, "key": label.lower().replace(" ", "-")} for label, value in rows]


def fill_rows(details: OrderDetails) -> list[dict[str, str | int]]:
    price_digits, quantity_digits = _decimals(details.order.symbol)
    return [{"id": str(f.trade_id), "time_ms": f.time_ms, "price": fixed(f.price, price_digits),
             "quantity": fixed(f.quantity, quantity_digits), "total": fixed(f.quote_quantity, 2),
             "fee": f"{format(f.commission.normalize(), 'f')} {f.commission_asset}",
             "role": "maker" if f.is_maker else "taker"} for f in details.fills]


def timeline_rows(details: OrderDetails) -> list[dict[str, str | int]]:
    price_digits, quantity_digits = _decimals(details.order.symbol)
    rows: list[dict[str, str | int]] = []
    for entry in details.timeline:
        if entry.fill is not None:
            fill = entry.fill
            what = (f"{fixed(fill.quantity, quantity_digits)} at {fixed(fill.price, price_digits)}"
                    f" ({'maker' if fill.is_maker else 'taker'}), "
                    f"{fixed(entry.executed_quantity, quantity_digits)} filled")
        elif entry.reason is not None:
            what = f"{entry.reason.value}, {fixed(entry.executed_quantity, quantity_digits)} filled"
        elif entry.step in (Step.PLACED, Step.TRIGGERED):
            what = entry.status.value
        else:
            what = f"{fixed(entry.executed_quantity, quantity_digits)} filled"
        rows.append({"step": STEP_WORDS[entry.step], "time_ms": entry.time_ms, "what": what})
    return rows


class OrderDetailsState(rx.State):
    open: bool = False
    loading: bool = False
    order_id: str = ""
    title: str = ""
    error: str = ""
    summary: list[dict[str, str]] = []
    fills: list[dict[str, str | int]] = []
    timeline: list[dict[str, str | int]] = []
    quality: list[dict[str, str]] = []
    arrival_known: bool = False  # only the paper venue records the price an order arrived at

    @rx.event
    async def show(self, order_id: str):
        self.open, self.order_id = True, str(order_id)
        self.title = f"Order #{order_id}"
        self.summary, self.fills, self.timeline, self.quality = [], [], [], []
        await self._read()

    @rx.event
    async def refresh(self):
        if self.open and self.order_id:
            await self._read()

    @rx.event
    def set_open(self, open: bool):
        self.open = open

    async def _read(self) -> None:
        self.error = ""
        try:
            details = await runtime.current().performance.order_details(await live_user_id(self),
                                                                        int(self.order_id))
        except (ServiceError, VenueError) as error:
            self.error = f"Could not read order {self.order_id}: {error.message}"
            return
        except ValueError:
            self.error = f"There is no order {self.order_id}."
            return
        order = details.order
        name = order_label(order.side.value, order.order_type.value)
        self.title = f"Order #{order.venue_order_id} · {name} {order.symbol}"
        self.summary = summary_rows(details)
        self.fills = fill_rows(details)
        self.timeline = timeline_rows(details)
        self.quality = quality_rows(details)
        self.arrival_known = details.execution.arrival_price is not None
