"""The settings page: venue, Binance key, password, paper wallet reset, sessions."""

from __future__ import annotations

import reflex as rx

from numatix.domain.balances import amounts_in_words
from numatix.domain.errors import VenueError
from numatix.services import runtime
from numatix.services.errors import ServiceError
from numatix.ui.format import utc_time
from numatix.ui.states.auth_forms import key_refused
from numatix.ui.states.market import MarketState
from numatix.ui.states.session import SessionState, enter_with_token, live_user_id

PASSWORD_CHANGED = "Password changed. Every other session has been logged out."
KEY_FIELDS = ("api_key", "secret")


class SettingsState(rx.State):
    venue: str = "paper"
    has_key: bool = False
    key_hint: str = ""
    key_signature: str = ""
    key_checked: str = ""
    error: str = ""
    notice: str = ""
    key_error: str = ""  # shown next to the key fields, which keep what was typed
    key_error_field: str = ""
    password_error: str = ""  # shown in the password card, whose fields keep what was typed
    password_error_field: str = ""
    busy: bool = False

    async def _user_id(self) -> int:
        return await live_user_id(self)

    def _say(self, error: str = "", notice: str = "") -> None:
        self.error, self.notice, self.busy = error, notice, False
        self.key_error, self.key_error_field = "", ""
        self.password_error, self.password_error_field = "", ""

    def _password_refused(self, message: str, field: str) -> None:
        self._say()
        self.password_error, self.password_error_field = message, field

    def _key_refused(self, message: str, field: str = "") -> None:
        self._say()
        self.key_error, self.key_error_field = message, field

    @rx.event
    async def load(self):
        user_id = await self._user_id()
        accounts = runtime.current().accounts
        self.venue = (await accounts.user(user_id)).venue.value
        (await self.get_state(SessionState)).venue = self.venue
        key = await accounts.exchange_key(user_id)
        self.has_key = key is not None
        self.key_hint = key.api_key_hint if key else ""
        self.key_signature = key.signature.value if key else ""
        self.key_checked = utc_time(key.checked_time_ms) if key else ""
        done = self.router.url.query_parameters.get("done")
        self._say(notice=PASSWORD_CHANGED if done == "password" else "")

    @rx.event
    async def choose_venue(self, venue: str):
        try:
            user = await runtime.current().accounts.set_venue(await self._user_id(), venue)
        except ServiceError as error:
            self._say(error.message)
            return
        self.venue = user.venue.value
        (await self.get_state(SessionState)).venue = self.venue
        where = "the paper exchange" if venue == "paper" else "Binance Spot Testnet"
        self._say(notice=f"Orders now go to {where}.")
        return MarketState.load_feed  # a Binance venue's prices are the testnet's

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
            self._key_refused(error.message, error.field or "")
            return
        except VenueError as error:
            self._key_refused(key_refused(error), "api_key")
            return
        yield [rx.set_value(field, "") for field in KEY_FIELDS]  # saved: the secret leaves the page
        yield SettingsState.load
        yield SettingsState.announce("Key checked and saved. It will not be shown again.")

    @rx.event
    def announce(self, notice: str):
        self._say(notice=notice)

    @rx.event
    async def delete_key(self):
        await runtime.current().accounts.delete_exchange_key(await self._user_id())
        yield SettingsState.load
        yield MarketState.load_feed
        yield SettingsState.announce("Key deleted; orders go to the paper exchange.")

    @rx.event
    async def change_password(self, form: dict):
        if form.get("new_password", "") != form.get("confirm_password", ""):
            self._password_refused("The two new passwords differ.", "confirm_password")
            return
        await self._user_id()
        self.busy = True
        yield
        session = await self.get_state(SessionState)
        try:
            signed_in = await runtime.current().accounts.change_password(
                session._token() or "", form.get("current_password", ""), form.get("new_password", ""),
                self.router.headers.user_agent, self.router.session.client_ip)
        except ServiceError as error:
            self._password_refused(error.message, error.field or "current_password")
            return
        # This tab carries on in the new session; every other one (other tabs too) has ended.
        session._adopt(signed_in.user.id, signed_in.user.email, signed_in.session_id, signed_in.expires_ms)
        yield enter_with_token(signed_in.token,
                               "/settings?done=password")  # a full load picks up the new cookie

    @rx.event
    async def reset_wallet(self):
        try:
            await runtime.current().portfolio.reset_wallet(await self._user_id())
        except (ServiceError, VenueError) as error:
            self._say(error.message)
            return
        self._say(notice=f"Paper wallet reset: {amounts_in_words()}; open orders canceled.")

    @rx.event
    async def log_out_everywhere(self):
        await runtime.current().accounts.log_out_everywhere(await self._user_id())
        return SessionState.log_out
