"""The portfolio page: account value over time, daily P&L, per-symbol performance, execution quality.

Everything is read from the services the API's ``/api/portfolio/*`` routes use, when the page
loads, when the period changes and on Refresh; this state only turns their answers into rows.
Chart coordinates are floats (a chart plots numbers); every number a person reads is the
service's Decimal, formatted.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

import reflex as rx

from numatix.domain.account_value import DAY_MS
from numatix.domain.errors import VenueError
from numatix.domain.order_types import type_label
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.services import runtime
from numatix.services.errors import ServiceError
from numatix.services.performance import SymbolPerformance
from numatix.ui.format import fixed, signed
from numatix.ui.states.order_details import duration
from numatix.ui.states.session import live_user_id

PERIODS = {"7": "7 days", "30": "30 days", "90": "90 days", "365": "1 year"}
EXECUTION_ROWS = 200


def _utc(time_ms: int, pattern: str) -> str:
    return datetime.fromtimestamp(time_ms / 1000, tz=UTC).strftime(pattern)


def _tone(value: Decimal | None) -> str:
    """Up or down as the shown cents say: a P&L shown as 0.00 is flat."""
    shown = None if value is None else value.quantize(Decimal("0.01"))
    return "flat" if not shown else "up" if shown > 0 else "down"


def performance_row(row: SymbolPerformance) -> dict[str, str]:
    a = row.activity
    return {
        "symbol": row.symbol, "fills": str(a.fills), "buys": str(a.buys), "sells": str(a.sells),
        "volume": fixed(a.volume_quote, 2), "round_trips": str(len(a.round_trips)),
        "wins": str(a.wins), "losses": str(a.losses),
        "win_rate": f"{a.win_rate.quantize(Decimal('0.1'))}%" if a.win_rate is not None else "—",
        "realized": signed(row.realized_pnl), "realized_tone": _tone(row.realized_pnl),
        "unrealized": signed(row.unrealized_pnl), "unrealized_tone": _tone(row.unrealized_pnl),
        "fees": fixed(row.fees_in_quote, 2),
        "net": signed(row.net_pnl), "net_tone": _tone(row.net_pnl),
    }


def execution_row(r) -> dict[str, str | int]:
    spec = DEFAULT_SYMBOLS.get(r.symbol)
    price_digits = spec.price_decimals if spec else 8
    slippage = r.slippage_bps_shown
    return {
        "id": str(r.venue_order_id), "symbol": r.symbol, "side": r.side.value,
        "type": type_label(r.order_type.value),
        "status": r.status.value, "time_ms": r.created_ms,
        "arrival": fixed(r.arrival_price, price_digits), "average": fixed(r.average_price, price_digits),
        "slippage": str(slippage) if slippage is not None else "—",
        "slippage_tone": "flat" if not slippage else "down" if slippage > 0 else "up",  # positive is worse
        "time_to_fill": duration(r.time_to_fill_ms),
        "fill_ratio": f"{(r.fill_ratio * 100).quantize(Decimal('0.1'))}%",
        "maker_share": f"{r.maker_share}%" if r.maker_share is not None else "—",
        "volume": fixed(r.quote_volume, 2),
    }


class PortfolioState(rx.State):
    days: str = "30"
    curve: list[dict[str, str | float | int]] = []
    value_now: str = "—"
    value_change: str = "—"
    value_tone: str = "flat"
    daily: list[dict[str, str | float]] = []
    performance: list[dict[str, str]] = []
    performance_total: dict[str, str] = {}
    executions: list[dict[str, str | int]] = []
    execution_summary: list[dict[str, str]] = []
    error: str = ""
    loaded: bool = False

    @rx.var
    def csv_days(self) -> str:
        return f"days={self.days}"

    @rx.event
    async def load(self):
        await self._read()

    @rx.event
    async def choose_days(self, days: str):
        self.days = days if days in PERIODS else "30"
        await self._read()

    async def _read(self) -> None:
        user_id = await live_user_id(self)
        services = runtime.current()
        days = int(self.days)
        try:
            points = await services.account_value.series(user_id, time.time_ns() // 1_000_000 - days * DAY_MS)
            bars = await services.account_value.daily(user_id, days)
            performance = await services.performance.performance(user_id)
            rows, summary = await services.performance.executions(user_id, EXECUTION_ROWS)
        except (ServiceError, VenueError) as error:
            self.error = f"Could not read the portfolio: {error.message}"
            return
        self.error = ""
        self.curve = [{"time_ms": p.time_ms, "label": _utc(p.time_ms, "%m-%d %H:%M") + " UTC",
                       "value": float(p.value), "text": fixed(p.value, 2), "kind": p.kind.value}
                      for p in points]
        if points:
            first, last = points[0].value, points[-1].value
            self.value_now = fixed(last, 2)
            self.value_change = signed(last - first)
            self.value_tone = _tone(last - first)
        else:
            self.value_now, self.value_change, self.value_tone = "—", "—", "flat"
        self.daily = [{"day": _utc(b.day_start_ms, "%Y-%m-%d"), "text": signed(b.pnl),
                       "gain": float(max(b.pnl, Decimal(0))), "loss": float(min(b.pnl, Decimal(0)))}
                      for b in bars]
        self.performance = [performance_row(row) for row in performance.symbols]
        self.performance_total = performance_row(performance.total)
        self.executions = [execution_row(r) for r in rows]
        slippage = summary.average_slippage_bps
        self.execution_summary = [
            {"label": "Orders filled", "value": str(summary.orders), "key": "orders"},
            {"label": "Fills", "value": str(summary.fills), "key": "fills"},
            {"label": "Traded (USDT)", "value": fixed(summary.quote_volume, 2), "key": "volume"},
            {"label": "Slippage (value-weighted)",
             "value": f"{slippage} bps" if slippage is not None else "—",
             "key": "slippage"},
            {"label": "Median time to fill", "value": duration(summary.median_time_to_fill_ms),
             "key": "time-to-fill"},
            {"label": "Maker share", "value": f"{summary.maker_share}%" if summary.maker_share is not None
             else "—", "key": "maker-share"},
            {"label": "Average fill ratio", "value": f"{summary.average_fill_ratio}%"
             if summary.average_fill_ratio is not None else "—", "key": "fill-ratio"},
        ]
        self.loaded = True
