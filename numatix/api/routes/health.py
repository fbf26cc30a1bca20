"""Liveness and readiness for operators and load balancers: database, feed and venue."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from numatix.api.models import HealthOut
from numatix.services import metrics, runtime

router = APIRouter(tags=["health"])


@router.get("/api/health", summary="Is the app up: database reachable, market feed live, venue ready?",
            response_model=HealthOut,
            responses={503: {"model": HealthOut, "description": "Starting, or no database"}})
def health() -> JSONResponse:
    try:
        current = runtime.current()
    except RuntimeError:
        return JSONResponse({"status": "starting"}, status_code=503)
    try:
        with current.database.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = "ok"
    except Exception as error:  # noqa: BLE001 - reported, not raised: health answers when the database does not
        database = f"error: {type(error).__name__}"
    market = current.market
    body = {
        "status": "ok" if database == "ok" else "degraded",
        "database": database,
        "feed": {"kind": market.feed_kind.value, "status": market.feed_status.value},
        "venue": {"kind": current.venue_kind, "status": "ok"},
        "binance": {"rest_url": current.settings.binance_rest_url,
                    "streams": current.venue.streaming_accounts},
    }
    if current.cluster is not None:
        body["cluster"] = current.cluster.describe()
    return JSONResponse(body, status_code=200 if database == "ok" else 503)


@router.get("/metrics", include_in_schema=False)
def prometheus_metrics() -> Response:
    """Prometheus text format; scrape it from inside your network (it is not behind a log-in)."""
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
