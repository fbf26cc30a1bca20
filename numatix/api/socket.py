"""The event socket ``/ws/prices?token=<jwt>``: prices, order and balance updates, alerts.

The token may come three ways: ``?token=`` (the original contract; nginx logs this path
without its query string), the subprotocols ``numatix, bearer.<jwt>`` (the server answers
``numatix``), or a first message ``{"type": "AUTH", "token": "<jwt>"}`` within 10 s of opening.

Messages are ``{"type": ..., "data": {...}}``: CONNECTED on open; PRICE_UPDATE (symbol,
price, timestamp: the newest price of each symbol right after CONNECTED and after a SUBSCRIBE
that adds it, then each new one); ORDER_UPDATE (orderId, status, symbol, side, quantity, price, ...);
BALANCE_UPDATE; ALERT_TRIGGERED; (PRICE_UPDATE also carries ``publishedAt``, when the
server sent it, so a client can tell how stale a price is); HEARTBEAT every 20 s; ERROR for a message
we could not use. The client may send SUBSCRIBE / UNSUBSCRIBE with a list of symbols, and PING.

Prices are the user's market's (``UserVenues``): the testnet's for a Binance Testnet user, the
app's feed for everybody else; a user who changes venue is closed (1012) to reconnect to theirs.
They are coalesced: one broadcaster per market and process reads it at most ten times a
second, serializes each update once, and each socket keeps only the newest per symbol until
it can send, so a slow client never grows a buffer. Order, balance and alert events
are never dropped: they queue in order, and a client that lets more than
``MAX_PENDING_EVENTS`` pile up is closed (1013) so it reconnects and reloads instead. An
expired, logged-out or revoked session closes the socket with 4401.

What a client sends cannot stop the reading: a binary frame or a message we cannot use gets
an ERROR and the next one is read; a message over ``MAX_MESSAGE_CHARS`` or nested too deeply
closes the socket with 1009 and says why.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Iterable

from fastapi import WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from numatix.api import shapes
from numatix.domain.events import BalanceUpdate, ExecutionReport
from numatix.domain.market import TradePrint
from numatix.services import metrics
from numatix.services.alerts import AlertTriggered
from numatix.services.errors import AuthenticationRequired
from numatix.services.events import EventsMissed
from numatix.services.market_data import MarketDataService, Subscription
from numatix.services.runtime import Runtime
from numatix.services.sessions import SessionsEnded

logger = logging.getLogger(__name__)

UNAUTHORIZED = 4401
SERVICE_RESTART = 1012
TRY_AGAIN_LATER = 1013
HEARTBEAT_SECONDS = 20.0
PRICE_INTERVAL_SECONDS = 0.1
MAX_PENDING_EVENTS = 10_000
MESSAGE_TOO_BIG = 1009
SUBPROTOCOL = "numatix"
BEARER_PREFIX = "bearer."
AUTH_SECONDS = 10.0
NO_TOKEN = 'no token: send ?token=, the subprotocol bearer.<token> or first {"type": "AUTH", "token": ...}'
MAX_MESSAGE_CHARS = 64 * 1024  # a SUBSCRIBE to every symbol is well under 1 KiB
BINARY_REFUSED = "Binary frames are not read; send JSON text."


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


def price_update(trade: TradePrint, published_ms: int) -> str:
    return message("PRICE_UPDATE", {"symbol": trade.symbol, "price": format(trade.price, "f"),
                                    "timestamp": trade.time_ms, "publishedAt": published_ms})


class PriceBroadcaster:
    """One market subscription per market and process, however many sockets are open.

    A socket starts with its symbols' newest prices, then hears every change: the market is
    subscribed to (synchronously, when the first socket attaches) before the newest prices are
    read, so a print can neither fall between the two nor wait for the next one (a testnet's
    quiet market may not print again for minutes)."""

    def __init__(self, market: MarketDataService) -> None:
        self.market = market
        self.sessions: set[SocketSession] = set()
        self._task: asyncio.Task | None = None

    def attach(self, session: SocketSession) -> None:
        self.sessions.add(session)
        if self._task is None or self._task.done():
            subscription = self.market.subscribe_all()
            self._task = asyncio.get_running_loop().create_task(self._run(subscription),
                                                                name="price-broadcaster")
        self.offer_newest(session, session.symbols)

    def offer_newest(self, session: SocketSession, symbols: Iterable[str]) -> None:
        """The newest price of each of these symbols, as a socket that just asked for them needs."""
        published = _now_ms()
        for symbol in symbols:
            trade = self.market.last_trade(symbol)
            if trade is not None:
                session.offer_price(symbol, price_update(trade, published))

    def detach(self, session: SocketSession) -> None:
        self.sessions.discard(session)

    async def _run(self, subscription: Subscription) -> None:
        with subscription:
            while self.sessions:
                update = await subscription.next_update()
                newest = {trade.symbol: trade for trade in update.trades}
                published = _now_ms()
                if newest:
                    metrics.FAN_OUT_LAG.observe(time.monotonic() - update.received_at)
                for symbol, trade in newest.items():
                    text = price_update(trade, published)
                    for session in tuple(self.sessions):
                        session.offer_price(symbol, text)
                await asyncio.sleep(PRICE_INTERVAL_SECONDS)  # prints meanwhile wait in the subscription


class Broadcasters:
    """This runtime's open sockets, and a price broadcaster per market they follow."""

    def __init__(self, runtime: Runtime) -> None:
        self.by_market: dict[int, PriceBroadcaster] = {}
        self.sessions: set[SocketSession] = set()
        runtime.accounts.on_venue_change(self._close_moved)

    def attach(self, market: MarketDataService, session: SocketSession) -> PriceBroadcaster:
        broadcaster = self.by_market.get(id(market))
        if broadcaster is None:
            broadcaster = self.by_market[id(market)] = PriceBroadcaster(market)
        self.sessions.add(session)
        broadcaster.attach(session)
        return broadcaster

    def detach(self, broadcaster: PriceBroadcaster, session: SocketSession) -> None:
        self.sessions.discard(session)
        broadcaster.detach(session)

    def _close_moved(self, user_id: int) -> None:
        """The user's prices now come from another market: reconnecting gets them."""
        for session in tuple(self.sessions):
            if session.user_id == user_id:
                session.end(SERVICE_RESTART, "venue changed: reconnect")


