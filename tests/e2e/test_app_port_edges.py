"""Issue 14 parts 8, 9 and 10 on the production server (Granian, Reflex's pages mounted beside
the API), where the pages' catch-all and another server's socket limits could differ from the
standalone API's: /api errors in the JSON shape, 413 over 1 MiB, a socket that keeps reading."""

from __future__ import annotations

import json

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.e2e.conftest import register

MiB = 1024 * 1024


def error_of(answer: httpx.Response, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.text[:300]
    error = answer.json()["error"]
    assert error["code"] == code and error["requestId"] == answer.headers["x-request-id"]
    return error


def test_api_errors_are_json_on_the_apps_port(app_url: str):
    with httpx.Client(base_url=app_url, timeout=60) as http:
        error_of(http.get("/api/no-such-thing"), 404, "not_found")
        error_of(http.delete("/api/auth/me"), 405, "method_not_allowed")
        huge = b'{"email": "' + b"a" * (20 * MiB) + b'"}'
        error_of(http.post("/api/auth/login", content=huge, headers={"Content-Type": "application/json"}),
                 413, "too_large")
        assert "text/html" in http.get("/trade/BTCUSDT").headers["content-type"]  # pages are still pages


def next_of(socket, kind: str) -> dict:
    while True:
        received = json.loads(socket.recv(timeout=30))
        if received["type"] == kind:
            return received["data"]


def test_the_event_socket_keeps_reading_after_a_binary_frame(app_url: str):
    token = register(app_url)["token"]
    url = app_url.replace("http", "ws", 1) + f"/ws/prices?token={token}&symbols=BTCUSDT"
    with connect(url, open_timeout=30) as socket:
        next_of(socket, "CONNECTED")
        socket.send(b"\x00binary")
        assert "Binary frames" in next_of(socket, "ERROR")["message"]
        socket.send(json.dumps({"type": "PING"}))
        next_of(socket, "PONG")


@pytest.mark.parametrize("size", [100_000, 16 * 1000 * 1000])
def test_a_huge_message_closes_the_socket_with_1009_and_a_reason(app_url: str, size: int):
    token = register(app_url)["token"]
    url = app_url.replace("http", "ws", 1) + f"/ws/prices?token={token}"
    with connect(url, open_timeout=30, max_size=None) as socket:
        next_of(socket, "CONNECTED")
        socket.send("[" * size)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                socket.recv(timeout=60)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009 and closed.value.rcvd.reason
