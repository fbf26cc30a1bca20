"""The REST API and the event socket answer on the app's own port, beside the pages."""

from __future__ import annotations

import json

import httpx
from websockets.sync.client import connect

from tests.e2e.conftest import register


def test_rest_and_the_event_socket_share_the_apps_port(app_url: str):
    account = register(app_url)
    headers = {"Authorization": f"Bearer {account['token']}"}
    assert httpx.get(f"{app_url}/api/trading/balance", headers=headers).json()["canTrade"] is True
    assert httpx.get(f"{app_url}/api/openapi.json").json()["info"]["title"] == "Numatix API"
    assert "numatix_feed_lag_seconds" in httpx.get(f"{app_url}/metrics").text
    with connect(app_url.replace("http", "ws", 1) + f"/ws/prices?token={account['token']}&symbols=BTCUSDT") as events:
        assert json.loads(events.recv(timeout=30))["type"] == "CONNECTED"
        placed = httpx.post(f"{app_url}/api/trading/orders", headers=headers, json={
            "symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}).json()
        for _ in range(200):
            event = json.loads(events.recv(timeout=30))
            if event["type"] == "ORDER_UPDATE" and event["data"]["orderId"] == placed["orderId"]:
                break
        else:
            raise AssertionError("no ORDER_UPDATE for the order")


def test_the_interactive_docs_work_offline(anonymous_page, app_url: str):
    from playwright.sync_api import expect

    blocked = []
    anonymous_page.on("requestfailed", lambda request: blocked.append(request.url))
    anonymous_page.goto(f"{app_url}/api/docs")
    expect(anonymous_page.locator(".opblock-summary-path", has_text="/api/trading/orders").first).to_be_visible()
    assert blocked == []
