"""Liveness and readiness for operators and load balancers."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from numatix.services import runtime

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", summary="Is the app up, and is its market feed live?")
def health() -> JSONResponse:
    try:
        market = runtime.current().market
    except RuntimeError:
        return JSONResponse({"status": "starting"}, status_code=503)
    feed = {"kind": market.feed_kind.value, "status": market.feed_status.value}
    return JSONResponse({"status": "ok", "feed": feed})
