"""/metrics: the operator's numbers move when the app works."""

from __future__ import annotations

import re

from tests.support.api_client import api_client, signed_up


def sample(text: str, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels`` (0 when none yet)."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"^{name}(?:\{{(.*)\}})? (\S+)$", line)
        if match is None:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
        if all(found.get(key) == value for key, value in labels.items()):
            total += float(match.group(2))
    return total


async def test_orders_fills_rejections_and_feed_lag_are_counted(tmp_path):
    async with api_client(tmp_path) as (http, runtime):
        alice = await signed_up(http, "metrics@example.com")
        before = (await http.get("/metrics")).text
        await http.post("/api/trading/orders", headers=alice,
                        json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"})
        await http.post("/api/trading/orders", headers=alice,
                        json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.0000001"})
        response = await http.get("/metrics")
    after = response.text
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert sample(after, "numatix_orders_total", type="MARKET") == sample(before, "numatix_orders_total", type="MARKET") + 1
    assert sample(after, "numatix_order_seconds_count") == sample(before, "numatix_order_seconds_count") + 1
    assert sample(after, "numatix_fills_total", symbol="BTCUSDT", side="BUY") > sample(
        before, "numatix_fills_total", symbol="BTCUSDT", side="BUY")
    assert sample(after, "numatix_rejections_total", code="-1013") == sample(
        before, "numatix_rejections_total", code="-1013") + 1
    lag = sample(after, "numatix_feed_lag_seconds")
    assert 0 <= lag < 5
    assert "numatix_event_sockets" in after and "numatix_price_fan_out_seconds_bucket" in after