_broadcasters: dict[int, Broadcasters] = {}


def broadcasters_for(runtime: Runtime) -> Broadcasters:
    broadcasters = _broadcasters.get(id(runtime))
    if broadcasters is None:
        _broadcasters.clear()  # a new runtime (tests, restarts) gets new broadcasters
        broadcasters = _broadcasters[id(runtime)] = Broadcasters(runtime)
    return broadcasters


async def serve(websocket: WebSocket, runtime: Runtime) -> None:
    offered = list(websocket.scope.get("subprotocols") or [])
    subprotocol = SUBPROTOCOL if SUBPROTOCOL in offered else None
    token = websocket.query_params.get("token") or next(
        (offer.removeprefix(BEARER_PREFIX) for offer in offered if offer.startswith(BEARER_PREFIX)), None)
    await websocket.accept(subprotocol=subprotocol)
    try:
        if token is None:
            token = await _first_auth_message(websocket)
        claims = await runtime.sessions.authenticate(token)
        user = await runtime.accounts.user(claims.user_id)
    except AuthenticationRequired as refused:
        await websocket.close(code=UNAUTHORIZED, reason=refused.message[:120])
        return
    except WebSocketDisconnect:
        return
    market = await runtime.venues.market_for(user.id)
    requested = websocket.query_params.get("symbols")
    symbols = _known(market, requested.split(",")) if requested else set(market.symbols)
    session = SocketSession(websocket, user.id, claims.session_id, symbols)
    broadcasters = broadcasters_for(runtime)
    events = runtime.events.subscribe(user.id)
    broadcaster = broadcasters.attach(market, session)
    metrics.SOCKETS.inc()
    await websocket.send_text(message("CONNECTED", {"message": "Connected to trading platform",
                                                    "userId": user.id, "email": user.email,
                                                    "symbols": sorted(symbols), "timestamp": _now_ms()}))
    tasks = [
        asyncio.create_task(_forward_events(session, events)),
        asyncio.create_task(_receive(session, broadcaster)),
        asyncio.create_task(_expire(session, claims.expires_at)),
    ]
    try:
        await _send(session)
    finally:
        metrics.SOCKETS.dec()
        for task in tasks:
            task.cancel()
        events.close()
        broadcasters.detach(broadcaster, session)
        if not session.client_gone and websocket.application_state == WebSocketState.CONNECTED:
            try:
                await websocket.close(code=session.close_code or 1000, reason=session.close_reason)
            except (RuntimeError, WebSocketDisconnect):
                pass  # the client went while we were closing: nothing left to tell it


