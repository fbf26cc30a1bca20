"""The event socket ``/ws/prices?token=<jwt>``: prices, order and balance updates, alerts.

Messages are ``{"type": ..., "data": {...}}``: CONNECTED on open; PRICE_UPDATE (symbol,
price, timestamp); ORDER_UPDATE (orderId, status, symbol, side, quantity, price, ...);
BALANCE_UPDATE; ALERT_TRIGGERED; (PRICE_UPDATE also carries ``publishedAt``, when the
server sent it, so a client can tell how stale a price is); HEARTBEAT every 20 s; ERROR for a message we could not
use. The client may send SUBSCRIBE / UNSUBSCRIBE with a list of symbols, and PING.

Prices are coalesced: one broadcaster per process reads the market hub at most ten times a
second, serializes each update once, and each socket keeps only the newest per symbol
until it can send, so a slow client never grows a buffer. Order, balance and alert events
are never dropped: they queue in order, and a client that lets more than
``MAX_PENDING_EVENTS`` pile up is closed (1013) so it reconnects and reloads instead. An
expired, logged-out or revoked session closes the socket with 4401.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque

from fastapi import WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from numatix.api import shapes
from numatix.domain.events import BalanceUpdate, ExecutionReport
from numatix.services import metrics
from numatix.services.alerts import AlertTriggered
from numatix.services.errors import AuthenticationRequired
from numatix.services.events import EventsMissed
from numatix.services.runtime import Runtime

logger = logging.getLogger(__name__)

UNAUTHORIZED = 4401
TRY_AGAIN_LATER = 1013
HEARTBEAT_SECONDS = 20.0
PRICE_INTERVAL_SECONDS = 0.1
MAX_PENDING_EVENTS = 10_000


def message(kind: str, data: dict) -> str:
    return json.dumps({"type": kind, "data": data}, separators=(",", ":"))


class SocketSession:
    def __init__(self, websocket: WebSocket, user_id: int, session_id: str, symbols: set[str]) -> None:
        self.websocket = websocket
        self.user_id = user_id
        self.session_id = session_id
        self.symbols = symbols
        self.prices: dict[str, str] = {}  # newest PRICE_UPDATE text per symbol, not yet sent
        self.events: deque[str] = deque()
        self.wake = asyncio.Event()
        self.close_code: int | None = None
        self.close_reason = ""
        self.client_gone = False

    def offer_price(self, symbol: str, text: str) -> None:
        if symbol in self.symbols:
            self.prices[symbol] = text
            self.wake.set()

    def push_event(self, text: str) -> None:
        if len(self.events) >= MAX_PENDING_EVENTS:
            self.end(TRY_AGAIN_LATER, "too far behind: reconnect and reload")
            return
        self.events.append(text)
        self.wake.set()

    def end(self, code: int, reason: str) -> None:
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
            self.wake.set()


class PriceBroadcaster:
    """One hub subscription per process, however many sockets are open."""

    def __init__(self) -> None:
        self.sessions: set[SocketSession] = set()
        self._task: asyncio.Task | None = None

    def attach(self, runtime: Runtime, session: SocketSession) -> None:
        self.sessions.add(session)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(runtime), name="price-broadcaster")

    def detach(self, session: SocketSession) -> None:
        self.sessions.discard(session)

    async def _run(self, runtime: Runtime) -> None:
        with runtime.hub.subscribe(None) as subscription:
            while self.sessions:
                update = await subscription.next_update()
                newest = {trade.symbol: trade for trade in update.trades}
                published = _now_ms()
                if newest:
                    metrics.FAN_OUT_LAG.observe(time.monotonic() - update.received_at)
                for symbol, trade in newest.items():
                    text = message("PRICE_UPDATE", {"symbol": symbol, "price": format(trade.price, "f"),
                                                    "timestamp": trade.time_ms, "publishedAt": published})
                    for session in tuple(self.sessions):
                        session.offer_price(symbol, text)
                await asyncio.sleep(PRICE_INTERVAL_SECONDS)


_broadcasters: dict[int, PriceBroadcaster] = {}


def broadcaster_for(runtime: Runtime) -> PriceBroadcaster:
    broadcaster = _broadcasters.get(id(runtime))
    if broadcaster is None:
        _broadcasters.clear()  # a new runtime (tests, restarts) gets a new broadcaster
        broadcaster = _broadcasters[id(runtime)] = PriceBroadcaster()
        runtime.accounts.on_revoke(lambda user_id, session_id, keep: _close_revoked(broadcaster, user_id,
                                                                                     session_id, keep))
    return broadcaster


def _close_revoked(broadcaster: PriceBroadcaster, user_id: int, session_id: str | None, keep: str | None) -> None:
    for session in tuple(broadcaster.sessions):
        if session.user_id != user_id:
            continue
        if session.session_id == session_id or (session_id is None and session.session_id != keep):
            session.end(UNAUTHORIZED, "session ended")


async def serve(websocket: WebSocket, runtime: Runtime) -> None:
    token = websocket.query_params.get("token") or ""
    try:
        user = runtime.accounts.authenticate(token)
        claims = runtime.accounts.token_claims(token)
    except AuthenticationRequired as refused:
        await websocket.accept()
        await websocket.close(code=UNAUTHORIZED, reason=refused.message[:120])
        return
    await websocket.accept()
    requested = websocket.query_params.get("symbols")
    symbols = _known(runtime, requested.split(",")) if requested else set(runtime.market.symbols)
    session = SocketSession(websocket, user.id, claims.session_id, symbols)
    broadcaster = broadcaster_for(runtime)
    events = runtime.events.subscribe(user.id)
    broadcaster.attach(runtime, session)
    metrics.SOCKETS.inc()
    await websocket.send_text(message("CONNECTED", {"userId": user.id, "email": user.email,
                                                    "symbols": sorted(symbols), "timestamp": _now_ms()}))
    tasks = [
        asyncio.create_task(_forward_events(session, events)),
        asyncio.create_task(_receive(session, runtime)),
        asyncio.create_task(_expire(session, claims.expires_at)),
    ]
    try:
        await _send(session)
    finally:
        metrics.SOCKETS.dec()
        for task in tasks:
            task.cancel()
        events.close()
        broadcaster.detach(session)
        if not session.client_gone and websocket.application_state == WebSocketState.CONNECTED:
            try:
                await websocket.close(code=session.close_code or 1000, reason=session.close_reason)
            except (RuntimeError, WebSocketDisconnect):
                pass  # the client went while we were closing: nothing left to tell it


async def _send(session: SocketSession) -> None:
    websocket = session.websocket
    next_heartbeat = time.monotonic() + HEARTBEAT_SECONDS
    while session.close_code is None:
        timeout = max(0.0, next_heartbeat - time.monotonic())
        try:
            await asyncio.wait_for(session.wake.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        session.wake.clear()
        try:
            while session.events:  # orders first: never behind a price
                await websocket.send_text(session.events.popleft())
            prices, session.prices = session.prices, {}
            for text in prices.values():
                await websocket.send_text(text)
            if time.monotonic() >= next_heartbeat:
                await websocket.send_text(message("HEARTBEAT", {"timestamp": _now_ms()}))
                next_heartbeat = time.monotonic() + HEARTBEAT_SECONDS
        except (WebSocketDisconnect, RuntimeError):
            session.client_gone = True
            return


async def _forward_events(session: SocketSession, events) -> None:
    async for event in events:
        if isinstance(event, ExecutionReport):
            session.push_event(message("ORDER_UPDATE", shapes.order_update(event)))
        elif isinstance(event, BalanceUpdate):
            session.push_event(message("BALANCE_UPDATE", shapes.balance_update(event)))
        elif isinstance(event, AlertTriggered):
            session.push_event(message("ALERT_TRIGGERED", shapes.alert(event.alert)))
        elif isinstance(event, EventsMissed):  # should not happen: we drain as fast as they come
            session.end(TRY_AGAIN_LATER, "events were missed: reconnect and reload")


async def _receive(session: SocketSession, runtime: Runtime) -> None:
    try:
        while True:
            text = await session.websocket.receive_text()
            _handle(session, runtime, text)
    except (WebSocketDisconnect, RuntimeError):
        session.client_gone = True
        session.end(1000, "client left")


def _handle(session: SocketSession, runtime: Runtime, text: str) -> None:
    try:
        request = json.loads(text)
        kind = request.get("type")
    except (ValueError, AttributeError):
        session.push_event(message("ERROR", {"message": "Send JSON like {\"type\": \"SUBSCRIBE\", \"symbols\": [\"BTCUSDT\"]}."}))
        return
    if kind == "PING":
        session.push_event(message("PONG", {"timestamp": _now_ms()}))
    elif kind in ("SUBSCRIBE", "UNSUBSCRIBE"):
        symbols = request.get("symbols")
        if not isinstance(symbols, list):
            session.push_event(message("ERROR", {"message": f"{kind} needs \"symbols\": a list."}))
            return
        known = _known(runtime, symbols)
        unknown = sorted({str(s).upper() for s in symbols} - known)
        session.symbols = session.symbols | known if kind == "SUBSCRIBE" else session.symbols - known
        reply = {"symbols": sorted(session.symbols)}
        if unknown:
            reply["unknown"] = unknown
        session.push_event(message("SUBSCRIBED", reply))
    else:
        session.push_event(message("ERROR", {"message": f"Unknown message type {kind!r}; use SUBSCRIBE, "
                                                        "UNSUBSCRIBE or PING."}))


async def _expire(session: SocketSession, expires_at: int) -> None:
    await asyncio.sleep(max(0.0, expires_at - time.time()))
    session.end(UNAUTHORIZED, "token expired")


def _known(runtime: Runtime, symbols) -> set[str]:
    offered = set(runtime.market.symbols)
    return {str(symbol).strip().upper() for symbol in symbols if str(symbol).strip().upper() in offered}


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
