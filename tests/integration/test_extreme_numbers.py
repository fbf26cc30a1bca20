"""Issue 14 part 6: numbers nobody should send are refused at the edge, in the error shape,
never with a 500: every amount is a plain decimal within Binance's 20 digits before and after
the point. Over HTTP on a real port, every amount of every order endpoint and the alert price."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.support.live_api import live_api, settings_for

PASSWORD = "violet-harbour-42"
HOSTILE = [
    "1e99999999999", "-1e99999999999", "1E+30", "NaN", "Infinity", "-Infinity", "sNaN",
    "１２３", "٣", "1_000", "1" * 21, "0." + "1" * 21, "0x10", " ", "", "1.2.3", "+1", ".5e1",
    1e308, True, [], {},
]
LIMIT = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.001", "price": "50000"}
STOP = {"symbol": "BTCUSDT", "side": "SELL", "type": "STOP_LOSS_LIMIT", "quantity": "0.001", "price": "40000",
        "stopPrice": "41000", "timeInForce": "GTC"}
BY_QUOTE = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quoteOrderQty": "10"}
OCO = {"symbol": "BTCUSDT", "side": "SELL", "quantity": "0.001", "price": "900000", "stopPrice": "1000",
       "stopLimitPrice": "990", "stopLimitTimeInForce": "GTC"}
CASES = [(path, body, field)
         for path in ("/api/trading/orders", "/api/trading/orders/preview")
         for body, fields in ((LIMIT, ("quantity", "price")), (STOP, ("stopPrice",)), (BY_QUOTE, ("quoteOrderQty",)))
         for field in fields]
CASES += [(path, OCO, field) for path in ("/api/trading/oco", "/api/trading/oco/preview")
          for field in ("quantity", "price", "stopPrice", "stopLimitPrice")]
CASES += [("/api/alerts", {"symbol": "BTCUSDT", "direction": "above", "price": "70000"}, "price")]


@pytest.fixture(scope="module")
def http(tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("numbers"), NUMATIX_API_REQUESTS_PER_MINUTE="100000",
                            NUMATIX_ORDERS_PER_MINUTE="100000")
    with live_api(settings) as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
        token = client.post("/api/auth/register", json={"email": f"n-{uuid.uuid4().hex[:8]}@example.com",
                                                        "password": PASSWORD}).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@pytest.mark.parametrize("path, body, field", CASES, ids=[f"{p}-{b.get('type', 'oco')}-{f}" for p, b, f in CASES])
def test_every_amount_refuses_what_is_not_a_plain_bounded_decimal(http, path, body, field):
    for value in HOSTILE:
        answer = http.post(path, json={**body, field: value})
        assert answer.status_code == 422, (field, value, answer.status_code, answer.text)
        error = answer.json()["error"]
        assert error["code"] == "invalid" and error["field"] == field, (value, error)
        if isinstance(value, str) and value.strip():
            assert "at most 20 digits before and after" in error["message"], (value, error)


def test_the_largest_and_finest_plain_numbers_are_judged_by_the_filters_not_a_500(http):
    widest = "9" * 20 + "." + "9" * 20
    for field in ("quantity", "price"):
        answer = http.post("/api/trading/orders", json={**LIMIT, field: widest})
        assert answer.status_code == 400 and answer.json()["error"]["code"] in (-1013, -1100), answer.text
    preview = http.post("/api/trading/orders/preview", json={**LIMIT, "quantity": widest})
    assert preview.status_code == 200 and preview.json()["ok"] is False


def test_plain_numbers_and_json_numbers_still_trade(http):
    assert http.post("/api/trading/orders/preview", json=LIMIT).json()["ok"] is True
    assert http.post("/api/trading/orders/preview", json={**LIMIT, "quantity": 0.001, "price": 50000}).json()["ok"]
    assert http.post("/api/trading/orders/preview", json={**LIMIT, "quantity": "1,000"}).status_code == 422


@pytest.mark.parametrize("price, words", [
    ("0.000000001", "The price must be at least 0.01, BTCUSDT's price step."),
    ("0.009", "The price must be at least 0.01, BTCUSDT's price step."),
    ("1e28", None), ("10000000000000000000000000000", None),
])
def test_an_alert_that_could_never_fire_or_overflow_is_refused(http, price, words):
    answer = http.post("/api/alerts", json={"symbol": "BTCUSDT", "direction": "below", "price": price})
    assert answer.status_code == 422, answer.text
    if words:
        assert answer.json()["error"]["message"] == words
    assert all(alert["price"] != "0" for alert in http.get("/api/alerts").json())


def test_the_largest_alert_price_is_stored_exactly(http):
    price = "9" * 20 + ".99"
    answer = http.post("/api/alerts", json={"symbol": "BTCUSDT", "direction": "above", "price": price})
    assert answer.status_code == 201, answer.text
    assert answer.json()["price"] == price
