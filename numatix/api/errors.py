"""Errors become JSON at the edge, one shape for every ``/api`` answer (an unknown path, a
wrong method, a body too large and a crash included):
``{"error": {"code", "message", "field"?, "requestId"}}``.

``code`` is Binance's own (-1013, -2010...) when a venue refused, else a short word for the
kind of problem; ``requestId`` is the X-Request-ID of the answer, the key to the server's log.
Nothing else leaks (no stack traces, no internals).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from numatix.domain.errors import (
    AuthenticationFailed,
    OrderNotFound,
    OrderRejected,
    OutcomeUnknown,
    TransientVenueError,
    VenueError,
)
from numatix.observability import REQUEST_ID
from numatix.services.errors import (
    BACKEND_RETRY_SECONDS,
    BACKEND_UNREACHABLE,
    AuthenticationRequired,
    Conflict,
    NotFound,
    RateLimited,
    ServiceError,
    ServiceUnavailable,
    ValidationFailed,
)

logger = logging.getLogger(__name__)

SERVICE_STATUS: dict[type, tuple[int, str]] = {
    AuthenticationRequired: (401, "unauthorized"),
    ValidationFailed: (422, "invalid"),
    NotFound: (404, "not_found"),
    Conflict: (409, "conflict"),
    RateLimited: (429, "rate_limited"),
    ServiceUnavailable: (503, "unavailable"),
}


class ErrorDetail(BaseModel):
    code: int | str = Field(description="Binance's code when a venue refused (e.g. -1013), else a word")
    message: str
    field: str | None = Field(default=None, description="The input at fault, when there is one")
    requestId: str = Field(description="This answer's X-Request-ID: quote it to find the server's log lines")


class ErrorBody(BaseModel):
    error: ErrorDetail


def _documented(description: str, **extra) -> dict:
    return {"model": ErrorBody, "description": description, **extra}


RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
COMMON_RESPONSES: dict[int | str, dict] = {
    400: _documented("Refused by the venue, with Binance's code and message"),
    401: _documented("No valid session: log in"),
    404: _documented("Not found (or not yours)"),
    409: _documented("Already exists"),
    422: _documented("Invalid input; names the field and the rule"),
    429: _documented("Too many requests", headers=RETRY_AFTER),
    503: _documented("The venue is briefly unavailable", headers=RETRY_AFTER),
}


def body(code: int | str, message: str, field: str | None = None) -> dict:
    error: dict = {"code": code, "message": message}
    if field:
        error["field"] = field
    error["requestId"] = REQUEST_ID.get()
    return {"error": error}


async def service_error(_request: Request, error: ServiceError) -> JSONResponse:
    status, code = next((known for kind, known in SERVICE_STATUS.items() if isinstance(error, kind)),
                        (400, "bad_request"))
    headers = {}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after_seconds)
    if isinstance(error, AuthenticationRequired):
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body(code, error.message, error.field), status_code=status, headers=headers)


async def venue_error(_request: Request, error: VenueError) -> JSONResponse:
    if isinstance(error, OrderNotFound):
        status = 404
    elif isinstance(error, OrderRejected):
        status = 400
    elif isinstance(error, AuthenticationFailed):
        status = 401
    elif isinstance(error, TransientVenueError):
        status = 503
    elif isinstance(error, OutcomeUnknown):
        status = 504
    else:
        status = 502
    logger.info("venue refused: %s %s", error.code, error.message)
    headers = {}
    if isinstance(error, TransientVenueError) and error.retry_after:
        headers["Retry-After"] = str(int(error.retry_after + 0.999))
    return JSONResponse(body(error.code if error.code is not None else "venue_error", error.message),
                        status_code=status, headers=headers)


async def backend_unreachable(_request: Request, error: Exception) -> JSONResponse:
    """The database or Redis did not answer (down, cut off, restarting): try again shortly."""
    logger.warning("a backing service did not answer: %s", type(error).__name__)
    return JSONResponse(body("unavailable", "The service is briefly unavailable; try again in a moment."),
                        status_code=503, headers={"Retry-After": str(BACKEND_RETRY_SECONDS)})


async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
    first = error.errors()[0] if error.errors() else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
    field = ".".join(location) or None
    message = f"{field}: {first.get('msg', 'invalid')}" if field else first.get("msg", "Invalid request.")
    return JSONResponse(body("invalid", message, field), status_code=422)


async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
    codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden",
             413: "too_large"}
    message = error.detail if isinstance(error.detail, str) else "Request refused."
    return JSONResponse(body(codes.get(error.status_code, "http_error"), message),
                        status_code=error.status_code,
                        headers=getattr(error, "headers", None))


def install(api: FastAPI) -> None:
    # Starlette types a handler as taking any Exception; each of ours takes the one it is installed for.
    handlers: dict[type[Exception], Callable[[Request, Any], Awaitable[JSONResponse]]] = {
        StarletteHTTPException: http_error,
        ServiceError: service_error,
        VenueError: venue_error,
        RequestValidationError: invalid_request,
        **{kind: backend_unreachable for kind in BACKEND_UNREACHABLE},
    }
    for kind, handler in handlers.items():
        api.add_exception_handler(kind, handler)


def api_paths_answer_in_json(api: FastAPI) -> None:
    """Last route: an ``/api`` path no route serves answers 404 (or 405 with Allow, when the
    path exists for other methods) in the error shape, instead of falling through to the pages."""

    async def unknown_api_path(request: Request) -> JSONResponse:
        allowed = ", ".join(method for method in METHODS if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in api.routes  # not a mount: Reflex mounts the pages at "" inside this app
            if not isinstance(route, Mount) and getattr(route, "endpoint", None) is not unknown_api_path))
        if allowed:
            message = f"{request.method} is not allowed here; use {allowed}."
            return JSONResponse(body("method_not_allowed", message), 405, headers={"Allow": allowed})
        return JSONResponse(body("not_found", f"No API path {request.url.path[:200]}; see /api/docs."),
                            status_code=404)

    api.add_api_route("/api/{rest:path}", unknown_api_path, include_in_schema=False, methods=list(METHODS))


METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def with_json_crashes(app: ASGIApp) -> ASGIApp:
    """An exception no handler knows becomes a 500 in the error shape on ``/api`` paths (it is
    logged with its stack trace; the caller gets the request id, never the trace). Sits inside
    the request-id middleware, so the answer carries the id in its body and its header."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/api/"):
            await app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await app(scope, receive, watch)
        except Exception:
            logger.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            message = "Something went wrong on our side. Quote the request id to the operator."
            response = JSONResponse(body("internal", message), status_code=500)
            await response(scope, receive, send)

    return middleware
