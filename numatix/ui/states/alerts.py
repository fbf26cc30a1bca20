"""Price alerts on the trade page: create, list, delete. Firing is the server's job."""

from __future__ import annotations

import reflex as rx

from numatix.services import runtime
from numatix.services.errors import ServiceError
from numatix.ui.format import price_text, utc_time
from numatix.ui.states.market import MarketState
from numatix.ui.states.session import live_user_id


class AlertsState(rx.State):
    direction: str = "above"
    price: str = ""
    error: str = ""
    alerts: list[dict[str, str]] = []

    async def _user_id(self) -> int:
        return await live_user_id(self)

    @rx.event
    async def load(self):
        await self._list(await self._user_id())

    async def _list(self, user_id: int) -> None:
        if not user_id:
            return
        self.alerts = [{
            "id": str(a.id), "symbol": a.symbol, "direction": a.direction,
            "price": price_text(a.price, a.symbol),
            "state": "active" if a.active or a.triggered_time_ms is None
            else f"fired {utc_time(a.triggered_time_ms)}",
        } for a in await runtime.current().alerts.of_user(user_id)]

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
            alert = await runtime.current().alerts.create(user_id, market.active_symbol, self.direction,
                                                          self.price)
        except ServiceError as error:
            self.error = error.message
            return
        self.error, self.price = "", ""
        await self._list(user_id)
        # The browser asks for notification permission with the first alert, not before.
        yield rx.call_script("window.numatixAskToNotify && window.numatixAskToNotify()")
        at = price_text(alert.price, alert.symbol)
        yield rx.toast.success(f"Alert set: {alert.symbol} {alert.direction} {at}")

    @rx.event
    async def delete(self, alert_id: str):
        user_id = await self._user_id()
        try:
            await runtime.current().alerts.delete(user_id, int(alert_id))
        except ServiceError as error:
            self.error = error.message
        await self._list(user_id)
