"""The simulator's market data as a Binance client reads it, over real sockets: aggregate trades,
trades from an id, every kline interval with its taker-buy volumes and trade ids, the rolling-window
and trading-day tickers, depth deeper than the published book, Binance's stream pace, RAW_REQUESTS."""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal

import pytest
import websockets

from numatix.domain.market import BookSnapshot
from numatix.sim.market_view import month_start, next_month_start
from numatix.sim.testing import SignedClient, running_simulator

WAIT = 30.0  # only so a message that never comes fails the test; not a speed target
DAY_MS = 86_400_000


@pytest.fixture
async def sim():
    async with running_simulator(symbols=("BTCUSDT", "ETHUSDT"), history_days=1) as running:
        yield running


@pytest.fixture
async def client(sim):
    async with SignedClient(sim.rest_url) as public:
        yield public


async def receive(socket, accept=lambda message: True):
    async def wait():
        while True:
            message = json.loads(await socket.recv())
            if accept(message):
                return message
    return await asyncio.wait_for(wait(), WAIT)


async def get(client, path: str, **params):
    response = await client.public("GET", path, **params)
    assert response.status_code == 200, response.text
    return response.json()


def now_ms() -> int:
    return time.time_ns() // 1_000_000


async def test_one_takers_prints_at_one_price_are_one_aggregate_trade_in_rest_and_in_the_stream(sim, client):
    feed = sim.simulator.feed
    async with websockets.connect(f"{sim.stream_url}/ws/btcusdt@aggTrade") as socket:
        await asyncio.sleep(0.05)
        moment = now_ms()
        prints = [feed.print_trade("BTCUSDT", Decimal(price), Decimal(size), moment, True)
                  for price, size in (("95000", "0.1"), ("95000", "0.2"), ("94999.99", "0.3"))]
        first = await receive(socket)
        second = await receive(socket)
    ids = [trade.trade_id for trade in prints]
    assert (first["e"], first["p"], first["q"], first["f"], first["l"], first["m"]) == (
        "aggTrade", "95000.00000000", "0.30000000", ids[0], ids[1], True)
    assert (second["a"], second["p"], second["f"], second["l"]) == (first["a"] + 1, "94999.99000000", ids[2],
                                                                    ids[2])
    rows = await get(client, "aggTrades", symbol="BTCUSDT", limit=2)
    assert rows == [{key: event[key] for key in "apqflTmM"} for event in (first, second)]
    assert await get(client, "aggTrades", symbol="BTCUSDT", fromId=second["a"]) == rows[1:]
    timed = await get(client, "aggTrades", symbol="BTCUSDT", startTime=moment, endTime=moment)
    assert [row["a"] for row in timed] == [first["a"], second["a"]]


async def test_trades_reach_past_the_last_hundred_and_historical_trades_start_from_an_id(sim, client):
    pushed = [sim.push_trade("BTCUSDT", Decimal(95000) + index, "0.001") for index in range(150)]
    recent = await get(client, "trades", symbol="BTCUSDT", limit=150)
    assert [row["id"] for row in recent] == [trade.trade_id for trade in pushed]
    older = await get(client, "historicalTrades", symbol="BTCUSDT", fromId=pushed[10].trade_id, limit=5)
    assert [row["id"] for row in older] == [trade.trade_id for trade in pushed[10:15]]
    assert older[0]["price"] == "95010.00000000"
    latest = await get(client, "historicalTrades", symbol="BTCUSDT", limit=3)
    assert [row["id"] for row in latest] == [trade.trade_id for trade in pushed[-3:]]


async def test_klines_carry_taker_buy_volumes_and_one_second_bars_hold_the_prints(sim, client):
    prints = (("95000", "0.3", False), ("94990", "0.2", True), ("95010", "0.1", False))
    for price, size, seller_took in prints:
        sim.push_trade("BTCUSDT", price, size, buyer_is_maker=seller_took)
    trades = await get(client, "trades", symbol="BTCUSDT", limit=1000)
    (minute,) = await get(client, "klines", symbol="BTCUSDT", interval="1m", limit=1)
    in_minute = [row for row in trades if row["time"] >= minute[0]]
    bought = [row for row in in_minute if not row["isBuyerMaker"]]
    assert Decimal(minute[9]) == sum(Decimal(row["qty"]) for row in bought) > 0
    assert Decimal(minute[10]) == sum(Decimal(row["quoteQty"]) for row in bought)
    seconds = await get(client, "klines", symbol="BTCUSDT", interval="1s", limit=5)
    assert all(row[6] == row[0] + 999 for row in seconds)
    first_second = seconds[0][0]
    assert [row[0] for row in seconds] == list(range(first_second, first_second + 1000 * len(seconds), 1000))
    assert sum(Decimal(row[5]) for row in seconds) >= Decimal("0.6")
    hours = await get(client, "klines", symbol="BTCUSDT", interval="1h", limit=30)
    assert all(Decimal(row[9]) > 0 and Decimal(row[9]) <= Decimal(row[5]) for row in hours)


