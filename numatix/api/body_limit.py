"""Request bodies of at most 1 MiB: every API body is a few hundred bytes, and a 20 MB one
should cost the server nothing, not seconds of parsing before a 422.

A declared Content-Length over the limit is refused before a byte is read; a body sent
without one (chunked) is counted as it arrives and refused once it passes the limit.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from numatix.api.errors import body

MAX_BODY_BYTES = 1024 * 1024
MESSAGE = "The request body is larger than 1 MiB (1,048,576 bytes); API requests are a few hundred bytes."


def with_body_limit(app: ASGIApp, limit: int = MAX_BODY_BYTES) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send)
            return
        received, started, refused = 0, False, False

        async def counted() -> Message:
            """Past the limit: answer 413 now and tell the app the client has gone."""
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not started:
                    refused = True
                    await _refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; whatever the app says after it goes nowhere
            started = started or message["type"] == "http.response.start"
            await send(message)

        await app(scope, counted, watched)

    return middleware


async def _refuse(send: Send) -> None:
    payload = json.dumps(body("too_large", MESSAGE)).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})
