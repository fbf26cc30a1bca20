"""Cross-origin use: a page of another site (another port of this host included) must not act
with the visitor's session cookie.

SameSite=Lax does not separate ports or sibling subdomains, so the browser's ``Origin`` header
is checked on every request that can change something (any method but GET, HEAD, OPTIONS) and
on every socket handshake (Reflex's ``/_event``, the API's ``/ws/prices``): it must be this
site's own origin or one listed in ``NUMATIX_ALLOWED_ORIGINS``. A request without ``Origin``
is not from a browser page (scripts, curl) and carries no ambient credentials to abuse.
Reading is covered by CORS: only the listed origins get credentialed answers (rxconfig.py).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from numatix.api.errors import body
from numatix.config import get_settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS = {"http": "80", "https": "443"}
WEB_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


def own_origin(scope: Scope) -> str:
    """The origin the request was sent to: its scheme (after a trusted proxy's
    X-Forwarded-Proto) and its Host header."""
    scheme = WEB_SCHEMES.get(scope.get("scheme", "http"), "http")
    host = _header(scope, b"host").lower()
    return normalised(f"{scheme}://{host}")


def normalised(origin: str) -> str:
    """Lower case, without the scheme's default port (``https://x:443`` is ``https://x``)."""
    origin = origin.strip().lower()
    scheme, _, rest = origin.partition("://")
    if rest.endswith(":" + DEFAULT_PORTS.get(scheme, "-")):
        rest = rest.rsplit(":", 1)[0]
    return f"{scheme}://{rest}"


def is_allowed(origin: str, scope: Scope, listed: frozenset[str]) -> bool:
    if origin == "null":  # sandboxed frames, file: pages, some redirects: never ours
        return False
    given = normalised(origin)
    return given == own_origin(scope) or given in listed


def with_origin_check(app: ASGIApp) -> ASGIApp:
    listed = frozenset(normalised(origin) for origin in get_settings().allowed_origins)

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        origin = _header(scope, b"origin")
        checked = kind == "websocket" or scope.get("method", "GET") not in SAFE_METHODS
        if not checked or not origin or is_allowed(origin, scope, listed):
            await app(scope, receive, send)
            return
        if kind == "websocket":
            await receive()  # websocket.connect; a close before accept answers the handshake with 403
            await send({"type": "websocket.close", "code": 1008, "reason": "Origin not allowed"})
            return
        await _refuse(origin, send)

    return middleware


async def _refuse(origin: str, send: Send) -> None:
    message = (f"Requests from {origin[:100]} are not allowed; "
               "use this site's own pages, or the API with a token.")
    payload = json.dumps(body("forbidden_origin", message)).encode()
    await send({"type": "http.response.start", "status": 403, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1")
    return ""
