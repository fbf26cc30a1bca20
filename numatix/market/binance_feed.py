"""Binance's public market data: one combined stream for every symbol, REST klines for history.

Wire JSON becomes domain types here and nowhere else. A dropped connection is retried
with jittered backoff (1 s doubling to 30 s); the hub hears RECONNECTING while it is
down, OFFLINE once retries have reached the cap, and LIVE again when data flows.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from decimal import Decimal

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from numatix.domain.backoff import Backoff
from numatix.domain.market import (
    BookLevel,
    BookSnapshot,
    Candle,
    FeedKind,
    FeedStatus,
    Interval,
    Ticker24h,
    TradePrint,
)
from numatix.market.feed import FeedSink

logger = logging.getLogger(__name__)
HISTORY_ATTEMPTS = 3
HISTORY_RETRY_SECONDS = 0.2
MAX_KLINES = 1000


class BinanceMarketFeed:
    kind = FeedKind.BINANCE

    def __init__(
        self,
        symbols: tuple[str, ...],
        rest_url: str,
        stream_url: str,
        http_client: httpx.AsyncClient | None = None,
        backoff: Backoff | None = None,
        offline_after_attempts: int = 5,
    ) -> None:
        self.symbols = tuple(symbols)
        self._rest_url = rest_url.rstrip("/")
        self._stream_url = stream_url.rstrip("/")
        self._http = http_client or httpx.AsyncClient(timeout=10)
        self._backoff = backoff or Backoff()
        self._offline_after = offline_after_attempts
        self.connections = 0

    @property
    def stream_names(self) -> list[str]:
        kinds = ("aggTrade", "depth20@100ms", "ticker")
        return [f"{s.lower()}@{kind}" for s in self.symbols for kind in kinds]

    async def history(self, symbol: str, interval: Interval, end_time_ms: int | None,
                      limit: int) -> list[Candle]:
        params: dict[str, str | int] = {"symbol": symbol, "interval": interval.value,
                                        "limit": min(limit + 1, MAX_KLINES)}
        if end_time_ms is not None:
            params["endTime"] = end_time_ms
        response = await self._get_klines(params)
        now = int(time.time() * 1000)
        candles = [parse_kline(symbol, interval, row) for row in response.json()]
        closed = [c for c in candles if c.close_time_ms < now]
        return closed[-limit:]

    async def _get_klines(self, params: dict[str, str | int]) -> httpx.Response:
        """A kept-alive connection the server has just closed fails the next request: a few
        quick retries, so one dropped connection does not stop the app from starting."""
        for attempt in range(HISTORY_ATTEMPTS):
            try:
                response = await self._http.get(f"{self._rest_url}/api/v3/klines", params=params)
                if response.status_code < 500:
                    response.raise_for_status()
                    return response
            except httpx.TransportError:
                if attempt == HISTORY_ATTEMPTS - 1:
                    raise
            await asyncio.sleep(HISTORY_RETRY_SECONDS * (attempt + 1))
        response.raise_for_status()  # still 5xx after the last attempt
        return response

    async def run(self, sink: FeedSink) -> None:
        url = f"{self._stream_url}/stream?streams=" + "/".join(self.stream_names)
        while True:
            try:
                async with connect(url, open_timeout=10, ping_interval=20, max_size=2**22) as socket:
                    self.connections += 1
                    self._backoff.reset()
                    sink.on_status(FeedStatus.LIVE)
                    async for raw in socket:
                        dispatch(json.loads(raw), sink)
                logger.warning("Binance market stream closed by the server; reconnecting")
            except (TimeoutError, OSError, WebSocketException, json.JSONDecodeError) as error:
                logger.warning("Binance market stream failed (%s: %s); reconnecting", type(error).__name__,
                               error)
            down_long = self._backoff.attempts >= self._offline_after
            sink.on_status(FeedStatus.OFFLINE if down_long else FeedStatus.RECONNECTING)
            await asyncio.sleep(self._backoff.next_delay())


def dispatch(message: dict, sink: FeedSink) -> None:
    """A combined-stream frame ``{"stream": ..., "data": ...}`` to the matching sink call."""
    stream, data = message.get("stream", ""), message.get("data")
    if not isinstance(data, dict):
        return
    if "@aggTrade" in stream:
        sink.on_trade(parse_agg_trade(data))
    elif "@depth" in stream:
        sink.on_book(parse_partial_depth(stream.split("@", 1)[0].upper(), data))
    elif stream.endswith("@ticker"):
        sink.on_ticker(parse_ticker(data))


def parse_agg_trade(data: dict) -> TradePrint:
    return TradePrint(
        symbol=data["s"], trade_id=int(data["a"]), price=Decimal(data["p"]), quantity=Decimal(data["q"]),
        time_ms=int(data["T"]), buyer_is_maker=bool(data["m"]),
    )


def parse_partial_depth(symbol: str, data: dict) -> BookSnapshot:
    """``@depth20`` frames carry no symbol or time: the stream name gives the first, we stamp the second."""
    return BookSnapshot(
        symbol=symbol,
        update_id=int(data["lastUpdateId"]),
        time_ms=int(time.time() * 1000),
        bids=tuple(BookLevel(Decimal(p), Decimal(q)) for p, q in data["bids"]),
        asks=tuple(BookLevel(Decimal(p), Decimal(q)) for p, q in data["asks"]),
    )


def parse_ticker(data: dict) -> Ticker24h:
    return Ticker24h(
        symbol=data["s"], time_ms=int(data["E"]), last_price=Decimal(data["c"]),
        open_price=Decimal(data["o"]),
        high_price=Decimal(data["h"]), low_price=Decimal(data["l"]), volume=Decimal(data["v"]),
        quote_volume=Decimal(data["q"]),
    )


def parse_kline(symbol: str, interval: Interval, row: list) -> Candle:
    """A REST kline row: ``[openTime, "o", "h", "l", "c", "v", closeTime, "qv", trades, "takerBuyV",
    "takerBuyQv", ...]``."""
    return Candle(
        symbol=symbol, interval=interval, open_time_ms=int(row[0]), open=Decimal(row[1]),
        high=Decimal(row[2]),
        low=Decimal(row[3]), close=Decimal(row[4]), volume=Decimal(row[5]), quote_volume=Decimal(row[7]),
        trade_count=int(row[8]), closed=True,
        taker_buy_volume=Decimal(row[9]) if len(row) > 10 else Decimal(0),
        taker_buy_quote_volume=Decimal(row[10]) if len(row) > 10 else Decimal(0),
    )
