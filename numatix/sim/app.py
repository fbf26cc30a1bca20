"""The simulator's ASGI app: Binance's REST under ``/api/v3``, market streams under
``/ws`` and ``/stream``, legacy user streams at ``/ws/<listenKey>``, the WebSocket API at
``/ws-api/v3``, and the admin tool under ``/sim/admin``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from numatix.sim import rest_market, rest_trading
from numatix.sim.admin import admin_routes
from numatix.sim.endpoint import endpoint
from numatix.sim.errors import SimError
from numatix.sim.listen_keys import ListenKey
from numatix.sim.simulator import Simulator
from numatix.sim.sockets import Connection
from numatix.sim.streams import InvalidStream
from numatix.sim.ws_api import CONNECT_WEIGHT, WsApiSession

POLICY_VIOLATION = 1008


def rest_routes(sim: Simulator) -> list[Route]:
    by_path: dict[str, dict[str, Any]] = defaultdict(dict)
    for method, path, handler, weight, security in [*rest_market.ROUTES, *rest_trading.ROUTES]:
        by_path[path][method] = endpoint(sim, handler, weight, security)
    routes = []
    for path, methods in by_path.items():
        async def dispatch(request: Request, methods=methods) -> Response:
            return await methods.get(request.method, methods.get("GET"))(request)  # HEAD is a GET
        routes.append(Route(f"/api/v3/{path}", dispatch, methods=list(methods)))
    return routes


def socket_routes(sim: Simulator) -> list[WebSocketRoute]:
    async def market(websocket: WebSocket, names: list[str], combined: bool) -> None:
        try:
            subscriber = sim.streams.attach(Connection(websocket), names, combined)
        except InvalidStream:
            await websocket.close(code=POLICY_VIOLATION)
            return
        with sim.connections.track(subscriber.connection):
            try:
                await websocket.accept()
                await subscriber.connection.run(lambda text: sim.streams.handle_method(subscriber, text))
            finally:
                sim.streams.detach(subscriber)

    async def user_stream(websocket: WebSocket, listen_key: ListenKey) -> None:
        connection = Connection(websocket)
        listen_key.connections.add(connection)
        stop = sim.user_events.subscribe(listen_key.account, connection.send)  # before the client can act
        with sim.connections.track(connection):
            try:
                await websocket.accept()
                await connection.run(_ignore)
            finally:
                stop()
                listen_key.connections.discard(connection)

    async def raw(websocket: WebSocket) -> None:
        path = websocket.path_params.get("names", "")
        listen_key = sim.listen_keys.lookup(path) if path else None
        if listen_key is not None:
            await user_stream(websocket, listen_key)
        else:
            await market(websocket, [name for name in path.split("/") if name], combined=False)

    async def combined(websocket: WebSocket) -> None:
        names = [name for name in websocket.query_params.get("streams", "").split("/") if name]
        await market(websocket, names, combined=True)

    async def ws_api(websocket: WebSocket) -> None:
        ip = websocket.client.host if websocket.client else "unknown"
        try:
            sim.weight.spend(ip, CONNECT_WEIGHT)
        except SimError:  # over the limit: refuse the handshake
            await websocket.close(code=POLICY_VIOLATION)
            return
        await websocket.accept()
        connection = Connection(websocket)
        session = WsApiSession(sim, connection, ip)
        with sim.connections.track(connection):
            try:
                await connection.run(session.handle)
            finally:
                session.close()

    return [
        WebSocketRoute("/ws", raw),
        WebSocketRoute("/ws/{names:path}", raw),
        WebSocketRoute("/stream", combined),
        WebSocketRoute("/ws-api/v3", ws_api),
    ]


async def _ignore(text: str) -> None:
    """Clients may send anything on a user stream; Binance ignores it."""


def create_app(sim: Simulator) -> Starlette:
    async def http_error(request: Request, error: Exception) -> Response:
        """Unknown paths and methods answer in JSON too (some clients parse every body)."""
        status = error.status_code if isinstance(error, HTTPException) else 500
        return JSONResponse({"code": -1000, "msg": str(getattr(error, "detail", "")) or "Error."},
                            status_code=status)

    return Starlette(routes=[*rest_routes(sim), *socket_routes(sim), *admin_routes(sim)],
                     exception_handlers={HTTPException: http_error})
