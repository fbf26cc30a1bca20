"""Errors become JSON at the edge, one shape for all: ``{"error": {"code", "message", "field"?}}``.

``code`` is Binance's own (-1013, -2010...) when a venue refused, else a short word for the
kind of problem. Nothing else leaks (no stack traces, no internals).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from numatix.domain.errors import (
    AuthenticationFailed,
    OrderNotFound,
    OrderRejected,
    OutcomeUnknown,
    TransientVenueError,
    VenueError,
)
from numatix.services.errors import (
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


async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
    first = error.errors()[0] if error.errors() else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
    field = ".".join(location) or None
    message = f"{field}: {first.get('msg', 'invalid')}" if field else first.get("msg", "Invalid request.")
    return JSONResponse(body("invalid", message, field), status_code=422)


async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
    codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}
    message = error.detail if isinstance(error.detail, str) else "Request refused."
    return JSONResponse(body(codes.get(error.status_code, "http_error"), message), status_code=error.status_code,
                        headers=getattr(error, "headers", None))


def install(api: FastAPI) -> None:
    api.add_exception_handler(StarletteHTTPException, http_error)
    api.add_exception_handler(ServiceError, service_error)
    api.add_exception_handler(VenueError, venue_error)
    api.add_exception_handler(RequestValidationError, invalid_request)
