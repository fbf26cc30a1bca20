"""The app behind nginx with deploy/nginx.conf: TLS, the redirect, request ids, and the sockets.

The deploy file is used as written, with only its site-specific values swapped for a test's
(ports, certificate, host name, log folder): a self-signed certificate for ``numatix.test``,
nginx run as the current user from a temporary prefix, in front of the session's app server.
The browser reaches ``https://numatix.test`` (port 443 as far as the page knows, which is what
Reflex's websocket URL assumes) through a host-resolver rule pointing at the test's port.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
import socket
import ssl
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from playwright.sync_api import expect
from websockets.sync.client import connect

from tests.e2e.conftest import PASSWORD
from tests.support.app_server import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port

NGINX = os.environ.get("NUMATIX_NGINX", "/usr/sbin/nginx")
SITE = ROOT / "deploy" / "nginx.conf"
HOST = "numatix.test"
GUARD = 60  # seconds: against hanging only; a starved machine can take long to answer a handshake


class Nginx:
    """One nginx master (``daemon off``) on two free ports, everything under ``prefix``."""

    def __init__(self, prefix: Path, app_port: int) -> None:
        self.prefix, self.app_port = prefix, app_port
        self.http_port, self.https_port = free_port(), free_port()
        self.https_url = f"https://127.0.0.1:{self.https_port}"
        self.certificate, self.key = self_signed_certificate(prefix)
        self.process: subprocess.Popen | None = None

    @property
    def access_log(self) -> str:
        return (self.prefix / "numatix.access.log").read_text()

    def start(self) -> None:
        (self.prefix / "numatix.conf").write_text(self.render_site(SITE.read_text()))
        (self.prefix / "nginx.conf").write_text(self.main_config())
        command = [NGINX, "-p", f"{self.prefix}/", "-c", str(self.prefix / "nginx.conf"),
                   "-e", str(self.prefix / "error.log")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, f"nginx -t refused the config:\n{checked.stderr}"
        with open(self.prefix / "nginx.out", "ab") as output:
            self.process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        self._until_listening()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # SIGTERM: the master stops its workers too
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def render_site(self, site: str) -> str:
        """The deploy file with this test's values; every swap must find its target, so a
        reworded deploy file fails here instead of silently testing something else."""
        swaps = [
            (r"\n\s*listen \[::\]:\d+[^;]*;", ""),  # no IPv6 needed (nor always available) here
            (r"listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            (r"listen 443 ssl", f"listen 127.0.0.1:{self.https_port} ssl"),
            (r"server 127\.0\.0\.1:3000;", f"server 127.0.0.1:{self.app_port};"),
            (r"ssl_certificate\s+\S+;", f"ssl_certificate {self.certificate};"),
            (r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {self.key};"),
            (r"/var/log/nginx/", f"{self.prefix}/"),
            (r"/var/www/html", str(self.prefix)),
            (r"numatix\.example\.com", HOST),
        ]
        for pattern, replacement in swaps:
            site, count = re.subn(pattern, replacement, site)
            assert count, f"deploy/nginx.conf no longer has {pattern!r}"
        return site

    def main_config(self) -> str:
        """What a distribution's /etc/nginx/nginx.conf provides, kept inside the prefix."""
        prefix = self.prefix
        temp_paths = "\n".join(f"    {kind}_temp_path {prefix}/{kind};"
                               for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        return f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 256; }}
