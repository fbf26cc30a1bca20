"""The REST API and event socket, mounted beside Reflex on the same port.

Built inside a function: a module-level FastAPI app breaks running several app harnesses
in one process (see reflex-notes.md).
"""

from __future__ import annotations

from fastapi import Depends, FastAPI

from numatix.api import errors
from numatix.api.deps import api_rate_limit
from numatix.api.routes import alerts, auth, events, health, market, trading


def build_api() -> FastAPI:
    api = FastAPI(
        title="Numatix API",
        version="0.1.0",
        description="Trade Binance Spot pairs on the paper exchange or the Spot Testnet.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    errors.install(api)
    limited = {"dependencies": [Depends(api_rate_limit)], "responses": errors.COMMON_RESPONSES}
    api.include_router(health.router)  # load balancers poll it: never limited
    api.include_router(auth.router, **limited)
    api.include_router(market.router, **limited)
    api.include_router(trading.router, **limited)
    api.include_router(alerts.router, **limited)
    api.include_router(events.router)
    return api
