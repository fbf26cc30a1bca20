"""The log-in and sign-up forms. Passwords pass through a handler and are never kept in state."""

from __future__ import annotations

import reflex as rx

from numatix.services import runtime
from numatix.domain.errors import VenueError
from numatix.services.errors import ServiceError
from numatix.ui.states.session import SessionState, enter_with_token, safe_next


def key_refused(error: VenueError) -> str:
    return f"The exchange did not accept this key: {error.message}"


class AuthFormState(rx.State):
    error: str = ""
    error_field: str = ""
    busy: bool = False

    def _next(self) -> str:
        return safe_next(self.router.url.query_parameters.get("next"))

    @rx.event
    def clear(self):
        self.error, self.error_field, self.busy = "", "", False

    @rx.event
    async def log_in(self, form: dict):
        self.busy = True
        yield
        try:
            signed_in = await runtime.current().accounts.log_in(
                form.get("email", ""), form.get("password", ""), self.router.session.client_ip,
                self.router.headers.user_agent,
            )
        except ServiceError as error:
            self.error, self.error_field, self.busy = error.message, error.field or "", False
            return
        await self._signed_in(signed_in.user.id, signed_in.user.email)
        yield enter_with_token(signed_in.token, self._next())

    @rx.event
    async def sign_up(self, form: dict):
        if form.get("password", "") != form.get("confirm", ""):
            self.error, self.error_field = "The two passwords differ.", "confirm"
            return
        self.busy = True
        yield
        try:
            signed_in = await runtime.current().accounts.register(
                form.get("email", ""), form.get("password", ""), self.router.headers.user_agent,
                api_key=form.get("api_key") or None, secret=form.get("secret") or None,
            )
        except ServiceError as error:
            self.error, self.error_field, self.busy = error.message, error.field or "", False
            return
        except VenueError as error:
            self.error, self.error_field, self.busy = key_refused(error), "api_key", False
            return
        await self._signed_in(signed_in.user.id, signed_in.user.email)
        yield enter_with_token(signed_in.token, self._next())

    async def _signed_in(self, user_id: int, email: str) -> None:
        session = await self.get_state(SessionState)
        session.signed_in, session.email, session._user_id = True, email, user_id
        self.error, self.error_field = "", ""