async def test_monthly_klines_are_calendar_months_made_of_their_days(client):
    months = await get(client, "klines", symbol="BTCUSDT", interval="1M", limit=13)
    assert len(months) == 13
    for row in months:
        assert month_start(row[0]) == row[0] and row[6] == next_month_start(row[0]) - 1
    closed = months[-2]
    days = await get(client, "klines", symbol="BTCUSDT", interval="1d", startTime=closed[0],
                     endTime=closed[6])
    assert len(days) == (closed[6] + 1 - closed[0]) // DAY_MS
    assert Decimal(closed[5]) == sum(Decimal(day[5]) for day in days)
    assert (closed[1], closed[4]) == (days[0][1], days[-1][4])
    assert closed[8] == sum(day[8] for day in days)


async def test_kline_events_name_their_first_and_last_trade(sim):
    async with websockets.connect(f"{sim.stream_url}/ws/btcusdt@kline_1s") as socket:
        await receive(socket)  # subscribed: a trade pushed now is in a kline this socket will get
        trade = sim.push_trade("BTCUSDT", "95000", "0.4")
        event = await receive(socket, lambda message: message["k"]["L"] == trade.trade_id)
    kline = event["k"]
    assert kline["t"] == trade.time_ms - trade.time_ms % 1000 and kline["i"] == "1s"
    assert kline["f"] <= trade.trade_id and Decimal(kline["V"]) >= Decimal("0.4")


async def test_rolling_window_and_trading_day_tickers(sim, client):
    last = sim.push_trade("BTCUSDT", "95000", "0.5")
    before = await client.public("GET", "ping")
    full = await client.public("GET", "ticker", symbol="BTCUSDT", windowSize="1h")
    used = int(full.headers["X-MBX-USED-WEIGHT-1M"]) - int(before.headers["X-MBX-USED-WEIGHT-1M"])
    assert used == 4
    row = full.json()
    assert set(row) == {"symbol", "priceChange", "priceChangePercent", "weightedAvgPrice", "openPrice",
                        "highPrice", "lowPrice", "lastPrice", "volume", "quoteVolume", "openTime",
                        "closeTime", "firstId", "lastId", "count"}
    assert row["openTime"] % 60_000 == 0 and 3_600_000 <= row["closeTime"] - row["openTime"] < 3_660_000
    assert (row["lastPrice"], row["lastId"]) == ("95000.00000000", last.trade_id)
    assert row["count"] == row["lastId"] - row["firstId"] + 1
    both = await get(client, "ticker", symbols='["BTCUSDT","ETHUSDT"]', type="MINI")
    assert [item["symbol"] for item in both] == ["BTCUSDT", "ETHUSDT"]
    assert "priceChange" not in both[0] and both[0]["lastPrice"] == "95000.00000000"
    refused = await client.public("GET", "ticker", symbol="BTCUSDT", windowSize="1d2h")
    assert (refused.status_code, refused.json()["code"]) == (400, -1130)

    today = await get(client, "ticker/tradingDay", symbol="BTCUSDT")
    assert today["openTime"] % DAY_MS == 0 and today["closeTime"] == today["openTime"] + DAY_MS - 1
    assert today["lastPrice"] == "95000.00000000" and today["count"] >= 1
    tokyo = await get(client, "ticker/tradingDay", symbol="BTCUSDT", timeZone="9")
    assert (tokyo["openTime"] + 9 * 3_600_000) % DAY_MS == 0
    missing = await client.public("GET", "ticker/tradingDay")
    assert (missing.status_code, missing.json()["code"]) == (400, -1102)


