"""History at start-up survives one dropped kept-alive connection; a refusal is not retried."""

from __future__ import annotations

import time
from decimal import Decimal

import httpx
import pytest

from numatix.domain.market import Interval
from numatix.market.binance_feed import BinanceMarketFeed

OPEN = int(time.time() * 1000) // 60_000 * 60_000 - 10 * 60_000
ROW = [OPEN, "100", "101", "99", "100.5", "2", OPEN + 59_999, "201", 7, "1", "100", "0"]


def feed_answering(*answers) -> tuple[BinanceMarketFeed, list[httpx.Request]]:
    requests, queue = [], list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    return BinanceMarketFeed(("BTCUSDT",), "http://binance.test", "ws://binance.test", http_client=client), requests


async def test_a_dropped_connection_is_tried_again():
    feed, requests = feed_answering(httpx.RemoteProtocolError("Server disconnected without sending a response."),
                                    httpx.Response(503), httpx.Response(200, json=[ROW]))
    [candle] = await feed.history("BTCUSDT", Interval.M1, None, 10)
    assert candle.close == Decimal("100.5") and len(requests) == 3


async def test_a_refusal_is_not_retried():
    feed, requests = feed_answering(httpx.Response(400, json={"code": -1121, "msg": "Invalid symbol."}))
    with pytest.raises(httpx.HTTPStatusError):
        await feed.history("BTCUSDT", Interval.M1, None, 10)
    assert len(requests) == 1


async def test_it_gives_up_after_a_few_tries():
    feed, requests = feed_answering(*[httpx.ConnectError("refused")] * 3)
    with pytest.raises(httpx.ConnectError):
        await feed.history("BTCUSDT", Interval.M1, None, 10)
    assert len(requests) == 3
