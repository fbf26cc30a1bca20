"""Attack helpers for browser tests: a tab that ignores being sent away, and a session that
expires in seconds.

A stale tab is what an attacker (or a frozen laptop waking up) has: a page whose script
does not follow the server's "go to /login". ``deaf_to_log_in`` drops, between the page and
the server, every frame that would navigate it to /login, and records them; the tab then
stays where it is and can still click, so a test can prove the server refuses what it asks.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, WebSocketRoute
from sqlmodel import Session

from numatix.security.tokens import TokenService, new_session_id
from numatix.services.runtime import token_secret
from numatix.store.db import make_engine
from numatix.store.tables.accounts import SessionRow

REDIRECT_TO_LOG_IN = re.compile(r'"_redirect".{0,200}?/login')


@dataclass
class DroppedRedirects:
    at: list[float] = field(default_factory=list)  # time.monotonic() of each dropped frame


def deaf_to_log_in(page: Page) -> DroppedRedirects:
    """Call before ``page.goto``: the page's event socket no longer delivers redirects to /login."""
    dropped = DroppedRedirects()

    def route(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def from_server(message: str | bytes) -> None:
            if isinstance(message, str) and REDIRECT_TO_LOG_IN.search(message):
                dropped.at.append(time.monotonic())
                return
            socket.send(message)

        server.on_message(from_server)
        socket.on_message(lambda message: server.send(message))

    page.route_web_socket(re.compile(r"/_event"), route)
    return dropped


def mint_session(data_dir: Path, user_id: int, seconds: int) -> str:
    """A real session of the running app that expires ``seconds`` from now: the app's own
    token key signs it and the app's database holds it."""
    secret = (data_dir / "secret.key").read_text().strip()
    tokens = TokenService(token_secret(secret), ttl_seconds=seconds)
    session_id = new_session_id()
    token = tokens.issue(user_id, session_id)
    expires_ms = tokens.decode(token).expires_at * 1000
    engine = make_engine(f"sqlite:///{data_dir / 'numatix.db'}")
    try:
        with Session(engine) as session:
            now_ms = int(time.time() * 1000)
            session.add(SessionRow(id=session_id, user_id=user_id, created_time_ms=now_ms,
                                   last_seen_ms=now_ms, expires_time_ms=expires_ms,
                                   user_agent="minted by a test"))
            session.commit()
    finally:
        engine.dispose()
    return token
