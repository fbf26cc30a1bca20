"""The public market endpoints and the health check, over the app's own runtime."""

from __future__ import annotations

import httpx
import pytest

from numatix.api.app import build_api
from numatix.config import load_settings
from numatix.services.runtime import lifespan
from tests.support.database import migrated


@pytest.fixture
async def client(tmp_path):
    settings = load_settings({"NUMATIX_DATA_DIR": str(tmp_path), "NUMATIX_MARKET_DATA": "synthetic",
                              "NUMATIX_SYMBOLS": "BTCUSDT,ETHUSDT"})
    migrated(settings.database_url)
    async with lifespan(settings):
        transport = httpx.ASGITransport(app=build_api())
        async with httpx.AsyncClient(transport=transport, base_url="http://numatix") as http:
            yield http


async def test_health_reports_the_live_feed(client):
    response = await client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "feed": {"kind": "synthetic", "status": "live"},
                               "venue": {"kind": "paper", "status": "ok"},
                               "binance": {"rest_url": "https://testnet.binance.vision", "streams": 0}}


async def test_symbols_carry_their_increments_as_decimal_strings(client):
    symbols = (await client.get("/api/market/symbols")).json()
    assert [s["symbol"] for s in symbols] == ["BTCUSDT", "ETHUSDT"]
    assert symbols[0]["tickSize"] == "0.01" and symbols[0]["stepSize"] == "0.00001"


async def test_klines_page_backwards_without_overlap(client):
    latest = (await client.get("/api/market/klines", params={"symbol": "btcusdt", "interval": "1h", "limit": 5})).json()
    assert len(latest) == 5 and latest[-1]["closed"] is False
    older = (await client.get("/api/market/klines", params={"symbol": "BTCUSDT", "interval": "1h", "limit": 5,
                                                            "endTime": latest[0]["openTime"] - 1})).json()
    assert [k["openTime"] for k in older] == [latest[0]["openTime"] - 3_600_000 * i for i in range(5, 0, -1)]


async def test_unknown_symbol_and_bad_interval_are_refused_clearly(client):
    missing = await client.get("/api/market/klines", params={"symbol": "DOGEUSDT"})
    error = missing.json()["error"]
    assert missing.status_code == 404 and error["code"] == "not_found" and error["field"] == "symbol"
    assert "DOGEUSDT" in error["message"] and "BTCUSDT" in error["message"]  # names what exists
    bad = await client.get("/api/market/klines", params={"symbol": "BTCUSDT", "interval": "2m"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "interval"