async def test_paced_streams_never_come_faster_than_binance_sends_them(sim):
    names = "btcusdt@trade/btcusdt@kline_1m/btcusdt@ticker/btcusdt@depth"
    counts: dict[str, int] = {}
    async with websockets.connect(f"{sim.stream_url}/stream?streams={names}") as socket:
        opened = time.monotonic()
        pushes = 0
        while time.monotonic() - opened < 3:
            sim.push_trade("BTCUSDT", Decimal(95000) + pushes % 7, "0.001")
            pushes += 1
            await asyncio.sleep(0.05)
        while counts.get("btcusdt@trade", 0) < pushes:
            message = await receive(socket)
            counts[message["stream"]] = counts.get(message["stream"], 0) + 1
        elapsed = time.monotonic() - opened
    assert counts["btcusdt@trade"] == pushes  # every print, as it happens
    assert counts.get("btcusdt@kline_1m", 0) <= elapsed / 2 + 2  # every 2 s at most
    assert counts.get("btcusdt@ticker", 0) <= elapsed + 2  # every second at most
    assert counts.get("btcusdt@depth", 0) <= elapsed + 2  # every second without @100ms


async def test_depth_goes_deeper_than_the_published_book():
    market = running_simulator(symbols=("BTCUSDT",), market="synthetic", history_days=1)
    async with market as sim, SignedClient(sim.rest_url) as client:
        for _ in range(200):  # the live market's first book
            if sim.simulator.market.book("BTCUSDT") is not None:
                break
            await asyncio.sleep(0.05)
        deep = await client.public("GET", "depth", symbol="BTCUSDT", limit=1000)
        top = await get(client, "depth", symbol="BTCUSDT", limit=5)
        beyond = await client.public("GET", "depth", symbol="BTCUSDT", limit=6000)
    assert int(deep.headers["X-MBX-USED-WEIGHT-1M"]) >= 50
    book = deep.json()
    bids = [Decimal(price) for price, _ in book["bids"]]
    asks = [Decimal(price) for price, _ in book["asks"]]
    assert len(bids) == len(asks) == 1000
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks) and bids[0] < asks[0]
    assert len(set(bids)) == len(bids) and all(Decimal(size) > 0 for _, size in book["bids"] + book["asks"])
    assert len(top["bids"]) == len(top["asks"]) == 5
    assert beyond.status_code == 200 and len(beyond.json()["bids"]) <= 5000  # Binance cuts it to 5,000


async def test_raw_requests_over_the_limit_are_429():
    async with running_simulator(symbols=("BTCUSDT",), raw_requests_limit=3) as sim, SignedClient(
        sim.rest_url
    ) as client:
        info = await get(client, "exchangeInfo")
        replies = [await client.public("GET", "ping") for _ in range(4)]
    assert {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 3} in info[
        "rateLimits"]
    refused = [reply for reply in replies if reply.status_code == 429]  # (a new window may start between)
    assert refused and refused[0].json() == {
        "code": -1003, "msg": "Too many requests; current limit is 3 requests per 5 MINUTE. "
                              "Please use WebSocket Streams for live updates to avoid polling the API."}
    assert 1 <= int(refused[0].headers["Retry-After"]) <= 300


def apply_levels(side: dict[Decimal, Decimal], levels) -> None:
    for price, quantity in levels:
        if Decimal(quantity):
            side[Decimal(price)] = Decimal(quantity)
        else:
            side.pop(Decimal(price), None)


def levels_of(snapshot) -> tuple[dict, dict]:
    bids: dict[Decimal, Decimal] = {}
    asks: dict[Decimal, Decimal] = {}
    apply_levels(bids, snapshot["bids"])
    apply_levels(asks, snapshot["asks"])
    return bids, asks


def snapshot_levels(book: BookSnapshot) -> tuple[dict, dict]:
    return levels_of({"bids": [(level.price, level.quantity) for level in book.bids],
                      "asks": [(level.price, level.quantity) for level in book.asks]})


