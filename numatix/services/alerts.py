"""Price alerts: "tell me when BTCUSDT trades above / below X", checked on the server.

The checker listens to the market hub like the paper engine does. An alert fires when a
trade reaches its level, once: the database row is claimed with an UPDATE that only
succeeds while it is unfired, so two workers (or a restart) can never fire it twice. The
user's event topic gets an ``AlertTriggered``; one that fired while nobody watched is
still unseen and shown on the next visit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import select

from numatix.domain.market import TradePrint
from numatix.domain.symbols import SymbolSpec
from numatix.domain.values import to_decimal
from numatix.services.errors import NotFound, ValidationFailed
from numatix.services.events import EventBus
from numatix.store.db import session_scope
from numatix.store.tables.alerts import AlertRow

DIRECTIONS = ("above", "below")
MAX_ACTIVE_PER_USER = 100
PriceSource = Callable[[str], Decimal | None]


@dataclass(frozen=True, slots=True)
class AlertView:
    id: int
    symbol: str
    direction: str
    price: Decimal
    created_time_ms: int
    triggered_time_ms: int | None
    triggered_price: Decimal | None
    seen: bool

    @property
    def active(self) -> bool:
        return self.triggered_time_ms is None


@dataclass(frozen=True, slots=True)
class AlertTriggered:
    """Published on the user's topic when one of their alerts fires."""

    account: int
    alert: AlertView


class AlertService:
    def __init__(
        self, database: Engine, bus: EventBus, symbols: Mapping[str, SymbolSpec], last_price: PriceSource,
        clock: Callable[[], float] = time.time,
        last_price_for: Callable[[int, str], Decimal | None] | None = None,
    ) -> None:
        self._database = database
        self._bus = bus
        self._symbols = symbols
        self._last_price = last_price
        self._last_price_for = last_price_for  # (user, symbol): on the market of the user's venue
        self._clock = clock
        self._active: dict[str, dict[int, AlertRow]] = {symbol: {} for symbol in symbols}
        self._load_active()

    def _load_active(self) -> None:
        with session_scope(self._database) as session:
            for row in session.exec(select(AlertRow).where(AlertRow.triggered_time_ms.is_(None))):
                if row.symbol in self._active:
                    self._active[row.symbol][row.id] = row

    # ------------------------------------------------------------------ use cases
    def create(self, user_id: int, symbol: str, direction: str, price: object) -> AlertView:
        spec = self._spec(symbol)
        if direction not in DIRECTIONS:
            raise ValidationFailed("Choose above or below.", field="direction")
        try:
            level = to_decimal(price, "price")
        except (TypeError, ValueError, ArithmeticError):
            raise ValidationFailed("Enter the price as a number, like 65000.50.", field="price") from None
        if level <= 0:
            raise ValidationFailed("The price must be above zero.", field="price")
        level = (level // spec.tick_size) * spec.tick_size
        self._refuse_if_already_there(user_id, spec.symbol, direction, level)
        if sum(1 for alerts in self._active.values() for a in alerts.values() if a.user_id == user_id) >= MAX_ACTIVE_PER_USER:
            raise ValidationFailed(f"At most {MAX_ACTIVE_PER_USER} active alerts; delete some first.")
        row = AlertRow(user_id=user_id, symbol=spec.symbol, direction=direction, price=level,
                       created_time_ms=self._now_ms())
        with session_scope(self._database) as session:
            session.add(row)
            session.flush()
            session.refresh(row)
        self._active[spec.symbol][row.id] = row
        return _view(row)

    def list(self, user_id: int) -> list[AlertView]:
        """Newest first: active and fired."""
        with session_scope(self._database) as session:
            rows = session.exec(select(AlertRow).where(AlertRow.user_id == user_id).order_by(AlertRow.id.desc()))
            return [_view(row) for row in rows]

    def delete(self, user_id: int, alert_id: int) -> None:
        with session_scope(self._database) as session:
            row = session.get(AlertRow, alert_id)
            if row is None or row.user_id != user_id:
                raise NotFound(f"No alert {alert_id}.", field="alertId")
            session.delete(row)
        self._active.get(row.symbol, {}).pop(alert_id, None)

    def unseen(self, user_id: int) -> list[AlertView]:
        """Alerts that fired while the user was away; marked seen as they are handed over."""
        with session_scope(self._database) as session:
            rows = list(session.exec(select(AlertRow).where(
                AlertRow.user_id == user_id, AlertRow.triggered_time_ms.is_not(None), AlertRow.seen.is_(False))))
            views = [_view(row) for row in rows]
            session.execute(update(AlertRow).where(AlertRow.id.in_([v.id for v in views])).values(seen=True))
        return views

    def mark_seen(self, user_id: int, alert_id: int) -> None:
        with session_scope(self._database) as session:
            session.execute(update(AlertRow).where(AlertRow.id == alert_id, AlertRow.user_id == user_id)
                            .values(seen=True))

    # --------------------------------------------------------------- the checker
    def on_market_event(self, event: object) -> None:
        """The market hub's listener: only trades can fire alerts."""
        if isinstance(event, TradePrint):
            self.on_trade(event)

    def listener(self, watches: Callable[[int], bool]) -> Callable[[object], None]:
        """A market's listener for the alerts of the users it ``watches``: each user's alerts
        fire on the market of the venue they trade on."""
        def on_event(event: object) -> None:
            if isinstance(event, TradePrint):
                self.on_trade(event, watches)
        return on_event

    def on_trade(self, trade: TradePrint, watches: Callable[[int], bool] | None = None) -> None:
        alerts = self._active.get(trade.symbol)
        if not alerts:
            return
        reached = [a for a in alerts.values() if _reached(a, trade.price)]
        for alert in [a for a in reached if watches is None or watches(a.user_id)]:
            alerts.pop(alert.id, None)
            fired = self._claim(alert.id, trade)
            if fired is not None:
                self._bus.publish(fired.user_id, AlertTriggered(fired.user_id, _view(fired)))

    def _claim(self, alert_id: int, trade: TradePrint) -> AlertRow | None:
        with session_scope(self._database) as session:
            claimed = session.execute(
                update(AlertRow).where(AlertRow.id == alert_id, AlertRow.triggered_time_ms.is_(None))
                .values(triggered_time_ms=trade.time_ms or self._now_ms(), triggered_price=trade.price)
            ).rowcount
            return session.get(AlertRow, alert_id) if claimed == 1 else None

    # ------------------------------------------------------------------ helpers
    def _spec(self, symbol: str) -> SymbolSpec:
        spec = self._symbols.get((symbol or "").upper())
        if spec is None:
            raise ValidationFailed(f"Unknown symbol {symbol!r}; choose one of {', '.join(self._symbols)}.",
                                   field="symbol")
        return spec

    def _refuse_if_already_there(self, user_id: int, symbol: str, direction: str, level: Decimal) -> None:
        last = self._last_price_for(user_id, symbol) if self._last_price_for else self._last_price(symbol)
        if last is None:
            return
        if (direction == "above" and last >= level) or (direction == "below" and last <= level):
            raise ValidationFailed(f"{symbol} is already {direction} {level} (last {last}).", field="price")

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)


def _reached(alert: AlertRow, price: Decimal) -> bool:
    return price >= alert.price if alert.direction == "above" else price <= alert.price


def _view(row: AlertRow) -> AlertView:
    return AlertView(row.id, row.symbol, row.direction, row.price, row.created_time_ms, row.triggered_time_ms,
                     row.triggered_price, row.seen)
