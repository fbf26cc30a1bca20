"""Issue 14 parts 8 and 10: every /api answer that is an error has the documented shape with
its request id (an unknown path, a wrong method, a crash, a body too large), over HTTP on a
real port. Before: the HTML 404 page, plain-text 405 and 500, and a 20 MB body read whole."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi.routing import APIRoute

from tests.support.live_api import live_api, settings_for

MiB = 1024 * 1024


def crash() -> None:
    """A route of the test's own that fails in a way no error handler knows."""
    raise RuntimeError("secret internals: /etc/numatix, password=hunter2")


@pytest.fixture(scope="module")
def http(tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("errors"), NUMATIX_API_REQUESTS_PER_MINUTE="100000")
    with live_api(settings, (APIRoute("/api/test-crash", crash, methods=["GET"]),)) as base_url, \
            httpx.Client(base_url=base_url, timeout=60) as client:
        yield client


def shaped(answer: httpx.Response, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    error = answer.json()["error"]
    assert error["code"] == code and error["message"]
    assert error["requestId"] == answer.headers["x-request-id"]
    return error


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/nothing-here"), ("POST", "/api/trading/nothing"), ("GET", "/api/"), ("DELETE", "/api/x/y/z"),
    ("GET", "/api/trading/orders/1/nothing"),
])
def test_an_unknown_api_path_is_a_404_in_json(http, method, path):
    error = shaped(http.request(method, path), 404, "not_found")
    assert "<html" not in error["message"].lower()


@pytest.mark.parametrize("method, path, allowed", [
    ("DELETE", "/api/auth/me", "GET"), ("POST", "/api/trading/balance", "GET"),
    ("PUT", "/api/trading/orders", "DELETE, GET, POST"), ("GET", "/api/auth/login", "POST"),
])
def test_a_wrong_method_is_a_405_in_json_with_allow(http, method, path, allowed):
    answer = http.request(method, path)
    shaped(answer, 405, "method_not_allowed")
    assert answer.headers["allow"] == allowed


def test_a_crash_is_a_500_in_json_that_leaks_nothing(http):
    answer = http.get("/api/test-crash", headers={"X-Request-ID": "trace42"})
    error = shaped(answer, 500, "internal")
    assert error["requestId"] == "trace42"
    assert "secret" not in answer.text and "hunter2" not in answer.text and "Traceback" not in answer.text


def test_known_refusals_carry_the_request_id_too(http):
    shaped(http.get("/api/trading/balance"), 401, "unauthorized")
    shaped(http.post("/api/auth/register", json={"email": "x"}), 422, "invalid")
    shaped(http.get("/api/trading/orders/0", headers={"Authorization": "Bearer x"}), 401, "unauthorized")


def test_the_pages_are_not_the_apis_business(http):
    """Outside /api the standalone API has nothing: its own 404, still JSON from FastAPI."""
    assert http.get(f"/no-page-{uuid.uuid4().hex[:6]}").status_code == 404


def test_a_body_over_1_mib_is_refused_with_413_before_it_is_read(http):
    huge = b'{"email": "' + b"a" * (20 * MiB) + b'", "password": "x"}'
    answer = http.post("/api/auth/login", content=huge, headers={"Content-Type": "application/json"})
    error = shaped(answer, 413, "too_large")
    assert "1 MiB" in error["message"]


def test_a_chunked_body_is_counted_as_it_comes(http):
    def chunks():
        yield b'{"email": "'
        for _ in range(4):
            yield b"a" * (MiB // 2)
        yield b'", "password": "x"}'

    answer = http.post("/api/trading/orders", content=chunks(), headers={"Content-Type": "application/json"})
    shaped(answer, 413, "too_large")


def test_a_body_under_the_limit_is_read_and_judged(http):
    under = b'{"email": "' + b"a" * (MiB - 100) + b'", "password": "x"}'
    assert len(under) <= MiB
    shaped(http.post("/api/auth/login", content=under, headers={"Content-Type": "application/json"}), 422, "invalid")
