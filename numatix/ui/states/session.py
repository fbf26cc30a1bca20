"""Who is at this tab: derived from the HttpOnly session cookie, and checked on every use.

The user id and session id live in backend-only vars: the browser never sends them, so a
tab can only ever act as the user its cookie proved. A page loaded once must not outlive
its session, so:

- every handler that acts on the account reads the user through ``live_user_id``, which
  asks the session service (a cached answer, see services/sessions.py) and raises
  ``SessionEnded`` when the session is over; the app's exception handler turns that into a
  trip to the log-in page, and the action is not taken;
- every private page runs ``watch``, which follows the user's event topic and sends the
  tab to the log-in page the moment its session is ended anywhere (log-out everywhere, a
  password change, Settings' list) or expires.

Log-in hands the new token to ``/api/auth/browser-session`` once, which turns it into the
cookie; a full page load follows so the websocket reconnects carrying it.
"""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import quote, urlsplit

import reflex as rx
from reflex.app import default_backend_exception_handler
from reflex.event import EventSpec

from numatix.security.redirects import same_site_path
from numatix.services import runtime
from numatix.services.accounts import token_from_cookie_header
from numatix.services.errors import AuthenticationRequired
from numatix.services.events import EventsMissed
from numatix.services.sessions import SessionsEnded

LOGIN_ROUTE = "/login"
SIGNUP_ROUTE = "/signup"
HOME_ROUTE = "/trade/BTCUSDT"
WATCH_RECHECK_SECONDS = 30.0  # besides the pushed news, ask again this often

__all__ = ["HOME_ROUTE", "LOGIN_ROUTE", "SIGNUP_ROUTE", "SessionEnded", "SessionState", "enter_with_token",
           "live_user_id", "on_backend_error", "safe_next", "viewer_id"]


def safe_next(target: str | None) -> str:
    """Where to go after log-in: a path on this site (never the log-in pages), else the trade page."""
    path = same_site_path(target)
    if path is None or urlsplit(path).path.rstrip("/") in (LOGIN_ROUTE, SIGNUP_ROUTE):
        return HOME_ROUTE
    return path


class SessionEnded(Exception):
    """This tab's session is over: nothing more is done for it; it goes to the log-in page."""

    def __init__(self, back_to: str) -> None:
        super().__init__("session ended")
        self.back_to = back_to


def to_log_in(back_to: str) -> EventSpec:
    return rx.redirect(f"{LOGIN_ROUTE}?next={quote(back_to, safe='')}")


def on_backend_error(exception: Exception) -> EventSpec:
    """The app's exception handler: an ended session is a trip to the log-in page, not an error."""
    if isinstance(exception, SessionEnded):
        return to_log_in(exception.back_to)
    return default_backend_exception_handler(exception)


async def live_user_id(state: rx.State) -> int:
    """The tab's user, if its session is still live; raises ``SessionEnded`` if not. Every
    handler that reads or changes the account gets the user id here and nowhere else."""
    return await (await state.get_state(SessionState))._live_user_id()


async def viewer_id(state: rx.State) -> int:
    """The tab's user as last proved, unchecked (0 if none): only to choose which public
    market to show (a Binance Testnet user sees the testnet's), never to act or read the account."""
    return (await state.get_state(SessionState))._user_id


def enter_with_token(token: str, target: str) -> EventSpec:
    """Store the token as the HttpOnly cookie, then load the target page afresh."""
    return rx.call_script(
        "fetch('/api/auth/browser-session', {method: 'POST', credentials: 'same-origin',"
        f" headers: {{'Authorization': 'Bearer ' + {json.dumps(token)}}}}})"
        f".then(r => {{ if (r.ok) window.location.assign({json.dumps(safe_next(target))}); }})"
    )


class SessionState(rx.State):
    email: str = ""
    signed_in: bool = False
    venue: str = "paper"  # where this user's orders go; the top bar says so on every page
    _user_id: int = 0
    _session_id: str = ""
    _expires_ms: int = 0

    def _token(self) -> str | None:
        return token_from_cookie_header(self.router.headers.cookie)

    def _here(self) -> str:
        url = self.router.url
        path = url.path or HOME_ROUTE
        return path + (f"?{url.query}" if url.query else "")

    async def _live_user_id(self, fresh: bool = False) -> int:
        try:
            await runtime.current().sessions.check(self._user_id, self._session_id, fresh=fresh)
        except AuthenticationRequired:
            self._forget_user()
            raise SessionEnded(self._here()) from None
        return self._user_id

    def _forget_user(self) -> None:
        self.signed_in, self.email, self._user_id, self._session_id, self._expires_ms = False, "", 0, "", 0

    def _adopt(self, user_id: int, email: str, session_id: str, expires_ms: int,
               venue: str | None = None) -> None:
        self.signed_in, self.email, self._user_id = True, email, user_id
        self._session_id, self._expires_ms = session_id, expires_ms
        if venue is not None:
            self.venue = venue

    async def _from_cookie(self) -> bool:
        services = runtime.current()
        try:
            claims = await services.sessions.authenticate(self._token())
            user = await services.accounts.user(claims.user_id)
        except AuthenticationRequired:
            self._forget_user()
            return False
        self._adopt(user.id, user.email, claims.session_id, claims.expires_at * 1000, user.venue.value)
        return True

    @rx.event
    async def require_user(self):
        """First ``on_load`` step of every private page: no live session, no page."""
        if not await self._from_cookie():
            return to_log_in(self._here())
        return SessionState.watch

    @rx.event
    async def skip_if_signed_in(self):
        """The log-in and sign-up pages send a signed-in user on to where they were going."""
        if await self._from_cookie():
            return rx.redirect(safe_next(self.router.url.query_parameters.get("next")))

    @rx.event
    async def log_out(self):
        await runtime.current().accounts.log_out(self._token())  # a dead session is fine
        self._forget_user()
        return rx.call_script(
            "fetch('/api/auth/logout', {method: 'POST', credentials: 'same-origin'})"
            f".then(() => window.location.assign({json.dumps(LOGIN_ROUTE)}))"
        )

    @rx.event(background=True)
    async def watch(self):
        """While a private page is open: the moment its session ends (anywhere, by any
        worker) or expires, the tab goes to the log-in page. Ends when the page does.
        The tab's state is only touched when the news may concern it."""
        async with self:
            user_id, session_id, expires_ms = self._user_id, self._session_id, self._expires_ms
        if not user_id:
            return
        sessions = runtime.current().sessions
        with runtime.current().events.subscribe(user_id) as events:
            while True:
                wait = min(WATCH_RECHECK_SECONDS, expires_ms / 1000 - time.time())
                batch: list = []
                if wait > 0:
                    try:
                        batch = await asyncio.wait_for(events.next_batch(), wait)
                    except TimeoutError:
                        pass
                missed = any(isinstance(e, EventsMissed) for e in batch)  # the news may have been lost
                covered = any(isinstance(e, SessionsEnded) and e.covers(session_id) for e in batch)
                if batch and not (missed or covered):
                    continue  # other news of the account: not this page's business
                if not (covered or missed) and await sessions.is_live(user_id, session_id):
                    continue  # the periodic look: still live
                async with self:  # a password change in this tab may have moved it to a new session
                    session_id, expires_ms, here = self._session_id, self._expires_ms, self._here()
                    if not session_id:
                        return  # this tab logged out by its own hand
                    ended = any(isinstance(e, SessionsEnded) and e.covers(session_id) for e in batch)
                    if not ended and await sessions.is_live(self._user_id, session_id, fresh=missed):
                        continue
                    self._forget_user()
                yield to_log_in(here)
                return
