"""Public market data: symbols, candles, ticker and book, in Binance-like shapes.

The market is the caller's: a signed-in Binance Testnet user gets the testnet's prices (the
ones their page and event socket show), anybody else the app's feed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from numatix.api.deps import MaybeUser, Services
from numatix.api.models import DepthOut, KlineOut, SymbolOut, TickerOut, amount
from numatix.domain.market import Interval
from numatix.services.market_data import MarketDataService
from numatix.services.runtime import Runtime

router = APIRouter(prefix="/api/market", tags=["market"])


async def _market(runtime: Runtime, user: MaybeUser) -> MarketDataService:
    return await runtime.venues.market_for(user.id if user is not None else None)


@router.get("/symbols", summary="Markets offered, with their price and quantity increments")
async def symbols(runtime: Services, user: MaybeUser) -> list[SymbolOut]:
    market = await _market(runtime, user)
    return [SymbolOut.of(market.spec(symbol)) for symbol in market.symbols]


@router.get("/klines", summary="Candles, oldest first (the newest may still be forming)")
async def klines(
    runtime: Services, user: MaybeUser,
    symbol: str,
    interval: Annotated[str, Query(pattern="^(1m|5m|15m|1h|4h|1d|1w)$")] = "1m",
    endTime: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> list[KlineOut]:
    market = await _market(runtime, user)
    spec = market.spec(symbol)  # NotFound names the symbols that exist
    candles = await market.candles(spec.symbol, Interval(interval), end_time_ms=endTime, limit=limit)
    return [KlineOut.of(c) for c in candles]


@router.get("/ticker", summary="24-hour statistics and the last price")
async def ticker(runtime: Services, user: MaybeUser,
                 symbol: Annotated[str, Query(max_length=20)]) -> TickerOut:
    snapshot = (await _market(runtime, user)).snapshot(symbol)
    last = snapshot.last_trade
    stats = snapshot.ticker
    return TickerOut(
        symbol=snapshot.symbol,
        lastPrice=amount(last.price if last else None),
        priceChange=amount(stats.price_change if stats else None),
        priceChangePercent=amount(stats.price_change_percent if stats else None),
        highPrice=amount(stats.high_price if stats else None),
        lowPrice=amount(stats.low_price if stats else None),
        volume=amount(stats.volume if stats else None),
        quoteVolume=amount(stats.quote_volume if stats else None),
        time=last.time_ms if last else None,
    )


@router.get("/depth", summary="The order book, best prices first")
async def depth(runtime: Services, user: MaybeUser, symbol: Annotated[str, Query(max_length=20)],
                limit: Annotated[int, Query(ge=1, le=100)] = 20) -> DepthOut:
    snapshot = (await _market(runtime, user)).snapshot(symbol)
    book = snapshot.book
    if book is None:
        return DepthOut(symbol=snapshot.symbol, lastUpdateId=0, bids=[], asks=[])
    return DepthOut(
        symbol=snapshot.symbol, lastUpdateId=book.update_id,
        bids=[(format(level.price, "f"), format(level.quantity, "f")) for level in book.bids[:limit]],
        asks=[(format(level.price, "f"), format(level.quantity, "f")) for level in book.asks[:limit]],
    )
