"""Behind a reverse proxy (deploy/nginx.conf) the app sees every client as the proxy.

Uvicorn's proxy-headers middleware restores the client's address and scheme from
X-Forwarded-For/-Proto, but only for connections from the proxies we trust: per-address
log-in limits then count real clients, and the session cookie is ``Secure`` behind TLS.
Anyone else sending those headers is ignored, so a client cannot pick its own address.
"""

from __future__ import annotations

from typing import Any, cast

from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from numatix.config import get_settings


def behind_trusted_proxies(app: ASGIApp) -> ASGIApp:
    # uvicorn types its ASGI callables more narrowly than Starlette; both are plain ASGI.
    middleware = ProxyHeadersMiddleware(cast(Any, app), trusted_hosts=list(get_settings().trusted_proxies))
    return cast(ASGIApp, middleware)
