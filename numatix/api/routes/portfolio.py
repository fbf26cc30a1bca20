"""The portfolio at a glance and one order in detail: the same services as the portfolio page.

Each table is also offered as CSV (``?format=csv``), with the columns of the page's download.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from numatix.api.deps import CurrentUser, Services
from numatix.api.portfolio_models import (
    DailyPnlListOut,
    DailyPnlOut,
    ExecutionsOut,
    ExecutionSummaryOut,
    OrderDetailsOut,
    OrderExecutionOut,
    PerformanceOut,
    ValuePointOut,
    ValueSeriesOut,
)
from numatix.domain.account_value import DAY_MS
from numatix.services import exports
from numatix.services.portfolio import VALUATION_ASSET

router = APIRouter(tags=["portfolio"])

MAX_ID = 2**63 - 1
Days = Annotated[int, Query(ge=1, le=3650, description="How many days back, today included")]
Format = Annotated[Literal["json", "csv"],
                   Query(alias="format", description="csv: the same rows as a CSV file")]
Limit = Annotated[int, Query(ge=1, le=500, description="How many of the newest orders to look at")]
CSV_ANSWER: dict[int | str, dict[str, Any]] = {200: {
    "content": {"text/csv": {"schema": {"type": "string"}}}, "description": "JSON, or CSV with format=csv"}}


def csv_file(text: str, name: str) -> Response:
    return Response(text, media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="numatix-{name}.csv"'})


@router.get("/api/portfolio/value", response_model=ValueSeriesOut, responses=CSV_ANSWER,
            summary="Your account value over time")
async def value_series(user: CurrentUser, runtime: Services, days: Days = 30,
                       output: Format = "json") -> ValueSeriesOut | Response:
    """A point after every fill and at least every hour (``sampleSeconds``); the last is the value now."""
    since = time.time_ns() // 1_000_000 - days * DAY_MS
    points = await runtime.account_value.series(user.id, since)
    if output == "csv":
        return csv_file(exports.value_series_csv(points), "account-value")
    return ValueSeriesOut(currency=VALUATION_ASSET, sampleSeconds=runtime.account_value.sample_ms // 1000,
                          points=[ValuePointOut.of(p) for p in points])


@router.get("/api/portfolio/daily-pnl", response_model=DailyPnlListOut, responses=CSV_ANSWER,
            summary="Your P&L per UTC day")
async def daily_pnl(user: CurrentUser, runtime: Services, days: Days = 30,
                    output: Format = "json") -> DailyPnlListOut | Response:
    bars = await runtime.account_value.daily(user.id, days)
    if output == "csv":
        return csv_file(exports.daily_pnl_csv(bars), "daily-pnl")
    return DailyPnlListOut(currency=VALUATION_ASSET, days=[DailyPnlOut.of(bar) for bar in bars])


@router.get("/api/portfolio/performance", response_model=PerformanceOut, responses=CSV_ANSWER,
            summary="Per-symbol performance: round trips, win rate, P&L, fees")
async def performance(user: CurrentUser, runtime: Services,
                      output: Format = "json") -> PerformanceOut | Response:
    result = await runtime.performance.performance(user.id)
    if output == "csv":
        return csv_file(exports.performance_csv(result), "performance")
    return PerformanceOut.of(result)


@router.get("/api/portfolio/executions", response_model=ExecutionsOut, responses=CSV_ANSWER,
            summary="Execution quality of your orders, one by one and overall")
async def executions(user: CurrentUser, runtime: Services, limit: Limit = 200,
                     output: Format = "json") -> ExecutionsOut | Response:
    """Slippage against the arrival price (recorded by the paper venue), time to fill, fill ratio and
    maker share."""
    rows, summary = await runtime.performance.executions(user.id, limit)
    if output == "csv":
        return csv_file(exports.executions_csv(rows), "executions")
    return ExecutionsOut(summary=ExecutionSummaryOut.of(summary),
                         orders=[OrderExecutionOut.of(r) for r in rows])


@router.get("/api/trading/orders/{orderId}/details", tags=["trading"],
            summary="One of your orders with its fills, fees, timeline and execution quality")
async def order_details(orderId: Annotated[int, Path(ge=1, le=MAX_ID)], user: CurrentUser,
                        runtime: Services) -> OrderDetailsOut:
    return OrderDetailsOut.of(await runtime.performance.order_details(user.id, orderId))
