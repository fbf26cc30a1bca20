"""The settings page: venue, Binance key, password, paper wallet reset, sessions."""

from __future__ import annotations

import reflex as rx

from numatix.domain.errors import VenueError
from numatix.services import runtime
from numatix.services.errors import ServiceError
from numatix.ui.format import utc_time
from numatix.ui.states.auth_forms import key_refused
from numatix.ui.states.session import SessionState, enter_with_token


PASSWORD_CHANGED = "Password changed. Every other session has been logged out."


class SettingsState(rx.State):
    venue: str = "paper"
    has_key: bool = False
    key_hint: str = ""
    key_signature: str = ""
    key_checked: str = ""
    error: str = ""
    notice: str = ""
    busy: bool = False

    async def _user_id(self) -> int:
        session = await self.get_state(SessionState)
        return session._user_id

    def _say(self, error: str = "", notice: str = "") -> None:
        self.error, self.notice, self.busy = error, notice, False

    @rx.event
    async def load(self):
        user_id = await self._user_id()
        if not user_id:
            return
        accounts = runtime.current().accounts
        self.venue = accounts.user(user_id).venue.value
        (await self.get_state(SessionState)).venue = self.venue
        key = accounts.exchange_key(user_id)
        self.has_key = key is not None
        self.key_hint = key.api_key_hint if key else ""
        self.key_signature = key.signature.value if key else ""
        self.key_checked = utc_time(key.checked_time_ms) if key else ""
        self._say(notice=PASSWORD_CHANGED if self.router.url.query_parameters.get("done") == "password" else "")

    @rx.event
    async def choose_venue(self, venue: str):
        try:
            user = runtime.current().accounts.set_venue(await self._user_id(), venue)
        except ServiceError as error:
            self._say(error.message)
            return
        self.venue = user.venue.value
        (await self.get_state(SessionState)).venue = self.venue
        self._say(notice=f"Orders now go to {'the paper exchange' if venue == 'paper' else 'Binance Spot Testnet'}.")

    @rx.event
    async def save_key(self, form: dict):
        self.busy = True
        yield
        try:
            await runtime.current().accounts.save_exchange_key(
                await self._user_id(), form.get("api_key", ""), form.get("secret", ""),
                form.get("signature", "HMAC_SHA256"),
            )
        except ServiceError as error:
            self._say(error.message)
            return
        except VenueError as error:
            self._say(key_refused(error))
            return
        yield SettingsState.load
        yield SettingsState.announce("Key checked and saved. It will not be shown again.")

    @rx.event
    def announce(self, notice: str):
        self._say(notice=notice)

    @rx.event
    async def delete_key(self):
        runtime.current().accounts.delete_exchange_key(await self._user_id())
        yield SettingsState.load
        yield SettingsState.announce("Key deleted; orders go to the paper exchange.")

    @rx.event
    async def change_password(self, form: dict):
        if form.get("new_password", "") != form.get("confirm_password", ""):
            self._say("The two new passwords differ.")
            return
        self.busy = True
        yield
        session = await self.get_state(SessionState)
        try:
            signed_in = await runtime.current().accounts.change_password(
                session._token() or "", form.get("current_password", ""), form.get("new_password", ""))
        except ServiceError as error:
            self._say(error.message)
            return
        yield enter_with_token(signed_in.token, "/settings?done=password")  # a full load picks up the new cookie

    @rx.event
    async def reset_wallet(self):
        try:
            await runtime.current().portfolio.reset_wallet(await self._user_id())
        except ServiceError as error:
            self._say(error.message)
            return
        self._say(notice="Paper wallet reset: 10,000 USDT, 0.1 BTC, 1 ETH, 10 BNB; open orders canceled.")

    @rx.event
    async def log_out_everywhere(self):
        runtime.current().accounts.log_out_everywhere(await self._user_id())
        return SessionState.log_out
