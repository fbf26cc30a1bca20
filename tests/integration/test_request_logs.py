"""Every API request gets an id, echoed back and carried by its JSON log line; the query
string (where the event socket's token travels) is never logged."""

from __future__ import annotations

import json

from tests.support.api_client import api_client


async def test_request_ids_and_json_access_lines(tmp_path, capfd):
    async with api_client(tmp_path) as (http, _runtime):
        capfd.readouterr()
        given = await http.get("/api/health", headers={"X-Request-ID": "abc123"})
        made = await http.get("/api/market/ticker", params={"symbol": "BTCUSDT", "token": "secret-token-value"})
        bad = await http.get("/api/health", headers={"X-Request-ID": "no spaces allowed"})
    assert given.headers["x-request-id"] == "abc123"
    assert len(made.headers["x-request-id"]) == 32 and bad.headers["x-request-id"] != "no spaces allowed"
    captured = capfd.readouterr().err
    lines = [json.loads(line) for line in captured.splitlines() if line.startswith("{")]
    access = {line["request_id"]: line for line in lines if line["logger"] == "numatix.access"}
    assert access["abc123"]["path"] == "/api/health" and access["abc123"]["status"] == 200
    ticker = access[made.headers["x-request-id"]]
    assert ticker["path"] == "/api/market/ticker" and ticker["duration_ms"] >= 0
    assert "secret-token-value" not in captured