http {{
{temp_paths}
    access_log {prefix}/access.log;
    include {prefix}/numatix.conf;
}}
"""

    def _until_listening(self, timeout: float = 15.0) -> None:
        """Polled: nginx has no readiness signal to wait on when run in the foreground."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}:\n{self.errors()}")
            try:
                with socket.create_connection(("127.0.0.1", self.https_port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx did not listen within {timeout} s:\n{self.errors()}")

    def errors(self) -> str:
        return "".join(path.read_text(errors="replace")[-3000:]
                       for path in (self.prefix / "error.log", self.prefix / "nginx.out") if path.exists())


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A P-256 certificate for numatix.test and 127.0.0.1, its own issuer (so a client can trust it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = directory / "numatix.crt", directory / "numatix.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return certificate_path, key_path


@pytest.fixture(scope="module")
def nginx(app_process, tmp_path_factory):
    if not os.access(NGINX, os.X_OK):
        pytest.fail(f"{NGINX} is missing: run scripts/ensure-nginx.sh (make test-setup does)")
    proxy = Nginx(tmp_path_factory.mktemp("nginx"), app_process.port)
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def trusted(nginx) -> ssl.SSLContext:
    """Trusts exactly the test's certificate: TLS is checked for real, not switched off."""
    return ssl.create_default_context(cafile=str(nginx.certificate))


@pytest.fixture
def https(nginx, trusted):
    with httpx.Client(base_url=nginx.https_url, verify=trusted, timeout=30) as client:
        yield client


def sign_up(https: httpx.Client) -> str:
    """A new user, registered through nginx; returns the token."""
    email = f"proxied-{uuid.uuid4().hex[:10]}@example.com"
    response = https.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return response.json()["token"]


def test_plain_http_is_sent_to_the_same_address_over_https(nginx):
    response = httpx.get(f"http://127.0.0.1:{nginx.http_port}/trade/ETHUSDT?interval=1h",
                         headers={"Host": HOST}, follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == f"https://{HOST}/trade/ETHUSDT?interval=1h"


def test_the_api_answers_over_tls_with_one_request_id_in_both_logs(nginx, https):
    health = https.get("/api/health")
    assert health.status_code == 200, health.text
    assert health.json()["status"] == "ok"
    assert health.headers["strict-transport-security"].startswith("max-age=")
    generated = health.headers["x-request-id"]  # nginx's $request_id, kept by the app
    assert logged(nginx, '"GET /api/health HTTP/1.1" 200 ')
    assert logged(nginx, f"request_id={generated} ")

    own = https.get("/api/health", headers={"X-Request-ID": "nightlyrebalance42"})
    assert own.headers["x-request-id"] == "nightlyrebalance42"  # a script's own id goes through
    assert logged(nginx, "request_id=nightlyrebalance42 ")


def logged(nginx, text: str, within: float = 30.0) -> bool:
    """nginx writes a request's log line after its answer, so a fast reader may look too soon."""
    deadline = time.monotonic() + within
    while text not in nginx.access_log:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_the_event_socket_upgrades_through_nginx(nginx, https, trusted):
    token = sign_up(https)
    socket_url = f"wss://127.0.0.1:{nginx.https_port}/ws/prices?token={token}&symbols=BTCUSDT"
    with connect(socket_url, ssl=trusted, open_timeout=GUARD) as events:
        assert json.loads(events.recv(timeout=GUARD))["type"] == "CONNECTED"
        placed = https.post("/api/trading/orders", headers={"Authorization": f"Bearer {token}"},
                            json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"})
        assert placed.status_code == 201, placed.text
        seen = set()
        while not {"PRICE_UPDATE", "ORDER_UPDATE"} <= seen:
            event = json.loads(events.recv(timeout=GUARD))
            if event["type"] == "PRICE_UPDATE":
                assert event["data"]["symbol"] == "BTCUSDT"
                seen.add("PRICE_UPDATE")
            elif event["type"] == "ORDER_UPDATE" and event["data"]["orderId"] == placed.json()["orderId"]:
                seen.add("ORDER_UPDATE")
    assert '"GET /ws/prices HTTP/1.1" 101 ' in nginx.access_log
    assert token not in nginx.access_log and "token=" not in nginx.access_log  # issue 14 part 7


def test_the_event_socket_takes_the_token_as_a_subprotocol_through_nginx(nginx, https, trusted):
    token = sign_up(https)
    socket_url = f"wss://127.0.0.1:{nginx.https_port}/ws/prices?symbols=BTCUSDT"
    with connect(socket_url, ssl=trusted, open_timeout=GUARD, subprotocols=["numatix", f"bearer.{token}"]) as events:
        assert events.subprotocol == "numatix"
        assert json.loads(events.recv(timeout=GUARD))["type"] == "CONNECTED"
    with connect(socket_url, ssl=trusted, open_timeout=GUARD) as events:
        events.send(json.dumps({"type": "AUTH", "token": token}))
        assert json.loads(events.recv(timeout=GUARD))["type"] == "CONNECTED"
    assert token not in nginx.access_log


def test_a_body_over_1_mib_is_refused_by_nginx_in_the_error_shape(https):
    answer = https.post("/api/auth/login", content=b"x" * (2 * 1024 * 1024),
                        headers={"Content-Type": "application/json", "X-Request-ID": "big42"})
    assert answer.status_code == 413
    assert answer.json()["error"] == {"code": "too_large", "requestId": "big42",
                                      "message": answer.json()["error"]["message"]}
    assert "1 MiB" in answer.json()["error"]["message"]


def test_the_trade_page_runs_live_through_nginx(nginx, https, browser):
    """A real browser on https://numatix.test: the page, and Reflex's /_event socket behind it."""
    token = sign_up(https)
    to_nginx = f"--host-resolver-rules=MAP {HOST} 127.0.0.1:{nginx.https_port}"  # every port of the host
    behind_nginx = browser.browser_type.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, to_nginx])
    try:
        context = behind_nginx.new_context(ignore_https_errors=True, viewport={"width": 1400, "height": 900})
        context.add_cookies([{"name": "numatix_session", "value": token, "url": f"https://{HOST}",
                              "httpOnly": True, "secure": True, "sameSite": "Lax"}])
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"https://{HOST}/trade/BTCUSDT")
        expect(page.get_by_test_id("symbol-name")).to_have_text("BTCUSDT")
        expect(page.get_by_test_id("connection-status")).to_have_text("Live")
        price = page.get_by_test_id("last-price")
        expect(price).to_have_text(re.compile(r"^\d{1,3}(,\d{3})*\.\d{2}$"))
        first_price = price.inner_text()
        expect(price).not_to_have_text(first_price, timeout=20_000)  # state keeps arriving over the socket
    finally:
        behind_nginx.close()
    assert re.search(r'"GET /_event/?\S* HTTP/1\.1" 101 ', nginx.access_log)


def test_the_session_cookie_is_secure_behind_tls(https):
    response = https.post("/api/auth/browser-session", headers={"Authorization": f"Bearer {sign_up(https)}"})
    assert response.status_code == 204, response.text
    assert "secure" in response.headers["set-cookie"].lower().split("; ")
