"""Security headers on every HTTP response: pages, API and static files alike.

The Content-Security-Policy is the strictest the compiled Reflex frontend works under
(tests/e2e/test_content_security_policy.py loads every page in Chromium and fails on any
report): scripts only from this origin, plus the inline scripts of the build itself, each
allowed by its SHA-256 (read from the build's HTML files once, at the first response), never
'unsafe-inline'; 'unsafe-eval' stays because Reflex runs ``call_script`` snippets with eval.
Styles keep 'unsafe-inline' (Radix and emotion write style tags and attributes as they
render). Connections only back to this origin ('self' covers its ws:/wss:), no framing, no
plugins, forms and base URLs only to this origin.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from starlette.types import ASGIApp, Message, Receive, Scope, Send

INLINE_SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)


def content_security_policy(script_hashes: Iterable[str]) -> str:
    hashes = " ".join(f"'sha256-{digest}'" for digest in sorted(set(script_hashes)))
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'unsafe-eval' {hashes}".rstrip(),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def inline_script_hashes(html: str) -> set[str]:
    return {base64.b64encode(hashlib.sha256(match["body"].encode()).digest()).decode()
            for match in INLINE_SCRIPT.finditer(html) if "src=" not in match["attributes"]}


# Where the served pages' HTML comes from: the entry point names the UI's build (this layer
# does not know it); none in dev mode or API-only runs.
_page_sources: list[Callable[[], Iterable[str]]] = []


def hash_inline_scripts_of(pages: Callable[[], Iterable[str]]) -> None:
    _page_sources.append(pages)
    served_policy.cache_clear()


@lru_cache(maxsize=1)
def served_policy() -> bytes:
    from numatix.api.app import docs_page

    hashes = inline_script_hashes(bytes(docs_page().body).decode())
    for pages in _page_sources:
        for html in pages():
            hashes |= inline_script_hashes(html)
    return content_security_policy(hashes).encode()


SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)

def with_security_headers(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                wanted = ((b"content-security-policy", served_policy()), *SECURITY_HEADERS)
                extra = [(name, value) for name, value in wanted if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware
