"""The WebSocket API (``/ws-api/v3``): ping, time, session logon, user data streams, the
market data methods (depth, trades.*, klines, ticker.*, ...) and the trading methods
(order.place, order.cancel, ...), which share the REST handlers and their weights.

Requests are ``{"id","method","params"}``; replies ``{"id","status","result"|"error",
"rateLimits"}``. User events arrive as ``{"subscriptionId":N,"event":{..}}``. Signed
params are verified over the params sorted by name (``numatix.exchange.binance.signing``).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable

from numatix.domain.errors import OrderRejected
from numatix.sim import errors, rest_market, rest_trading
from numatix.sim.endpoint import Call, Handler, Weight
from numatix.sim.errors import SimError
from numatix.sim.keys import SimKey
from numatix.sim.params import Params
from numatix.sim.simulator import Simulator
from numatix.sim.sockets import Connection

REQUEST_WEIGHT = 1
CONNECT_WEIGHT = 2

# Signed with the request's own apiKey + signature, or by a logged-on session.
SIGNED_METHODS: dict[str, Handler] = {
    "account.status": rest_trading.account,
    "order.place": rest_trading.new_order,
    "order.test": rest_trading.test_order,
    "order.status": rest_trading.query_order,
    "order.cancel": rest_trading.cancel_order,
    "openOrders.status": rest_trading.open_orders,
    "openOrders.cancelAll": rest_trading.cancel_open_orders,
    "allOrders": rest_trading.all_orders,
    "myTrades": rest_trading.my_trades,
    "orderList.place.oco": rest_trading.new_order_list_oco,
}


# Public market data: WebSocket API method -> the REST path whose handler and weight it shares.
MARKET_METHODS = {
    "exchangeInfo": "exchangeInfo", "depth": "depth", "trades.recent": "trades",
    "trades.historical": "historicalTrades", "trades.aggregate": "aggTrades", "klines": "klines",
    "uiKlines": "uiKlines", "avgPrice": "avgPrice", "ticker.24hr": "ticker/24hr", "ticker": "ticker",
    "ticker.tradingDay": "ticker/tradingDay", "ticker.price": "ticker/price",
    "ticker.book": "ticker/bookTicker",
}
_REST_MARKET = {path: (handler, weight) for _, path, handler, weight, _ in rest_market.ROUTES}
PUBLIC_METHODS: dict[str, tuple[Handler, Weight]] = {
    method: _REST_MARKET[path] for method, path in MARKET_METHODS.items()
}


def not_logged_in() -> SimError:
    return SimError(-1002, "You are not authorized to execute this request.", status=401)


def bad_request(message: str) -> SimError:
    return SimError(-1000, message)


class WsApiSession:
    def __init__(self, sim: Simulator, connection: Connection, ip: str) -> None:
        self.sim = sim
        self.connection = connection
        self.ip = ip
        self.connected_ms = sim.now_ms()
        self.logged_in: SimKey | None = None
        self.logged_in_ms = 0
        self._subscription_ids = itertools.count(0)
        self._subscriptions: dict[int, Callable[[], None]] = {}
        self._methods: dict[str, Callable[[Params], Awaitable[object]]] = {
            "ping": self._ping,
            "time": self._time,
            "session.logon": self._logon,
            "session.status": self._status,
            "session.logout": self._logout,
            "userDataStream.subscribe.signature": self._subscribe_signature,
            "userDataStream.subscribe": self._subscribe_session,
            "userDataStream.unsubscribe": self._unsubscribe,
        }

    def close(self) -> None:
        for stop in self._subscriptions.values():
            stop()
        self._subscriptions.clear()

    async def handle(self, text: str) -> None:
        request_id: object = None
        try:
            request = json.loads(text)
            if not isinstance(request, dict) or not isinstance(request.get("method"), str):
                raise bad_request("Invalid request: expected a JSON object with a method.")
            request_id = request.get("id")
            params = request.get("params") or {}
            if not isinstance(params, dict):
                raise bad_request("Invalid request: params must be an object.")
            name = request["method"]
            if name not in self._methods and name not in SIGNED_METHODS and name not in PUBLIC_METHODS:
                raise SimError(-1000, f"Unknown method '{name}'.")
            if self.sim.faults.latency_ms:
                await asyncio.sleep(self.sim.faults.latency_ms / 1000)
            parsed = Params.from_json(params)
            weight = PUBLIC_METHODS[name][1] if name in PUBLIC_METHODS else REQUEST_WEIGHT
            self.sim.weight.spend(self.ip, weight(parsed) if callable(weight) else weight)
            result = await self._call(name, parsed)
            reply: dict[str, object] = {"id": request_id, "status": 200, "result": result}
        except ValueError:
            reply = self._error(request_id, bad_request("Invalid JSON."))
        except SimError as error:
            reply = self._error(request_id, error)
        except OrderRejected as rejection:
            reply = self._error(request_id, errors.from_rejection(rejection))
        reply["rateLimits"] = [self.sim.weight.rate_limit.to_json(self.sim.weight.used(self.ip))]
        self.connection.send(reply)

    async def _call(self, name: str, params: Params) -> object:
        if name in PUBLIC_METHODS:
            return await PUBLIC_METHODS[name][0](Call(self.sim, params, None, self.ip))
        handler = SIGNED_METHODS.get(name)
        if handler is None:
            return await self._methods[name](params)
        return await handler(Call(self.sim, params, self._signer(params), self.ip))

    def _signer(self, params: Params) -> SimKey:
        """The request's own signature, else the logged-on session's key (timestamp still checked)."""
        if params.text("signature") is not None or self.logged_in is None:
            return self.sim.auth.check_ws(params, params)
        self.sim.auth.check_timestamp(params)
        return self.logged_in

    def _error(self, request_id: object, error: SimError) -> dict[str, object]:
        body: dict[str, object] = error.body()
        if error.retry_after is not None:
            body["data"] = {"retryAfter": self.sim.now_ms() + error.retry_after * 1000}
        return {"id": request_id, "status": error.status, "error": body}

    # ----------------------------------------------------------- methods
    async def _ping(self, params: Params) -> object:
        return {}

    async def _time(self, params: Params) -> object:
        return {"serverTime": self.sim.now_ms()}

    async def _logon(self, params: Params) -> object:
        self.logged_in = self.sim.auth.check_ws(params, params)
        self.logged_in_ms = self.sim.now_ms()
        return await self._status(params)

    async def _status(self, params: Params) -> object:
        return {"apiKey": self.logged_in.api_key if self.logged_in else None,
                "authorizedSince": self.logged_in_ms if self.logged_in else None,
                "connectedSince": self.connected_ms, "returnRateLimits": True,
                "serverTime": self.sim.now_ms(), "userDataStream": bool(self._subscriptions)}

    async def _logout(self, params: Params) -> object:
        self.logged_in = None
        return await self._status(params)

    async def _subscribe_signature(self, params: Params) -> object:
        key = self.sim.auth.check_ws(params, params)
        return {"subscriptionId": self._subscribe(key)}

    async def _subscribe_session(self, params: Params) -> object:
        if self.logged_in is None:
            raise not_logged_in()
        return {"subscriptionId": self._subscribe(self.logged_in)}

    def _subscribe(self, key: SimKey) -> int:
        subscription_id = next(self._subscription_ids)

        def deliver(event: dict[str, object]) -> None:
            self.connection.send({"subscriptionId": subscription_id, "event": event})

        self._subscriptions[subscription_id] = self.sim.user_events.subscribe(key.account, deliver)
        return subscription_id

    async def _unsubscribe(self, params: Params) -> object:
        wanted = params.integer("subscriptionId")
        ids = list(self._subscriptions) if wanted is None else [wanted]
        if wanted is not None and wanted not in self._subscriptions:
            raise SimError(-2035, "User Data Stream subscription not found.")
        for subscription_id in ids:
            self._subscriptions.pop(subscription_id)()
            self.connection.send({"subscriptionId": subscription_id,
                                  "event": {"e": "eventStreamTerminated", "E": self.sim.now_ms()}})
        return {}
