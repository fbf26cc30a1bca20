"""Sessions: started at log-in, checked on every use, ended everywhere at once.

A token names a server-side session; the session is what is live. Checking it must be
cheap (every page handler and API request does), so each worker remembers the sessions it
has seen live for up to ``RECHECK_SECONDS``, and ending a session is pushed to every worker
through the event bus (Redis when there are several): the ``SESSIONS_TOPIC`` tells each
worker's cache to forget it, and the user's own topic tells that user's open pages and
event sockets, which leave at once. A cache that may have missed a message (the bus lost
Redis) forgets everything and asks the database again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from numatix.security.devices import describe_device
from numatix.security.tokens import InvalidToken, TokenClaims, TokenService, new_session_id
from numatix.services.errors import AuthenticationRequired, NotFound
from numatix.services.events import EventBus, EventsMissed, UserEventBus, UserEvents
from numatix.store.accounts_repository import StoredSession

SESSION_ENDED = "Your session has ended; please log in again."
SESSIONS_TOPIC = "sessions"  # every worker's cache listens here; users' topics are their ids
RECHECK_SECONDS = 30.0  # a live session is asked of the database again (and its last use noted) this often
MAX_REMEMBERED = 50_000


class SessionStore(Protocol):
    """Sessions in storage; every call blocks, so the service makes them in worker threads."""

    def add_session(self, session_id: str, user_id: int, created_ms: int, expires_ms: int,
                    user_agent: str, address: str = "") -> None: ...
    def touch_session(self, session_id: str, user_id: int, now_ms: int) -> int | None: ...
    def session_owner(self, session_id: str) -> int | None: ...
    def live_sessions(self, user_id: int, now_ms: int) -> list[StoredSession]: ...
    def revoke_session(self, session_id: str, now_ms: int) -> None: ...
    def revoke_sessions(self, user_id: int, now_ms: int, keep_session_id: str | None = None) -> None: ...


@dataclass(frozen=True, slots=True)
class SessionsEnded:
    """One session ended (``session_id``), or every session of the user but ``keep_session_id``."""

    user_id: int
    session_id: str | None
    keep_session_id: str | None
    ended_ms: int

    def covers(self, session_id: str) -> bool:
        if self.session_id is not None:
            return session_id == self.session_id
        return session_id != self.keep_session_id


@dataclass(frozen=True, slots=True)
class SessionView:
    id: str
    device: str
    address: str
    created_ms: int
    last_seen_ms: int
    expires_ms: int


@dataclass(slots=True)
class _Live:
    user_id: int
    expires_ms: int
    checked_at: float  # monotonic


class SessionService:
    """All cache bookkeeping happens on the event loop; only the store's calls run in threads."""

    def __init__(self, store: SessionStore, tokens: TokenService, events: UserEventBus | None = None,
                 clock: Callable[[], float] = time.time, monotonic: Callable[[], float] = time.monotonic,
                 recheck_seconds: float = RECHECK_SECONDS) -> None:
        self._store = store
        self._tokens = tokens
        self._events: UserEventBus = events if events is not None else EventBus()
        self._clock = clock
        self._monotonic = monotonic
        self._recheck = recheck_seconds
        self._live: dict[str, _Live] = {}
        self._generation = 0  # moves whenever something is forgotten
        self._follower: asyncio.Task | None = None

    # ------------------------------------------------------------ start, check
    async def start(self, user_id: int, user_agent: str = "", address: str = "") -> tuple[str, TokenClaims]:
        session_id = new_session_id()
        token = self._tokens.issue(user_id, session_id)
        claims = self._tokens.decode(token)
        await asyncio.to_thread(self._store.add_session, session_id, user_id, self._now_ms(),
                                claims.expires_at * 1000, user_agent or "", address or "")
        return token, claims

    def claims(self, token: str | None) -> TokenClaims:
        """The token's claims (signature and expiry), without asking whether its session lives."""
        if not token:
            raise AuthenticationRequired("Please log in.")
        try:
            return self._tokens.decode(token)
        except InvalidToken:
            raise AuthenticationRequired(SESSION_ENDED) from None

    async def authenticate(self, token: str | None) -> TokenClaims:
        claims = self.claims(token)
        await self.check(claims.user_id, claims.session_id)
        return claims

    async def check(self, user_id: int, session_id: str, fresh: bool = False) -> int:
        """The session's expiry (ms) if it is live and the user's; AuthenticationRequired if not.
        ``fresh`` asks the database even when this worker saw the session live moments ago."""
        if not session_id or not user_id:
            raise AuthenticationRequired("Please log in.")
        now_ms = self._now_ms()
        known = None if fresh else self._live.get(session_id)
        recent = known is not None and self._monotonic() - known.checked_at < self._recheck
        if known is not None and recent and known.user_id == user_id:
            if known.expires_ms > now_ms:
                return known.expires_ms
            self._live.pop(session_id, None)
            raise AuthenticationRequired(SESSION_ENDED)
        generation = self._generation
        expires_ms = await asyncio.to_thread(self._store.touch_session, session_id, user_id, now_ms)
        if expires_ms is None:
            self._live.pop(session_id, None)
            raise AuthenticationRequired(SESSION_ENDED)
        if generation == self._generation:  # nothing ended while we asked: safe to remember
            if len(self._live) >= MAX_REMEMBERED:
                self._live.clear()
            self._live[session_id] = _Live(user_id, expires_ms, self._monotonic())
        return expires_ms

    async def is_live(self, user_id: int, session_id: str, fresh: bool = False) -> bool:
        try:
            await self.check(user_id, session_id, fresh)
        except AuthenticationRequired:
            return False
        return True

    # ------------------------------------------------------------------ end
    async def end_token(self, token: str | None) -> None:
        """Log out: ends this token's session; an already dead token is fine."""
        try:
            claims = self._tokens.decode(token or "")
        except InvalidToken:
            return
        await self._end(SessionsEnded(claims.user_id, claims.session_id, None, self._now_ms()))

    async def end(self, user_id: int, session_id: str) -> None:
        """End one of the user's sessions (Settings' list); NotFound when it is not theirs."""
        if await asyncio.to_thread(self._store.session_owner, session_id) != user_id:
            raise NotFound("No such session.")
        await self._end(SessionsEnded(user_id, session_id, None, self._now_ms()))

    async def end_all(self, user_id: int, keep_session_id: str | None = None) -> None:
        await self._end(SessionsEnded(user_id, None, keep_session_id, self._now_ms()))

    async def _end(self, ended: SessionsEnded) -> None:
        if ended.session_id is not None:
            await asyncio.to_thread(self._store.revoke_session, ended.session_id, ended.ended_ms)
        else:
            await asyncio.to_thread(self._store.revoke_sessions, ended.user_id, ended.ended_ms,
                                    ended.keep_session_id)
        self.forget(ended)  # this worker at once; the others through the bus
        self._events.publish(SESSIONS_TOPIC, ended)
        self._events.publish(ended.user_id, ended)

    def forget(self, ended: SessionsEnded) -> None:
        self._generation += 1
        for session_id, known in list(self._live.items()):
            if known.user_id == ended.user_id and ended.covers(session_id):
                self._live.pop(session_id, None)

    def forget_everything(self) -> None:
        self._generation += 1
        self._live.clear()

    # ---------------------------------------------------------------- list
    async def list_live(self, user_id: int) -> list[SessionView]:
        """The user's live sessions, most recently used first."""
        stored = await asyncio.to_thread(self._store.live_sessions, user_id, self._now_ms())
        views = [SessionView(s.id, describe_device(s.user_agent), s.address, s.created_time_ms,
                             s.last_seen_ms, s.expires_time_ms) for s in stored]
        return sorted(views, key=lambda view: view.last_seen_ms, reverse=True)

    # ------------------------------------------------- the cross-worker feed
    def follow_revocations(self) -> None:
        """Start listening (subscribed before this returns, so nothing published later is missed)."""
        if self._follower is None:
            reader = self._events.subscribe(SESSIONS_TOPIC)
            self._follower = asyncio.get_running_loop().create_task(self._follow(reader),
                                                                    name="sessions-ended")

    async def _follow(self, reader: UserEvents) -> None:
        with reader:
            async for event in reader:
                if isinstance(event, SessionsEnded):
                    self.forget(event)
                elif isinstance(event, EventsMissed):
                    self.forget_everything()

    async def stop(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
            self._follower = None

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)