async def test_a_local_book_from_rest_depth_and_the_diff_stream_is_the_whole_book():
    """Binance's recipe: buffer @depth, take depth?limit=5000, drop diffs it already holds, apply the
    rest without a gap. After each diff the local book must equal the simulator's whole book at that
    update id, level for level, far beyond the 50 levels the feed publishes."""
    market = running_simulator(symbols=("BTCUSDT",), market="synthetic", history_days=1)
    async with market as sim, SignedClient(sim.rest_url) as client:
        view = sim.simulator.market
        whole: dict[int, BookSnapshot] = {}  # update id -> the whole book then, as published

        def record(event) -> None:
            if isinstance(event, BookSnapshot):
                book = view.whole_book("BTCUSDT")
                whole[book.update_id] = book
        sim.simulator.hub.add_listener(record)
        for _ in range(200):  # the live market's first book
            if view.book("BTCUSDT") is not None:
                break
            await asyncio.sleep(0.05)
        async with websockets.connect(f"{sim.stream_url}/ws/btcusdt@depth@100ms") as socket:
            snapshot = await get(client, "depth", symbol="BTCUSDT", limit=5000)
            bids, asks = levels_of(snapshot)
            last, compared = snapshot["lastUpdateId"], 0
            while compared < 5:
                event = await receive(socket)
                if event["u"] <= last:
                    continue
                assert event["U"] <= last + 1, "a gap in the diff stream"
                apply_levels(bids, event["b"])
                apply_levels(asks, event["a"])
                last = event["u"]
                assert (bids, asks) == snapshot_levels(whole[last])
                compared += 1
    assert len(bids) > 200 and len(asks) > 200  # the whole book, not the 50 published levels


async def test_klines_in_a_time_zone_open_at_its_midnight_and_hold_its_hours(sim, client):
    days = await get(client, "klines", symbol="BTCUSDT", interval="1d", timeZone="8", limit=3)
    assert [row[0] % DAY_MS for row in days] == [16 * 3_600_000] * 3 and all(
        row[6] == row[0] + DAY_MS - 1 for row in days)
    closed = days[-2]
    hours = await get(client, "klines", symbol="BTCUSDT", interval="1h", startTime=closed[0],
                      endTime=closed[6])
    assert len(hours) == 24
    assert Decimal(closed[5]) == sum(Decimal(hour[5]) for hour in hours)
    assert (closed[1], closed[4], closed[8]) == (hours[0][1], hours[-1][4], sum(hour[8] for hour in hours))
    same = await get(client, "klines", symbol="BTCUSDT", interval="1h", timeZone="8", limit=5)
    assert same == await get(client, "klines", symbol="BTCUSDT", interval="1h", limit=5)
    refused = await client.public("GET", "klines", symbol="BTCUSDT", interval="1d", timeZone="15")
    assert (refused.status_code, refused.json()["code"]) == (400, -1130)
    async with websockets.connect(f"{sim.stream_url}/ws/btcusdt@kline_1d@+08:00") as socket:
        event = await receive(socket)
    assert (event["k"]["i"], event["k"]["t"]) == ("1d", days[-1][0])


async def test_the_websocket_api_answers_market_data_as_rest_does(sim, client):
    trade = sim.push_trade("BTCUSDT", "95000", "0.25")
    async with websockets.connect(sim.ws_api_url) as socket:
        async def call(method: str, **params) -> dict:
            await socket.send(json.dumps({"id": method, "method": method, "params": params}))
            reply = await receive(socket, lambda message: message.get("id") == method)
            assert reply["status"] == 200, reply
            return reply

        depth = await call("depth", symbol="BTCUSDT", limit=5)
        assert depth["result"] == await get(client, "depth", symbol="BTCUSDT", limit=5)
        assert depth["rateLimits"][0]["rateLimitType"] == "REQUEST_WEIGHT"
        recent = (await call("trades.recent", symbol="BTCUSDT", limit=1))["result"]
        assert [row["id"] for row in recent] == [trade.trade_id]
        aggregates = (await call("trades.aggregate", symbol="BTCUSDT", limit=1))["result"]
        assert aggregates[0]["l"] == trade.trade_id
        past = {"symbol": "BTCUSDT", "interval": "1h", "startTime": now_ms() - 10 * 3_600_000, "limit": 3}
        klines = (await call("klines", **past))["result"]
        assert len(klines) == 3 and klines == await get(client, "klines", **past)
        tickers = (await call("ticker", symbols=["BTCUSDT", "ETHUSDT"], windowSize="1h"))["result"]
        assert [row["symbol"] for row in tickers] == ["BTCUSDT", "ETHUSDT"]
        assert tickers[0]["lastPrice"] == "95000.00000000"
        day = (await call("ticker.tradingDay", symbol="BTCUSDT", type="MINI"))["result"]
        assert day["openTime"] % DAY_MS == 0
        price = (await call("ticker.price", symbol="BTCUSDT"))["result"]
        assert price == {"symbol": "BTCUSDT", "price": "95000.00000000"}
        assert (await call("avgPrice", symbol="BTCUSDT"))["result"]["mins"] == 5
