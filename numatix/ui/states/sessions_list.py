"""Settings' list of the user's sessions: where each was opened, when it was last used, and
a button to end any of them (ending this one is logging out)."""

from __future__ import annotations

import reflex as rx

from numatix.services import runtime
from numatix.services.errors import NotFound
from numatix.ui.states.session import SessionState, live_user_id


class SessionsListState(rx.State):
    sessions: list[dict[str, str | int]] = []
    notice: str = ""

    @rx.event
    async def load(self):
        await self._refresh(await live_user_id(self))

    async def _refresh(self, user_id: int) -> None:
        current = (await self.get_state(SessionState))._session_id
        self.sessions = [{
            "id": view.id, "device": view.device, "address": view.address or "—",
            "created_ms": view.created_ms, "last_seen_ms": view.last_seen_ms,
            "current": "yes" if view.id == current else "",
        } for view in await runtime.current().sessions.list_live(user_id)]

    @rx.event
    async def end(self, session_id: str):
        user_id = await live_user_id(self)
        session = await self.get_state(SessionState)
        if session_id == session._session_id:
            return SessionState.log_out
        try:
            await runtime.current().sessions.end(user_id, session_id)
        except NotFound:
            self.notice = "That session had already ended."
        else:
            self.notice = "Session ended: that device is logged out."
        await self._refresh(user_id)
