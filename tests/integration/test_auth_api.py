"""Sign-up, log-in and sessions over HTTP, with the security headers every response carries."""

from __future__ import annotations

import httpx
import pytest

from numatix.api.app import build_api
from numatix.api.headers import with_security_headers
from numatix.config import load_settings
from numatix.services.runtime import lifespan
from tests.support.database import migrated

PASSWORD = "violet-harbour-42"


@pytest.fixture
async def client(tmp_path):
    settings = load_settings({"NUMATIX_DATA_DIR": str(tmp_path), "NUMATIX_MARKET_DATA": "synthetic",
                              "NUMATIX_SYMBOLS": "BTCUSDT"})
    migrated(settings.database_url)
    async with lifespan(settings):
        transport = httpx.ASGITransport(app=with_security_headers(build_api()), client=("203.0.113.7", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://numatix") as http:
            yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_register_login_me_logout(client):
    created = await client.post("/api/auth/register", json={"email": "Alice@Example.com", "password": PASSWORD})
    assert created.status_code == 201
    assert created.json()["user"]["email"] == "alice@example.com"
    logged_in = await client.post("/api/auth/login", json={"email": "alice@example.com", "password": PASSWORD})
    assert logged_in.status_code == 200
    token = logged_in.json()["token"]
    me = await client.get("/api/auth/me", headers=bearer(token))
    assert me.json() == {"id": created.json()["user"]["id"], "email": "alice@example.com", "venue": "paper"}
    assert (await client.post("/api/auth/logout", headers=bearer(token))).status_code == 204
    assert (await client.get("/api/auth/me", headers=bearer(token))).status_code == 401
    assert (await client.get("/api/auth/me", headers=bearer(created.json()["token"]))).status_code == 200


async def test_bad_input_names_the_field_and_duplicates_conflict(client):
    weak = await client.post("/api/auth/register", json={"email": "bob@example.com", "password": "short"})
    assert weak.status_code == 422 and weak.json() == {"error": {
        "code": "invalid", "message": "Password must be at least 10 characters.", "field": "password",
        "requestId": weak.headers["x-request-id"]}}
    missing = await client.post("/api/auth/register", json={"email": "bob@example.com"})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "password"
    assert (await client.post("/api/auth/register", json={"email": "bob@example.com", "password": PASSWORD})).status_code == 201
    again = await client.post("/api/auth/register", json={"email": "BOB@example.com", "password": PASSWORD})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


async def test_wrong_password_then_429_with_retry_after(client):
    await client.post("/api/auth/register", json={"email": "carol@example.com", "password": PASSWORD})
    client.cookies.clear()  # another browser than the one that signed up (no device cookie)
    answers = [await client.post("/api/auth/login", json={"email": "carol@example.com", "password": "nope-nope-nope"})
               for _ in range(5)]
    assert [a.status_code for a in answers] == [401] * 5
    assert answers[0].json() == {"error": {"code": "unauthorized", "message": "Email or password is incorrect.",
                                           "requestId": answers[0].headers["x-request-id"]}}
    refused = await client.post("/api/auth/login", json={"email": "carol@example.com", "password": PASSWORD})
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 900


async def test_the_browser_session_cookie_is_http_only_and_authenticates(client):
    token = (await client.post("/api/auth/register", json={"email": "dan@example.com", "password": PASSWORD})).json()["token"]
    assert (await client.post("/api/auth/browser-session")).status_code == 401
    handed = await client.post("/api/auth/browser-session", headers=bearer(token))
    cookie = handed.headers["set-cookie"]
    assert handed.status_code == 204 and "numatix_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert (await client.get("/api/auth/me")).json()["email"] == "dan@example.com"  # the cookie alone
    await client.post("/api/auth/logout")
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_sessions_are_listed_with_their_device_and_any_one_can_be_ended(client):
    phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1"
    first = (await client.post("/api/auth/register", json={"email": "gina@example.com", "password": PASSWORD})).json()
    second = (await client.post("/api/auth/login", json={"email": "gina@example.com", "password": PASSWORD},
                                headers={"User-Agent": phone})).json()
    stranger = (await client.post("/api/auth/register", json={"email": "hal@example.com", "password": PASSWORD})).json()
    listed = (await client.get("/api/auth/sessions", headers=bearer(first["token"]))).json()
    assert sorted((s["device"], s["address"], s["current"]) for s in listed) == [
        ("Python script", "203.0.113.7", True), ("Safari on iOS", "203.0.113.7", False)]
    phone_session = next(s["id"] for s in listed if s["device"] == "Safari on iOS")
    theirs = await client.delete(f"/api/auth/sessions/{phone_session}", headers=bearer(stranger["token"]))
    assert theirs.status_code == 404  # nobody ends another user's session
    assert (await client.get("/api/auth/me", headers=bearer(second["token"]))).status_code == 200
    ended = await client.delete(f"/api/auth/sessions/{phone_session}", headers=bearer(first["token"]))
    assert ended.status_code == 200
    assert (await client.get("/api/auth/me", headers=bearer(second["token"]))).status_code == 401
    assert (await client.get("/api/auth/me", headers=bearer(first["token"]))).status_code == 200
    everywhere = await client.post("/api/auth/logout-everywhere", headers=bearer(first["token"]))
    assert everywhere.status_code == 204
    assert (await client.get("/api/auth/me", headers=bearer(first["token"]))).status_code == 401
    assert (await client.get("/api/auth/me", headers=bearer(stranger["token"]))).status_code == 200


async def test_every_response_carries_the_security_headers(client):
    for response in (await client.get("/api/health"), await client.get("/api/auth/me")):
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


async def test_the_101st_api_request_in_a_minute_gets_429(client):
    erin = (await client.post("/api/auth/register", json={"email": "erin@example.com", "password": PASSWORD})).json()
    fred = (await client.post("/api/auth/register", json={"email": "fred@example.com", "password": PASSWORD})).json()
    statuses = [(await client.get("/api/auth/me", headers=bearer(erin["token"]))).status_code for _ in range(100)]
    assert statuses == [200] * 100
    refused = await client.get("/api/auth/me", headers=bearer(erin["token"]))
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert (await client.get("/api/auth/me", headers=bearer(fred["token"]))).status_code == 200  # per user
    assert (await client.get("/api/market/symbols")).status_code == 200  # anonymous: the address's own bucket
    assert (await client.get("/api/health")).status_code == 200
