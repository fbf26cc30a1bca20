"""The log-in and sign-up forms. Passwords pass through a handler and are never kept in state."""

from __future__ import annotations

import reflex as rx

from numatix.domain.errors import VenueError
from numatix.security.devices import DEVICE_COOKIE
from numatix.services import runtime
from numatix.services.accounts import SignedIn, cookie_value
from numatix.services.errors import ServiceError, VenueUnreachable
from numatix.ui.states.session import SessionState, enter_with_token, safe_next


def key_refused(error: VenueError) -> str:
    return f"The exchange did not accept this key: {error.message}"


SIGNUP_FORM_ID = "signup-form"


class AuthFormState(rx.State):
    error: str = ""
    error_field: str = ""
    busy: bool = False
    key_unreachable: bool = False  # Binance did not answer: offer to sign up without the key
    _without_key: bool = False

    def _next(self) -> str:
        return safe_next(self.router.url.query_parameters.get("next"))

    def _fail(self, message: str, field: str = "", key_unreachable: bool = False) -> None:
        self.error, self.error_field, self.busy, self.key_unreachable = message, field, False, key_unreachable

    @rx.event
    def clear(self):
        self._fail("")

    @rx.event
    def sign_up_without_key(self):
        """The person chose to go on without the key Binance could not check; the fields stay as typed."""
        self._without_key = True
        return rx.call_script(f"document.getElementById('{SIGNUP_FORM_ID}').requestSubmit()")

    @rx.event
    async def log_in(self, form: dict):
        self.busy = True
        yield
        try:
            signed_in = await runtime.current().accounts.log_in(
                form.get("email", ""), form.get("password", ""), self.router.session.client_ip,
                self.router.headers.user_agent, device_cookie=cookie_value(self.router.headers.cookie,
                                                                           DEVICE_COOKIE),
            )
        except ServiceError as error:
            self._fail(error.message, error.field or "")
            return
        await self._signed_in(signed_in)
        yield enter_with_token(signed_in.token, self._next())

    @rx.event
    async def sign_up(self, form: dict):
        without_key, self._without_key = self._without_key, False
        if form.get("password", "") != form.get("confirm", ""):
            self._fail("The two passwords differ.", "confirm")
            return
        self.busy = True
        yield
        try:
            signed_in = await runtime.current().accounts.register(
                form.get("email", ""), form.get("password", ""), self.router.headers.user_agent,
                api_key=None if without_key else form.get("api_key") or None,
                secret=None if without_key else form.get("secret") or None,
                address=self.router.session.client_ip,
            )
        except VenueUnreachable as error:
            self._fail(error.message, "api_key", key_unreachable=True)
            return
        except ServiceError as error:
            self._fail(error.message, error.field or "")
            return
        except VenueError as error:
            self._fail(key_refused(error), "api_key")
            return
        await self._signed_in(signed_in)
        yield enter_with_token(signed_in.token, self._next())

    async def _signed_in(self, signed_in: SignedIn) -> None:
        session = await self.get_state(SessionState)
        session._adopt(signed_in.user.id, signed_in.user.email, signed_in.session_id, signed_in.expires_ms,
                       signed_in.user.venue.value)
        self._fail("")
        self.busy = True  # until the next page has loaded
