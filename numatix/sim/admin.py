"""``/sim/admin/...``: a loopback tool for tests and demos, no authentication.

Make keys, print trades, read an account, and inject faults while the server runs,
from any process (the e2e tests drive a subprocess simulator through these).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from numatix.domain.credentials import SignatureKind
from numatix.sim import wire
from numatix.sim.errors import SimError
from numatix.sim.simulator import Simulator


class AdminError(ValueError):
    pass


def _fault_settings(sim: Simulator, body: dict) -> dict[str, object]:
    faults, dropped = sim.faults, None
    if body.get("clear"):
        faults.clear()
    if "latency_ms" in body:
        faults.set_latency(int(body["latency_ms"]))
    if "skew_ms" in body:
        faults.skew_clock(int(body["skew_ms"]))
    if "fail_next" in body:
        faults.fail_next(int(body["fail_next"]), int(body.get("fail_status", 503)))
    if "throttle_next" in body:
        faults.throttle_next(int(body["throttle_next"]), int(body.get("retry_after", 1)),
                             int(body.get("throttle_status", 429)))
    if body.get("lose_next_order_reply"):
        faults.lose_next_order_reply(str(body["lose_next_order_reply"]), float(body.get("hold_seconds", 30)))
    if body.get("drop_streams"):
        dropped = faults.drop_streams()
    state = faults.state()
    if dropped is not None:
        state["dropped"] = dropped
    return state


def admin_routes(sim: Simulator) -> list[Route]:
    async def body_of(request: Request) -> dict:
        raw = await request.body()
        if not raw:
            return {}
        try:
            body = await request.json()
        except ValueError:
            raise AdminError("the body must be a JSON object") from None
        if not isinstance(body, dict):
            raise AdminError("the body must be a JSON object")
        return body

    def guarded(handler):
        async def run(request: Request) -> Response:
            try:
                return JSONResponse(await handler(request))
            except (AdminError, ValueError, KeyError, TypeError, InvalidOperation) as error:
                return JSONResponse({"error": str(error) or type(error).__name__}, status_code=400)
            except SimError as error:
                return JSONResponse({"error": error.message, "code": error.code}, status_code=404)
        return run

    async def faults(request: Request) -> object:
        if request.method == "GET":
            return sim.faults.state()
        return _fault_settings(sim, await body_of(request))

    async def drop_streams(request: Request) -> object:
        return {"dropped": sim.faults.drop_streams()}

    async def keys(request: Request) -> object:
        body = await body_of(request)
        made = sim.create_key(str(body.get("kind", "hmac")))
        reply: dict[str, object] = {"apiKey": made.key.api_key, "kind": made.key.kind.value,
                                    "account": made.key.account}
        reply["privateKey" if made.key.kind is SignatureKind.ED25519 else "secret"] = made.secret
        return reply

    async def trades(request: Request) -> object:
        body = await body_of(request)
        trade = sim.push_trade(str(body["symbol"]), Decimal(str(body["price"])), Decimal(str(body["qty"])),
                               bool(body.get("buyerIsMaker", False)))
        return {"symbol": trade.symbol, "id": trade.trade_id, "price": wire.amount(trade.price),
                "qty": wire.amount(trade.quantity), "time": trade.time_ms}

    async def account(request: Request) -> object:
        view = await sim.account_of(request.path_params["api_key"])
        return {
            "account": view.account,
            "balances": [{"asset": asset, "free": wire.amount(b.free), "locked": wire.amount(b.locked)}
                         for asset, b in sorted(view.balances.items())],
            "openOrders": [wire.order_status(order) for order in view.open_orders],
            "orders": [wire.order_status(order) for order in view.orders],
        }

    return [
        Route("/sim/admin/faults", guarded(faults), methods=["GET", "POST"]),
        Route("/sim/admin/faults/drop-streams", guarded(drop_streams), methods=["POST"]),
        Route("/sim/admin/keys", guarded(keys), methods=["POST"]),
        Route("/sim/admin/trades", guarded(trades), methods=["POST"]),
        Route("/sim/admin/accounts/{api_key}", guarded(account), methods=["GET"]),
    ]