async def _first_auth_message(websocket: WebSocket) -> str:
    """The token of a first ``{"type": "AUTH", "token": ...}``; anything else, or nothing within
    ``AUTH_SECONDS``, is refused like a bad token."""
    try:
        received = await asyncio.wait_for(websocket.receive(), AUTH_SECONDS)
    except TimeoutError:
        raise AuthenticationRequired(NO_TOKEN) from None
    if received["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(received.get("code", 1000))
    text = received.get("text") or ""
    try:
        request = json.loads(text) if len(text) <= MAX_MESSAGE_CHARS else None
    except (ValueError, RecursionError):
        request = None
    token = request.get("token") if isinstance(request, dict) and request.get("type") == "AUTH" else None
    if not isinstance(token, str):
        raise AuthenticationRequired(NO_TOKEN)
    return token


async def _send(session: SocketSession) -> None:
    websocket = session.websocket
    next_heartbeat = time.monotonic() + HEARTBEAT_SECONDS
    while session.close_code is None:
        timeout = max(0.0, next_heartbeat - time.monotonic())
        try:
            await asyncio.wait_for(session.wake.wait(), timeout)
        except TimeoutError:
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
        elif isinstance(event, SessionsEnded) and event.covers(session.session_id):
            session.end(UNAUTHORIZED, "session ended")
            return  # nothing after the end of the session reaches this socket
        elif isinstance(event, EventsMissed):  # should not happen: we drain as fast as they come
            session.end(TRY_AGAIN_LATER, "events were missed: reconnect and reload")


async def _receive(session: SocketSession, broadcaster: PriceBroadcaster) -> None:
    try:
        while session.close_code is None:
            received = await session.websocket.receive()
            if received["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(received.get("code", 1000))
            text = received.get("text")
            if text is None:
                session.push_event(message("ERROR", {"message": BINARY_REFUSED}))
            elif len(text) > MAX_MESSAGE_CHARS:
                session.end(MESSAGE_TOO_BIG, f"message too big: at most {MAX_MESSAGE_CHARS // 1024} KiB")
            else:
                _handle(session, broadcaster, text)
    except (WebSocketDisconnect, RuntimeError):
        session.client_gone = True
        session.end(1000, "client left")


def _handle(session: SocketSession, broadcaster: PriceBroadcaster, text: str) -> None:
    try:
        request = json.loads(text)
        kind = request.get("type")
    except RecursionError:
        session.end(MESSAGE_TOO_BIG, "message nested too deeply: send flat JSON")
        return
    except (ValueError, AttributeError):
        example = '{"type": "SUBSCRIBE", "symbols": ["BTCUSDT"]}'
        session.push_event(message("ERROR", {"message": f"Send JSON like {example}."}))
        return
    if kind == "PING":
        session.push_event(message("PONG", {"timestamp": _now_ms()}))
    elif kind in ("SUBSCRIBE", "UNSUBSCRIBE"):
        symbols = request.get("symbols")
        if not isinstance(symbols, list):
            session.push_event(message("ERROR", {"message": f"{kind} needs \"symbols\": a list."}))
            return
        known = _known(broadcaster.market, symbols)
        unknown = sorted({str(s).upper() for s in symbols} - known)
        added = known - session.symbols if kind == "SUBSCRIBE" else set()
        session.symbols = session.symbols | known if kind == "SUBSCRIBE" else session.symbols - known
        reply = {"symbols": sorted(session.symbols)}
        if unknown:
            reply["unknown"] = unknown
        session.push_event(message("SUBSCRIBED", reply))
        broadcaster.offer_newest(session, added)  # a price that does not move is still a price
    else:
        session.push_event(message("ERROR", {"message": f"Unknown message type {kind!r}; use SUBSCRIBE, "
                                                        "UNSUBSCRIBE or PING."}))


async def _expire(session: SocketSession, expires_at: int) -> None:
    await asyncio.sleep(max(0.0, expires_at - time.time()))
    session.end(UNAUTHORIZED, "token expired")


def _known(market: MarketDataService, symbols) -> set[str]:
    offered = set(market.symbols)
    return {str(symbol).strip().upper() for symbol in symbols if str(symbol).strip().upper() in offered}


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
