"""Public market data: symbols, candles, ticker and book, in Binance-like shapes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from numatix.api.shapes import amount
from numatix.domain.market import Interval
from numatix.services import runtime
from numatix.services.market_data import MarketDataService

router = APIRouter(prefix="/api/market", tags=["market"])


def _market() -> MarketDataService:
    return runtime.current().market


@router.get("/symbols", summary="Markets offered, with their price and quantity increments")
def symbols() -> list[dict]:
    market = _market()
    return [
        {
            "symbol": spec.symbol,
            "baseAsset": spec.base_asset,
            "quoteAsset": spec.quote_asset,
            "tickSize": format(spec.tick_size, "f"),
            "stepSize": format(spec.step_size, "f"),
            "minNotional": format(spec.min_notional, "f"),
        }
        for spec in (market.spec(s) for s in market.symbols)
    ]


@router.get("/klines", summary="Candles, oldest first (the newest may still be forming)")
async def klines(
    symbol: str,
    interval: Annotated[str, Query(pattern="^(1m|5m|15m|1h|4h|1d|1w)$")] = "1m",
    endTime: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> list[dict]:
    spec = _market().spec(symbol)  # NotFound names the symbols that exist
    candles = await _market().candles(spec.symbol, Interval(interval), end_time_ms=endTime, limit=limit)
    return [
        {
            "openTime": c.open_time_ms, "open": format(c.open, "f"), "high": format(c.high, "f"),
            "low": format(c.low, "f"), "close": format(c.close, "f"), "volume": format(c.volume, "f"),
            "closeTime": c.close_time_ms, "quoteVolume": format(c.quote_volume, "f"),
            "trades": c.trade_count, "closed": c.closed,
        }
        for c in candles
    ]


@router.get("/ticker", summary="24-hour statistics and the last price")
def ticker(symbol: Annotated[str, Query(max_length=20)]) -> dict:
    snapshot = _market().snapshot(symbol)
    last = snapshot.last_trade
    stats = snapshot.ticker
    return {
        "symbol": snapshot.symbol,
        "lastPrice": amount(last.price if last else None),
        "priceChange": amount(stats.price_change if stats else None),
        "priceChangePercent": amount(stats.price_change_percent if stats else None),
        "highPrice": amount(stats.high_price if stats else None),
        "lowPrice": amount(stats.low_price if stats else None),
        "volume": amount(stats.volume if stats else None),
        "quoteVolume": amount(stats.quote_volume if stats else None),
        "time": last.time_ms if last else None,
    }


@router.get("/depth", summary="The order book, best prices first")
def depth(symbol: Annotated[str, Query(max_length=20)], limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict:
    snapshot = _market().snapshot(symbol)
    book = snapshot.book
    if book is None:
        return {"symbol": snapshot.symbol, "lastUpdateId": 0, "bids": [], "asks": []}
    return {
        "symbol": snapshot.symbol,
        "lastUpdateId": book.update_id,
        "bids": [[amount(level.price), amount(level.quantity)] for level in book.bids[:limit]],
        "asks": [[amount(level.price), amount(level.quantity)] for level in book.asks[:limit]],
    }
