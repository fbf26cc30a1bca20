"""Price alerts: "tell me when BTCUSDT trades above / below X", checked on the server.

The checker listens to the market hub like the paper engine does. An alert fires when a
trade reaches its level, once: the database row is claimed with an UPDATE that only
succeeds while it is unfired, so two workers (or a restart) can never fire it twice. The
user's event topic gets an ``AlertTriggered``; one that fired while nobody watched is
still unseen and shown on the next visit.

Storage is the ``AlertStore`` port (``store.alerts_repository`` implements it). Its calls
block, so they run in worker threads: a print that fires an alert never makes the market's
event loop wait on the database.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from numatix.domain.guidance import plain
from numatix.domain.market import TradePrint
from numatix.domain.symbols import SymbolSpec
from numatix.domain.values import plain_decimal
from numatix.services.errors import NotFound, ValidationFailed
from numatix.services.events import UserEventBus
from numatix.store.alerts_repository import StoredAlert

logger = logging.getLogger(__name__)

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


class AlertStore(Protocol):
    """Where alerts live (``SqlAlertStore``); every call blocks."""

    def active(self) -> list[StoredAlert]: ...
    def add(self, user_id: int, symbol: str, direction: str, price: Decimal,
            now_ms: int) -> StoredAlert: ...
    def of_user(self, user_id: int) -> list[StoredAlert]: ...
    def delete(self, user_id: int, alert_id: int) -> StoredAlert | None: ...
    def take_unseen(self, user_id: int) -> list[StoredAlert]: ...
    def mark_seen(self, user_id: int, alert_id: int) -> None: ...
    def claim(self, alert_id: int, time_ms: int, price: Decimal) -> StoredAlert | None: ...


class AlertService:
    def __init__(
        self, store: AlertStore, bus: UserEventBus, symbols: Mapping[str, SymbolSpec],
        last_price: PriceSource,
        clock: Callable[[], float] = time.time,
        last_price_for: Callable[[int, str], Awaitable[Decimal | None]] | None = None,
    ) -> None:
        self._store = store
        self._bus = bus
        self._symbols = symbols
        self._last_price = last_price
        self._last_price_for = last_price_for  # (user, symbol): on the market of the user's venue
        self._clock = clock
        self._active: dict[str, dict[int, StoredAlert]] = {symbol: {} for symbol in symbols}
        self._firing: set[asyncio.Task] = set()
        for alert in store.active():  # at start-up, before the market runs
            if alert.symbol in self._active:
                self._active[alert.symbol][alert.id] = alert

    # ------------------------------------------------------------------ use cases
    async def create(self, user_id: int, symbol: str, direction: str, price: object) -> AlertView:
        spec = self._spec(symbol)
        if direction not in DIRECTIONS:
            raise ValidationFailed("Choose above or below.", field="direction")
        try:
            level = plain_decimal(price, "price")
        except ValueError:
            raise ValidationFailed("Enter the price as a plain number like 65000.50 (at most 20 digits "
                                   "before and after the point).", field="price") from None
        if level <= 0:
            raise ValidationFailed("The price must be above zero.", field="price")
        level = (level // spec.tick_size) * spec.tick_size
        if level <= 0:  # below one price step: stored as 0, it could never fire
            raise ValidationFailed(f"The price must be at least {plain(spec.tick_size)}, "
                                   f"{spec.symbol}'s price step.", field="price")
        await self._refuse_if_already_there(user_id, spec.symbol, direction, level)
        active = sum(1 for alerts in self._active.values() for a in alerts.values() if a.user_id == user_id)
        if active >= MAX_ACTIVE_PER_USER:
            raise ValidationFailed(f"At most {MAX_ACTIVE_PER_USER} active alerts; delete some first.")
        alert = await asyncio.to_thread(self._store.add, user_id, spec.symbol, direction, level,
                                        self._now_ms())
        self._active[spec.symbol][alert.id] = alert
        return _view(alert)

    async def of_user(self, user_id: int) -> list[AlertView]:
        """Newest first: active and fired."""
        return [_view(alert) for alert in await asyncio.to_thread(self._store.of_user, user_id)]

    async def delete(self, user_id: int, alert_id: int) -> None:
        deleted = await asyncio.to_thread(self._store.delete, user_id, alert_id)
        if deleted is None:
            raise NotFound(f"No alert {alert_id}.", field="alertId")
        self._active.get(deleted.symbol, {}).pop(alert_id, None)

    async def unseen(self, user_id: int) -> list[AlertView]:
        """Alerts that fired while the user was away; marked seen as they are handed over."""
        return [_view(alert) for alert in await asyncio.to_thread(self._store.take_unseen, user_id)]

    def owners(self) -> set[int]:
        """The users with an active alert."""
        return {alert.user_id for alerts in self._active.values() for alert in alerts.values()}

    async def mark_seen(self, user_id: int, alert_id: int) -> None:
        await asyncio.to_thread(self._store.mark_seen, user_id, alert_id)

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
            alerts.pop(alert.id, None)  # at once, so the next print cannot reach it again
            task = asyncio.get_running_loop().create_task(self._fire(alert.id, trade))
            self._firing.add(task)
            task.add_done_callback(self._firing.discard)

    async def _fire(self, alert_id: int, trade: TradePrint) -> None:
        try:
            fired = await asyncio.to_thread(self._store.claim, alert_id, trade.time_ms or self._now_ms(),
                                            trade.price)
        except Exception:  # a lost alert is logged, never raised into the market's listeners
            logger.exception("could not fire alert %s", alert_id)
            return
        if fired is not None:
            self._bus.publish(fired.user_id, AlertTriggered(fired.user_id, _view(fired)))

    async def settled(self) -> None:
        """Every alert a print reached so far has fired (or was fired elsewhere)."""
        while self._firing:
            await asyncio.gather(*tuple(self._firing))

    # ------------------------------------------------------------------ helpers
    def _spec(self, symbol: str) -> SymbolSpec:
        spec = self._symbols.get((symbol or "").upper())
        if spec is None:
            raise ValidationFailed(f"Unknown symbol {symbol!r}; choose one of {', '.join(self._symbols)}.",
                                   field="symbol")
        return spec

    async def _refuse_if_already_there(self, user_id: int, symbol: str, direction: str,
                                       level: Decimal) -> None:
        if self._last_price_for is not None:
            last = await self._last_price_for(user_id, symbol)
        else:
            last = self._last_price(symbol)
        if last is None:
            return
        if (direction == "above" and last >= level) or (direction == "below" and last <= level):
            raise ValidationFailed(f"{symbol} is already {direction} {level} (last {last}).", field="price")

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)


def _reached(alert: StoredAlert, price: Decimal) -> bool:
    return price >= alert.price if alert.direction == "above" else price <= alert.price


def _view(alert: StoredAlert) -> AlertView:
    return AlertView(alert.id, alert.symbol, alert.direction, alert.price, alert.created_time_ms,
                     alert.triggered_time_ms, alert.triggered_price, alert.seen)
