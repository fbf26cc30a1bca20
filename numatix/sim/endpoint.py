"""What every ``/api/v3`` request goes through, in Binance's order: injected faults, request
weight, parameters, API key, signature and timestamp; then the handler; then the reply
with its ``X-MBX-*`` headers. Errors of every kind leave as Binance JSON.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from numatix.domain.errors import OrderRejected
from numatix.sim import errors
from numatix.sim.errors import SimError
from numatix.sim.keys import SimKey
from numatix.sim.params import Params
from numatix.sim.simulator import Simulator

logger = logging.getLogger(__name__)


class Security(enum.Enum):
    NONE = "NONE"
    USER_STREAM = "USER_STREAM"  # API key only
    SIGNED = "SIGNED"  # TRADE and USER_DATA: key, signature, timestamp


@dataclass(slots=True)
class Call:
    sim: Simulator
    params: Params
    key: SimKey | None
    ip: str
    headers: dict[str, str] = field(default_factory=dict)  # added to the reply

    @property
    def account(self) -> int:
        assert self.key is not None, "only signed and user-stream endpoints have an account"
        return self.key.account


Handler = Callable[[Call], Awaitable[object]]
Weight = int | Callable[[Params], int]


class BinanceJSON(JSONResponse):
    """Binance's compact JSON; the Content-Type is always application/json."""


def error_response(error: SimError) -> Response:
    response = BinanceJSON(error.body(), status_code=error.status)
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


# method, path under /api/v3, handler, request weight, security
RouteSpec = tuple[str, str, Handler, Weight, Security]


def endpoint(sim: Simulator, handler: Handler, weight: Weight,
             security: Security) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        ip = request.client.host if request.client else "unknown"
        call: Call | None = None
        try:
            if sim.faults.latency_ms:
                await asyncio.sleep(sim.faults.latency_ms / 1000)
            fault = sim.faults.take_request_fault(sim.weight.limit)
            if fault is not None:
                raise fault
            raw_query = request.scope.get("query_string", b"").decode("latin-1")
            raw_body = (await request.body()).decode("utf-8", "replace")
            params = Params.from_wire(raw_query, raw_body)
            sim.raw_requests.spend(ip)
            sim.weight.spend(ip, weight(params) if callable(weight) else weight)
            key = None
            if security is not Security.NONE:
                key = sim.auth.key(request.headers.get("X-MBX-APIKEY"))
                if security is Security.SIGNED:
                    sim.auth.check_rest(key, params, raw_query, raw_body)
            call = Call(sim, params, key, ip)
            result = await handler(call)
            response = result if isinstance(result, Response) else BinanceJSON(result)
        except SimError as error:
            response = error_response(error)
        except OrderRejected as rejection:
            response = error_response(errors.from_rejection(rejection))
        except Exception:  # a simulator bug: answer as Binance would, and say so in the log
            logger.exception("simulator error on %s %s", request.method, request.url.path)
            response = error_response(errors.unknown_error())
        response.headers["X-MBX-USED-WEIGHT-1M"] = str(sim.weight.used(ip))
        response.headers["X-MBX-USED-WEIGHT"] = str(sim.weight.used(ip))
        if call is not None:
            response.headers.update(call.headers)
        return response

    return run
