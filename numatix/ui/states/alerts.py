"""Price alerts on the trade page: create, list, delete. Firing is the server's job."""

from __future__ import annotations

import reflex as rx

from numatix.services import runtime
from numatix.services.errors import ServiceError
from numatix.ui.format import utc_time
from numatix.ui.states.market import MarketState
from numatix.ui.states.session import SessionState


class AlertsState(rx.State):
    direction: str = "above"
    price: str = ""
    error: str = ""
    alerts: list[dict[str, str]] = []

    async def _user_id(self) -> int:
        return (await self.get_state(SessionState))._user_id

    @rx.event
    async def load(self):
        self._list(await self._user_id())

    def _list(self, user_id: int) -> None:
        if not user_id:
            return
        self.alerts = [{
            "id": str(a.id), "symbol": a.symbol, "direction": a.direction, "price": format(a.price.normalize(), "f"),
            "state": "active" if a.active else f"fired {utc_time(a.triggered_time_ms)}",
        } for a in runtime.current().alerts.list(user_id)]

    @rx.event
    def choose_direction(self, direction: str):
        self.direction = direction

    @rx.event
    def edit_price(self, price: str):
        self.price = price

    @rx.event
    async def create(self, _form: dict | None = None):
        user_id = await self._user_id()
        market = await self.get_state(MarketState)
        try:
            alert = runtime.current().alerts.create(user_id, market.active_symbol, self.direction, self.price)
        except ServiceError as error:
            self.error = error.message
            return
        self.error, self.price = "", ""
        self._list(user_id)
        # The browser asks for notification permission with the first alert, not before.
        yield rx.call_script("window.numatixAskToNotify && window.numatixAskToNotify()")
        yield rx.toast.success(f"Alert set: {alert.symbol} {alert.direction} {alert.price.normalize()}")

    @rx.event
    async def delete(self, alert_id: str):
        user_id = await self._user_id()
        try:
            runtime.current().alerts.delete(user_id, int(alert_id))
        except ServiceError as error:
            self.error = error.message
        self._list(user_id)
