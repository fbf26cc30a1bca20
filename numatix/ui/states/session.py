"""Who is at this tab: derived from the HttpOnly session cookie on every page load.

The user id lives in a backend-only var (``_user_id``): the browser never sends it, so a
tab can only ever act as the user its cookie proves. Log-in hands the new token to
``/api/auth/browser-session`` once, which turns it into the cookie; a full page load
follows so the websocket reconnects carrying it.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlparse

import reflex as rx

from numatix.services import runtime
from numatix.services.accounts import token_from_cookie_header
from numatix.services.errors import AuthenticationRequired

LOGIN_ROUTE = "/login"
SIGNUP_ROUTE = "/signup"
HOME_ROUTE = "/trade/BTCUSDT"


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to somewhere else."""
    if not target:
        return HOME_ROUTE
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return HOME_ROUTE
    if parsed.path in (LOGIN_ROUTE, SIGNUP_ROUTE):
        return HOME_ROUTE
    return target


def enter_with_token(token: str, target: str) -> rx.event.EventSpec:
    """Store the token as the HttpOnly cookie, then load the target page afresh."""
    return rx.call_script(
        "fetch('/api/auth/browser-session', {method: 'POST', credentials: 'same-origin',"
        f" headers: {{'Authorization': 'Bearer ' + {json.dumps(token)}}}}})"
        f".then(r => {{ if (r.ok) window.location.assign({json.dumps(target)}); }})"
    )


class SessionState(rx.State):
    email: str = ""
    signed_in: bool = False
    venue: str = "paper"  # where this user's orders go; the top bar says so on every page
    _user_id: int = 0

    def _token(self) -> str | None:
        return token_from_cookie_header(self.router.headers.cookie)

    def _here(self) -> str:
        url = self.router.url
        path = url.path or HOME_ROUTE
        return path + (f"?{url.query}" if url.query else "")

    @rx.event
    def require_user(self):
        """First ``on_load`` step of every private page: no live session, no page."""
        try:
            user = runtime.current().accounts.authenticate(self._token())
        except AuthenticationRequired:
            self.signed_in, self.email, self._user_id = False, "", 0
            return rx.redirect(f"{LOGIN_ROUTE}?next={quote(self._here(), safe='')}")
        self.signed_in, self.email, self._user_id = True, user.email, user.id
        self.venue = user.venue.value

    @rx.event
    def skip_if_signed_in(self):
        """The log-in and sign-up pages send a signed-in user on to where they were going."""
        try:
            user = runtime.current().accounts.authenticate(self._token())
        except AuthenticationRequired:
            self.signed_in = False
            return
        self.signed_in, self.email, self._user_id = True, user.email, user.id
        return rx.redirect(safe_next(self.router.url.query_parameters.get("next")))

    @rx.event
    def log_out(self):
        runtime.current().accounts.log_out(self._token())  # a dead session is fine
        self.signed_in, self.email, self._user_id = False, "", 0
        return rx.call_script(
            "fetch('/api/auth/logout', {method: 'POST', credentials: 'same-origin'})"
            f".then(() => window.location.assign({json.dumps(LOGIN_ROUTE)}))"
        )
