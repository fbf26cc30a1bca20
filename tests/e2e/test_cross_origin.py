"""Issue 14 part 2: a page of another origin (another port of the same host) cannot use a
visitor's session cookie: it reads nothing, changes nothing, opens no socket. Over real
sockets against the production app, with the headers a browser sends for such a page."""

from __future__ import annotations

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.e2e.conftest import register
from tests.support.app_server import free_port

ORDER = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}


def attacker_origin(app_url: str) -> str:
    return f"http://127.0.0.1:{free_port()}" if "127.0.0.1" in app_url else "http://127.0.0.1:9"


def victim(app_url: str) -> tuple[dict, dict[str, str]]:
    account = register(app_url)
    return account, {"Cookie": f"numatix_session={account['token']}"}


def orders_of(app_url: str, token: str) -> list:
    answer = httpx.get(f"{app_url}/api/trading/orders", params={"symbol": "BTCUSDT"},
                       headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200
    return answer.json()


def test_another_origin_changes_nothing_with_the_cookie(app_url: str):
    account, cookie = victim(app_url)
    evil = {**cookie, "Origin": attacker_origin(app_url)}
    attacker = register(app_url)
    attacks = [
        ("POST", "/api/trading/orders", ORDER, {}),
        ("POST", "/api/trading/wallet/reset", None, {}),
        ("DELETE", "/api/trading/orders?symbol=BTCUSDT", None, {}),
        ("POST", "/api/alerts", {"symbol": "BTCUSDT", "direction": "above", "price": "1"}, {}),
        # the swap: the attacker's token handed to the victim's browser as its session cookie
        ("POST", "/api/auth/browser-session", None, {"Authorization": f"Bearer {attacker['token']}"}),
        ("POST", "/api/auth/logout-everywhere", None, {}),
    ]
    with httpx.Client(base_url=app_url, timeout=30) as http:
        for method, path, body, extra in attacks:
            answer = http.request(method, path, json=body, headers={**evil, **extra})
            assert answer.status_code == 403, (method, path, answer.text)
            assert answer.json()["error"]["code"] == "forbidden_origin"
            assert "set-cookie" not in answer.headers
        assert orders_of(app_url, account["token"]) == []
        me = http.get("/api/auth/me", headers=cookie)  # the victim's session still lives
        assert me.status_code == 200 and me.json()["email"] == account["email"]
        # the site's own pages may, of course
        placed = http.post("/api/trading/orders", json=ORDER, headers={**cookie, "Origin": app_url})
        assert placed.status_code == 201, placed.text


def test_another_origin_reads_nothing_with_the_cookie(app_url: str):
    _, cookie = victim(app_url)
    origin = attacker_origin(app_url)
    with httpx.Client(base_url=app_url, timeout=30) as http:
        read = http.get("/api/trading/balance", headers={**cookie, "Origin": origin})
        assert read.status_code == 200  # answered, but the browser is not allowed to show it to that page
        assert "access-control-allow-origin" not in read.headers  # without it the browser hides the answer
        preflight = http.options("/api/trading/orders", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        assert preflight.headers.get("access-control-allow-origin") is None


def socket_url(app_url: str, path: str) -> str:
    return app_url.replace("http", "ws", 1) + path


REFLEX_SOCKET = "/_event/?EIO=4&transport=websocket"


@pytest.mark.parametrize("path", ["/ws/prices?token={token}&symbols=BTCUSDT", REFLEX_SOCKET])
def test_another_origin_opens_no_socket(app_url: str, path: str):
    account, cookie = victim(app_url)
    url = socket_url(app_url, path.format(token=account["token"]))
    with pytest.raises(InvalidStatus) as refused:
        connect(url, origin=attacker_origin(app_url), additional_headers=cookie, open_timeout=30)
    assert refused.value.response.status_code == 403
    with connect(url, origin=app_url, additional_headers=cookie, open_timeout=30) as own:
        assert own.recv(timeout=30)  # CONNECTED, or Socket.IO's open packet


def test_a_listed_origin_may_use_the_cookie(app_factory):
    partner = "https://partner.example.com"
    app = app_factory({"NUMATIX_ALLOWED_ORIGINS": partner})
    _, cookie = victim(app.base_url)
    with httpx.Client(base_url=app.base_url, timeout=30) as http:
        read = http.get("/api/trading/balance", headers={**cookie, "Origin": partner})
        assert read.headers["access-control-allow-origin"] == partner
        assert read.headers["access-control-allow-credentials"] == "true"
        placed = http.post("/api/trading/orders", json=ORDER, headers={**cookie, "Origin": partner})
        assert placed.status_code == 201
        other = http.post("/api/trading/orders", json=ORDER,
                          headers={**cookie, "Origin": attacker_origin(app.base_url)})
        assert other.status_code == 403
    for origin in (partner, app.base_url):  # the site's own pages still open their socket
        with connect(socket_url(app.base_url, REFLEX_SOCKET), origin=origin, additional_headers=cookie,
                     open_timeout=30) as own:
            assert own.recv(timeout=30).startswith("0")
