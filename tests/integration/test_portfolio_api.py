"""The portfolio API: account-value curve, daily P&L, performance, execution quality, order
details, each also as CSV, per user only, over the app's own runtime and the synthetic market."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from tests.support.api_client import api_client, signed_up


@pytest.fixture
async def api(tmp_path):
    async with api_client(tmp_path, NUMATIX_VALUE_SAMPLE_SECONDS="1") as (http, runtime):
        alice = await signed_up(http, "alice@example.com")
        bob = await signed_up(http, "bob@example.com")
        yield http, runtime, alice, bob


async def order(http, headers, side: str, quantity: str) -> dict:
    placed = await http.post("/api/trading/orders", headers=headers,
                             json={"symbol": "BTCUSDT", "side": side, "type": "MARKET", "quantity": quantity})
    assert placed.status_code == 201, placed.text
    return placed.json()


async def curve_and_days_at_one_price(http, runtime, headers) -> tuple[dict, list]:
    """The curve and the daily P&L read while every price stood still: each values the wallet
    (BTC, ETH and the rest) at the prices of its moment, and on a busy machine the market may
    print between the two."""
    def prices() -> list:
        return [runtime.last_price(symbol) for symbol in runtime.hub.symbols]

    for _ in range(50):
        before = prices()
        curve = (await http.get("/api/portfolio/value", headers=headers)).json()
        days = (await http.get("/api/portfolio/daily-pnl", headers=headers)).json()["days"]
        if prices() == before:
            return curve, days
    raise AssertionError("the prices never stood still for two requests")


async def test_a_round_trip_shows_in_the_curve_performance_executions_and_order_details(api):
    http, runtime, alice, bob = api
    bought = await order(http, alice, "BUY", "0.001")
    await order(http, alice, "SELL", "0.00099")
    await runtime.account_value.settled()

    curve, days = await curve_and_days_at_one_price(http, runtime, alice)
    assert curve["currency"] == "USDT" and curve["sampleSeconds"] == 1
    fills = [p for p in curve["points"] if p["kind"] == "fill"]
    trades = (await http.get("/api/trading/trades", headers=alice)).json()
    assert len(fills) == len(trades) >= 2 and curve["points"][-1]["kind"] == "live"
    assert all(Decimal(p["value"]) > 10_000 and p["time"].endswith("Z") for p in curve["points"])

    assert len(days) == 1 and days[0]["endValue"] == curve["points"][-1]["value"]

    performance = (await http.get("/api/portfolio/performance", headers=alice)).json()
    [btc] = performance["symbols"]
    assert (btc["symbol"], btc["fills"], btc["buys"], btc["sells"], btc["roundTrips"]) == (
        "BTCUSDT", len(trades), 1, 1, 1)
    assert btc["wins"] + btc["losses"] == 1 and performance["total"]["symbol"] == "ALL"
    assert Decimal(btc["feesInQuote"]) > 0 and len(performance["roundTrips"]) == 1

    executions = (await http.get("/api/portfolio/executions", headers=alice)).json()
    assert executions["summary"]["orders"] == 2 and executions["summary"]["makerSharePercent"] == "0.00"
    assert all(o["arrivalPrice"] and o["slippageBps"] is not None and o["fillRatio"] == "1"
               for o in executions["orders"])

    details = (await http.get(f"/api/trading/orders/{bought['orderId']}/details", headers=alice)).json()
    assert details["order"]["orderId"] == bought["orderId"] and details["order"]["status"] == "FILLED"
    steps = [entry["step"] for entry in details["timeline"]]
    assert steps[0] == "PLACED" and steps[-1] == "FILLED" and steps.count("FILL") == len(details["fills"]) >= 1
    assert details["fees"] == [{"asset": "BTC", "amount": "0.000001"}]
    assert details["execution"]["orderId"] == bought["orderId"]

    nosy = await http.get(f"/api/trading/orders/{bought['orderId']}/details", headers=bob)
    assert nosy.status_code == 404
    assert (await http.get("/api/portfolio/performance", headers=bob)).json()["symbols"] == []
    assert [p["kind"] for p in (await http.get("/api/portfolio/value", headers=bob)).json()["points"]
            if p["kind"] == "fill"] == []


@pytest.mark.parametrize(("path", "header"), [
    ("/api/portfolio/value", "time_utc,value_usdt,kind"),
    ("/api/portfolio/daily-pnl", "day_utc,pnl_usdt,end_value_usdt"),
    ("/api/portfolio/performance", "symbol,fills,buys,sells,volume_quote,round_trips"),
    ("/api/portfolio/executions", "order_id,symbol,side,type,status,placed_utc"),
])
async def test_each_table_downloads_as_csv(api, path, header):
    http, _, alice, _ = api
    await order(http, alice, "BUY", "0.001")
    answer = await http.get(path, headers=alice, params={"format": "csv"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    lines = answer.text.splitlines()
    assert lines[0].startswith(header) and len(lines) >= 2


async def test_the_background_sampler_adds_points_without_any_fill(api):
    http, _, _, bob = api
    for _ in range(100):
        points = (await http.get("/api/portfolio/value", headers=bob)).json()["points"]
        if sum(p["kind"] == "sample" for p in points) >= 2:
            break
        await asyncio.sleep(0.1)
    assert sum(p["kind"] == "sample" for p in points) >= 2


async def test_asking_without_a_session_or_for_nonsense_is_refused_not_a_server_error(api):
    http, _, alice, _ = api
    assert (await http.get("/api/portfolio/value")).status_code == 401
    assert (await http.get("/api/portfolio/value", headers=alice, params={"days": "0"})).status_code == 422
    assert (await http.get("/api/portfolio/executions", headers=alice,
                           params={"format": "xml"})).status_code == 422
    assert (await http.get("/api/trading/orders/999999/details", headers=alice)).status_code == 404
