"""A request that finds the database or Redis gone is answered 503 with Retry-After, in the
API's one error shape, never a 500."""

from __future__ import annotations

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import InterfaceError, InternalError, OperationalError

from numatix.api import errors


@pytest.mark.parametrize("failure", [
    OperationalError("SELECT 1", {}, Exception("connection refused")),
    InterfaceError("SELECT 1", {}, Exception("connection already closed")),
    InternalError("COMMIT", {}, Exception("terminating connection due to idle-in-transaction timeout")),
    redis.ConnectionError("Error 111 connecting to 127.0.0.1:6399. Connection refused."),
    redis.TimeoutError("Timeout reading from socket"),
])
def test_a_backing_service_that_does_not_answer_is_a_503_with_retry_after(failure):
    api = FastAPI()
    errors.install(api)

    @api.get("/api/thing")
    def thing():
        raise failure

    response = TestClient(api, raise_server_exceptions=False).get("/api/thing")
    assert response.status_code == 503 and int(response.headers["Retry-After"]) >= 1
    message = "The service is briefly unavailable; try again in a moment."
    assert response.json() == {"error": {"code": "unavailable", "message": message, "requestId": "-"}}
    assert "connection" not in response.text.lower()  # nothing of the internals leaks
